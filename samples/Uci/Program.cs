using System.Globalization;
using Spectre.Console;
using Uci;

// UCI regression with NtkRegressor (issue 15). Usage (every option, its default and range, the data folder layout and
// dataset.json's fields: samples/Uci/README.md):
//   dotnet run -c Release --project samples/Uci -- [DATA_DIR] [--full] [--splits N|all] [--first-split K] [--large-splits N|all]
//       [--datasets a,b] [--max-train N|all|0] [--wntk-rows N] [--iterations N] [--coarse-from N|all|0] [--output DIR]
//       [--methods ntk,layer,feature,ard] [--ml-rows N] [--ml-depth-rows N] [--ml-restarts N|auto] [--log-warp on|off] [--repeats drop|merge|keep] [--ard-objective ml|loo]
// The default run is a quick look (5 splits; sets of 5,000+ rows: 3 splits; at most 2,000 training rows); --full is the
// whole protocol (options given beside it win). Exit codes: 0 done (or --help), 1 usage error, 2 the data cannot give the run.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 220;
return UciApp.Run(args, AnsiConsole.Console);
