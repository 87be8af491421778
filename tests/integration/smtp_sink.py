#!/usr/bin/python3
"""smtp_sink: a real SMTP server for tests/integration/test_mail_smtp.c.

Debian's python3-aiosmtpd speaks SMTP on a free loopback port; what it
receives is saved to a folder, one message per number:

    N.eml   the message exactly as received (DATA, dot-unstuffed)
    N.json  {"mail_from", "rcpt_tos", "login", "defects", "headers", "body"}:
            the envelope, the login used (or null) and the message parsed
            by Python's email package (RFC 5322 / MIME), as a second opinion

Once it listens it writes the port to DIR/port (atomically), so the test
knows where to connect.  It runs until SIGTERM.  --mode says how to behave:

    accept        accept every message (no STARTTLS, no AUTH offered)
    auth          require AUTH (PLAIN/LOGIN, allowed without TLS) with
                  --user/--password; wrong credentials get 535
    refuse-rcpt   550 to every RCPT TO
    refuse-data   554 at the end of DATA
    hang-data     accept the envelope, then never answer the end of DATA
    hang-greeting accept the TCP connection and never send the 220 greeting

Usage: smtp_sink.py --dir DIR --mode MODE [--user U --password P]
"""
import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import socket
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:  # pragma: no cover
    sys.stderr.write("smtp_sink: python3-aiosmtpd is not installed "
                     "(apt-get install python3-aiosmtpd)\n")
    sys.exit(3)


class Sink:
    def __init__(self, folder, mode):
        self.folder = folder
        self.mode = mode
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.mode == "refuse-rcpt":
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse-data":
            return "554 5.7.1 message refused"
        if self.mode == "hang-data":
            await asyncio.sleep(3600)
        self.count += 1
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        login = getattr(session, "auth_data", None)
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login.decode() if isinstance(login, bytes) else login,
            "defects": [type(d).__name__ for d in msg.defects],
            "headers": [[k, str(v)] for k, v in msg.items()],
            "body": msg.get_content() if not msg.is_multipart() else None,
        }
        base = os.path.join(self.folder, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w") as f:
            json.dump(summary, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 OK: queued"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if (isinstance(auth_data, LoginPassword)
                and auth_data.login == user.encode()
                and auth_data.password == password.encode()):
            return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)
    return check


async def hang(reader, writer):
    await asyncio.sleep(3600)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", default="accept",
                    choices=["accept", "auth", "refuse-rcpt", "refuse-data",
                             "hang-data", "hang-greeting"])
    ap.add_argument("--user", default="")
    ap.add_argument("--password", default="")
    args = ap.parse_args()
    # aiosmtpd warns about AUTH without TLS, which is what "auth" wants.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if args.mode == "hang-greeting":
        server = loop.run_until_complete(asyncio.start_server(hang, sock=sock))
    else:
        sink = Sink(args.dir, args.mode)
        kw = {}
        if args.mode == "auth":
            kw = dict(authenticator=authenticator(args.user, args.password),
                      auth_required=True, auth_require_tls=False)

        def factory():
            return SMTP(sink, hostname="sink.test", decode_data=False, **kw)
        server = loop.run_until_complete(loop.create_server(factory, sock=sock))

    tmp = os.path.join(args.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, os.path.join(args.dir, "port"))

    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
