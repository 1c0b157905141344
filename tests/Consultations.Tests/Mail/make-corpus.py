# Writes the message corpus of the MIME reader tests (run: python3 make-corpus.py).
# The messages imitate what Thunderbird, Outlook, Gmail, Mailman and broken senders produce;
# names, addresses and texts are invented.
import base64, quopri, os
out = os.path.dirname(os.path.abspath(__file__)) + '/'
def w(name, text, crlf=True, enc='ascii'):
    data = text.encode(enc) if isinstance(text, str) else text
    if crlf:
        data = data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    open(out + name, 'wb').write(data)

def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return '\n'.join(s[i:i+width] for i in range(0, len(s), width))

pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Contribution of the Swiss Internet Society to CWG-Internet\ntrailer << /Root 1 0 R >>\n%%EOF\n"
png = bytes.fromhex('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c40000000049454e44ae426082')
docx = b'PK\x03\x04' + bytes(range(256)) + b'word/document.xml'

# 1 Thunderbird: format=flowed UTF-8 8bit, RFC 2231 filename with continuation
body1 = ("Dear Secretariat,\n\n"
"Please find below the response of Société numérique suisse to the open \n"
"consultation on public policy considerations for international \n"
"Internet connectivity.\n\n"
"> Question 1: What are the barriers?\n\n"
"Prices of international transit remain high for landlocked \n"
"developing countries; we ask the group to consider them.\n\n"
"Best regards,\nZoë Ærøskøbing\n-- \nSociété numérique suisse\n")
w('thunderbird-flowed-rfc2231.eml', f"""Message-ID: <7f3c1a2e-5b1d-4c7e-9a0e-1f2d3c4b5a69@example.ch>
Date: Mon, 11 Jan 2027 16:42:07 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: fr-CH
To: cwg-internet-consult-27@itu.int
From: =?UTF-8?Q?Zo=C3=AB_=C3=86r=C3=B8sk=C3=B8bing?= <zoe@example.ch>
Subject: =?UTF-8?Q?R=C3=A9ponse_=C3=A0_la_consultation_sur_la_connectivit?=
 =?UTF-8?Q?=C3=A9_internationale?=
Content-Type: multipart/mixed;
 boundary="------------0aBcDeFgHiJkLmNoPqRsTuVw"

This is a multi-part message in MIME format.
--------------0aBcDeFgHiJkLmNoPqRsTuVw
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

{body1}
--------------0aBcDeFgHiJkLmNoPqRsTuVw
Content-Type: application/pdf;
 name*0*=UTF-8''R%C3%A9ponse%20de%20la%20Soci%C3%A9t%C3%A9%20num%C3%A9;
 name*1*=rique%20suisse.pdf
Content-Disposition: attachment;
 filename*0*=UTF-8''R%C3%A9ponse%20de%20la%20Soci%C3%A9t%C3%A9%20num%C3%A9;
 filename*1*=rique%20suisse.pdf
Content-Transfer-Encoding: base64

{b64(pdf, 72)}

--------------0aBcDeFgHiJkLmNoPqRsTuVw--
""", enc='utf-8')

