System.Console.WriteLine("NtkDsl quickstart (placeholder)");
