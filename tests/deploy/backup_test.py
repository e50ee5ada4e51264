#!/usr/bin/env python3
"""deploy/backup/: backup, wipe, restore, and the resident's booking works
on the restored store, for SQLite and for PostgreSQL.

For each store: a server (as an unprivileged user) with the demo data; a
booking made through the API and a document file; rendezvous-backup while
the server runs; a second booking after the backup; the server stopped and
the store wiped (SQLite file and documents removed; PostgreSQL database
dropped and made again empty); rendezvous-restore; the server started again
on the restored store: the first booking is read with its manage link and
cancelled with it, the second is gone, the document is back byte for byte,
and a new booking is taken.

Also: restore refuses a SQLite file a running server holds; PostgreSQL is
restored over a database that still holds data (--clean) as well as into an
empty one; the database password, given in the URL of the settings file,
never appears in pg_dump's or pg_restore's arguments; wrong usage exits 2.

usage: backup_test.py RENDEZVOUS_BINARY SOURCE_DIR"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import (Client, Harness, PgCluster, check, demo_service_and_slots, free_port, log,
                       read_with_manage_link)

DOCUMENT = b"%PDF-1.4\n% justificatif de domicile\n" + bytes(range(256))


def logging_wrappers(h):
    """pg_dump and pg_restore that record their arguments, then run the real ones."""
    folder = h.mkdir("bin")
    for tool in ("pg_dump", "pg_restore"):
        path = os.path.join(folder, tool)
        with open(path, "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$*" >>{h.path("argv.log")}\n'
                    f'exec /usr/bin/{tool} "$@"\n')
        os.chmod(path, 0o755)
    return folder


def scenario(h, binary, source, store, db_for_server, settings, server_env, wipe,
             restore_over_data=None):
    port = free_port()
    state = h.path(store)
    documents = os.path.join(state, "documents")
    env_file = h.path(f"{store}.env")
    with open(env_file, "w") as f:
        f.write(f"# as /etc/rendezvous/rendezvous.env\n{settings}\n"
                f'RDV_DOCUMENTS_DIR="{documents}"\n')
    script_env = {"RDV_ENV_FILE": env_file, "RDV_SECRETS_FILE": h.path("no-secrets.conf"),
                  "PATH": h.path("bin") + ":" + os.environ["PATH"]}
    backup = os.path.join(source, "deploy/backup/rendezvous-backup")
    restore = os.path.join(source, "deploy/backup/rendezvous-restore")
    serve_args = ["serve", "--listen", f"127.0.0.1:{port}", "--db", db_for_server,
                  "--documents-dir", documents]

    server = h.spawn(f"{store}-1", [binary] + serve_args + ["--demo"], env=server_env)
    server.wait_for(r"^listening on http://")
    api = Client("127.0.0.1", port)
    service, body_for = demo_service_and_slots(api, 3)
    status, kept = api.json("POST", "/api/v1/bookings", body_for(0, "Avant"))
    check(status == 201, f"{store}: booking before the backup: {status} {kept}")
    # A document as the server stores one: DOCUMENTS_DIR/<booking id>/<name>.
    doc_dir = os.path.join(documents, str(kept["id"]))
    os.makedirs(doc_dir, exist_ok=True)
    with open(os.path.join(doc_dir, "justificatif.pdf"), "wb") as f:
        f.write(DOCUMENT)
    h.give(documents)

    dest = h.mkdir(f"{store}-backups")
    r = h.run([backup, "--keep", "2", dest], env=script_env)
    made = r.stdout.strip()
    check(os.path.isdir(made) and os.path.basename(made).startswith("rendezvous-"),
          f"{store}: backup folder {made!r}")
    expected = {"sqlite": "rendezvous.db", "postgresql": "database.dump"}[store]
    for name in (expected, "documents.tar", "SHA256SUMS"):
        check(os.path.getsize(os.path.join(made, name)) > 0, f"{store}: {name} in the backup")
    status, lost = api.json("POST", "/api/v1/bookings", body_for(1, "Apres"))
    check(status == 201, f"{store}: booking after the backup: {status} {lost}")

    if store == "sqlite":
        r = h.run([restore, made], env=script_env, check_rc=False)
        check(r.returncode == 1 and "stop the service first" in r.stderr,
              f"restore should refuse a SQLite file in use: {r.returncode} {r.stderr}")
    check(server.stop() == 0, f"{store}: server stop")

    if restore_over_data:
        restore_over_data(restore, made, script_env)
    wipe()
    h.run([restore, made], env=script_env)

    server = h.spawn(f"{store}-2", [binary] + serve_args, env=server_env)
    server.wait_for(r"^listening on http://")
    api = Client("127.0.0.1", port)
    status, seen = read_with_manage_link(api, kept["manage_url"])
    check(status == 200 and seen["resident"]["last_name"] == "Avant",
          f"{store}: the booking made before the backup, after restore: {status} {seen}")
    status, gone = read_with_manage_link(api, lost["manage_url"])
    check(status == 404, f"{store}: the booking made after the backup should be gone: {status} {gone}")
    with open(os.path.join(doc_dir, "justificatif.pdf"), "rb") as f:
        check(f.read() == DOCUMENT, f"{store}: the document restored byte for byte")
    status, cancelled = api.json(
        "POST", f"/api/v1/bookings/{kept['id']}/cancel?token={kept['manage_token']}",
        {"reason": "Empêchement"})
    check(status == 200 and cancelled["status"] == "cancelled",
          f"{store}: cancel with the manage link on the restored store: {status} {cancelled}")
    status, again = api.json("POST", "/api/v1/bookings", body_for(2, "Apres restauration"))
    check(status == 201, f"{store}: a new booking on the restored store: {status} {again}")
    check(server.stop() == 0, f"{store}: server stop")
    log(f"ok: {store}: backup, wipe, restore; booking read and cancelled with its manage link, "
        "later booking gone, document back, new booking taken")


def main():
    binary, source = sys.argv[1], sys.argv[2]
    with Harness("backup") as h:
        started = time.monotonic()
        binary = h.binary(binary)
        logging_wrappers(h)
        h.give(h.dir)

        backup = os.path.join(source, "deploy/backup/rendezvous-backup")
        r = h.run([backup], check_rc=False)
        check(r.returncode == 2 and "usage:" in r.stderr, f"no argument: {r.returncode} {r.stderr}")
        r = h.run([backup, "--keep", "x", h.dir], check_rc=False)
        check(r.returncode == 2, f"bad --keep: {r.returncode}")
        r = h.run([os.path.join(source, "deploy/backup/rendezvous-restore"), h.dir],
                  check_rc=False)
        check(r.returncode == 1 and "SHA256SUMS" in r.stderr, f"restore of a non-backup: {r.stderr}")
        log("ok: usage errors exit 2, a folder that is no backup is refused")

        # SQLite.
        sqlite_db = h.path("sqlite", "rendezvous.db")
        os.makedirs(h.path("sqlite"))
        h.give(h.path("sqlite"))

        def wipe_sqlite():
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(sqlite_db + suffix):
                    os.remove(sqlite_db + suffix)
            os.system(f"rm -rf '{h.path('sqlite', 'documents')}'")
            check(not os.path.exists(sqlite_db), "SQLite wiped")

        scenario(h, binary, source, "sqlite", "sqlite:" + sqlite_db,
                 f"RDV_DB=sqlite:{sqlite_db}", {}, wipe_sqlite)

        # PostgreSQL: a role with a password, which the server reads from a
        # passfile and the scripts from the URL in their settings file.
        pg = PgCluster(h)
        passfile = h.path("server.pgpass")
        password = pg.add_role_with_password("rdv", "rendezvous", passfile)
        os.makedirs(h.path("postgresql"))
        h.give(h.path("postgresql"))
        url = f"postgresql://rdv@127.0.0.1:{pg.port}/rendezvous"
        with_password = f"postgresql://rdv:{password}@127.0.0.1:{pg.port}/rendezvous"

        def restore_over_data(restore, made, env):
            # Into the database as the server left it (--clean), then checked
            # below again after a restore into an empty one.
            h.run([restore, made], env=env)
            check(pg.sql("SELECT count(*) FROM bookings", "rendezvous") == "1",
                  "restore --clean over the data: only the booking of the backup")

        def wipe_postgresql():
            pg.sql("DROP DATABASE rendezvous")
            pg.sql("CREATE DATABASE rendezvous OWNER rdv")
            os.system(f"rm -rf '{h.path('postgresql', 'documents')}'")

        scenario(h, binary, source, "postgresql", url, f'RDV_DB="{with_password}"',
                 {"PGPASSFILE": passfile}, wipe_postgresql, restore_over_data)
        with open(h.path("argv.log")) as f:
            argv = f.read()
        check("pg_dump" in argv or "--format=custom" in argv, f"pg_dump ran: {argv}")
        check(password not in argv, "the password must not be on pg_dump's or pg_restore's command line")
        log("ok: the database password stayed off the command lines")
        log(f"deploy-backup passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
