#!/usr/bin/env python3
"""deploy/nginx/rendezvous.conf with Debian's nginx, as an unprivileged process.

1. `nginx -t` on the shipped site file, inside a minimal nginx.conf and
   inside (a copy of) Debian's own /etc/nginx/nginx.conf.
2. End to end: nginx on free ports, TLS with a self-signed certificate, in
   front of two `rendezvous serve` instances on one PostgreSQL database:
   booking over TLS (HTTP/2 offered), the booking rate limit answering 429,
   slow clients cut off, X-Forwarded-For reaching the server's own limiter,
   body size limits, /metrics closed, static files cached, HTTP redirected.

The test copy differs from the shipped file only where it must (ports,
certificate and cache paths, upstream ports, server_name) and in two
timeouts shortened from 10 s to 2 s, so that the slow-client checks take
seconds; each substitution must match the shipped text exactly once.

usage: nginx_test.py RENDEZVOUS_BINARY SOURCE_DIR"""

import os
import re
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import (Client, Harness, PgCluster, check, demo_service_and_slots,
                       fail, free_port, log, read_with_manage_link, self_signed_certificate)

NGINX = "/usr/sbin/nginx"
SHORT_TIMEOUT = 2  # seconds, in the test copy, for client_header_timeout and client_body_timeout


def substitute(text, pattern, replacement, what):
    new, n = re.subn(pattern, replacement, text, flags=re.M)
    check(n == 1, f"the site file should have exactly one {what} (/{pattern}/), found {n}")
    return new


def test_site(shipped, h, certs, ports):
    """The shipped site file with this machine's ports and paths."""
    cert, key = certs
    s = shipped
    s = substitute(s, r"^\s*server 127\.0\.0\.1:8080 ", f"    server 127.0.0.1:{ports['a']} ",
                   "first upstream server")
    s = substitute(s, r"^\s*server 127\.0\.0\.1:8081 ", f"    server 127.0.0.1:{ports['b']} ",
                   "second upstream server")
    s = substitute(s, r"^\s*listen 80;", f"    listen 127.0.0.1:{ports['http']};", "listen 80")
    s = substitute(s, r"^\s*listen \[::\]:80;\n", "", "listen [::]:80")
    s = substitute(s, r"^\s*listen 443 ssl http2;", f"    listen 127.0.0.1:{ports['https']} ssl http2;",
                   "listen 443")
    s = substitute(s, r"^\s*listen \[::\]:443 ssl http2;\n", "", "listen [::]:443")
    s = substitute(s, r"/etc/ssl/rendezvous/fullchain\.pem", cert, "certificate path")
    s = substitute(s, r"/etc/ssl/rendezvous/privkey\.pem", key, "key path")
    s = substitute(s, r"/var/cache/nginx/rendezvous", h.path("cache"), "cache path")
    s = substitute(s, r"root /var/www/letsencrypt;", f"root {h.path('acme')};", "ACME root")
    s = re.sub(r"server_name rdv\.example\.fr;", "server_name localhost;", s)
    s = substitute(s, r"client_header_timeout 10s;", f"client_header_timeout {SHORT_TIMEOUT}s;",
                   "client_header_timeout 10s")
    s = substitute(s, r"client_body_timeout 10s;", f"client_body_timeout {SHORT_TIMEOUT}s;",
                   "client_body_timeout 10s")
    return s


