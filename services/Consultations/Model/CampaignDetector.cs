using System.Globalization;
using System.Text;

namespace Wsis.Consultations.Model;

/// <summary>A set of responses whose texts are the same, or nearly the same, after normalisation.</summary>
/// <param name="ResponseIds">The responses of the group, in the order they were given.</param>
/// <param name="Identical">True when every text in the group normalises to the same string.</param>
public sealed record SimilarResponseGroup(IReadOnlyList<Guid> ResponseIds, bool Identical)
{
    public int Count => ResponseIds.Count;
}

/// <summary>
/// Finds campaigns (form letters) and duplicates among consultation responses, for counting only:
/// it reports groups, it never hides, merges or edits a response.
/// </summary>
/// <remarks>
/// Texts are normalised (Unicode compatibility form, diacritics and case folded, punctuation and
/// runs of whitespace collapsed, quoted reply lines dropped). Identical normalised texts form a
/// group at once. Near-identical ones (a form letter with a different name and one added line)
/// are found with word shingles: two texts are near-identical when the Jaccard similarity of
/// their sets of <see cref="ShingleWords"/>-word shingles is at least <see cref="Threshold"/>.
/// Comparing every pair would be quadratic, so candidates come from MinHash signatures with
/// locality-sensitive hashing (16 bands of 4 rows: pairs at 0.8 similarity meet with probability
/// above 0.999); every candidate pair is then checked with the exact Jaccard similarity.
/// </remarks>
public sealed class CampaignDetector(double threshold = 0.8, int shingleWords = 4)
{
    private const int Bands = 16;
    private const int Rows = 4;
    private const int SignatureLength = Bands * Rows;

    public double Threshold { get; } = threshold is > 0 and <= 1 ? threshold : throw new ArgumentOutOfRangeException(nameof(threshold));

    public int ShingleWords { get; } = shingleWords >= 1 ? shingleWords : throw new ArgumentOutOfRangeException(nameof(shingleWords));

    /// <summary>Groups of two or more responses, largest first. Responses with no words are not grouped.</summary>
    public IReadOnlyList<SimilarResponseGroup> FindGroups(IEnumerable<(Guid ResponseId, string Text)> responses)
    {
        // 1. Identical after normalisation.
        var distinct = new Dictionary<string, List<Guid>>(StringComparer.Ordinal);
        foreach (var (id, text) in responses)
        {
            var normalised = Normalise(text);
            if (normalised.Length == 0)
            {
                continue;
            }

            if (!distinct.TryGetValue(normalised, out var ids))
            {
                ids = [];
                distinct[normalised] = ids;
            }

            ids.Add(id);
        }

        var texts = distinct.Keys.ToArray();
        var shingles = texts.Select(Shingles).ToArray();
        var parent = Enumerable.Range(0, texts.Length).ToArray();

        // 2. Near-identical: MinHash + LSH candidates, verified exactly. Within one band bucket each
        //    member is compared with the bucket's first member; union-find makes groups transitive.
        for (var band = 0; band < Bands; band++)
        {
            var buckets = new Dictionary<ulong, int>();
            for (var i = 0; i < texts.Length; i++)
            {
                var key = BandKey(shingles[i], band);
                if (!buckets.TryGetValue(key, out var leader))
                {
                    buckets[key] = i;
                    continue;
                }

                if (Find(parent, leader) != Find(parent, i) && Jaccard(shingles[leader], shingles[i]) >= Threshold)
                {
                    Union(parent, leader, i);
                }
            }
        }

        var components = new Dictionary<int, List<int>>();
        for (var i = 0; i < texts.Length; i++)
        {
            var root = Find(parent, i);
            if (!components.TryGetValue(root, out var members))
            {
                members = [];
                components[root] = members;
            }

            members.Add(i);
        }

        return components.Values
            .Select(members => new SimilarResponseGroup(
                members.SelectMany(m => distinct[texts[m]]).ToArray(),
                members.Count == 1))
            .Where(g => g.Count >= 2)
            .OrderByDescending(g => g.Count)
            .ToArray();
    }

    /// <summary>The form in which texts are compared (exposed for tests and for display of a campaign's text).</summary>
    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith('>'))
            {
                continue; // quoted reply text is not the respondent's own words
            }

            var decomposed = line.Normalize(NormalizationForm.FormKD);
            var pendingSpace = builder.Length > 0;
            foreach (var c in decomposed)
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(c);
                if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
                {
                    continue;
                }

                if (char.IsLetterOrDigit(c))
                {
                    if (pendingSpace)
                    {
                        builder.Append(' ');
                        pendingSpace = false;
                    }

                    builder.Append(char.ToLowerInvariant(c));
                }
                else
                {
                    pendingSpace = builder.Length > 0;
                }
            }
        }

        return builder.ToString();
    }

    private HashSet<ulong> Shingles(string normalised)
    {
        var words = normalised.Split(' ');
        var set = new HashSet<ulong>();
        if (words.Length <= ShingleWords)
        {
            set.Add(Hash(normalised));
            return set;
        }

        for (var i = 0; i + ShingleWords <= words.Length; i++)
        {
            set.Add(Hash(string.Join(' ', words, i, ShingleWords)));
        }

        return set;
    }

    private static ulong BandKey(HashSet<ulong> shingles, int band)
    {
        var key = 1469598103934665603UL ^ (ulong)band;
        for (var row = 0; row < Rows; row++)
        {
            var seed = (ulong)(band * Rows + row + 1) * 0x9E3779B97F4A7C15UL;
            var min = ulong.MaxValue;
            foreach (var shingle in shingles)
            {
                var h = Mix(shingle ^ seed);
                if (h < min)
                {
                    min = h;
                }
            }

            key = Mix(key ^ min);
        }

        return key;
    }

    private static double Jaccard(HashSet<ulong> a, HashSet<ulong> b)
    {
        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var common = small.Count(large.Contains);
        return (double)common / (a.Count + b.Count - common);
    }

    /// <summary>FNV-1a over UTF-16 code units, then mixed: stable across runs and processes.</summary>
    private static ulong Hash(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return Mix(h);
    }

    /// <summary>The SplitMix64 finaliser: a bijective 64-bit mixer.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }

    private static void Union(int[] parent, int a, int b) => parent[Find(parent, a)] = Find(parent, b);
}
