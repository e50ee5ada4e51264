"""What the deploy/ tests share: a temporary folder that goes away, processes
run as an unprivileged user and stopped whatever happens, a throwaway
PostgreSQL cluster (as tests/support/pg_cluster.cpp makes one), free ports,
and the resident's booking through the JSON API.

Only the standard library: the tests run on a fresh Debian 12 machine."""

import contextlib
import ctypes
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

PG_BIN = "/usr/lib/postgresql/15/bin"
UNPRIVILEGED = "nobody"


def fail(message):
    print("FAIL: " + message, file=sys.stderr, flush=True)
    raise SystemExit(1)


def check(condition, message):
    if not condition:
        fail(message)


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    # The child gets SIGTERM if the test dies (ctest's timeout kills it),
    # so that no server outlives its test.
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Process:
    def __init__(self, name, popen, out, err):
        self.name, self.popen, self.out, self.err = name, popen, out, err

    def stdout(self):
        with open(self.out, errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def wait_for(self, pattern, timeout=30):
        """Waits until stdout has a line matching pattern; returns the match."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.stdout(), re.M)
            if m:
                return m
            if self.popen.poll() is not None:
                fail(f"{self.name} exited with {self.popen.returncode} before /{pattern}/:\n"
                     f"{self.stderr()[-3000:]}")
            time.sleep(0.05)
        fail(f"{self.name}: no /{pattern}/ within {timeout} s; stderr:\n{self.stderr()[-3000:]}")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.popen.poll() is not None:
            return self.popen.returncode
        self.popen.send_signal(sig)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait()


class Harness(contextlib.ExitStack):
    """A test's world: a temporary folder, the processes it started. Leaving
    it (normally, on an assertion, on SIGTERM or SIGINT) stops them all and
    removes the folder."""

    def __init__(self, name):
        super().__init__()
        self.root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix=f"rdv-{name}-")
        os.chmod(self.dir, 0o755)
        self.processes = []
        self.callback(shutil.rmtree, self.dir, ignore_errors=True)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: fail("interrupted"))

    def __exit__(self, *exc):
        for p in reversed(self.processes):
            p.stop(signal.SIGKILL if exc[0] else signal.SIGTERM, timeout=10)
        return super().__exit__(*exc)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def mkdir(self, *parts):
        p = self.path(*parts)
        os.makedirs(p, exist_ok=True)
        return p

    def give(self, path, user=UNPRIVILEGED):
        """Makes path (recursively) the unprivileged user's when we are root."""
        if not self.root:
            return
        pw = pwd.getpwnam(user)
        for base, dirs, files in os.walk(path):
            os.chown(base, pw.pw_uid, pw.pw_gid)
            for f in files:
                os.chown(os.path.join(base, f), pw.pw_uid, pw.pw_gid)
        os.chown(path, pw.pw_uid, pw.pw_gid)

    def as_user(self, argv, user=UNPRIVILEGED):
        """argv run as user when we are root. setpriv changes the user and
        execs (no process in between, unlike runuser, which waits 2 s after
        forwarding a signal), and keeps the parent-death signal that the
        change of user would clear."""
        if not self.root:
            return argv
        pw = pwd.getpwnam(user)
        return ["/usr/bin/setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                "--clear-groups", "--pdeathsig", "TERM", "--"] + argv

    def binary(self, path):
        """The rendezvous binary as the unprivileged user can run it: the
        build folder may be closed to it (a clone under /root)."""
        if not self.root:
            return path
        if subprocess.run(self.as_user(["test", "-x", path])).returncode == 0:
            return path
        copy = self.path("rendezvous")
        shutil.copy2(path, copy)
        os.chmod(copy, 0o755)
        return copy

    def spawn(self, name, argv, env=None, user=UNPRIVILEGED, cwd=None):
        out, err = self.path(f"{name}.out"), self.path(f"{name}.err")
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("RDV_")}
        full_env.update(env or {})
        with open(out, "w") as o, open(err, "w") as e:
            popen = subprocess.Popen(self.as_user(argv, user), stdout=o, stderr=e,
                                     stdin=subprocess.DEVNULL, env=full_env,
                                     cwd=cwd or self.dir, preexec_fn=_die_with_parent)
        p = Process(name, popen, out, err)
        self.processes.append(p)
        return p

    def run(self, argv, user=None, env=None, check_rc=True, input=None):
        """Runs a command to its end (as user when given and we are root)."""
        full_env = dict(os.environ)
        full_env.update(env or {})
        argv = self.as_user(argv, user) if user else argv
        r = subprocess.run(argv, capture_output=True, text=True, env=full_env, cwd=self.dir,
                           input=input, timeout=120)
        if check_rc and r.returncode != 0:
            fail(f"{' '.join(argv)} exited with {r.returncode}:\n{r.stdout}\n{r.stderr}")
        return r

    def serve(self, name, binary, port, db, extra=(), env=None):
        p = self.spawn(name, [binary, "serve", "--listen", f"127.0.0.1:{port}", "--db", db,
                              "--documents-dir", self.path("documents")] + list(extra), env=env)
        p.wait_for(r"^listening on http://")
        return p


class PgCluster:
    """initdb + pg_ctl in the harness folder, as the postgres user when root
    (PostgreSQL refuses to run as root). Trust for the superuser over
    loopback; other roles must give a password (scram), which the tests pass
    through PGPASSFILE, as a deployment does."""

    def __init__(self, h):
        check(os.path.exists(f"{PG_BIN}/initdb"),
              "no PostgreSQL server programs: apt-get install postgresql")
        self.h = h
        self.folder = h.mkdir("pg")
        h.give(self.folder, "postgres")
        self.port = free_port()
        self._pg("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync",
                 "-E", "UTF8", "--locale=C")
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("local all postgres trust\n"
                    "host all postgres 127.0.0.1/32 trust\n"
                    "host all all 127.0.0.1/32 scram-sha-256\n")
        self.start()
        h.callback(self.stop)

    @property
    def data(self):
        return os.path.join(self.folder, "data")

    def _pg(self, program, *args):
        return self.h.run([f"{PG_BIN}/{program}", *args], user="postgres" if self.h.root else None)

    def start(self):
        self._pg("pg_ctl", "start", "-w", "-t", "30", "-D", self.data, "-l",
                 os.path.join(self.folder, "server.log"), "-o",
                 f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                 "-c fsync=off -c full_page_writes=off")
        self.running = True

    def stop(self):
        if getattr(self, "running", False):
            self.running = False
            self._pg("pg_ctl", "stop", "-w", "-t", "30", "-D", self.data, "-m", "immediate")

    def sql(self, statement, db="postgres"):
        r = self.h.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                        "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db],
                       input=statement)
        return r.stdout.strip()

    def url(self, db, user="postgres"):
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"

    def add_role_with_password(self, role, db, passfile_path, owner_user=UNPRIVILEGED):
        """A role owning db, its password only in a passfile (mode 0600,
        owned by who reads it): never on a command line."""
        password = os.urandom(18).hex()
        # psql reads the statement on stdin: the password is not in argv.
        self.sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}';\n"
                 f"CREATE DATABASE {db} OWNER {role};")
        with open(passfile_path, "w") as f:
            f.write(f"127.0.0.1:{self.port}:*:{role}:{password}\n")
        os.chmod(passfile_path, 0o600)
        self.h.give(passfile_path, owner_user)
        return password


