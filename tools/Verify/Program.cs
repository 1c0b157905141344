return await Wsis.Verify.VerifyCommand.RunAsync(args, Console.Out, Console.Error);
