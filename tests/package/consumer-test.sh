#!/usr/bin/env bash
# Package-consumer test: packs NtkDsl into a temporary local feed, creates a fresh console project outside the
# repository and installs the package with the README's commands ("Install as a package": `dotnet new nugetconfig`,
# `dotnet nuget add source <absolute feed path>`, `dotnet add package`), declares a small model, builds and runs it,
# and checks the output. Also checks that the analyzers and build/NtkDsl.props work from the package (NTK3001 enabled
# by .editorconfig as the README says — as a warning, because a command-line build does not print infos —, NTK3002
# with a project-set NtkDslMemoryBudgetMB, NTK1020 as a compile error), and that a net8.0 project gets
# build/NtkDsl.targets' error NTKDSL0001 naming net10.0 instead of missing-namespace errors.
# Exits non-zero, naming the step, if anything fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ntkdsl-consumer.XXXXXX")
# A unique prerelease version, so that no stale copy in the NuGet cache can be picked up; removed again on exit.
version="0.1.0-consumer.$(date +%s).$$"
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
cleanup() { rm -rf "$work" "$packages/ntkdsl/$version"; }
trap cleanup EXIT
step() { echo "== consumer test: $*"; }
fail() { echo "consumer test FAILED: $*" >&2; exit 1; }

step "pack NtkDsl $version"
dotnet pack "$root/src/NtkDsl/NtkDsl.csproj" -c Release -o "$work/feed" -p:PackageVersion="$version" --nologo -v quiet \
  || fail "dotnet pack"
nupkg="$work/feed/NtkDsl.$version.nupkg"
[ -f "$nupkg" ] || fail "no $nupkg"
listing=$(unzip -l "$nupkg")
for entry in lib/net10.0/NtkDsl.dll lib/net10.0/NtkDsl.xml analyzers/dotnet/cs/NtkDsl.Generators.dll \
             analyzers/dotnet/cs/NtkDsl.CodeFixes.dll build/NtkDsl.props build/NtkDsl.targets README.md LICENSE; do
  grep -q " $entry\$" <<<"$listing" || fail "package lacks $entry"
done

step "create a console project in $work/app"
app="$work/app"
mkdir -p "$app"
cat >"$app/Consumer.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <NtkDslMemoryBudgetMB>1</NtkDslMemoryBudgetMB>
  </PropertyGroup>
</Project>
XML
cat >"$app/.editorconfig" <<'INI'
root = true
[*.cs]
dotnet_diagnostic.NTK3001.severity = warning
INI
cat >"$app/Program.cs" <<'CS'
using NtkDsl;

var model = new Tiny(seed: 0);
var data = new double[6 * 4];
new NormalSampler(1).FillNormal(data, 1.0);
var x = Tensor.FromArray(data, 6, 4);
var f = model.Forward(x);
var theta = model.Ntk(x);
var j = model.Jacobian(x);
// Θ = J·Jᵀ (mean over the 3 outputs): an end-to-end check of the generated code.
double worst = 0;
for (int a = 0; a < 6; a++)
    for (int b = 0; b < 6; b++)
    {
        double s = 0;
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < Tiny.Info.ParameterCount; p++)
                s += j[a, c, p] * j[b, c, p];
        worst = Math.Max(worst, Math.Abs(s / 3 - theta[a, b]));
    }
Console.WriteLine($"parameters={Tiny.Info.ParameterCount}");
Console.WriteLine($"forward={f.Rows}x{f.Shape[1]}");
Console.WriteLine($"ntk-vs-jjt={(worst < 1e-10 ? "ok" : "bad " + worst)}");
Console.WriteLine($"cost-parameters={Tiny.Cost.ParameterCount}");
#if OVER_BUDGET
var big = model.Jacobian(Tensor.Zeros(10000, 4));
#endif
#if BAD_SHAPE
var wrong = model.Forward(Tensor.Zeros(2, 5));
#endif

[NtkModel(Inputs = 4)]
public partial class Tiny
{
    [Dense(8, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(3)] public partial DenseLayer Readout { get; }
}
CS

cd "$app"
# The README's install commands, run from the project's own folder (the feed is elsewhere, named by absolute path).
step "dotnet new nugetconfig; dotnet nuget add source $work/feed; dotnet add package NtkDsl --version $version"
{ dotnet new nugetconfig && dotnet nuget add source "$work/feed" --name ntkdsl-local; } >"$work/config.log" 2>&1 \
  || { cat "$work/config.log"; fail "creating nuget.config as the README says"; }
dotnet add package NtkDsl --version "$version" >"$work/add.log" 2>&1 || { cat "$work/add.log"; fail "dotnet add package"; }

step "build"
dotnet build -c Release --nologo -p:DefineConstants=OVER_BUDGET >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "dotnet build"; }
grep -q "warning NTK3001" "$work/build.log" || { cat "$work/build.log"; fail "NTK3001 (enabled in .editorconfig) was not reported"; }
grep -q "warning NTK3002" "$work/build.log" || { cat "$work/build.log"; fail "NTK3002 (NtkDslMemoryBudgetMB = 1) was not reported"; }
grep -o "NTK3001: .*" "$work/build.log" | head -n 1 | sed 's/ (https.*//'

step "run"
out=$(dotnet run -c Release --no-build) || fail "dotnet run"
echo "$out"
# P = 4·8 + 8 + 8·3 + 3 = 67.
for line in "parameters=67" "forward=6x3" "ntk-vs-jjt=ok" "cost-parameters=67"; do
  grep -qx "$line" <<<"$out" || fail "expected output line '$line'"
done

step "a wrong input shape is a compile error"
if dotnet build -c Release --nologo -p:DefineConstants=BAD_SHAPE >"$work/bad.log" 2>&1; then
  fail "the build with a 5-column tensor for Inputs = 4 succeeded"
fi
grep -q "error NTK1020" "$work/bad.log" || { cat "$work/bad.log"; fail "expected NTK1020"; }

step "a net8.0 project gets NTKDSL0001 naming net10.0"
app8="$work/app8"
mkdir -p "$app8"
cp "$app/nuget.config" "$app8/"
cat >"$app8/Old.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net8.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="NtkDsl" Version="$version" />
  </ItemGroup>
</Project>
XML
echo 'Console.WriteLine(typeof(NtkDsl.Tensor));' >"$app8/Program.cs"
if (cd "$app8" && dotnet build -c Release --nologo >"$work/net8.log" 2>&1); then
  fail "a net8.0 project built against NtkDsl (lib/net10.0 only)"
fi
grep -q "error NTKDSL0001: .*net10.0" "$work/net8.log" || { cat "$work/net8.log"; fail "expected error NTKDSL0001 naming net10.0"; }
if grep -q "error CS0246" "$work/net8.log"; then cat "$work/net8.log"; fail "the framework check must stop the build before the compiler"; fi
grep -o "error NTKDSL0001: .*" "$work/net8.log" | head -n 1 | cut -c1-160

echo "consumer test passed"