# ---- the resident's path through the JSON API ----------------------------

class Client:
    """HTTP/1.1 to one address, over TLS when a context is given, from a
    chosen source address (the nginx tests tell clients apart by it)."""

    def __init__(self, host, port, tls=None, source="127.0.0.1", server_name="localhost"):
        self.host, self.port, self.tls, self.source, self.server_name = (
            host, port, tls, source, server_name)
        self.conn = None

    def _connect(self):
        if self.tls:
            c = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=30,
                                            source_address=(self.source, 0))
        else:
            c = http.client.HTTPConnection(self.host, self.port, timeout=30,
                                           source_address=(self.source, 0))
        return c

    def request(self, method, path, body=None, headers=None):
        """Returns (status, headers as a list of pairs, body bytes)."""
        h = {"Host": self.server_name}
        h.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheaders(), data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection closed by the peer: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise

    def json(self, method, path, body=None, headers=None):
        status, hdrs, data = self.request(method, path, body, headers)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data.decode(errors="replace")


def demo_service_and_slots(client, count):
    """The demo's "Carte grise" service and `count` of its free slots, as
    (service id, booking body maker): body(i) books the i-th slot."""
    status, hits = client.json("GET", "/api/v1/search?q=carte+grise")
    check(status == 200 and hits and hits[0]["next_slot"], f"search: {status} {hits}")
    service, mode = hits[0]["service"]["id"], hits[0]["next_slot"]["mode"]
    status, slots = client.json("GET", f"/api/v1/slots?service={service}&mode={mode}")
    check(status == 200 and len(slots) >= count,
          f"slots of service {service}: {status}, {len(slots or [])} slots, {count} wanted")
    starts = [s["start"] for s in slots[:count]]
    return service, lambda i, last_name="Dupont": booking_body(service, starts[i], mode, last_name)


_phone_counter = [10]


def booking_body(service, start, mode, last_name="Dupont"):
    # A new phone number each time: the server limits open bookings per contact.
    _phone_counter[0] += 1
    return {"service_id": service, "start": start, "mode": mode,
            "resident": {"first_name": "Léa", "last_name": last_name,
                         "phone": f"+336123456{_phone_counter[0] % 100:02d}"}}


def read_with_manage_link(client, manage_url):
    """GET of the booking with the token of its manage link."""
    u = urllib.parse.urlsplit(manage_url)
    booking_id = u.path.rstrip("/").split("/")[-1]
    token = urllib.parse.parse_qs(u.query)["token"][0]
    return client.json("GET", f"/api/v1/bookings/{booking_id}?token={token}")


def self_signed_certificate(h, folder):
    """A certificate for localhost and 127.0.0.1 made by openssl; the key
    never leaves the folder."""
    os.makedirs(folder, exist_ok=True)
    cert, key = os.path.join(folder, "fullchain.pem"), os.path.join(folder, "privkey.pem")
    h.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
           "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
    return cert, key
