"""Run the Digitale Balie as a cluster on one machine, to try the way up.

    digitalebalie-cluster [--dir cluster] [--host 127.0.0.1] [--port 8080] [--instances 2]

What runs (all on ``--host``):

- PostgreSQL (Debian's binaries, its own data folder) on ``--pg-port``;
- ``--instances`` Zope instances sharing one RelStorage database on it (objects
  and blobs), on ``--instance-ports``;
- as many room servers, on ``--rooms-ports``;
- nginx on ``--port`` in front of them all: web requests to the least busy
  instance, room connections routed by room (nginx.conf.in next to this file).

The site is created on the first run; later runs keep every piece of data.
Stop with Ctrl+C (PostgreSQL stops too).
"""

from collective.digitalebalie.cli.instance import write_instance
from collective.digitalebalie.cli.postgres import PostgreSQL
from collective.digitalebalie.cli.postgres import PostgreSQLError
from collective.digitalebalie.cli.postgres import reachable_by_server
from collective.digitalebalie.cli.start import _port_free
from collective.digitalebalie.cli.start import demo_clamd
from collective.digitalebalie.cli.start import job_key_file
from collective.digitalebalie.cli.start import prepare_site
from collective.digitalebalie.cli.start import room_secret_file
from collective.digitalebalie.cli.start import room_server
from collective.digitalebalie.cli.start import run_jobs
from collective.digitalebalie.cli.start import start_clamd
from collective.digitalebalie.cli.start import supervise
from collective.digitalebalie.cli.start import wait_until_ready
from pathlib import Path
import argparse
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time


NGINX_TEMPLATE = Path(__file__).with_name("nginx.conf.in")
DATABASE = "plone"
# The largest upload the balancer lets through; Plone applies its own,
# smaller limit from the control panel with a clear message.
MAX_BODY = "1g"


def _bin(name):
    return str(Path(sys.executable).with_name(name))


def nginx_binary():
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise SystemExit(
            "nginx is not installed (Debian: apt-get install nginx-light)."
        )
    return found


def write_nginx_conf(folder, listen, plone_addresses, room_addresses):
    """Fill in nginx.conf.in for these servers; return the file written."""
    folder = Path(folder)
    run = folder / "run"
    log = folder / "log"
    for path in (run, log):
        path.mkdir(parents=True, exist_ok=True)
    # As root the master process starts workers as nobody (who makes its
    # own temporary folders below run/, private to it).
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    text = NGINX_TEMPLATE.read_text()
    for field, value in {
        "@USER@": user,
        "@RUN@": str(run),
        "@LOG@": str(log),
        "@MAX_BODY@": MAX_BODY,
        "@LISTEN@": listen,
        "@PLONE_SERVERS@": "\n".join(
            f"        server {address} max_fails=1 fail_timeout=5s;"
            for address in plone_addresses
        ),
        "@ROOM_SERVERS@": "\n".join(
            f"        server {address};" for address in room_addresses
        ),
    }.items():
        text = text.replace(field, value)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


def _nginx_command(conf):
    folder = conf.parent
    return [
        nginx_binary(),
        "-p",
        str(folder),
        "-e",
        str(folder / "log" / "nginx-error.log"),
        "-c",
        str(conf),
    ]


def check_nginx_conf(conf):
    check = subprocess.run(
        [*_nginx_command(conf), "-t", "-q"], capture_output=True, text=True
    )
    if check.returncode:
        raise SystemExit(f"The nginx configuration is wrong: {check.stderr.strip()}")


def start_nginx(conf):
    """nginx in the foreground (``daemon off``)."""
    return subprocess.Popen(_nginx_command(conf))


def postgres_folder(cluster):
    """Where PostgreSQL keeps its data: in the cluster folder if it can reach it."""
    folder = cluster / "postgresql"
    if folder.exists() or reachable_by_server(folder):
        return folder
    # Root's home is closed to the postgres user: use a folder of its own.
    tag = hashlib.sha256(str(cluster).encode()).hexdigest()[:8]
    return Path("/var/lib/postgresql") / f"digitalebalie-{tag}"


def _ports(text, count, first):
    if not text:
        return [first + number for number in range(count)]
    ports = [int(part) for part in text.split(",") if part.strip()]
    if len(ports) != count:
        raise SystemExit(f"Give {count} ports, separated by commas: {text}")
    return ports


