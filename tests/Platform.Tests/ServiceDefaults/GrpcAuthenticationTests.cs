using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Platform.Data;
using Platform.Domain;
using Platform.Security;
using Platform.ServiceDefaults;
using Platform.Tests.ServiceDefaults.Probe;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// Bearer authentication seen from a gRPC client over HTTP/2: the caller reaches the service
/// method, CallerGuard answers UNAUTHENTICATED / PERMISSION_DENIED with the reason, [Authorize]
/// challenges become UNAUTHENTICATED, and a retried create with the same request_id returns the
/// first result.
/// </summary>
public sealed class GrpcAuthenticationTests(GrpcAuthenticationTests.ProbeHost probe) : IClassFixture<GrpcAuthenticationTests.ProbeHost>
{
    public sealed class ProbeHost : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("grpc-auth-").FullName;
        private TestWebHost _host = null!;
        private GrpcChannel _channel = null!;

        public string Secret { get; } = TestTokens.NewSecret();

        public CallerProbe.CallerProbeClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var configuration = TestTokens.Configuration(Secret);
            configuration["ConnectionStrings:Ledger"] = $"Data Source={Path.Combine(_folder, "ledger.db")}";
            _host = await TestWebHost.StartAsync(configuration,
                configure: b =>
                {
                    b.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(o => o.Protocols = HttpProtocols.Http2));
                    b.AddBearerAuthentication();
                    b.AddServiceDatabase<LedgerDb>("Ledger", migrateOnStart: false);
                    b.AddGrpcDefaults();
                },
                map: app => app.MapGrpcService<CallerProbeService>());
            await _host.App.MigrateDatabaseAsync<LedgerDb>();
            _channel = GrpcChannel.ForAddress(_host.Client.BaseAddress!);
            Client = new CallerProbe.CallerProbeClient(_channel);
        }

        public async Task DisposeAsync()
        {
            _channel.Dispose();
            await _host.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    private string Token(object roles, string sub = "sec-1", int expiresInMinutes = 10) =>
        TestTokens.Create(TestTokens.Hs256(probe.Secret), TestTokens.Claims(sub, roles, country: "CH", org: "stk-5"),
            notBefore: DateTime.UtcNow.AddMinutes(-30), expires: DateTime.UtcNow.AddMinutes(expiresInMinutes));

    [Theory]
    [InlineData("rule-invalid", StatusCode.InvalidArgument, "text must not be empty")]
    [InlineData("rule-unavailable", StatusCode.Unavailable, "the election has not reached this service yet")]
    [InlineData("transient", StatusCode.Unavailable, "retry")]
    [InlineData("race", StatusCode.Aborted, "a concurrent request made a conflicting change; retry the request")]
    [InlineData("rpc", StatusCode.OutOfRange, "as thrown")]
    [InlineData("bug", StatusCode.Unknown, "the service failed unexpectedly; the failure was logged under trace ")]
    public async Task What_a_method_throws_reaches_the_caller_as_the_status_of_its_kind_and_never_its_insides(string kind, StatusCode status, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await probe.Client.FailAsync(new FailRequest { Kind = kind }));
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
        Assert.DoesNotContain("Exception", error.Status.Detail);
        Assert.DoesNotContain("IX_secret", error.Status.Detail);
        Assert.DoesNotContain("Secret.cs", error.Status.Detail);
        if (kind == "rule-unavailable")
        {
            // The client's retry policy (and the project's older clients) wait as long as asked.
            Assert.Equal("500", error.Trailers.GetValue("grpc-retry-pushback-ms"));
            Assert.Equal("500", error.Trailers.GetValue("retry-after-ms"));
        }
    }

    [Fact]
    public async Task The_method_sees_the_caller_of_a_valid_token()
    {
        var reply = await probe.Client.WhoAmIAsync(new WhoAmIRequest(), Bearer(Token(new[] { "member-state", "coordinator" })));

        Assert.Equal("sec-1", reply.Subject);
        Assert.Equal(["coordinator", "member-state"], reply.Roles.Order());
        Assert.Equal("CH", reply.Country);
        Assert.Equal("stk-5", reply.Org);
    }

    [Fact]
    public async Task An_open_method_serves_anonymous_callers()
    {
        var reply = await probe.Client.WhoAmIAsync(new WhoAmIRequest());

        Assert.Equal("", reply.Subject);
        Assert.Empty(reply.Roles);
    }

    [Fact]
    public async Task A_guarded_method_answers_UNAUTHENTICATED_with_the_reason_for_an_expired_token()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await probe.Client.SecretariatOnlyAsync(new WhoAmIRequest(), Bearer(Token("secretariat", expiresInMinutes: -5))));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("bearer token rejected: token expired", error.Status.Detail);
    }

    [Fact]
    public async Task A_guarded_method_answers_PERMISSION_DENIED_for_the_wrong_role()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await probe.Client.SecretariatOnlyAsync(new WhoAmIRequest(), Bearer(Token("stakeholder"))));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("requires the role secretariat", error.Status.Detail);
    }

    [Fact]
    public async Task A_guarded_method_lets_the_right_role_in()
    {
        var reply = await probe.Client.SecretariatOnlyAsync(new WhoAmIRequest(), Bearer(Token("secretariat")));

        Assert.Equal("sec-1", reply.Subject);
    }

    [Fact]
    public async Task An_Authorize_attribute_turns_a_missing_or_bad_token_into_UNAUTHENTICATED()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(async () =>
            await probe.Client.AuthorizedOnlyAsync(new WhoAmIRequest()));
        var forged = await Assert.ThrowsAsync<RpcException>(async () =>
            await probe.Client.AuthorizedOnlyAsync(new WhoAmIRequest(),
                Bearer(TestTokens.Create(TestTokens.Hs256(TestTokens.NewSecret())))));
        var reply = await probe.Client.AuthorizedOnlyAsync(new WhoAmIRequest(), Bearer(Token("stakeholder")));

        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
        Assert.Equal("sec-1", reply.Subject);
    }

    [Fact]
    public async Task A_retried_create_with_the_same_request_id_returns_the_first_note()
    {
        var headers = Bearer(Token("stakeholder", sub: "stk-user"));
        var first = await probe.Client.CreateNoteAsync(new CreateNoteRequest { RequestId = "note-1", Text = "first" }, headers);
        var retry = await probe.Client.CreateNoteAsync(new CreateNoteRequest { RequestId = "note-1", Text = "second" }, headers);
        var other = await probe.Client.CreateNoteAsync(new CreateNoteRequest { RequestId = "note-1", Text = "other caller" },
            Bearer(Token("stakeholder", sub: "someone-else")));

        Assert.Equal(first, retry);
        Assert.Equal("first", retry.Text);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal("someone-else", other.Author);
    }
}

