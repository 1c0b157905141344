using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Testing;
using Wsis.Consultations.V1;

namespace FaultTolerance.Tests;

/// <summary>
/// One cluster for every fault test (started once, the tests run one after the other): PostgreSQL,
/// RabbitMQ, two Consultations instances and Reporting as their own processes, each service reaching
/// RabbitMQ through a <see cref="TcpProxy"/> of its own so a test can cut it off the broker.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    private readonly List<GrpcChannel> _channels = [];

    public ServiceCluster Cluster { get; private set; } = null!;

    /// <summary>One channel per Consultations instance (the intake's clients spread over them).</summary>
    public IReadOnlyList<GrpcChannel> ConsultationsChannels => _channels;

    public async Task InitializeAsync()
    {
        Cluster = await ServiceCluster.StartAsync(new ServiceClusterOptions
        {
            ConsultationsInstances = 2,
            BrokerProxies = true,
            Configure = (name, environment) =>
            {
                if (name == "reporting")
                {
                    // The inbox logs each duplicate it ignores at Debug (category Platform.Messaging.Inbox.*):
                    // the tests count those lines. The key is the prefix "Platform" because the process
                    // starts through /bin/sh, which drops environment variables with a dot in their name.
                    environment["Logging__LogLevel__Platform"] = "Debug";
                }
                else
                {
                    // A publish that failed while the broker was away is retried within seconds, not
                    // after the default 30 s cap, so the tests settle quickly.
                    environment["Messaging__MaxPublishBackoff"] = "00:00:03";
                }
            },
        });
        foreach (var instance in Cluster.Consultations)
        {
            // The intake driver retries itself, as a real client does; the channel does not.
            _channels.Add(GrpcChannel.ForAddress(Cluster.Address(instance), new GrpcChannelOptions { MaxRetryAttempts = 0 }));
        }
    }

    /// <summary>A bearer token signed with the cluster's key, as the organisation's identity provider would issue.</summary>
    public string Token(string subject, string role, string? country = null)
    {
        var issuer = new DevelopmentTokenIssuer(Cluster.Issuer, Cluster.Audience, new SymmetricSecurityKey(Cluster.SigningKey));
        return issuer.Mint(new DevelopmentTokenRequest(subject, subject, [role], country, null), TimeSpan.FromHours(2));
    }

    /// <summary>Schedules a group meeting and opens a consultation for it; returns the consultation's id.</summary>
    public async Task<string> OpenConsultationAsync(string title)
    {
        var client = new Consultations.ConsultationsClient(_channels[0]);
        var secretariat = new Metadata { { "authorization", "Bearer " + Token("fault-secretariat", "secretariat") } };
        var meeting = await client.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = DateTime.UtcNow.AddMonths(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Venue = "Geneva",
        }, secretariat);
        var memberState = new Metadata { { "authorization", "Bearer " + Token("fault-member-state", "member-state", "CH") } };
        var consultation = await client.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = meeting.Id,
            Title = title,
            IssueText = "Fault tolerance of the intake: " + title,
        }, memberState);
        return consultation.Id;
    }

    /// <summary>Brings every part back up (a failed test may have left one down), so each test starts from a whole cluster.</summary>
    public async Task EnsureWholeAsync()
    {
        if (!Cluster.Postgres.IsRunning)
        {
            await Cluster.Postgres.StartAsync();
        }

        if (!Cluster.RabbitMq.IsRunning)
        {
            await Cluster.RabbitMq.StartAsync();
        }

        foreach (var process in Cluster.Consultations.Append(Cluster.Reporting))
        {
            Cluster.BrokerProxy(process).Restore();
            await Cluster.RestartAsync(process);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