def minimal_nginx_conf(h, site_path):
    temp = "\n".join(f"    {kind}_temp_path {h.path('tmp', kind)};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# The smallest main configuration around the site file, for a non-root nginx.
worker_processes 1;
daemon off;
pid {h.path('nginx.pid')};
error_log {h.path('error.log')} info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {h.path('access.log')};
{temp}
    include {site_path};
}}
"""


def debian_nginx_conf(h, site_path):
    """Debian's nginx.conf with this test's site instead of sites-enabled/,
    and its log, pid and temporary paths in the test folder: the site file
    must not repeat a directive that Debian's file sets at http level."""
    with open("/etc/nginx/nginx.conf") as f:
        conf = f.read()
    conf = substitute(conf, r"include /etc/nginx/sites-enabled/\*;", f"include {site_path};",
                      "include of sites-enabled (in /etc/nginx/nginx.conf)")
    # Other sites and dynamic modules (loaded relative to -p) are not ours.
    conf = re.sub(r"^\s*include /etc/nginx/(conf\.d|modules-enabled)/\*\.conf;", "", conf,
                  flags=re.M)
    conf = re.sub(r"^\s*user \S+;", "", conf, flags=re.M)
    conf = re.sub(r"/var/log/nginx/", h.path("debian-") , conf)
    conf = re.sub(r"^pid \S+;", f"pid {h.path('debian.pid')};", conf, flags=re.M)
    temp = "\n".join(f"\t{kind}_temp_path {h.path('tmp', kind)};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = conf.replace("http {", "http {\n" + temp, 1)
    return conf


def nginx_t(h, conf_path):
    r = h.run([NGINX, "-t", "-p", h.dir, "-c", conf_path], user="nobody" if h.root else None,
              check_rc=False)
    check(r.returncode == 0, f"nginx -t -c {conf_path} failed:\n{r.stderr}")
    check("[emerg]" not in r.stderr, f"nginx -t: {r.stderr}")


def header(headers, name):
    values = [v for k, v in headers if k.lower() == name.lower()]
    return values


def main():
    binary, source = sys.argv[1], sys.argv[2]
    check(os.path.exists(NGINX), "no nginx: apt-get install nginx-light")
    with open(os.path.join(source, "deploy/nginx/rendezvous.conf")) as f:
        shipped = f.read()

    with Harness("nginx") as h:
        started = time.monotonic()
        binary = h.binary(binary)
        for d in ("tmp", "cache", "acme", "documents"):
            h.mkdir(d)
        certs = self_signed_certificate(h, h.path("certs"))
        ports = {"a": free_port(), "b": free_port(), "http": free_port(), "https": free_port()}
        site = h.path("rendezvous.conf")
        with open(site, "w") as f:
            f.write(test_site(shipped, h, certs, ports))
        with open(h.path("nginx.conf"), "w") as f:
            f.write(minimal_nginx_conf(h, site))
        with open(h.path("debian-nginx.conf"), "w") as f:
            f.write(debian_nginx_conf(h, site))
        h.give(h.dir)

        # 1. The configuration as nginx reads it.
        nginx_t(h, h.path("nginx.conf"))
        if os.path.exists("/etc/nginx/nginx.conf"):
            nginx_t(h, h.path("debian-nginx.conf"))
        log("ok: nginx -t accepts the site file (minimal and Debian main configurations)")

        # 2. Two instances on one PostgreSQL database, nginx in front.
        pg = PgCluster(h)
        pg.sql("CREATE DATABASE rendezvous")
        db = pg.url("rendezvous")
        public = f"https://localhost:{ports['https']}"
        common = ["--trusted-proxies", "127.0.0.1", "--public-url", public,
                  # One booking per client address and minute in each process:
                  # the X-Forwarded-For check below relies on it.
                  "--booking-rate-limit", "1"]
        a = h.serve("instance-a", binary, ports["a"], db, ["--demo"] + common)
        b = h.serve("instance-b", binary, ports["b"], db, ["--no-scheduler"] + common)
        nginx = h.spawn("nginx", [NGINX, "-p", h.dir, "-c", h.path("nginx.conf")])
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", ports["https"]), timeout=1).close()
                break
            except OSError:
                if nginx.popen.poll() is not None or time.monotonic() > deadline:
                    fail(f"nginx did not start: {open(h.path('error.log')).read()}")
                time.sleep(0.05)
        if h.root:
            check(os.stat(h.path("nginx.pid")).st_uid != 0, "nginx should not run as root")

        tls = ssl.create_default_context(cafile=certs[0])
        https = lambda source: Client("127.0.0.1", ports["https"], tls, source)  # noqa: E731

        def answered(port, route):
            """Requests an instance answered on a route template, from its own
            /metrics (counted before the answer leaves; its access log is
            written asynchronously and may lag)."""
            status, _, text = Client("127.0.0.1", port).request("GET", "/metrics")
            check(status == 200, f"instance /metrics from loopback: {status}")
            return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.decode().splitlines()
                       if line.startswith("rdv_http_requests_total{")
                       and f'route="{route}"' in line)

        def static_served():
            return sum(answered(ports[i], "/static/{name}") for i in ("a", "b"))

        # HTTP/2 is offered (ALPN); the tests below speak HTTP/1.1.
        alpn = ssl.create_default_context(cafile=certs[0])
        alpn.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", ports["https"])) as raw:
            with alpn.wrap_socket(raw, server_hostname="localhost") as t:
                check(t.selected_alpn_protocol() == "h2", "nginx should offer HTTP/2")
                check(t.version() in ("TLSv1.2", "TLSv1.3"), f"TLS version {t.version()}")
        # TLS 1.1 is refused by nginx (ssl_protocols): the client allows it
        # (security level 0 lifts OpenSSL's own floor), the server does not.
        r = h.run(["openssl", "s_client", "-connect", f"127.0.0.1:{ports['https']}", "-tls1_1",
                   "-cipher", "DEFAULT:@SECLEVEL=0", "-servername", "localhost"],
                  check_rc=False, input="")
        check(r.returncode != 0, "TLS 1.1 should be refused")
        log("ok: TLS 1.2+/HTTP/2 offered, TLS 1.1 refused")

        # A booking over TLS: 201, its manage link on the public URL, read back.
        resident = https("127.0.0.2")
        service, body_for = demo_service_and_slots(resident, 8)
        status, booked = resident.json("POST", "/api/v1/bookings", body_for(0))
        check(status == 201, f"booking through nginx: {status} {booked}")
        check(booked["manage_url"].startswith(public + "/rendez-vous/"),
              f"manage link on the public URL: {booked['manage_url']}")
        status, seen = read_with_manage_link(resident, booked["manage_url"])
        check(status == 200 and seen["id"] == booked["id"], f"booking read back: {status} {seen}")
        log("ok: booking created through nginx over TLS (201) and read with its manage link")

        # X-Forwarded-For: each instance allows one booking per client address
        # and minute. Five requests from one address: one instance gets three,
        # so the server answers 429 (its own JSON, not nginx's) within them.
        # Another address then books at once: the server tells addresses apart,
        # which it can only do from the X-Forwarded-For nginx sets.
        client_x = https("127.0.0.3")
        answers = [client_x.json("POST", "/api/v1/bookings", body_for(1 + i))
                   for i in range(5)]
        limited = [b for s, b in answers if s == 429]
        check(limited and all(isinstance(b, dict) and b["error"]["message"] == "too many bookings, retry later"
                              for b in limited),
              f"the server's own limiter should refuse 127.0.0.3 behind nginx: {answers}")
        client_y = https("127.0.0.4")
        status, body = client_y.json("POST", "/api/v1/bookings", body_for(6))
        check(status == 201, f"another client address should book at once: {status} {body}")
        # Z claims to be X: nginx replaces the header with the address it saw,
        # so Z is not refused in X's place (X is limited on both instances now:
        # each got at least one of its five requests).
        client_z = https("127.0.0.5")
        status, body = client_z.json("POST", "/api/v1/bookings", body_for(7),
                                     headers={"X-Forwarded-For": "127.0.0.3"})
        check(status == 201, f"a client's own X-Forwarded-For should be ignored: {status} {body}")
        log("ok: X-Forwarded-For reaches the server (per-address limits behind nginx, header not spoofable)")

        # Both instances served bookings (round robin over the upstream).
        for inst in ("a", "b"):
            check(answered(ports[inst], "/api/v1/bookings") > 0, f"instance {inst} should have served bookings")
        log("ok: both instances answered")

        # The booking rate limit of nginx: a burst from one address gets 429s
        # from nginx itself (its JSON message), after 20 + 1 let through.
        burst = https("127.0.0.8")
        results = [burst.request("POST", "/api/v1/bookings", b"{}",
                                 {"Content-Type": "application/json"}) for _ in range(30)]
        by_nginx = [r for r in results if r[0] == 429 and b"too many booking requests" in r[2]]
        check(len(by_nginx) >= 5, f"nginx should answer 429 to a burst, got "
              f"{[r[0] for r in results]}")
        check(results[0][0] != 429 or b"too many booking requests" not in results[0][2],
              "the first request of a burst should pass")
        check(header(by_nginx[0][1], "Retry-After") == ["60"], "nginx's 429 carries Retry-After")
        check("limiting requests" in open(h.path("error.log")).read(),
              "nginx's error log should record the limited requests")
        form = https("127.0.0.9")
        page = [form.request("POST", f"/services/{service}/reserver", b"x=1",
                             {"Content-Type": "application/x-www-form-urlencoded"})
                for _ in range(30)]
        limited_pages = [r for r in page if r[0] == 429 and "Trop de demandes" in r[2].decode()]
        check(limited_pages, f"the booking form should be limited: {[r[0] for r in page]}")
        status, _, _ = form.request("GET", f"/services/{service}/reserver")
        check(status != 429, "a GET of the booking form is not limited")
        log("ok: booking bursts get 429 from nginx (API and form), GETs are not counted")

        # Body sizes: 1 MiB in general, more only for documents.
        big = https("127.0.0.10")
        status, _, _ = big.request("POST", "/api/v1/search", b"x" * (2 << 20),
                                   {"Content-Type": "application/json"})
        check(status == 413, f"a 2 MiB body should get 413 from nginx, got {status}")
        big = https("127.0.0.10")
        status, _, data = big.request(
            "POST", f"/api/v1/bookings/{booked['id']}/documents", b"x" * (2 << 20),
            {"Content-Type": "multipart/form-data; boundary=zz"})
        check(status != 413, f"a 2 MiB document should reach the server, got {status} {data[:200]}")
        log("ok: body limits (413 over 1 MiB, documents let through)")

        # Slow clients: half a header, or half a body, then silence: nginx
        # closes the connection after its timeout (2 s in the test copy).
        def slow(first_bytes, outcome, key):
            raw = socket.create_connection(("127.0.0.1", ports["https"]),
                                           source_address=("127.0.0.11", 0))
            t = tls.wrap_socket(raw, server_hostname="localhost")
            t.settimeout(SHORT_TIMEOUT + 8)
            t0 = time.monotonic()
            t.sendall(first_bytes)
            try:
                while t.recv(4096):
                    pass
                outcome[key] = time.monotonic() - t0
            except (socket.timeout, TimeoutError):
                outcome[key] = None
            except OSError:
                outcome[key] = time.monotonic() - t0
            finally:
                t.close()

        outcome = {}
        threads = [
            threading.Thread(target=slow, args=(
                b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: sl", outcome, "header")),
            threading.Thread(target=slow, args=(
                b"POST /api/v1/bookings HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"service_id\"",
                outcome, "body")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for key in ("header", "body"):
            took = outcome.get(key)
            check(took is not None and SHORT_TIMEOUT - 0.5 <= took <= SHORT_TIMEOUT + 3,
                  f"a client sending half a {key} should be cut off after ~{SHORT_TIMEOUT} s, "
                  f"took {took}")
        log(f"ok: slow clients cut off (half a header: {outcome['header']:.1f} s, "
            f"half a body: {outcome['body']:.1f} s)")

        # /metrics is not public; static files are cached; security headers.
        c = https("127.0.0.12")
        status, _, _ = c.request("GET", "/metrics")
        check(status == 403, f"/metrics through nginx should be 403, got {status}")
        for path in ("//metrics", "/metrics/", "/metrics//", "/metrics%2F", "/metrics?x=1"):
            status, _, _ = c.request("GET", path)
            check(status == 403, f"{path} through nginx should be 403, got {status}")
        served_before = static_served()
        for _ in range(3):
            status, hdrs, css = c.request("GET", "/static/site.css")
            check(status == 200 and css, f"/static/site.css: {status}")
        check(header(hdrs, "Cache-Control") == ["max-age=3600"],
              f"one Cache-Control for static files: {header(hdrs, 'Cache-Control')}")
        check(header(hdrs, "Expires"), "static files carry Expires")
        served = static_served() - served_before
        check(served == 1, f"three fetches of a static file should reach an instance once, not {served}")
        status, hdrs, _ = c.request("GET", "/")
        check(status == 200, f"home page: {status}")
        check(header(hdrs, "Strict-Transport-Security") == ["max-age=63072000"], "HSTS")
        for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                     "X-Frame-Options"):
            check(len(header(hdrs, name)) == 1, f"exactly one {name}: {header(hdrs, name)}")
        check(header(hdrs, "Server") == ["nginx"], f"no version in Server: {header(hdrs, 'Server')}")
        log("ok: /metrics denied, static files cached (one upstream fetch), security headers once")

        # Plain HTTP redirects to HTTPS.
        plain = Client("127.0.0.1", ports["http"])
        status, hdrs, _ = plain.request("GET", "/recherche?q=carte")
        check(status == 301 and header(hdrs, "Location") == ["https://localhost/recherche?q=carte"],
              f"HTTP should redirect to HTTPS: {status} {header(hdrs, 'Location')}")
        log("ok: HTTP redirects to HTTPS")

        log(f"deploy-nginx passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
