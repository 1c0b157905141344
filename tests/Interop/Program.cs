Console.WriteLine(typeof(Grpc.Testing.TestService.TestServiceClient).FullName);
