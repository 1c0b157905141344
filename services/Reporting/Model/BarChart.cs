using System.Globalization;
using System.Net;
using System.Text;

namespace Wsis.Reporting.Model;

/// <summary>
/// Draws a figure as an inline SVG bar chart: a y axis with round ticks, one bar per category whose
/// height is proportional to its count, the count above each bar and the category below it.
/// Accessible: role="img" with &lt;title&gt; and &lt;desc&gt;, and a &lt;title&gt; per bar for tooltips
/// and screen readers. All text is escaped.
/// </summary>
public static class BarChart
{
    public const int Height = 320;
    public const int MarginTop = 48;
    public const int MarginBottom = 84;
    public const int MarginLeft = 64;
    public const int MarginRight = 24;
    public const int PlotHeight = Height - MarginTop - MarginBottom;

    /// <summary>Charts show at most this many bars; the rest are summed into one "Other" bar (tables list them all).</summary>
    public const int MaxBars = 24;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(Figure figure)
    {
        var bars = Limit(figure.Bars);
        var max = bars.Count == 0 ? 0 : bars.Max(b => b.Count);
        var (axisMax, step) = Axis(max);
        // Each bar's slot is as wide as its longest word; longer labels wrap onto up to three lines.
        var longestWord = bars.Count == 0 ? 1 : bars.SelectMany(b => Words(b.Key)).DefaultIfEmpty("").Max(w => w.Length);
        var slot = Math.Clamp(longestWord * CharWidth + 16, 40.0, 150.0);
        var lineChars = Math.Max(4, (int)((slot - 8) / CharWidth));
        var width = MarginLeft + Math.Max(1, bars.Count) * slot + MarginRight;
        var plotBottom = MarginTop + PlotHeight;
        var id = "fig-" + figure.Id;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{E(id)}\" role=\"img\" width=\"{N(width)}\" height=\"{Height}\" viewBox=\"0 0 {N(width)} {Height}\" aria-labelledby=\"{E(id)}-title {E(id)}-desc\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{E(id)}-title\">{E(figure.Title)}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<desc id=\"{E(id)}-desc\">{E(Describe(figure, bars))}</desc>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"chart-title\" x=\"{N(width / 2)}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{E(figure.Title)}</text>\n");

        // Grid lines and tick labels of the y axis.
        svg.Append("<g class=\"y-axis\">\n");
        for (var v = 0; v <= axisMax; v += step)
        {
            var y = plotBottom - (double)v / axisMax * PlotHeight;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line class=\"grid\" x1=\"{MarginLeft}\" y1=\"{N(y)}\" x2=\"{N(width - MarginRight)}\" y2=\"{N(y)}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"tick\" x=\"{MarginLeft - 6}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{v.ToString(Inv)}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"axis\" x1=\"{MarginLeft}\" y1=\"{MarginTop}\" x2=\"{MarginLeft}\" y2=\"{plotBottom}\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis-label\" transform=\"translate(16 {N(MarginTop + PlotHeight / 2.0)}) rotate(-90)\" text-anchor=\"middle\">{E(figure.ValueLabel)}</text>\n");
        svg.Append("</g>\n");

        svg.Append("<g class=\"bars\">\n");
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var h = (double)b.Count / axisMax * PlotHeight;
            var x = MarginLeft + i * slot + slot * 0.15;
            var w = slot * 0.7;
            var cx = MarginLeft + i * slot + slot / 2;
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"bar\" data-label=\"{E(b.Key)}\" data-value=\"{b.Count.ToString(Inv)}\">");
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{N(x)}\" y=\"{N(plotBottom - h)}\" width=\"{N(w)}\" height=\"{N(h)}\" fill=\"#1f6fb2\"><title>{E(b.Key)}: {b.Count.ToString(Inv)}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"value\" x=\"{N(cx)}\" y=\"{N(plotBottom - h - 4)}\" text-anchor=\"middle\">{b.Count.ToString(Inv)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{N(cx)}\" y=\"{plotBottom + 16}\" text-anchor=\"middle\">");
            var lines = Wrap(b.Key, lineChars);
            for (var l = 0; l < lines.Count; l++)
                svg.Append(CultureInfo.InvariantCulture, $"<tspan x=\"{N(cx)}\" dy=\"{(l == 0 ? 0 : 14)}\">{E(lines[l])}</tspan>");
            svg.Append("</text>");
            svg.Append("</g>\n");
        }
        svg.Append("</g>\n");

        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"axis\" x1=\"{MarginLeft}\" y1=\"{plotBottom}\" x2=\"{N(width - MarginRight)}\" y2=\"{plotBottom}\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis-label\" x=\"{N(MarginLeft + (width - MarginLeft - MarginRight) / 2)}\" y=\"{Height - 6}\" text-anchor=\"middle\">{E(figure.CategoryLabel)}</text>\n");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// The top of the y axis and the tick step: a step of 1, 2 or 5 times a power of ten giving at
    /// most five intervals, and the smallest multiple of it that holds the largest count.
    /// </summary>
    public static (int AxisMax, int Step) Axis(int max)
    {
        if (max <= 0) return (1, 1);
        var raw = max / 5.0;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(raw, 1))));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var stepInt = Math.Max(1, (int)step);
        return ((int)Math.Ceiling((double)max / stepInt) * stepInt, stepInt);
    }

    public static IReadOnlyList<CountBy> Limit(IReadOnlyList<CountBy> bars)
    {
        if (bars.Count <= MaxBars) return bars;
        var kept = bars.Take(MaxBars - 1).ToList();
        var rest = bars.Skip(MaxBars - 1).ToList();
        kept.Add(new CountBy($"Other ({rest.Count.ToString(Inv)})", rest.Sum(b => b.Count)));
        return kept;
    }

    private const double CharWidth = 7.2; // average advance of a 12px sans-serif glyph

    private static string[] Words(string label) => label.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Greedy word wrap to at most three lines; what does not fit ends in an ellipsis (the bar's own title has it all).</summary>
    public static IReadOnlyList<string> Wrap(string label, int lineChars)
    {
        var lines = new List<string>();
        foreach (var word in Words(label))
        {
            if (lines.Count > 0 && lines[^1].Length + 1 + word.Length <= lineChars) lines[^1] += " " + word;
            else lines.Add(word);
        }
        if (lines.Count == 0) lines.Add("");
        if (lines.Count > 3) lines = [lines[0], lines[1], lines[2] + " …"];
        return lines;
    }

    private static string Describe(Figure figure, IReadOnlyList<CountBy> bars) =>
        figure.Description + " " + string.Join(", ", bars.Select(b => $"{b.Key}: {b.Count.ToString(Inv)}")) + ".";

    private static string N(double v) => Math.Round(v, 2).ToString("0.##", Inv);

    private static string E(string text) => Markup.Escape(text);
}

public static class Markup
{
    /// <summary>Escapes text for HTML and XML alike (so SVG inside HTML stays well-formed XML).</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(WithoutControlCharacters(text));

    // C0 controls other than tab and line breaks are not allowed in XML 1.0 at all, escaped or not.
    private static string WithoutControlCharacters(string text) =>
        text.Any(c => c < ' ' && c is not ('\t' or '\n' or '\r'))
            ? new string(text.Where(c => c >= ' ' || c is '\t' or '\n' or '\r').ToArray())
            : text;
}
