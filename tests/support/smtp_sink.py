#!/usr/bin/python3
"""An SMTP server for the tests (Debian's python3-aiosmtpd): every message it
accepts is written to DIR as <n>.eml. Prints "ready <port>" once listening.
Usage: smtp_sink.py DIR [PORT [USER:PASSWORD]] (with credentials, AUTH is required)
With SMTP_SINK_DELAY_MS set, the end of each message is answered that much
later: a client that goes away meanwhile has sent nothing (the transaction is
cancelled, as an MTA does not take a message whose transaction did not end)."""
import asyncio
import os
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        delay = int(os.environ.get("SMTP_SINK_DELAY_MS", "0"))
        if delay:
            await asyncio.sleep(delay / 1000)
            if server.transport is None or server.transport.is_closing():
                return "421 client gone"
        with self.lock:
            self.count += 1
            path = os.path.join(self.directory, "%06d.eml" % self.count)
        with open(path + ".rcpt", "w") as f:  # the envelope: who the server was asked to deliver to
            f.write("\n".join(envelope.rcpt_tos))
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 OK"


directory = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
if port == 0:  # aiosmtpd checks its own port by connecting: choose one first
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
options = {}
if len(sys.argv) > 3:
    user, password = sys.argv[3].split(":", 1)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        return AuthResult(success=ok)

    options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
controller = Controller(Sink(directory), hostname="127.0.0.1", port=port, **options)
controller.start()
print("ready %d" % port, flush=True)
threading.Event().wait()