# 2 Outlook: mixed{alternative{plain qp iso-8859-1 (really 1252), related{html, png}}, docx with encoded-word name}
plain2 = "Madame, Monsieur,\r\n\r\nVeuillez trouver ci-joint la contribution de l\u2019Office f\u00e9d\u00e9ral de la communication (OFCOM) \u00e0 la consultation \u201cConnectivit\u00e9 internationale\u201d.\r\n\r\nMeilleures salutations\r\nHans M\u00fcller\r\n"
qp2 = quopri.encodestring(plain2.encode('cp1252'), quotetabs=False).decode()
html2 = "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head><meta http-equiv=Content-Type content=\"text/html; charset=iso-8859-1\"><style><!-- p.MsoNormal {margin:0cm;} --></style></head><body lang=FR-CH><div class=WordSection1><p class=MsoNormal>Madame, Monsieur,<o:p></o:p></p><p class=MsoNormal>Veuillez trouver ci-joint la contribution de l\u2019Office f\u00e9d\u00e9ral de la communication (OFCOM) \u00e0 la consultation \u201cConnectivit\u00e9 internationale\u201d.<o:p></o:p></p><p class=MsoNormal>Meilleures salutations<br>Hans M\u00fcller<o:p></o:p></p><p class=MsoNormal><img width=1 height=1 src=\"cid:image001.png@01DB6A2B.5C3E1F40\"></p></div></body></html>"
qh2 = quopri.encodestring(html2.encode('cp1252')).decode()
w('outlook-related-iso-8859-1.eml', f"""Received: from EXCH01.admin.ch (10.1.2.3) by EXCH02.admin.ch
 (10.1.2.4) with Microsoft SMTP Server id 15.2.1544.4; Tue, 12 Jan 2027
 09:15:02 +0100
From: =?iso-8859-1?Q?M=FCller_Hans_BAKOM?= <hans.mueller@bakom.admin.ch>
To: "cwg-internet-consult-27@itu.int" <cwg-internet-consult-27@itu.int>
Subject: =?iso-8859-1?Q?Contribution_de_l=92OFCOM_=E0_la_consultation?=
Thread-Topic: =?iso-8859-1?Q?Contribution_de_l=92OFCOM_=E0_la_consultation?=
Thread-Index: AdtqK1w+H0C2Y2Ylp0S3aZg2n1bXQA==
Date: Tue, 12 Jan 2027 08:15:01 +0000
Message-ID: <GV0P278MB0718A1B2C3D4E5F6@GV0P278MB0718.CHEP278.PROD.OUTLOOK.COM>
Accept-Language: fr-CH, en-US
Content-Language: fr-FR
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator:
Content-Type: multipart/mixed;
\tboundary="_006_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_"
MIME-Version: 1.0

--_006_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_
Content-Type: multipart/alternative;
\tboundary="_000_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_"

--_000_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp2}
--_000_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_
Content-Type: multipart/related;
\tboundary="_005_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_";
\ttype="text/html"

--_005_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qh2}
--_005_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size=68;
\tcreation-date="Tue, 12 Jan 2027 08:15:01 GMT";
\tmodification-date="Tue, 12 Jan 2027 08:15:01 GMT"
Content-ID: <image001.png@01DB6A2B.5C3E1F40>
Content-Transfer-Encoding: base64

{b64(png)}

--_005_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_--

--_000_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_--

--_006_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;
\tname="=?iso-8859-1?Q?Contribution_OFCOM_f=E9d=E9rale.docx?="
Content-Description: =?iso-8859-1?Q?Contribution_OFCOM_f=E9d=E9rale.docx?=
Content-Disposition: attachment;
\tfilename="=?iso-8859-1?Q?Contribution_OFCOM_f=E9d=E9rale.docx?="; size={len(docx)};
\tcreation-date="Tue, 12 Jan 2027 08:14:00 GMT";
\tmodification-date="Tue, 12 Jan 2027 08:14:00 GMT"
Content-Transfer-Encoding: base64

{b64(docx)}

--_006_GV0P278MB0718A1B2C3D4E5F6GV0P278MB0718CHEP_--
""")

# 3 Gmail: mixed{alternative{plain qp utf-8, html qp}, pdf with B-encoded filename}; subject B-encoded split mid-character
plain3 = "Hello,\n\nThe Internet Society chapter of Kenya supports open consultations. Our answers:\n\n1. Affordable access \u2013 yes, a priority.\n2. Multilingualism: Kiswahili content matters \U0001F30D.\n\nRegards,\nWanjiru\n"
html3 = '<div dir="ltr"><div>Hello,</div><div><br></div><div>The Internet Society chapter of Kenya supports open consultations. Our answers:</div><div><br></div><ol><li>Affordable access \u2013 yes, a priority.</li><li>Multilingualism: Kiswahili content matters \U0001F30D.</li></ol><div>Regards,</div><div>Wanjiru</div></div>\n'
subject3 = "Response: \u201cAffordable access\u201d \u2013 ISOC Kenya \U0001F30D"
sb = subject3.encode('utf-8')
cut = sb.index('\u2013'.encode()) + 1  # split inside the en dash
s3 = f"=?UTF-8?B?{base64.b64encode(sb[:cut]).decode()}?=\n =?UTF-8?B?{base64.b64encode(sb[cut:]).decode()}?="
fname3 = base64.b64encode("Réponse ISOC Kenya – 2027.pdf".encode()).decode()
w('gmail-alternative-utf8.eml', f"""MIME-Version: 1.0
Date: Wed, 13 Jan 2027 10:03:44 +0300
Message-ID: <CAJx9k2P7yQ4r1mXo5d8s6t-Lq0ZbWm3T4kV9n2cE8hG1fA0B@mail.gmail.com>
Subject: {s3}
From: Wanjiru Kamau <wanjiru.kamau@gmail.com>
To: cwg-internet-consult-27@itu.int
Content-Type: multipart/mixed; boundary="000000000000a1b2c3060d4e5f67"

--000000000000a1b2c3060d4e5f67
Content-Type: multipart/alternative; boundary="000000000000a1b2c2060d4e5f65"

--000000000000a1b2c2060d4e5f65
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(plain3.replace(chr(10), chr(13)+chr(10)).encode()).decode()}
--000000000000a1b2c2060d4e5f65
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(html3.encode()).decode()}
--000000000000a1b2c2060d4e5f65--
--000000000000a1b2c3060d4e5f67
Content-Type: application/pdf; name="=?UTF-8?B?{fname3}?="
Content-Disposition: attachment; filename="=?UTF-8?B?{fname3}?="
Content-Transfer-Encoding: base64
Content-ID: <f_lk2a9b0c0>
X-Attachment-Id: f_lk2a9b0c0

{b64(pdf)}
--000000000000a1b2c3060d4e5f67--
""")

