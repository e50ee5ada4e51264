#!/usr/bin/env python3
"""deploy/Dockerfile and deploy/compose.yaml, without Docker (not on the
machines that run the tests):

1. The runtime stage's packages, with what they depend on (as dpkg knows
   them here) and Debian's required packages of the base image, hold every
   shared library the built binary links: the image would start.
2. compose.yaml: the services PostgreSQL, two instances, a worker and nginx;
   the instances listen where the nginx site file's upstream points, in the
   proxy's network namespace; they and the worker share the documents
   volume; every build target exists in the Dockerfile; every RDV_ setting
   it gives is one the binary knows (checked by the binary itself).

usage: container_test.py RENDEZVOUS_BINARY SOURCE_DIR"""

import os
import re
import subprocess
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import Harness, check, log


def stage(dockerfile, name):
    m = re.search(rf"^FROM \S+ AS {name}\n(.*?)(?=^FROM |\Z)", dockerfile, re.M | re.S)
    check(m, f"no stage {name} in the Dockerfile")
    return m.group(1)


def installed_packages(text):
    """Package names of the apt-get install lines of a stage."""
    names = []
    for m in re.finditer(r"apt-get install ([^&]*)", text):
        for token in m.group(1).replace("\\", " ").split():
            if token.startswith("#"):
                break
            if not token.startswith("-"):
                names.append(token)
    return names


def installed():
    """Every installed package: {name: (dependency clauses, priority)}, and
    the virtual names each provides."""
    r = subprocess.run(["dpkg-query", "-W", "-f",
                        "${db:Status-Abbrev}\t${Package}\t${Priority}\t${Pre-Depends}, "
                        "${Depends}\t${Provides}\n"], capture_output=True, text=True)
    packages, provides = {}, {}
    for line in r.stdout.splitlines():
        status, name, priority, depends, provided = line.split("\t")
        if not status.startswith("ii"):
            continue
        packages[name] = ([c for c in depends.split(",") if c.strip()], priority)
        for v in provided.split(","):
            if v.strip():
                provides.setdefault(v.strip().split(" ")[0], name)
    return packages, provides


def closure(roots, packages, provides):
    """roots with what they depend on (Depends and Pre-Depends, as installed here)."""
    seen, to_visit = set(), list(roots)
    while to_visit:
        p = to_visit.pop()
        if p in seen:
            continue
        check(p in packages, f"package {p} is not installed here: cannot follow its dependencies")
        seen.add(p)
        for clause in packages[p][0]:
            for alternative in clause.split("|"):
                name = alternative.strip().split(" ")[0].split(":")[0]
                name = name if name in packages else provides.get(name)
                if name:
                    to_visit.append(name)
                    break
    return seen


def main():
    binary, source = sys.argv[1], sys.argv[2]
    with Harness("container") as h:
        started = time.monotonic()
        with open(os.path.join(source, "deploy/Dockerfile")) as f:
            dockerfile = f.read()

        # 1. Libraries of the binary, by owning package.
        runtime = installed_packages(stage(dockerfile, "runtime"))
        check("libpq5" in runtime and "tzdata" in runtime, f"runtime packages: {runtime}")
        ldd = h.run(["ldd", binary]).stdout
        # A sanitizer build (make test-sanitize) links the sanitizers'
        # runtimes, which no image ships: they are not the product's.
        libs = [lib for lib in re.findall(r"=> (/\S+)", ldd)
                if not re.search(r"/lib(asan|ubsan|tsan|lsan)\.so", lib)]
        check(libs, f"ldd found no library: {ldd}")
        # dpkg knows a library by the path its package installed: the real
        # file, or the link ldd shows (/lib is /usr/lib on Debian 12).
        candidates = {lib: {lib, os.path.realpath(lib), re.sub(r"^/usr/lib/", "/lib/", lib),
                            re.sub(r"^/usr/lib/", "/lib/", os.path.realpath(lib))}
                      for lib in libs}
        r = h.run(["dpkg", "-S"] + sorted(set().union(*candidates.values())), check_rc=False)
        owner_of = {}
        for line in r.stdout.splitlines():
            package, _, path = line.partition(": ")
            owner_of[path] = package.split(":")[0]
        owners, unowned = set(), []
        for lib, paths in candidates.items():
            found = {owner_of[p] for p in paths if p in owner_of}
            owners |= found
            if not found:
                unowned.append(lib)
        check(not unowned, f"no Debian package owns {unowned}")
        packages, provides = installed()
        base = {p for p, (_, priority) in packages.items() if priority == "required"}
        present = closure(runtime, packages, provides) | base
        missing = sorted(owners - present)
        check(not missing, f"the runtime image lacks the packages of {missing} "
              f"(needed by {binary}); add them to the runtime stage of deploy/Dockerfile")
        log(f"ok: the runtime stage provides all {len(owners)} packages of the binary's libraries")

        # 2. compose.yaml.
        with open(os.path.join(source, "deploy/compose.yaml")) as f:
            compose = yaml.safe_load(f)
        services = compose["services"]
        check(set(services) >= {"db", "proxy", "app1", "app2", "worker"}, f"services: {list(services)}")
        check(services["db"]["image"].startswith("postgres:"), "db is PostgreSQL")
        with open(os.path.join(source, "deploy/nginx/rendezvous.conf")) as f:
            upstream = re.findall(r"^\s*server 127\.0\.0\.1:(\d+)", f.read(), re.M)
        listens = []
        for name in ("app1", "app2"):
            s = services[name]
            check(s.get("network_mode") == "service:proxy", f"{name} shares the proxy's network")
            check(s["command"][0] == "serve" and "--no-scheduler" in s["command"],
                  f"{name} serves without the scheduler: {s['command']}")
            listens.append(s["command"][s["command"].index("--listen") + 1])
        check(sorted(listens) == sorted(f"127.0.0.1:{p}" for p in upstream),
              f"instances listen on {listens}, nginx's upstream is {upstream}")
        check(services["worker"]["command"] == ["worker"], "the worker runs `worker`")
        for name in ("app1", "app2", "worker"):
            check(any(str(v).startswith("documents:") for v in services[name]["volumes"]),
                  f"{name} mounts the documents volume")
            check(services[name]["environment"]["RDV_DB"].startswith("postgresql://"),
                  f"{name} on PostgreSQL")
        for name, s in services.items():
            target = s.get("build", {}).get("target")
            if target:
                stage(dockerfile, target)
        # Every setting is known to the binary: a --config file refuses an
        # unknown name (the environment would ignore it).
        settings = dict(services["app1"]["environment"])
        settings["RDV_PUBLIC_URL"] = "https://rdv.example.fr"
        config = h.path("compose.conf")
        with open(config, "w") as f:
            for k, v in settings.items():
                if k.startswith("RDV_") and k != "RDV_DB":
                    f.write(f"{k}={v}\n")
        h.give(h.dir)
        binary = h.binary(binary)
        p = h.spawn("settings", [binary, "serve", "--listen", "127.0.0.1:0", "--config", config,
                                 "--db", "sqlite:" + h.path("settings.db")])
        p.wait_for(r"^listening on http://")
        check(p.stop() == 0, "the server with compose's settings stops cleanly")
        log("ok: compose.yaml: PostgreSQL, two instances where nginx expects them, a worker, "
            "nginx; its settings are the binary's")
        log(f"deploy-container passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
