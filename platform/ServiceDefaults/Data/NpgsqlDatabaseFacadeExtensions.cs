using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Platform.Data;

/// <summary>
/// Plain Npgsql commands on a DbContext's own connection, inside its current transaction (if any):
/// for the hot paths where EF Core's query or SaveChanges pipeline cost more CPU than the
/// statement itself (group commits, batch look-ups). The connection must be open (a transaction
/// opens it).
/// </summary>
public static class NpgsqlDatabaseFacadeExtensions
{
    public static NpgsqlCommand CreateNpgsqlCommand(this DatabaseFacade database, string sql) =>
        new(sql, Connection(database), Transaction(database));

    public static NpgsqlBatch CreateNpgsqlBatch(this DatabaseFacade database, IEnumerable<NpgsqlBatchCommand> commands)
    {
        var batch = new NpgsqlBatch(Connection(database), Transaction(database));
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        return batch;
    }

    private static NpgsqlConnection Connection(DatabaseFacade database) => (NpgsqlConnection)database.GetDbConnection();

    private static NpgsqlTransaction? Transaction(DatabaseFacade database) => (NpgsqlTransaction?)database.CurrentTransaction?.GetDbTransaction();
}
