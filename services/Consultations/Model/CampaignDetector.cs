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
        var run = Start();
        foreach (var (id, text) in responses)
        {
            run.Add(id, text);
        }

        return run.Groups();
    }

    /// <summary>
    /// A detection fed one response at a time (a consultation's responses are read as a stream, not
    /// all held at once). It keeps, per distinct normalised text, a 128-bit digest of it, its
    /// shingles as a sorted array and its band keys, not the text: about 1.5 KB for a 1 KB letter.
    /// </summary>
    public Run Start() => new(this);

    public sealed class Run
    {
        private readonly CampaignDetector _detector;
        private readonly Dictionary<UInt128, int> _distinct = [];
        private readonly List<List<Guid>> _members = [];
        private readonly List<ulong[]> _shingles = [];
        private readonly List<int> _parent = [];
        private readonly Dictionary<ulong, int>[] _buckets = [.. Enumerable.Range(0, Bands).Select(_ => new Dictionary<ulong, int>())];

        internal Run(CampaignDetector detector) => _detector = detector;

        public void Add(Guid responseId, string text)
        {
            // 1. Identical after normalisation: one entry per distinct text.
            var normalised = Normalise(text);
            if (normalised.Length == 0)
            {
                return;
            }

            var digest = Digest(normalised);
            if (_distinct.TryGetValue(digest, out var known))
            {
                _members[known].Add(responseId);
                return;
            }

            var index = _members.Count;
            _distinct[digest] = index;
            _members.Add([responseId]);
            var shingles = _detector.Shingles(normalised);
            _shingles.Add(shingles);
            _parent.Add(index);

            // 2. Near-identical: MinHash + LSH candidates, verified exactly. Within one band bucket
            //    each text is compared with the bucket's first text; union-find makes groups transitive.
            var keys = BandKeys(shingles);
            for (var band = 0; band < Bands; band++)
            {
                var key = keys[band];
                if (!_buckets[band].TryGetValue(key, out var leader))
                {
                    _buckets[band][key] = index;
                    continue;
                }

                if (Find(_parent, leader) != Find(_parent, index) && Jaccard(_shingles[leader], shingles) >= _detector.Threshold)
                {
                    _parent[Find(_parent, leader)] = Find(_parent, index);
                }
            }
        }

        /// <summary>Groups of two or more responses, largest first.</summary>
        public IReadOnlyList<SimilarResponseGroup> Groups()
        {
            var components = new Dictionary<int, List<int>>();
            for (var i = 0; i < _members.Count; i++)
            {
                var root = Find(_parent, i);
                if (!components.TryGetValue(root, out var texts))
                {
                    texts = [];
                    components[root] = texts;
                }

                texts.Add(i);
            }

            return components.Values
                .Select(texts => new SimilarResponseGroup(texts.SelectMany(t => _members[t]).ToArray(), texts.Count == 1))
                .Where(g => g.Count >= 2)
                .OrderByDescending(g => g.Count)
                .ToArray();
        }

        /// <summary>128 bits of SHA-256 of the normalised text: two different texts never meet in practice.</summary>
        private static UInt128 Digest(string normalised)
        {
            Span<byte> hash = stackalloc byte[32];
            System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(normalised), hash);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
        }
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

            // ASCII has nothing to decompose (most responses): skip the Unicode normaliser.
            var decomposed = System.Text.Ascii.IsValid(line) ? line : line.Normalize(NormalizationForm.FormKD);
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

    /// <summary>The text's distinct shingle hashes, sorted: each shingle's hash is built from its words' hashes, position by position.</summary>
    private ulong[] Shingles(string normalised)
    {
        var words = normalised.Split(' ');
        if (words.Length <= ShingleWords)
        {
            return [Hash(normalised)];
        }

        var wordHashes = new ulong[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            wordHashes[i] = Hash(words[i]);
        }

        var set = new HashSet<ulong>();
        for (var i = 0; i + ShingleWords <= words.Length; i++)
        {
            var h = 0x2545F4914F6CDD1DUL;
            for (var w = 0; w < ShingleWords; w++)
            {
                h = Mix(h ^ wordHashes[i + w]);
            }

            set.Add(h);
        }

        var sorted = set.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>
    /// The band keys of a text's MinHash signature, in one pass over its shingles: row r's value is
    /// the minimum over the shingles of <c>a_r · h + b_r</c> (odd multipliers; the shingle hashes are
    /// already mixed), which costs a multiply-add instead of a full mix per shingle and row.
    /// </summary>
    private static ulong[] BandKeys(ulong[] shingles)
    {
        Span<ulong> minima = stackalloc ulong[SignatureLength];
        minima.Fill(ulong.MaxValue);
        foreach (var shingle in shingles)
        {
            for (var r = 0; r < SignatureLength; r++)
            {
                var v = shingle * Multipliers[r] + Offsets[r];
                if (v < minima[r])
                {
                    minima[r] = v;
                }
            }
        }

        var keys = new ulong[Bands];
        for (var band = 0; band < Bands; band++)
        {
            var key = 1469598103934665603UL ^ (ulong)band;
            for (var row = 0; row < Rows; row++)
            {
                key = Mix(key ^ minima[band * Rows + row]);
            }

            keys[band] = key;
        }

        return keys;
    }

    private static readonly ulong[] Multipliers = [.. Enumerable.Range(1, SignatureLength).Select(i => Mix((ulong)i * 0x9E3779B97F4A7C15UL) | 1)];

    private static readonly ulong[] Offsets = [.. Enumerable.Range(1, SignatureLength).Select(i => Mix((ulong)i ^ 0xD1B54A32D192ED03UL))];

    /// <summary>Jaccard similarity of two sorted sets.</summary>
    private static double Jaccard(ulong[] a, ulong[] b)
    {
        var (i, j, common) = (0, 0, 0);
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                common++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (double)common / (a.Length + b.Length - common);
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

    private static int Find(List<int> parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }
}