# 4 Mailman digest
def post(frm, subj, date, mid, text):
    return f"""From: {frm}
Subject: {subj}
Date: {date}
Message-ID: {mid}
Content-Type: text/plain; charset="us-ascii"

{text}"""
w('mailman-digest.eml', f"""From: cwg-consult-request@lists.itu.int
Subject: CWG-Consult Digest, Vol 4, Issue 2
To: cwg-consult@lists.itu.int
Reply-To: cwg-consult@lists.itu.int
Date: Thu, 14 Jan 2027 12:00:03 +0100
Message-ID: <mailman.7.1768388403.1234.cwg-consult@lists.itu.int>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="===============4473856391548293044=="
List-Id: CWG-Internet open consultations <cwg-consult.lists.itu.int>
List-Post: <mailto:cwg-consult@lists.itu.int>
Precedence: list

--===============4473856391548293044==
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Description: CWG-Consult Digest, Vol 4, Issue 2

Send CWG-Consult mailing list submissions to
\tcwg-consult@lists.itu.int

Today's Topics:

   1. Response on connectivity (Alice Okafor)
   2. Re: Response on connectivity (Bruno Silva)
   3. Answers to questions 1-3 (Chen Wei)

--===============4473856391548293044==
Content-Type: multipart/digest; boundary="===============8213448850176417717=="
MIME-Version: 1.0

--===============8213448850176417717==

{post('Alice Okafor <alice@ng-ix.example>', 'Response on connectivity', 'Wed, 13 Jan 2027 18:22:10 +0100', '<a1@ng-ix.example>', 'We support regional IXPs as the first priority.')}

--===============8213448850176417717==

{post('"Silva, Bruno" <bruno@nic.example.br>', 'Re: Response on connectivity', 'Wed, 13 Jan 2027 19:01:44 -0300', '<b2@nic.example.br>', 'Agreed; add community networks too.')}

--===============8213448850176417717==
Content-Type: message/rfc822
MIME-Version: 1.0

{post('Chen Wei <chen.wei@example.cn>', 'Answers to questions 1-3', 'Thu, 14 Jan 2027 08:30:00 +0800', '<c3@example.cn>', 'Q1: cost. Q2: skills. Q3: policy coordination.')}

--===============8213448850176417717==--

--===============4473856391548293044==
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Disposition: inline

_______________________________________________
CWG-Consult mailing list
cwg-consult@lists.itu.int

--===============4473856391548293044==--
""")

# 5 ISO-8859-1 8bit single part, LF endings (as piped by a Unix MTA)
w('iso-8859-1-8bit-lf.eml', ("""Return-Path: <jean.dupont@example.fr>
From: Jean Dupont <jean.dupont@example.fr>
To: cwg-internet-consult-27@itu.int
Subject: =?ISO-8859-1?Q?R=E9ponse_de_l'Association_fran=E7aise?=
Date: Fri, 15 Jan 2027 11:00:00 +0100
Message-ID: <20270115110000.GA1234@example.fr>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: 8bit

Bonjour,

L'association française des utilisateurs considère que la neutralité
du réseau doit être préservée. Coût élevé : oui. Être ou ne pas être.

Cordialement,
Jean Dupont
""").encode('latin-1'), crlf=False)

