Console.WriteLine("dmpctl");
