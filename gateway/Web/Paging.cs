namespace Wsis.Gateway.Web;

/// <summary>Every page of a list method, following <c>next_page_token</c>.</summary>
public static class Paging
{
    public static async Task<List<TItem>> AllAsync<TResponse, TItem>(Func<string, Task<TResponse>> page,
        Func<TResponse, (IEnumerable<TItem> Items, string Next)> read, int maxPages = 50)
    {
        var items = new List<TItem>();
        var token = "";
        for (var i = 0; i < maxPages; i++)
        {
            var (pageItems, next) = read(await page(token));
            items.AddRange(pageItems);
            if (string.IsNullOrEmpty(next))
            {
                break;
            }

            token = next;
        }

        return items;
    }
}

/// <summary>
/// The links between pages of a list a page shows one page at a time: the service's
/// <c>next_page_token</c> goes into <c>?from=</c> (not <c>page</c>, which Razor Pages reserve), the
/// rest of the query (filters, language) is kept. No link when there is one page only.
/// </summary>
public sealed record PageLinks(string? FirstHref, string? NextHref, string Label)
{
    public const string Parameter = "from";

    public bool Any => FirstHref is not null || NextHref is not null;

    public static PageLinks For(HttpRequest request, string thisToken, string nextToken, string label, string fragment = "")
    {
        string Href(string? token)
        {
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value)
                .Where(q => q.Key != Parameter)
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? "")))
                .ToList();
            if (!string.IsNullOrEmpty(token))
            {
                query.Add(new(Parameter, token));
            }

            return request.PathBase + request.Path + new Microsoft.AspNetCore.Http.Extensions.QueryBuilder(query).ToQueryString() + fragment;
        }

        return new PageLinks(
            string.IsNullOrEmpty(thisToken) ? null : Href(null),
            string.IsNullOrEmpty(nextToken) ? null : Href(nextToken),
            label);
    }
}