def banner(base, site_id, args, instance_ports, rooms_ports, pg):
    site = f"{base}/{site_id}"
    instances = ", ".join(f"{args.host}:{port}" for port in instance_ports)
    rooms = ", ".join(f"{args.host}:{port}" for port in rooms_ports)
    return f"""
Digitale Balie cluster is running.

  Website (nginx)     {site}
  Control panel       {site}/@@digitalebalie-controlpanel
  Zope instances      {instances} (RelStorage)
  Room servers        {rooms} (reached through nginx, by room)
  PostgreSQL          {args.host}:{pg.port}, database {DATABASE}, data in {pg.folder}

  Logins as with `make start` (admin; medewerker, the demo counter employee).

Stop with Ctrl+C. Logs are in {args.dir}/instance*/var/log/ and {args.dir}/nginx/log/.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="cluster", help="cluster folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)))
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument(
        "--instance-ports", help="comma-separated (default: port+11, port+12, ...)"
    )
    parser.add_argument(
        "--rooms-ports", help="comma-separated (default: port+21, port+22, ...)"
    )
    parser.add_argument("--pg-port", type=int, help="(default: port+30)")
    parser.add_argument(
        "--no-jobs",
        action="store_true",
        help="do not run the mail and retention jobs every minute (tests run them)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.instances <= 16:
        parser.error("--instances must be 1 to 16")
    instance_ports = _ports(args.instance_ports, args.instances, args.port + 11)
    rooms_ports = _ports(args.rooms_ports, args.instances, args.port + 21)
    pg_port = args.pg_port or args.port + 30
    site_id = os.environ.get("SITE_ID", "Plone")
    admin = os.environ.get("ADMIN_USER", "admin")
    password = os.environ.get("ADMIN_PASSWORD") or "admin"

    ports = [args.port, *instance_ports, *rooms_ports, pg_port]
    if len(set(ports)) != len(ports):
        sys.exit(f"Every part needs a port of its own; these repeat: {sorted(ports)}")
    for port in ports:
        if not _port_free(args.host, port):
            sys.exit(f"Port {port} on {args.host} is in use; choose others (--help).")
    nginx_binary()  # before anything starts

    # Stopped with SIGTERM while preparing: still stop PostgreSQL (finally below).
    signal.signal(signal.SIGTERM, _interrupt)
    cluster = Path(args.dir).resolve()
    var = cluster / "var"
    var.mkdir(parents=True, exist_ok=True)
    pg = PostgreSQL(
        postgres_folder(cluster), pg_port, args.host, password_file=var / "pg-password"
    )
    try:
        try:
            fresh = pg.init()
            if fresh:
                print(f"PostgreSQL database cluster made in {pg.folder}.")
            pg.start()
            fresh = pg.create_database(DATABASE, owner=DATABASE) or fresh
        except PostgreSQLError as error:
            sys.exit(f"PostgreSQL: {error}")
        if fresh:
            # A new, empty database: whatever was prepared before is not in it.
            (var / "site-ready").unlink(missing_ok=True)
        code = run(
            args,
            cluster,
            var,
            pg,
            instance_ports,
            rooms_ports,
            site_id,
            admin,
            password,
        )
    except KeyboardInterrupt:
        code = 0
    finally:
        pg.stop()
    sys.exit(code)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args, cluster, var, pg, instance_ports, rooms_ports, site_id, admin, password):
    dsn = pg.owner_dsn(DATABASE, owner=DATABASE)
    instances = [
        write_instance(cluster / f"instance{number}", args.host, port, dsn=dsn)
        for number, port in enumerate(instance_ports, start=1)
    ]
    base = f"http://{args.host}:{args.port}"
    rooms_url = f"ws://{args.host}:{args.port}/rooms"
    clamd_command, clamd_address = demo_clamd(cluster)
    try:
        # One instance prepares the site (RelStorage makes its tables then);
        # the others start after it, on the same database.
        prepare_site(
            instances[0],
            site_id,
            admin,
            password,
            rooms_url,
            clamd_address or "",
            var=var,
            # nginx on this machine: the booking limits count the visitor's
            # address from its X-Forwarded-For, not nginx's.
            trusted_proxies=("127.0.0.1",),
        )
    except subprocess.CalledProcessError as error:
        print(f"Creating the site failed (exit code {error.returncode}); see above.")
        return 1
    conf = write_nginx_conf(
        cluster / "nginx",
        f"{args.host}:{args.port}",
        [f"{args.host}:{port}" for port in instance_ports],
        [f"{args.host}:{port}" for port in rooms_ports],
    )
    check_nginx_conf(conf)
    started = time.monotonic()
    processes = []
    try:
        for instance in instances:
            processes.append(
                subprocess.Popen([_bin("runwsgi"), str(instance / "etc" / "zope.ini")])
            )
        for port in rooms_ports:
            processes.append(room_server(args.host, port, room_secret_file(None, var)))
        processes.append(start_nginx(conf))
    except BaseException:
        # Half a cluster helps nobody: stop what did start.
        for process in processes:
            process.terminate()
            process.wait()
        raise
    plones = processes[: len(instances)]
    nginx = processes[-1]

    def ready():
        return all(
            wait_until_ready(f"http://{args.host}:{port}/{site_id}", plone)
            for port, plone in zip(instance_ports, plones, strict=True)
        ) and wait_until_ready(f"{base}/{site_id}", nginx)

    def on_ready(jobs_stop):
        print(f"The cluster answered after {time.monotonic() - started:.1f} s.")
        if not args.no_jobs:
            # Through the balancer: any instance may run a job, they share the data.
            threading.Thread(
                target=run_jobs,
                args=(f"{base}/{site_id}", job_key_file(None, var), jobs_stop),
                daemon=True,
            ).start()
        print(banner(base, site_id, args, instance_ports, rooms_ports, pg))

    return supervise(
        processes,
        start_clamd(clamd_command),
        ready,
        on_ready,
        f"The cluster did not answer; see {args.dir}/instance*/var/log/event.log.",
    )


if __name__ == "__main__":
    main()
