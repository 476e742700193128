"""Python's imaplib, poplib and smtplib against the mailwire test servers, with SASL XOAUTH2.

Usage: python3 python-clients.py '<json>' where json is
  {"ca": PEM path, "host": "127.0.0.1", "user": ..., "token": ...,
   "imap": [port, tlsPort], "pop3": [port, tlsPort], "smtp": [port, tlsPort]}
For each security ("starttls", "tls") it sends a message with smtplib, then reads it back
with imaplib and with poplib, and prints one JSON object: {"<protocol>-<security>": "ok" or
the error text}. XOAUTH2 everywhere: imaplib.authenticate and smtplib.auth take a callable
returning the raw "user=...^Aauth=Bearer ...^A^A"; poplib has no AUTH helper, so the two
steps of RFC 5034 go through its _shortcmd.
"""
import base64, imaplib, json, poplib, smtplib, ssl, sys

cfg = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cafile=cfg["ca"])
raw = ("user=%s\x01auth=Bearer %s\x01\x01" % (cfg["user"], cfg["token"])).encode()
host = cfg["host"]
results = {}


def connect(protocol, security, plain, implicit_tls, upgrade):
    """A client of the protocol's port for this security: plain then upgraded, or implicit TLS."""
    port = cfg[protocol][0 if security == "starttls" else 1]
    if security == "tls":
        return implicit_tls(host, port)
    client = plain(host, port)
    upgrade(client)
    return client


def run(name, fn):
    try:
        fn()
        results[name] = "ok"
    except Exception as e:  # report, never crash: the test prints what failed
        results[name] = "%s: %s" % (type(e).__name__, e)


for security in ("starttls", "tls"):
    subject = "python %s %s" % (security, cfg["user"])

    def smtp():
        s = connect("smtp", security, smtplib.SMTP, lambda h, p: smtplib.SMTP_SSL(h, p, context=ctx), lambda c: c.starttls(context=ctx))
        s.ehlo()
        code, _ = s.auth("XOAUTH2", lambda challenge=None: raw.decode("latin1"), initial_response_ok=False)
        assert code == 235, code
        s.sendmail(cfg["user"], [cfg["user"]], "Subject: %s\r\n\r\n.dot line\r\nbody\r\n" % subject)
        s.quit()

    def imap():
        m = connect("imap", security, imaplib.IMAP4, lambda h, p: imaplib.IMAP4_SSL(h, p, ssl_context=ctx), lambda c: c.starttls(ssl_context=ctx))
        typ, _ = m.authenticate("XOAUTH2", lambda challenge: raw)
        assert typ == "OK", typ
        typ, data = m.select("INBOX")
        typ, data = m.search(None, "SUBJECT", '"%s"' % subject)
        nums = data[0].split()
        assert nums, "message not found over IMAP"
        typ, data = m.fetch(nums[-1], "(BODY.PEEK[])")
        assert b".dot line\r\nbody" in data[0][1], data
        m.logout()

    def pop3():
        p = connect("pop3", security, poplib.POP3, lambda h, p: poplib.POP3_SSL(h, p, context=ctx), lambda c: c.stls(context=ctx))
        assert p._shortcmd("AUTH XOAUTH2").startswith(b"+")
        assert p._shortcmd(base64.b64encode(raw).decode()).startswith(b"+OK")
        count, _ = p.stat()
        found = False
        for i in range(1, count + 1):
            lines = p.retr(i)[1]
            if ("Subject: %s" % subject).encode() in lines:
                assert b".dot line" in lines
                found = True
        assert found, "message not found over POP3"
        p.quit()

    run("smtp-" + security, smtp)
    run("imap-" + security, imap)
    run("pop3-" + security, pop3)

print(json.dumps(results))
