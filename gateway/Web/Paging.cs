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
