#!/usr/bin/env python3
"""A loopback SMTP server for cockpit's e-mail notification tests (Debian's python3-aiosmtpd).

    python3 smtp_receiver.py --port-file PATH --log PATH [--cert PEM --key PEM]
        [--user NAME --password PW] [--no-starttls]

It listens on 127.0.0.1 (a port of the system's choosing), writes the port to --port-file
once listening, and appends one JSON line per event to --log: {"event": "auth", "user",
"ok", "tls"} for each login and {"event": "message", "from", "to", "data", "tls", "user"}
for each message taken. With a certificate it offers STARTTLS and requires it before AUTH
and MAIL; with a user it requires AUTH. --no-starttls offers no STARTTLS at all (a server a
cockpit must refuse to send to) and takes AUTH and mail in clear.
"""

import argparse
import asyncio
import json
import logging
import os
import ssl
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    # --no-starttls asks for AUTH in clear on purpose (the server cockpit must refuse), and
    # aiosmtpd 1.4 warns about its own deprecated login_data: neither is news to the test.
    warnings.filterwarnings("ignore", category=UserWarning, module="aiosmtpd")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--no-starttls", action="store_true")
    args = parser.parse_args()

    def record(entry):
        with open(args.log, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        ok = user == args.user and auth_data.password.decode("utf-8", "replace") == args.password
        record({"event": "auth", "user": user, "ok": ok, "tls": session.ssl is not None})
        if ok:
            session.cockpit_user = user
        return AuthResult(success=ok, handled=False)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            user = getattr(session, "cockpit_user", None)
            record({
                "event": "message",
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "replace"),
                "tls": session.ssl is not None,
                "user": user,
            })
            return "250 2.0.0 Ok: queued as TEST1"

    tls_context = None
    if args.cert and not args.no_starttls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    def factory():
        return SMTP(
            Handler(),
            hostname="receiver.test",
            tls_context=tls_context,
            require_starttls=tls_context is not None,
            authenticator=authenticator if args.user else None,
            auth_required=bool(args.user),
            auth_require_tls=tls_context is not None,
        )

    async def serve():
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        temporary = args.port_file + ".tmp"
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(str(port))
        os.replace(temporary, args.port_file)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
