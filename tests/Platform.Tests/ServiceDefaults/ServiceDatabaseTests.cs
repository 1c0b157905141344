using Microsoft.Extensions.Configuration;
using Platform.Data;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>How Database:Provider and ConnectionStrings:&lt;name&gt; pick a database.</summary>
public sealed class ServiceDatabaseTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    [Fact]
    public void Without_configuration_a_service_gets_SQLite_in_data_named_after_it()
    {
        var configuration = Configuration();

        var provider = ServiceDatabaseExtensions.ProviderFrom(configuration);
        var connectionString = ServiceDatabaseExtensions.ConnectionStringFor(configuration, "Teams", provider);

        Assert.Equal(DatabaseProvider.Sqlite, provider);
        Assert.Equal($"Data Source={Path.Combine("data", "teams.db")}", connectionString);
        Assert.True(Directory.Exists(Path.GetFullPath("data")));
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("postgresql")]
    public void Postgres_is_chosen_by_name_and_needs_a_connection_string(string name)
    {
        var configuration = Configuration(("Database:Provider", name));

        var provider = ServiceDatabaseExtensions.ProviderFrom(configuration);
        var error = Assert.Throws<InvalidOperationException>(() =>
            ServiceDatabaseExtensions.ConnectionStringFor(configuration, "Teams", provider));

        Assert.Equal(DatabaseProvider.Postgres, provider);
        Assert.Equal("ConnectionStrings:Teams is required when Database:Provider is Postgres.", error.Message);
    }

    [Theory]
    [InlineData("Host=db;Database=teams;Username=app", 64)]
    [InlineData("Host=db;Database=teams;Username=app;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Database=teams;Username=app;MaxAutoPrepare=5", 5)]
    public void Postgres_statements_are_prepared_automatically_unless_the_operator_says_otherwise(string configured, int prepared)
    {
        var configuration = Configuration(("Database:Provider", "Postgres"), ("ConnectionStrings:Teams", configured));

        var connectionString = ServiceDatabaseExtensions.ConnectionStringFor(configuration, "Teams", DatabaseProvider.Postgres);

        var used = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal(prepared, used.MaxAutoPrepare);
        Assert.Equal(("db", "teams", "app"), (used.Host, used.Database, used.Username));
    }

    [Theory]
    [InlineData("Host=db;Database=teams;Username=app", "-c plan_cache_mode=force_custom_plan")]
    [InlineData("Host=db;Database=teams;Username=app;Options=-c statement_timeout=5000", "-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan")]
    [InlineData("Host=db;Database=teams;Username=app;Options=-c plan_cache_mode=auto", "-c plan_cache_mode=auto")]
    public void Postgres_plans_each_execution_unless_the_operator_says_otherwise(string configured, string options)
    {
        var configuration = Configuration(("Database:Provider", "Postgres"), ("ConnectionStrings:Teams", configured));

        var connectionString = ServiceDatabaseExtensions.ConnectionStringFor(configuration, "Teams", DatabaseProvider.Postgres);

        Assert.Equal(options, new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Options);
    }

    [Theory]
    [InlineData("Host=db;Database=teams;Username=app", true)]
    [InlineData("Host=db;Database=teams;Username=app;No Reset On Close=false", false)]
    [InlineData("Host=db;Database=teams;Username=app;NoResetOnClose=false", false)]
    public void Postgres_connections_skip_the_session_reset_unless_the_operator_says_otherwise(string configured, bool skipped)
    {
        var configuration = Configuration(("Database:Provider", "Postgres"), ("ConnectionStrings:Teams", configured));

        var connectionString = ServiceDatabaseExtensions.ConnectionStringFor(configuration, "Teams", DatabaseProvider.Postgres);

        Assert.Equal(skipped, new Npgsql.NpgsqlConnectionStringBuilder(connectionString).NoResetOnClose);
    }

    [Fact]
    public void An_unknown_provider_is_refused_by_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ServiceDatabaseExtensions.ProviderFrom(Configuration(("Database:Provider", "SqlServer"))));

        Assert.Equal("Database:Provider 'SqlServer' is not supported; use Sqlite or Postgres.", error.Message);
    }
}
