"""Start the Digitale Balie: write the instance, create the site once, serve it.

    digitalebalie-start [--dir instance] [--host 127.0.0.1] [--port 8080]

The site is created on the first run only; later runs keep every piece of data
and start in seconds. Stop with Ctrl+C.
"""

from collective.digitalebalie.cli.instance import write_instance
from collective.digitalebalie.cli.jobs import run_once
from collective.digitalebalie.demo import DEFAULT_EMPLOYEE_PASSWORD
from collective.digitalebalie.demo import EMPLOYEE_ID
from collective.digitalebalie.dossiers.scanner import write_test_clamd
from pathlib import Path
import argparse
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


CREATE_SITE = Path(__file__).with_name("create_site.py")
METADATA = Path(__file__).parent.parent / "profiles" / "default" / "metadata.xml"
READY_TIMEOUT = 180


def _bin(name):
    return str(Path(sys.executable).with_name(name))


def _port_free(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _site_stamp(*values):
    """What the site was last prepared with; a change means: prepare again."""
    return hashlib.sha256("\n".join(values).encode()).hexdigest()


def _secret_file(var, name):
    path = var / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path


def room_secret_file(instance, var=None):
    """The room token secret shared by Plone and the room server (made once)."""
    return _secret_file(var or instance / "var", "room-secret")


def job_key_file(instance, var=None):
    """The key the delivery job shows to Plone (made once)."""
    return _secret_file(var or instance / "var", "job-key")


def run_jobs(url, key_file, stop_event, every=60, retention_every=3600):
    """Deliver the outbox every minute, and run retention hourly, while the demo runs."""
    key = key_file.read_text().strip()
    last_retention = 0.0
    while not stop_event.wait(every):
        try:
            run_once(url, key, "deliver")
            if time.monotonic() - last_retention >= retention_every:
                last_retention = time.monotonic()
                run_once(url, key, "retention")
        except (OSError, ValueError) as error:
            print(f"Job: {error}", file=sys.stderr, flush=True)


def demo_clamd(instance):
    """The demo's virus scanner: clamd with the EICAR test signature only.

    Returns (command, address), or (None, None) when clamd is not installed
    (uploads are then refused until a scanner is set in the control panel).
    """
    binary = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if binary is None:
        return None, None
    conf, address = write_test_clamd(instance / "var" / "clamav")
    return [binary, "-c", str(conf)], address


def prepare_site(
    instance,
    site_id,
    admin,
    password,
    rooms_url,
    clamd_address="",
    var=None,
    trusted_proxies=(),
):
    """Create the site, or bring admin password and room settings in line.

    ``var`` holds the secrets and the record of what the site was prepared
    with (default: the instance's own var/; a cluster shares one).
    """
    shared = var is not None
    var = var or instance / "var"
    stamp_file = var / "site-ready"
    secret_file = room_secret_file(instance, var)
    key_file = job_key_file(instance, var)
    stamp = _site_stamp(
        site_id,
        admin,
        password,
        rooms_url,
        secret_file.read_text(),
        key_file.read_text(),
        # A new profile version: run the upgrade steps.
        METADATA.read_text(),
        clamd_address,
        ",".join(trusted_proxies),
    )
    # A cluster's database is in PostgreSQL; the stamp alone tells it is prepared.
    stored = shared or (var / "filestorage" / "Data.fs").exists()
    if stored and stamp_file.exists() and stamp_file.read_text() == stamp:
        return False
    print("Preparing the site (the first time this takes about a minute)...")
    env = dict(
        os.environ,
        SITE_ID=site_id,
        ADMIN_USER=admin,
        ADMIN_PASSWORD=password,
        ROOM_SECRET_FILE=str(secret_file),
        JOB_KEY_FILE=str(key_file),
        ROOM_SERVER_URL=rooms_url,
        CLAMD_ADDRESS=clamd_address,
        TRUSTED_PROXIES=",".join(trusted_proxies),
    )
    subprocess.run(
        [
            _bin("zconsole"),
            "run",
            str(instance / "etc" / "zope.conf"),
            str(CREATE_SITE),
        ],
        env=env,
        check=True,
    )
    stamp_file.write_text(stamp)
    return True


def wait_until_ready(url, process, timeout=READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def banner(base, site_id, admin, password_from_env, rooms_url):
    site = f"{base}/{site_id}"
    password = "(the value of ADMIN_PASSWORD)" if password_from_env else "admin"
    employee_password = (
        "(the value of DEMO_EMPLOYEE_PASSWORD)"
        if os.environ.get("DEMO_EMPLOYEE_PASSWORD")
        else DEFAULT_EMPLOYEE_PASSWORD
    )
    return f"""
Digitale Balie is running.

  Website             {site}
  Counter products    {site}/balie
  Control panel       {site}/@@digitalebalie-controlpanel
  Log in              {site}/login
  Zope management     {base}/manage
  Room server         {rooms_url}
  Virus scanner       clamd with the EICAR test signature only (demo)

  Logins
    {admin:<12} {password:<32} site administrator
    {EMPLOYEE_ID:<12} {employee_password:<32} demo counter employee (Team Burgerzaken)

Stop with Ctrl+C. Logs are in instance/var/log/.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="instance", help="instance folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)))
    parser.add_argument(
        "--rooms-port", type=int, default=int(os.environ.get("ROOMS_PORT", 8081))
    )
    args = parser.parse_args(argv)
    rooms_url = f"ws://{args.host}:{args.rooms_port}/rooms"

    site_id = os.environ.get("SITE_ID", "Plone")
    admin = os.environ.get("ADMIN_USER", "admin")
    password = os.environ.get("ADMIN_PASSWORD") or "admin"

    for port, variable in ((args.port, "PORT"), (args.rooms_port, "ROOMS_PORT")):
        if not _port_free(args.host, port):
            sys.exit(
                f"Port {port} on {args.host} is in use. Stop what runs there, "
                f"or choose another port: {variable}={port + 2} make start"
            )

    instance = write_instance(args.dir, args.host, args.port)
    clamd_command, clamd_address = demo_clamd(instance)
    try:
        prepare_site(instance, site_id, admin, password, rooms_url, clamd_address or "")
    except subprocess.CalledProcessError as error:
        sys.exit(f"Creating the site failed (exit code {error.returncode}); see above.")

    started = time.monotonic()
    plone = subprocess.Popen([_bin("runwsgi"), str(instance / "etc" / "zope.ini")])
    rooms = room_server(args.host, args.rooms_port, room_secret_file(instance))
    base = f"http://{args.host}:{args.port}"

    def ready():
        return wait_until_ready(f"{base}/{site_id}", plone)

    def on_ready(jobs_stop):
        print(f"Plone answered after {time.monotonic() - started:.1f} s.")
        threading.Thread(
            target=run_jobs,
            args=(f"{base}/{site_id}", job_key_file(instance), jobs_stop),
            daemon=True,
        ).start()
        print(
            banner(
                base, site_id, admin, bool(os.environ.get("ADMIN_PASSWORD")), rooms_url
            )
        )

    sys.exit(
        supervise(
            [plone, rooms],
            start_clamd(clamd_command),
            ready,
            on_ready,
            "Plone did not answer; see instance/var/log/event.log for the reason.",
        )
    )


def room_server(host, port, secret_file):
    return subprocess.Popen(
        [
            _bin("digitalebalie-rooms"),
            "--host",
            host,
            "--port",
            str(port),
            "--secret-file",
            str(secret_file),
        ]
    )


def start_clamd(clamd_command):
    """The scanner is a helper: if it fails, uploads are refused (503), the demo goes on."""
    if not clamd_command:
        print(
            "clamd is not installed: uploads are refused until a virus scanner is set."
        )
        return []
    return [
        subprocess.Popen(
            clamd_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    ]


def supervise(processes, helpers, ready, on_ready, failure):
    """Run until Ctrl+C or until any of ``processes`` ends; return the exit code.

    ``ready()`` waits for the services to answer; then ``on_ready(jobs_stop)``
    starts what depends on them (jobs stop when ``jobs_stop`` is set).
    """
    stopping = []
    jobs_stop = threading.Event()

    def stop(signum=None, frame=None):
        # Only signal here: waiting inside a signal handler would deadlock with
        # the wait() in the main flow. Zope stops promptly on SIGTERM (not on SIGINT).
        if signum is not None and not stopping:
            print("\nStopping...", flush=True)
        stopping.append(signum)
        jobs_stop.set()
        for process in processes + helpers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if ready():
        on_ready(jobs_stop)
        sys.stdout.flush()
    elif not stopping:
        stop()
        print(failure)
    # One process ending ends all: a half-running service helps nobody.
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    code = next(p.returncode for p in processes if p.returncode is not None)
    stop()
    for process in processes + helpers:
        process.wait()
    return 0 if stopping else code or 1


if __name__ == "__main__":
    main()
