using System.Security.Cryptography;
using System.Text;
using Wsis.Consultations.Model.Mail;
using Xunit;

namespace Wsis.Consultations.Tests;

/// <summary>The MIME reader against the corpus in Mail/ (shaped like what real mailers send).</summary>
public class MailMessageReaderTests
{
    private static readonly MailMessageReader Reader = new();

    internal static byte[] Corpus(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Mail", name));

    private static ReadMessage ReadCorpus(string name) => Reader.Read(Corpus(name));

    [Fact]
    public void Thunderbird_flowed_text_is_unwrapped_and_the_RFC_2231_continued_file_name_is_decoded()
    {
        var message = ReadCorpus("thunderbird-flowed-rfc2231.eml");

        Assert.Empty(message.Problems);
        Assert.Equal(new MailboxAddress("Zoë Ærøskøbing", "zoe@example.ch"), message.From);
        Assert.Equal("Réponse à la consultation sur la connectivité internationale", message.Subject);
        Assert.Contains("Please find below the response of Société numérique suisse to the open consultation on public policy considerations for international Internet connectivity.", message.Text);
        Assert.Contains("> Question 1: What are the barriers?", message.Text);
        Assert.Contains("\n-- \nSociété numérique suisse", message.Text);
        var attachment = Assert.Single(message.Attachments);
        Assert.Equal("Réponse de la Société numérique suisse.pdf", attachment.FileName);
        Assert.Equal("application/pdf", attachment.MediaType);
        Assert.StartsWith("%PDF-1.4", Encoding.ASCII.GetString(attachment.Content));
        Assert.EndsWith("%%EOF\n", Encoding.ASCII.GetString(attachment.Content));
        Assert.Equal(new DateTimeOffset(2027, 1, 11, 16, 42, 7, TimeSpan.FromHours(1)), message.Date);
    }

    [Fact]
    public void Outlook_mail_prefers_the_plain_alternative_reads_windows_1252_characters_in_iso_8859_1_and_keeps_inline_images()
    {
        var message = ReadCorpus("outlook-related-iso-8859-1.eml");

        Assert.Empty(message.Problems);
        Assert.Equal("Müller Hans BAKOM", message.From!.DisplayName);
        Assert.Equal("hans.mueller@bakom.admin.ch", message.From.Address);
        Assert.Equal("Contribution de l’OFCOM à la consultation", message.Subject);
        Assert.False(message.TextFromHtml);
        Assert.Contains("la contribution de l’Office fédéral de la communication (OFCOM) à la consultation “Connectivité internationale”.", message.Text);
        Assert.DoesNotContain("MsoNormal", message.Text);
        Assert.DoesNotContain("\r", message.Text);

        Assert.Equal(2, message.Attachments.Count);
        var image = message.Attachments[0];
        Assert.Equal(("image001.png", "image/png", true, "image001.png@01DB6A2B.5C3E1F40"), (image.FileName, image.MediaType, image.Inline, image.ContentId));
        Assert.Equal(0x89, image.Content[0]);
        var document = message.Attachments[1];
        Assert.Equal("Contribution OFCOM fédérale.docx", document.FileName);
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", document.MediaType);
        Assert.Equal(256 + 4 + 17, document.Content.Length);
        Assert.False(document.Inline);
    }

    [Fact]
    public void Gmail_subject_split_inside_a_character_across_encoded_words_is_rejoined()
    {
        var message = ReadCorpus("gmail-alternative-utf8.eml");

        Assert.Empty(message.Problems);
        Assert.Equal("Response: “Affordable access” – ISOC Kenya 🌍", message.Subject);
        Assert.Equal("Wanjiru Kamau", message.From!.DisplayName);
        Assert.StartsWith("Hello,\n\nThe Internet Society chapter of Kenya", message.Text);
        Assert.Contains("1. Affordable access – yes, a priority.", message.Text);
        Assert.Contains("Kiswahili content matters 🌍.", message.Text);
        var pdf = Assert.Single(message.Attachments);
        Assert.Equal("Réponse ISOC Kenya – 2027.pdf", pdf.FileName);
        Assert.Equal("f_lk2a9b0c0", pdf.ContentId);
        Assert.Equal(new DateTimeOffset(2027, 1, 13, 10, 3, 44, TimeSpan.FromHours(3)), message.Date);
    }

    [Fact]
    public void A_mailman_digest_yields_each_posted_message_with_its_sender()
    {
        var message = ReadCorpus("mailman-digest.eml");

        Assert.Empty(message.Problems);
        Assert.Equal("CWG-Internet open consultations <cwg-consult.lists.itu.int>", message.Header("List-Id"));
        Assert.Contains("Today's Topics:", message.Text);
        Assert.Contains("CWG-Consult mailing list", message.Text); // the footer part is inline text, appended
        Assert.Equal(3, message.EmbeddedMessages.Count);
        Assert.Equal(
            ["alice@ng-ix.example", "bruno@nic.example.br", "chen.wei@example.cn"],
            message.EmbeddedMessages.Select(m => m.From!.Address).ToArray());
        Assert.Equal("Silva, Bruno", message.EmbeddedMessages[1].From!.DisplayName);
        Assert.Equal("Agreed; add community networks too.", message.EmbeddedMessages[1].Text);
        Assert.Equal("Answers to questions 1-3", message.EmbeddedMessages[2].Subject);
        Assert.All(message.EmbeddedMessages, m => Assert.Empty(m.Problems));
        Assert.Equal(3, message.Attachments.Count(a => a.MediaType == "message/rfc822"));
        Assert.Equal("Response on connectivity.eml", message.Attachments[0].FileName);
    }

    [Fact]
    public void Iso_8859_1_eight_bit_text_with_unix_line_endings_is_decoded()
    {
        var message = ReadCorpus("iso-8859-1-8bit-lf.eml");

        Assert.Empty(message.Problems);
        Assert.Equal("Réponse de l'Association française", message.Subject);
        Assert.Contains("L'association française des utilisateurs considère que la neutralité\ndu réseau doit être préservée.", message.Text);
        Assert.Empty(message.Attachments);
    }

    [Fact]
    public void Windows_1252_quoted_printable_keeps_the_euro_sign_and_typographic_quotes()
    {
        var message = ReadCorpus("windows-1252-qp.eml");

        Assert.Empty(message.Problems);
        Assert.Equal("Kowalski, Jan", message.From!.DisplayName);
        Assert.Equal("Answer – “with thanks”", message.Subject);
        Assert.Contains("Our answer costs €0 and comes “with thanks” — see the „annex“…", message.Text);
    }

    [Fact]
    public void An_html_only_message_is_converted_to_text_without_scripts_or_styles()
    {
        var message = ReadCorpus("html-only-webform.eml");

        Assert.True(message.TextFromHtml);
        Assert.Equal("Maria Garcia", message.ReplyTo.Single().DisplayName);
        Assert.Contains("Name: María García", message.Text);
        Assert.Contains("Answer: Access & affordability > everything else.", message.Text);
        Assert.Contains("- Point one", message.Text);
        Assert.DoesNotContain("alert", message.Text);
        Assert.DoesNotContain("font-family", message.Text);
        Assert.DoesNotContain("<", message.Text.Replace("> everything", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mailing_list_post_shows_the_list_and_keeps_the_original_sender_in_reply_to()
    {
        var message = ReadCorpus("mailing-list-post-footer.eml");

        Assert.Empty(message.Problems);
        Assert.Equal("cwg-consult@lists.itu.int", message.From!.Address);
        Assert.Equal("ana.lima@example.br", message.ReplyTo.Single().Address);
        Assert.StartsWith("Community networks need spectrum access.\nObrigada,\nAna", message.Text);
        Assert.EndsWith("CWG-Consult mailing list", message.Text);
        Assert.Empty(message.Attachments);
    }

    [Fact]
    public void An_unterminated_multipart_keeps_its_text_and_the_cut_attachment_and_is_flagged()
    {
        var message = ReadCorpus("malformed-unterminated-multipart.eml");

        Assert.Contains(message.Problems, p => p.Kind == MailProblemKind.UnterminatedMultipart);
        Assert.Equal("The text survived.", message.Text);
        var cut = Assert.Single(message.Attachments);
        Assert.Equal("cut.pdf", cut.FileName);
        Assert.StartsWith("%PDF-1.4", Encoding.ASCII.GetString(cut.Content));
    }

    [Fact]
    public void A_multipart_without_a_boundary_is_read_as_text_and_flagged()
    {
        var message = ReadCorpus("malformed-no-boundary-parameter.eml");

        Assert.Contains(message.Problems, p => p.Kind == MailProblemKind.MissingBoundary);
        Assert.Equal("Plain words in a multipart without a boundary.", message.Text);
        Assert.Equal("someone@example.org", message.From!.Address);
    }

    [Fact]
    public void Broken_encodings_and_unknown_charsets_are_read_as_well_as_possible_and_each_is_flagged()
    {
        var message = ReadCorpus("malformed-bad-encodings.eml");

        var kinds = message.Problems.Select(p => p.Kind).ToHashSet();
        Assert.Contains(MailProblemKind.InvalidEncodedWord, kinds);
        Assert.Contains(MailProblemKind.UnknownCharset, kinds);
        Assert.Contains(MailProblemKind.InvalidQuotedPrintable, kinds);
        Assert.Contains(MailProblemKind.InvalidBase64, kinds);
        Assert.Contains(MailProblemKind.UnknownTransferEncoding, kinds);
        Assert.Equal("odd@example.org", message.From!.Address);
        // The unknown charset falls back to UTF-8 (valid here), the broken escape stays literally.
        Assert.StartsWith("Price €5 =G1 softbreak here.", message.Text);
        Assert.Equal("ABCDEF", Encoding.ASCII.GetString(message.Attachments.Single(a => a.FileName == "data.bin").Content)[..6]);
        Assert.Contains("caf", message.Subject);
        Assert.Contains("broken=ZZ", message.Subject);
    }

    [Fact]
    public void Garbage_header_lines_and_a_missing_sender_are_flagged_and_the_body_is_empty()
    {
        var message = ReadCorpus("malformed-headers-no-from.eml");

        var kinds = message.Problems.Select(p => p.Kind).ToHashSet();
        Assert.Contains(MailProblemKind.MissingFrom, kinds);
        Assert.Contains(MailProblemKind.MalformedHeader, kinds);
        Assert.Contains(MailProblemKind.MissingHeaderSeparator, kinds);
        Assert.Null(message.From);
        Assert.Equal("no sender and a garbage line", message.Subject);
        Assert.Equal("first second", message.Header("X-Folded"));
    }

    [Fact]
    public void A_message_without_headers_is_all_body()
    {
        var message = ReadCorpus("malformed-no-headers.eml");

        Assert.Contains(message.Problems, p => p.Kind == MailProblemKind.MalformedHeader);
        Assert.StartsWith("Just some text pasted", message.Text);
    }

    public static TheoryData<string, string> Charsets => new()
    {
        { "iso-8859-1", "Grüße aus Zürich, ça va" },
        { "iso-8859-2", "Zażółć gęślą jaźń, Příliš žluťoučký kůň" },
        { "iso-8859-3", "Ĉu vi parolas Esperanton? ĝis" },
        { "iso-8859-4", "Ķīla, ŗūķis, āčē" },
        { "iso-8859-5", "Привет из Женевы" },
        { "iso-8859-6", "مرحبا من جنيف" },
        { "iso-8859-7", "Καλημέρα από τη Γενεύη" },
        { "iso-8859-8", "שלום מז'נבה" },
        { "iso-8859-9", "Günaydın İstanbul, şğ" },
        { "iso-8859-10", "Þórshöfn, ŋ ŧ" },
        { "iso-8859-13", "Łódź ąčęėįšųūž" },
        { "iso-8859-14", "Ŵ ŷ ẁ Caerdydd" },
        { "iso-8859-15", "Prix 5 € œuvre Ÿ" },
        { "windows-1250", "Příliš žluťoučký kůň „úpěl“" },
        { "windows-1251", "Здравствуйте — Київ" },
        { "windows-1252", "Café “quoted” – 5 €" },
        { "windows-1253", "Καλησπέρα — Αθήνα" },
        { "windows-1254", "Teşekkürler “İzmir”" },
        { "windows-1255", "תודה רבה — ירושלים" },
        { "windows-1256", "شكرا جزيلا — القاهرة" },
        { "windows-1257", "Ačiū – Vilnius, Rīga" },
        { "windows-1258", "Chào ông Đông, ơ ư — Hà" },
        { "iso-8859-11", "สวัสดี เจนีวา" },
        { "utf-8", "中文 — 日本語 — 🌍" },
    };

    [Theory]
    [MemberData(nameof(Charsets))]
    public void Every_supported_charset_decodes_bodies_and_encoded_words(string charset, string text)
    {
        var encoding = MailCharsets.Find(charset)!;
        var bodyBytes = encoding.GetBytes(text);
        Assert.Equal(text, encoding.GetString(bodyBytes)); // the sample itself fits the charset

        foreach (var transfer in new[] { "base64", "quoted-printable", "8bit" })
        {
            var body = transfer switch
            {
                "base64" => Encoding.ASCII.GetBytes(Convert.ToBase64String(bodyBytes, Base64FormattingOptions.InsertLineBreaks)),
                "quoted-printable" => Encoding.ASCII.GetBytes(string.Concat(bodyBytes.Select(b => $"={b:X2}"))),
                _ => bodyBytes,
            };
            var subject = $"=?{charset}?B?{Convert.ToBase64String(bodyBytes)}?=";
            var head = Encoding.ASCII.GetBytes(
                $"From: t@example.org\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n" +
                $"Content-Type: text/plain; charset=\"{charset.ToUpperInvariant()}\"\r\nContent-Transfer-Encoding: {transfer}\r\n\r\n");

            var message = Reader.Read([.. head, .. body]);

            Assert.Empty(message.Problems);
            Assert.Equal(text, message.Text);
            Assert.Equal(text, message.Subject);
        }
    }

    [Theory]
    [InlineData("=?utf-8?q?a?= =?utf-8?q?b?=", "ab")]
    [InlineData("=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab")]
    [InlineData("x =?utf-8?q?a?= y", "x a y")]
    [InlineData("=?ISO-8859-1?Q?a?= b", "a b")]
    [InlineData("=?UTF-8?Q?two_words?=", "two words")]
    [InlineData("=?utf-8*en?Q?lang?=", "lang")]
    [InlineData("=?utf-8?q?a?= =?iso-8859-1?q?=E9?=", "aé")]
    [InlineData("=?utf-8?B?w6k?=", "é")] // missing padding
    [InlineData("not=?encoded", "not=?encoded")]
    public void Encoded_words_follow_RFC_2047(string raw, string expected)
    {
        Assert.Equal(expected, EncodedWords.Decode(raw.Replace("\r\n", "", StringComparison.Ordinal), new MailProblems()));
    }

    [Theory]
    [InlineData("attachment; filename=\"plain.pdf\"", "plain.pdf")]
    [InlineData("attachment; filename=token.pdf", "token.pdf")]
    [InlineData("attachment; filename*=utf-8''%E2%82%AC%20rates.pdf", "€ rates.pdf")]
    [InlineData("attachment; filename*=iso-8859-1'fr'r%E9sum%E9.txt", "résumé.txt")]
    [InlineData("attachment; filename*0=\"long \"; filename*1=\"name.txt\"", "long name.txt")]
    [InlineData("attachment; filename*1*=%C3%A9.txt; filename*0*=utf-8''caf", "café.txt")]
    [InlineData("attachment; filename=\"quoted \\\"inner\\\" name.txt\"", "quoted \"inner\" name.txt")]
    [InlineData("attachment (a comment); filename=\"a;b.txt\"", "a;b.txt")]
    public void Content_disposition_file_names_follow_RFC_2183_and_RFC_2231(string header, string expected)
    {
        // MimeKit's parser, which the reader takes file names from (MimePart.FileName).
        Assert.True(MimeKit.ContentDisposition.TryParse(header, out var parameters));
        Assert.Equal("attachment", parameters.Disposition);
        Assert.Equal(expected, parameters.FileName);
    }

    [Theory]
    [InlineData("C:\\fakepath\\report.pdf", "report.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData(".htaccess", "htaccess")]
    [InlineData("", "part-3.pdf")]
    [InlineData("a\u0000b\u0007.pdf", "ab.pdf")]
    public void Attachment_file_names_are_made_safe(string name, string expected)
    {
        Assert.Equal(expected, MailMessageReader.SafeFileName(name, "application/pdf", 2));
    }

    [Fact]
    public void Quoted_printable_soft_breaks_and_trailing_whitespace_follow_RFC_2045()
    {
        var problems = new MailProblems();
        var decoded = TransferEncodings.DecodeQuotedPrintable("a=3Db  \r\nsoft=\r\nbreak=20\r\nx=\nend"u8, problems);
        Assert.Equal("a=b\r\nsoftbreak \r\nxend", Encoding.ASCII.GetString(decoded));
        Assert.Equal(0, problems.Count);
    }

    [Fact]
    public void Deep_nesting_is_cut_at_the_depth_limit_without_failing()
    {
        var sb = new StringBuilder("From: bomb@example.org\r\nSubject: nest\r\n");
        const int levels = 5000;
        for (var i = 0; i < levels; i++)
        {
            sb.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }

        sb.Append("Content-Type: text/plain\r\n\r\ndeep text\r\n");
        var message = Reader.Read(Encoding.ASCII.GetBytes(sb.ToString()));

        Assert.Contains(message.Problems, p => p.Kind == MailProblemKind.DepthLimitExceeded);
        Assert.Equal("nest", message.Subject);
    }

    [Fact]
    public void Nested_message_rfc822_parts_are_cut_at_the_depth_limit()
    {
        var inner = "From: a@example.org\r\nSubject: innermost\r\n\r\ntext\r\n";
        for (var i = 0; i < 100; i++)
        {
            inner = $"From: a@example.org\r\nSubject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n{inner}";
        }

        var message = Reader.Read(Encoding.ASCII.GetBytes(inner));

        Assert.Contains(message.Problems, p => p.Kind == MailProblemKind.DepthLimitExceeded);
        Assert.Equal("level 99", message.Subject);
    }

    [Fact]
    public void Too_many_parts_are_cut_at_the_part_limit()
    {
        var sb = new StringBuilder("From: bomb@example.org\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n");
        for (var i = 0; i < 20_000; i++)
        {
            sb.Append("--x\r\nContent-Type: application/octet-stream\r\n\r\nA\r\n");
        }

        sb.Append("--x--\r\n");
        var message = new MailMessageReader(new MailReadLimits { MaxParts = 100 }).Read(Encoding.ASCII.GetBytes(sb.ToString()));

        Assert.Contains(message.Problems, p => p.Kind == MailProblemKind.PartLimitExceeded);
        Assert.True(message.Attachments.Count < 100);
    }

    [Fact]
    public void Decoded_content_beyond_the_size_limit_is_not_decoded()
    {
        var payload = Convert.ToBase64String(new byte[300_000], Base64FormattingOptions.InsertLineBreaks);
        var raw = $"From: big@example.org\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
                  $"--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n{payload}\r\n" +
                  $"--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n{payload}\r\n--x--\r\n";

        var message = new MailMessageReader(new MailReadLimits { MaxDecodedBytes = 500_000 }).Read(Encoding.ASCII.GetBytes(raw));

        Assert.Contains(message.Problems, p => p.Kind == MailProblemKind.SizeLimitExceeded);
        Assert.Equal("hello", message.Text);
        Assert.Single(message.Attachments);
    }

    [Fact]
    public void No_input_makes_the_reader_throw_truncations_and_random_corruptions_of_the_corpus()
    {
        var random = new Random(20270111);
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Mail"), "*.eml");
        Assert.True(files.Length >= 12);
        foreach (var file in files)
        {
            var raw = File.ReadAllBytes(file);
            for (var cut = 0; cut < raw.Length; cut += Math.Max(1, raw.Length / 60))
            {
                _ = Reader.Read(raw.AsSpan(0, cut));
            }

            for (var round = 0; round < 40; round++)
            {
                var corrupted = (byte[])raw.Clone();
                for (var k = 0; k < 1 + random.Next(20); k++)
                {
                    corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
                }

                _ = Reader.Read(corrupted);
            }
        }

        var noise = new byte[50_000];
        random.NextBytes(noise);
        Assert.NotNull(Reader.Read(noise));
        Assert.NotNull(Reader.Read([]));
        Assert.NotNull(Reader.Read(RandomNumberGenerator.GetBytes(1)));
    }
}
