using NtkDsl.Benchmarks;

// Temporary dispatcher (replaced when the GEMM benchmark lands).
int n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2048;
if (args.Length > 0 && args[0] == "ntk") NtkBenchmark.Run(n, 48, 2, Console.Out);
if (args.Length > 0 && args[0] == "analytic") AnalyticBenchmark.Run(n, 2, Console.Out);
