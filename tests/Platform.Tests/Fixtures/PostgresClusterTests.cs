using Npgsql;
using Testing;
using Xunit;
using Xunit.Abstractions;

namespace Platform.Tests.Fixtures;

/// <summary>The PostgreSQL fixture is a real server: rows survive a reconnect, a restart and a crash.</summary>
public sealed class PostgresClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_row_survives_a_reconnect_on_the_shared_cluster()
    {
        var cluster = await SharedPostgres.GetAsync();
        output.WriteLine($"shared PostgreSQL cluster on {cluster.Host}:{cluster.Port} started in {cluster.StartupTime.TotalSeconds:F1} s (initdb included)");
        var connectionString = await cluster.CreateDatabaseAsync();

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await Execute(connection, "CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)");
            await Execute(connection, "INSERT INTO notes VALUES (1, 'persisted')");
        }
        // A new physical connection, not one handed back by the pool.
        NpgsqlConnection.ClearAllPools();

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            Assert.Equal("persisted", await Scalar(connection, "SELECT text FROM notes WHERE id = 1"));
        }
    }

    [Fact]
    public async Task A_row_survives_a_server_restart_and_a_crash()
    {
        await using var cluster = await PostgresCluster.StartNewAsync();
        output.WriteLine($"private PostgreSQL cluster started in {cluster.StartupTime.TotalSeconds:F1} s (initdb included)");
        var port = cluster.Port;
        var connectionString = await cluster.CreateDatabaseAsync("restarts");

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await Execute(connection, "CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)");
            await Execute(connection, "INSERT INTO notes VALUES (1, 'before restart')");
        }

        await cluster.RestartAsync();
        output.WriteLine($"restart took {cluster.StartupTime.TotalSeconds:F1} s");
        Assert.Equal(port, cluster.Port);
        NpgsqlConnection.ClearAllPools();

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            Assert.Equal("before restart", await Scalar(connection, "SELECT text FROM notes WHERE id = 1"));
            await Execute(connection, "INSERT INTO notes VALUES (2, 'before crash')");
        }

        await cluster.KillAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
        });
        await cluster.StartAsync();
        NpgsqlConnection.ClearAllPools();

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            Assert.Equal(2L, await Scalar(connection, "SELECT count(*) FROM notes"));
        }
    }

    [Fact]
    public async Task Disposing_a_cluster_frees_its_port_and_deletes_its_folder()
    {
        var cluster = await PostgresCluster.StartNewAsync();
        Assert.True(FreePort.IsListening(cluster.Port));
        await cluster.DisposeAsync();
        Assert.False(FreePort.IsListening(cluster.Port));
        Assert.False(Directory.Exists(cluster.Folder));
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
