System.Console.WriteLine("NtkDsl benchmarks (placeholder)");
