global using Platform.Domain;
global using Xunit;
