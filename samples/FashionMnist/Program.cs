using System.Globalization;
using FashionMnist;
using Spectre.Console;

// Fashion-MNIST classification with NtkDsl (issue 14, "Real data and numbers"). Usage:
//   dotnet run -c Release --project samples/FashionMnist -- [--data DIR] [--train-sizes 1000,5000] [--test-size N|all]
//       [--methods mlp-ntk,mlp] [--standardize image|pixel] [--epochs N] [--seed N] [--output DIR]
// Reads the IDX files of the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) or of --data,
// and for each training-subset size runs every chosen method, printing a table and writing fashion-mnist.csv and
// fashion-mnist.svg under --output. Exit codes: 0 done, 1 bad arguments, 2 the data are missing or unreadable.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
return FashionMnistApp.Run(args, AnsiConsole.Console);
