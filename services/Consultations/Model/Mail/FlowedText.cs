using System.Text;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// RFC 3676 format=flowed: soft line breaks (a trailing space) are joined back into paragraphs.
/// Kept rather than MimeKit's FlowedToText, which also joins the signature separator "-- " to the
/// line after it (RFC 3676 §4.3 says that line is never flowed).
/// </summary>
internal static class FlowedText
{
    public static string Unflow(string text, bool deleteSpace)
    {
        var output = new StringBuilder(text.Length);
        var paragraph = new StringBuilder();
        var paragraphDepth = -1;
        foreach (var rawLine in text.Split('\n'))
        {
            var depth = 0;
            while (depth < rawLine.Length && rawLine[depth] == '>')
            {
                depth++;
            }

            var content = rawLine[depth..];
            if (content.StartsWith(' '))
            {
                content = content[1..]; // space-stuffing
            }

            if (paragraphDepth >= 0 && depth != paragraphDepth)
            {
                EndParagraph();
            }

            paragraphDepth = depth;
            var flowed = content.EndsWith(' ') && content != "-- ";
            if (flowed)
            {
                paragraph.Append(deleteSpace ? content[..^1] : content);
            }
            else
            {
                paragraph.Append(content);
                EndParagraph();
            }
        }

        if (paragraphDepth >= 0)
        {
            EndParagraph();
        }

        if (output.Length > 0)
        {
            output.Length--; // the last line break was added by EndParagraph, not the text
        }

        return output.ToString();

        void EndParagraph()
        {
            if (paragraphDepth > 0)
            {
                output.Append('>', paragraphDepth).Append(' ');
            }

            output.Append(paragraph).Append('\n');
            paragraph.Clear();
            paragraphDepth = -1;
        }
    }
}
