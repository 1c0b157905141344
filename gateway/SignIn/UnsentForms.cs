using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.Distributed;

namespace Wsis.Gateway.SignIn;

/// <summary>
/// The text fields of a workspace form posted when the session had ended, kept for half an hour
/// under a random key that travels in the sign-in's return URL (<c>?unsent=…</c>), so the person
/// finds the form as they left it once signed in again. The anti-forgery token is not kept (a new
/// one comes with the form). Kept in <see cref="IDistributedCache"/>: in memory by default, so
/// several gateway instances need session affinity or a shared cache for this to find the form.
/// </summary>
public sealed class UnsentForms(IDistributedCache cache)
{
    public const string QueryKey = "unsent";
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(30);

    public async Task<string> KeepAsync(PathString path, IFormCollection form, CancellationToken cancel)
    {
        var fields = form
            .Where(f => !f.Key.Equals("__RequestVerificationToken", StringComparison.Ordinal))
            .ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToArray(), StringComparer.Ordinal);
        var key = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        var kept = new KeptForm(path.Value ?? "", fields);
        await cache.SetAsync(CacheKey(key), JsonSerializer.SerializeToUtf8Bytes(kept),
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = KeptFor }, cancel);
        return key;
    }

    /// <summary>Puts the kept fields into <paramref name="modelState"/> (forms' tag helpers show them)
    /// and forgets them; false when nothing is kept under that key for that page.</summary>
    public async Task<bool> RestoreAsync(string key, PathString path, ModelStateDictionary modelState, CancellationToken cancel)
    {
        var bytes = await cache.GetAsync(CacheKey(key), cancel);
        if (bytes is null)
        {
            return false;
        }

        var kept = JsonSerializer.Deserialize<KeptForm>(bytes);
        if (kept is null || !string.Equals(kept.Path, path.Value, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        await cache.RemoveAsync(CacheKey(key), cancel);
        foreach (var (name, values) in kept.Fields)
        {
            modelState.SetModelValue(name, new ValueProviderResult(values));
        }

        return true;
    }

    /// <summary><paramref name="url"/> with <c>unsent=key</c> added to its query.</summary>
    public static string ResumeUrl(string url, string key) => QueryHelpers.AddQueryString(url, QueryKey, key);

    private static string CacheKey(string key) => "unsent-form:" + key;

    private sealed record KeptForm(string Path, Dictionary<string, string[]> Fields);
}
