namespace Wsis.Consultations.Model;

/// <summary>What the DKIM check (RFC 6376) of an e-mail response found (the values of consultations.v1.DkimResult).</summary>
public enum DkimResult
{
    /// <summary>Not an e-mail, or not checked (a web response).</summary>
    NotChecked = 0,

    /// <summary>The message carries no DKIM signature.</summary>
    None = 1,

    /// <summary>A signature verified with the signing domain's published key: the domain vouches for the message.</summary>
    Pass = 2,

    /// <summary>Signed, but no signature verified (altered after signing, or no valid key published).</summary>
    Fail = 3,

    /// <summary>The signing domain's key could not be fetched at receipt (DNS unreachable or timing out).</summary>
    TempError = 4,
}

/// <summary>
/// Whether an e-mail really came from the domain it claims: the DKIM outcome recorded on the response
/// at receipt, with the signing domain (<c>d=</c>). Never a reason to drop or hide a response: it is
/// shown beside it, so readers can weigh identities (the 2017 FCC docket's stolen-identity comments).
/// </summary>
public sealed record SenderVerification(DkimResult Result, string Domain)
{
    public const int DomainMax = 255;

    public static SenderVerification NotChecked { get; } = new(DkimResult.NotChecked, "");

    public static SenderVerification Unsigned { get; } = new(DkimResult.None, "");
}