# 6 Windows-1252 QP with euro and quotes
t6 = "Dear colleagues,\r\n\r\nOur answer costs \u20ac0 and comes \u201cwith thanks\u201d \u2014 see the \u201eannex\u201c\u2026\r\n\r\nKind regards,\r\nJan Kowalski\r\n"
w('windows-1252-qp.eml', f"""From: "Kowalski, Jan" <jan.kowalski@example.pl>
To: cwg-internet-consult-27@itu.int
Subject: =?windows-1252?Q?Answer_=96_=93with_thanks=94?=
Date: Sat, 16 Jan 2027 09:10:11 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable
X-Mailer: Microsoft Outlook 16.0

{quopri.encodestring(t6.encode('cp1252')).decode()}""")

# 7 html only
w('html-only-webform.eml', """From: noreply@forms.example.org
Reply-To: "Maria Garcia" <maria.garcia@example.es>
To: cwg-internet-consult-27@itu.int
Subject: [CWG-27] Web form response
Date: Sun, 17 Jan 2027 20:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 7bit

<!DOCTYPE html><html><head><title>Form</title><style>body{font-family:sans-serif}</style></head>
<body><h1>Response</h1><p>Name: Mar&iacute;a Garc&iacute;a</p><p>Answer: Access &amp; affordability &gt; everything&nbsp;else.</p>
<ul><li>Point one</li><li>Point two</li></ul><script>alert(1)</script></body></html>
""")

# 8 mailing list post with DMARC From rewriting and a Mailman footer as separate part
w('mailing-list-post-footer.eml', """Return-Path: <cwg-consult-bounces@lists.itu.int>
Delivered-To: cwg-internet-consult-27@itu.int
From: Ana Lima via CWG-Consult <cwg-consult@lists.itu.int>
Reply-To: Ana Lima <ana.lima@example.br>
To: cwg-consult@lists.itu.int
Subject: [CWG-Consult] Community networks
Date: Mon, 18 Jan 2027 14:00:00 -0300
Message-ID: <CAB1234@mail.example.br>
List-Id: CWG-Internet open consultations <cwg-consult.lists.itu.int>
X-Original-From: Ana Lima <ana.lima@example.br>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="===============0193825467=="

--===============0193825467==
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

""" + b64("Community networks need spectrum access.\nObrigada,\nAna\n".encode()) + """

--===============0193825467==
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit
Content-Disposition: inline

_______________________________________________
CWG-Consult mailing list
--===============0193825467==--
""")

# Malformed
w('malformed-unterminated-multipart.eml', """From: Broken Sender <broken@example.org>
To: cwg-internet-consult-27@itu.int
Subject: truncated upload
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XYZ"

--XYZ
Content-Type: text/plain

The text survived.
--XYZ
Content-Type: application/pdf; name="cut.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJc
""")
w('malformed-no-boundary-parameter.eml', """From: someone@example.org
Subject: no boundary
MIME-Version: 1.0
Content-Type: multipart/mixed

Plain words in a multipart without a boundary.
""")
w('malformed-bad-encodings.eml', """From: "=?utf-8?B?not base64!?=" <odd@example.org>
To: cwg-internet-consult-27@itu.int
Subject: =?x-unknown-charset?Q?caf=E9?= and =?utf-8?Q?broken=ZZ?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain; charset=x-klingon
Content-Transfer-Encoding: quoted-printable

Price =E2=82=AC5 =G1 soft=
break here.
--b1
Content-Type: application/octet-stream; name=data.bin
Content-Transfer-Encoding: base64

QUJD!!RE*VG
--b1
Content-Type: text/plain
Content-Transfer-Encoding: x-uuencode

begin 644 x
--b1--
""")
w('malformed-headers-no-from.eml', """Subject: no sender and a garbage line
this line is not a header
Content-Type: text/plain; charset=utf-8
X-Folded: first
 second""", crlf=True)
w('malformed-no-headers.eml', """Just some text pasted into the mail server with no headers at all.
Second line.
""")
