namespace Platform.Security;

/// <summary>
/// Request feature the bearer handler sets when it rejects a presented token, so a method that
/// admits anonymous callers can still tell "no token" from "a bad token" (ASP.NET Core keeps
/// only successful results on the request).
/// </summary>
public sealed record BearerTokenRejection(string Reason);