/// <summary>Written as a service would be: the guard and the idempotency store, nothing else.</summary>
public sealed class CallerProbeService(LedgerDb db) : CallerProbe.CallerProbeBase
{
    public override Task<WhoAmIReply> WhoAmI(WhoAmIRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(context.GetCaller()));

    public override Task<WhoAmIReply> SecretariatOnly(WhoAmIRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(context.GetCaller().RequireSecretariat()));

    [Authorize]
    public override Task<WhoAmIReply> AuthorizedOnly(WhoAmIRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(context.GetCaller()));

    public override Task<Note> CreateNote(CreateNoteRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return IdempotencyStore.ExecuteOnceAsync(db, key, Note.Parser, _ =>
        {
            var entry = new LedgerEntry { Id = Guid.NewGuid(), Text = request.Text };
            db.Entries.Add(entry);
            return Task.FromResult(new Note { Id = entry.Id.ToString(), Text = entry.Text, Author = caller.Subject });
        }, context.CancellationToken);
    }

    public override Task<WhoAmIReply> Fail(FailRequest request, ServerCallContext context) => request.Kind switch
    {
        "rule-invalid" => throw DomainException.InvalidArgument("text must not be empty"),
        "rule-unavailable" => throw DomainException.Unavailable("the election has not reached this service yet", TimeSpan.FromMilliseconds(500)),
        "transient" => throw new TimeoutException("the database did not answer"),
        "race" => throw new Microsoft.EntityFrameworkCore.DbUpdateException("duplicate key value violates unique constraint \"IX_secret\""),
        "rpc" => throw new RpcException(new Status(StatusCode.OutOfRange, "as thrown")),
        _ => throw new InvalidOperationException("Npgsql.PostgresException at Platform.Secret.Method() in /src/Secret.cs:line 42"),
    };

    private static WhoAmIReply Reply(Caller caller) => new()
    {
        Subject = caller.Subject ?? "",
        Roles = { caller.Roles },
        Country = caller.Country ?? "",
        Org = caller.Org ?? "",
    };
}
