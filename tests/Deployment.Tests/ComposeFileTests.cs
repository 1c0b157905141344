using System.Diagnostics;
using Xunit;

namespace Deployment.Tests;

public sealed class ComposeFileTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    [Fact]
    public void Compose_file_is_valid_and_names_every_deployable()
    {
        var (exit, output, error) = RunCompose(ValidEnv(), "config");
        Assert.True(exit == 0, $"docker-compose config failed: {error}");
        foreach (var service in new[] { "postgres:", "rabbitmq:", "teams:", "consultations:", "reporting:", "gateway:" })
        {
            Assert.Contains($"  {service}", output);
        }
        // Consultations runs as several replicas behind the gateway.
        Assert.Contains("replicas: 2", output);
        // Services reach the real broker and database, not the embedded defaults.
        Assert.Contains("Database__Provider: Postgres", output);
        Assert.Contains("ConnectionStrings__RabbitMq: amqp://", output);
    }

    [Fact]
    public void The_SMTP_door_is_a_profile_that_delivers_to_consultations()
    {
        var env = ValidEnv();
        env["MAIL_DOOR_TOKEN"] = "a.b.c";
        var (exit, output, error) = RunCompose(env, "--profile", "mail", "config");
        Assert.True(exit == 0, $"docker-compose config failed: {error}");
        Assert.Contains("  mail:", output);
        Assert.Contains("MailDoor__ConsultationsAddress: http://consultations:5102", output);
        Assert.Contains("cwg-consultation+{code}@itu.int", output);
        // Only started with --profile mail: operators who take e-mail through their own MTA (the pipe) do not run it.
        Assert.Matches(@"profiles:\s+- mail", output);
    }

    [Fact]
    public void Compose_refuses_to_start_without_the_secrets()
    {
        var env = ValidEnv();
        env.Remove("POSTGRES_PASSWORD");
        var (exit, _, error) = RunCompose(env, "config", "-q");
        Assert.NotEqual(0, exit);
        Assert.Contains("POSTGRES_PASSWORD", error);

        env = ValidEnv();
        env.Remove("CONSULTATIONS_LOG_SIGNING_KEY");
        (exit, _, error) = RunCompose(env, "config", "-q");
        Assert.NotEqual(0, exit);
        Assert.Contains("CONSULTATIONS_LOG_SIGNING_KEY", error);
    }

    [Theory]
    [InlineData("deploy/Teams/Dockerfile", "Teams.dll")]
    [InlineData("deploy/Consultations/Dockerfile", "Consultations.dll")]
    [InlineData("deploy/Reporting/Dockerfile", "Reporting.dll")]
    [InlineData("deploy/Gateway/Dockerfile", "Gateway.dll")]
    [InlineData("deploy/Mail/Dockerfile", "Mail.dll")]
    public void Dockerfile_is_multi_stage_non_root_with_a_health_check(string path, string entry)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, path));
        Assert.Equal(2, text.Split('\n').Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
        Assert.Contains("USER $APP_UID", text);
        Assert.Contains($"HEALTHCHECK", text);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{entry}\"]", text);
    }

    [Theory]
    [InlineData("deploy/Teams", "Teams.Deployable.csproj")]
    [InlineData("deploy/Consultations", "Consultations.Deployable.csproj")]
    [InlineData("deploy/Reporting", "Reporting.Deployable.csproj")]
    [InlineData("deploy/Gateway", "Gateway.Deployable.csproj")]
    [InlineData("deploy/Mail", "Mail.Deployable.csproj")]
    public void Dockerfile_publishes_its_deployable_and_copies_every_project_it_builds_from(string folder, string project)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, folder, "Dockerfile"));
        Assert.Contains($"RUN dotnet publish {folder}/{project} ", text);

        var copied = text.Split('\n')
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd('/'))
            .ToList();
        foreach (var needed in ProjectFoldersOf(Path.Combine(RepoRoot, folder, project)))
        {
            Assert.True(copied.Any(c => needed == c || needed.StartsWith(c + "/", StringComparison.Ordinal)),
                $"{folder}/Dockerfile builds from {needed} but copies only {string.Join(", ", copied)}");
        }
    }

    /// <summary>The folders (relative to the repository, '/'-separated) of a project and of every project it references, transitively.</summary>
    private static SortedSet<string> ProjectFoldersOf(string project)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            var folder = Path.GetDirectoryName(next)!;
            if (!folders.Add(Path.GetRelativePath(RepoRoot, folder).Replace('\\', '/')))
            {
                continue;
            }

            foreach (var reference in System.Xml.Linq.XDocument.Load(next).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(folder, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }
        }

        return folders;
    }

    private static Dictionary<string, string> ValidEnv() => new()
    {
        ["POSTGRES_PASSWORD"] = "pw",
        ["RABBITMQ_DEFAULT_PASS"] = "pw",
        ["AUTH_ISSUER"] = "https://issuer.test",
        ["AUTH_AUDIENCE"] = "wsis",
        ["AUTH_SIGNING_KEY"] = Convert.ToBase64String(new byte[32]),
        ["CONSULTATIONS_LOG_SIGNING_KEY"] = Convert.ToBase64String(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKey()),
    };

    private static (int Exit, string Output, string Error) RunCompose(Dictionary<string, string> env, params string[] args)
    {
        var compose = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("docker-compose is not installed: apt-get install docker-compose (scripts/install-test-deps.sh does it)");
        // An empty env file, so a developer's own .env does not change what is validated.
        var envFile = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo(compose)
            {
                WorkingDirectory = RepoRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "--env-file", envFile, "-f", "docker-compose.yml" }.Concat(args)) psi.ArgumentList.Add(a);
            foreach (var key in new[] { "POSTGRES_PASSWORD", "RABBITMQ_DEFAULT_PASS", "RABBITMQ_DEFAULT_USER", "AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_SIGNING_KEY", "CONSULTATIONS_REPLICAS", "MAIL_DOOR_TOKEN", "CONSULTATIONS_LOG_SIGNING_KEY" })
            {
                psi.Environment.Remove(key);
            }
            foreach (var (k, v) in env) psi.Environment[k] = v;
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException("docker-compose config did not finish in 60 s"); }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            File.Delete(envFile);
        }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above the test assembly");
    }
}
