using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Wsis.Consultations.Log;
using Xunit;

namespace Wsis.Consultations.Tests;

/// <summary>Where the logs' signing key comes from, and a service that has none refusing to start.</summary>
public class LogSigningKeyTests
{
    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Consultations";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Outside_Development_a_service_without_a_key_refuses_to_start_naming_the_setting_and_a_wrong_key_is_named_too()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => LogSigningKey.From(Settings(), new Environment("Production")));
        Assert.Contains("Consultations:Log:SigningKey is not set", missing.Message);

        var garbage = Assert.Throws<InvalidOperationException>(() => LogSigningKey.From(Settings(("Consultations:Log:SigningKey", "not a key")), new Environment("Production")));
        Assert.Contains("holds no ECDSA private key", garbage.Message);

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicOnly = Assert.Throws<InvalidOperationException>(() => LogSigningKey.From(Settings(("Consultations:Log:SigningKey", ecdsa.ExportSubjectPublicKeyInfoPem())), new Environment("Production")));
        Assert.Contains("holds no ECDSA private key", publicOnly.Message);

        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var wrongCurve = Assert.Throws<InvalidOperationException>(() => LogSigningKey.From(Settings(("Consultations:Log:SigningKey", p384.ExportPkcs8PrivateKeyPem())), new Environment("Production")));
        Assert.Contains("P-256", wrongCurve.Message);

        using var configured = LogSigningKey.From(Settings(("Consultations:Log:SigningKey", ecdsa.ExportPkcs8PrivateKeyPem())), new Environment("Production"));
        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfoPem(), configured.PublicKeyPem);
        using var oneLine = LogSigningKey.From(Settings(("Consultations:Log:SigningKey", Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey()))), new Environment("Production"));
        Assert.Equal(configured.KeyId, oneLine.KeyId);
        Assert.Equal(Wsis.Contracts.Verification.Checkpoint.KeyId(ecdsa), configured.KeyId);
    }

    [Fact]
    public void In_Development_a_key_is_generated_once_under_data_and_kept_across_restarts()
    {
        var data = Path.Combine(Directory.CreateTempSubdirectory("log-key-").FullName, "data");

        using var first = LogSigningKey.From(Settings(), new Environment("Development"), data);
        using var again = LogSigningKey.From(Settings(), new Environment("Development"), data);
        using var embedded = LogSigningKey.From(Settings(("Consultations:Log:GenerateKey", "true")), new Environment("Production"), data);

        Assert.True(File.Exists(Path.Combine(data, LogSigningKey.KeyFile)));
        Assert.Equal(first.KeyId, again.KeyId);
        Assert.Equal(first.KeyId, embedded.KeyId);
    }
}
