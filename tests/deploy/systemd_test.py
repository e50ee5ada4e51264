#!/usr/bin/env python3
"""deploy/systemd/: the units as systemd 252 reads them, and their command
lines as the binary reads them.

1. `systemd-analyze verify` on rendezvous.service, an instance of
   rendezvous@.service and rendezvous-worker.service (the binary path
   replaced by the built binary): no error, no warning.
2. `systemd-analyze security --offline=true`: exposure at most MAX_EXPOSURE
   for each (the hardening stays).
3. Each unit's ExecStart, with the shipped rendezvous.env as environment and
   secrets.conf.example as the credential, starts the server (or the
   worker) and SIGTERM (the units' KillSignal) stops it with status 0.

usage: systemd_test.py RENDEZVOUS_BINARY SOURCE_DIR"""

import os
import re
import shlex
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import Harness, check, log

MAX_EXPOSURE = 2.0
UNITS = {"rendezvous.service": "rendezvous.service",
         "rendezvous@8080.service": "rendezvous@.service",
         "rendezvous-worker.service": "rendezvous-worker.service"}


def environment_file(path):
    """systemd's EnvironmentFile= syntax as far as the shipped file uses it:
    NAME=value, optional double quotes, # comments."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, value = line.partition("=")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            env[name] = value
    return env


def main():
    binary, source = sys.argv[1], sys.argv[2]
    analyze = shutil.which("systemd-analyze")
    check(analyze, "no systemd-analyze: apt-get install systemd")
    with Harness("systemd") as h:
        started = time.monotonic()
        binary = h.binary(binary)
        units = {}
        for name, shipped in UNITS.items():
            with open(os.path.join(source, "deploy/systemd", shipped)) as f:
                text = f.read()
            check("ExecStart=/usr/local/bin/rendezvous " in text, f"{shipped}: ExecStart path")
            units[name] = text
            with open(h.path(name), "w") as f:
                f.write(text.replace("/usr/local/bin/rendezvous", binary))

        # 1. verify: exit 0 and nothing said (systemd reports unknown keys
        # and bad values as warnings only).
        r = h.run([analyze, "verify", "--man=no"] + [h.path(n) for n in UNITS], check_rc=False)
        check(r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(),
              f"systemd-analyze verify: {r.returncode}\n{r.stdout}\n{r.stderr}")
        log("ok: systemd-analyze verify accepts the units without a warning")

        # 2. security exposure.
        for name in UNITS:
            r = h.run([analyze, "security", "--offline=true", "--no-pager", h.path(name)])
            m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
            check(m, f"no exposure level for {name}:\n{r.stdout[-500:]}")
            exposure = float(m.group(1))
            check(exposure <= MAX_EXPOSURE,
                  f"{name}: exposure {exposure} above {MAX_EXPOSURE}:\n{r.stdout}")
            log(f"ok: {name} exposure {exposure}")

        # 3. The command lines with the shipped environment and secrets file.
        env = environment_file(os.path.join(source, "deploy/systemd/rendezvous.env"))
        state = h.mkdir("state")
        env["RDV_DB"] = "sqlite:" + os.path.join(state, "rendezvous.db")
        env["RDV_DOCUMENTS_DIR"] = os.path.join(state, "documents")
        credentials = h.mkdir("credentials")
        shutil.copy(os.path.join(source, "deploy/systemd/secrets.conf.example"),
                    os.path.join(credentials, "secrets.conf"))
        h.give(h.dir)
        for name, text in units.items():
            line = re.search(r"^ExecStart=(.*)$", text, re.M).group(1)
            line = line.replace("${CREDENTIALS_DIRECTORY}", credentials)
            line = line.replace("%i", "0").replace(":8080 ", ":0 ")
            argv = shlex.split(line)
            argv[0] = binary
            p = h.spawn(name, argv, env=env)
            p.wait_for(r"^(listening on http://127\.0\.0\.1:\d+|worker running)$")
            rc = p.stop()
            check(rc == 0, f"{name}: SIGTERM should exit 0, got {rc}; stderr:\n{p.stderr()[-2000:]}")
        log("ok: each ExecStart runs with rendezvous.env and secrets.conf.example, SIGTERM exits 0")

        # 4. Every RDV_ name of the two files, commented examples included, is
        # one the binary knows: the environment ignores unknown names, so a
        # misspelt one would be silently without effect. A --config file
        # refuses them by name.
        names = set()
        for shipped in ("rendezvous.env", "secrets.conf.example"):
            with open(os.path.join(source, "deploy/systemd", shipped)) as f:
                names |= set(re.findall(r"^#?(RDV_[A-Z0-9_]+)=", f.read(), re.M))
        check(len(names) >= 10, f"settings found: {sorted(names)}")
        for name in sorted(names):
            probe = h.path(f"{name}.conf")
            with open(probe, "w") as f:
                f.write(f"{name}=\n")
            # The bad --listen is refused after the file is read: nothing starts.
            r = h.run([binary, "serve", "--config", probe, "--listen", "no-port"], check_rc=False)
            check(r.returncode != 0 and "unknown setting" not in r.stderr,
                  f"{name} is not a setting of the server: {r.stderr}")
        log(f"ok: the {len(names)} settings named in rendezvous.env and secrets.conf.example exist")
        log(f"deploy-systemd passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
