#!/usr/bin/env python3
"""Sends one message with Python's smtplib (a real SMTP client written by others).

usage: send_mail.py PORT FROM TO[,TO...] FILE [--size] [--timeout=SECONDS]
Prints the server's reply to the end of data (or the refusal) as "CODE TEXT" and exits 0 when
the message was accepted, 2 when refused.
"""
import smtplib
import sys

port, sender, recipients, path = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), sys.argv[4]
declare_size = "--size" in sys.argv
timeout = next((float(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--timeout=")), 60.0)
with open(path, "rb") as f:
    message = f.read()

with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as smtp:
    smtp.ehlo("tester.example.org")
    options = [f"SIZE={len(message)}"] if declare_size and smtp.has_extn("size") else []
    code, text = smtp.mail(sender, options)
    if code != 250:
        print(code, text.decode())
        sys.exit(2)
    accepted = 0
    for r in recipients:
        code, text = smtp.rcpt(r)
        print("RCPT", r, code, text.decode())
        accepted += code in (250, 251)
    if not accepted:
        sys.exit(2)
    code, text = smtp.data(message)
    print(code, text.decode())
    sys.exit(0 if code == 250 else 2)
