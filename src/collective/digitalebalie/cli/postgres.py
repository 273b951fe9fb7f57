"""A private PostgreSQL server for the cluster: Debian's binaries, our own data folder.

Nothing of the system's PostgreSQL service is used or changed: ``initdb`` makes
a cluster in the given folder, ``pg_ctl`` runs it on 127.0.0.1 and the port
given, with a generated password (scram-sha-256). PostgreSQL refuses to run as
root; run as root, the server runs as the ``postgres`` user Debian creates, and
its folder must be one that user can reach.
"""

from pathlib import Path
import glob
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile


USER = "digitalebalie"
OWNER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
PASSWORD = re.compile(r"^[A-Za-z0-9_-]{16,}$")
START_TIMEOUT = 60
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


class PostgreSQLError(RuntimeError):
    pass


def bindir():
    """The folder with initdb and pg_ctl (Debian keeps them out of PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_ctl"):
        return Path(shutil.which("pg_ctl")).resolve().parent
    raise PostgreSQLError(
        "PostgreSQL is not installed (Debian: apt-get install postgresql)."
    )


def _as_root():
    return os.geteuid() == 0


def _server_user():
    """The account the server runs as: ``postgres`` for root, else ourselves."""
    if not _as_root():
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError as error:
        raise PostgreSQLError(
            "Running as root needs the 'postgres' user (Debian's postgresql package)."
        ) from error


def reachable_by_server(folder):
    """Can the server's account enter ``folder``'s parent (root's home cannot)?"""
    user = _server_user()
    if user is None:
        return True
    parent = Path(folder).resolve().parent
    result = subprocess.run(
        [RUNUSER, "-u", user.pw_name, "--", "test", "-x", str(parent)],
        check=False,
    )
    return result.returncode == 0


class PostgreSQL:
    """One PostgreSQL server whose data lives in ``folder``."""

    def __init__(self, folder, port, host="127.0.0.1", password_file=None):
        self.folder = Path(folder).resolve()
        self.data = self.folder / "data"
        self.run_dir = self.folder / "run"
        self.log = self.folder / "postgresql.log"
        # Kept outside the server's folder: as root, we do not read files in a
        # folder that the postgres account may change.
        self.password_file = Path(password_file or self.folder.parent / "pg-password")
        self.port = int(port)
        self.host = host
        self.bin = bindir()

    # --- running commands as the server's account --------------------------------

    def _command(self, *args, as_server=True):
        user = _server_user() if as_server else None
        prefix = [RUNUSER, "-u", user.pw_name, "--"] if user else []
        return [*prefix, str(self.bin / args[0]), *map(str, args[1:])]

    def _run(self, *args, env=None, as_server=True):
        result = subprocess.run(
            self._command(*args, as_server=as_server),
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if result.returncode:
            raise PostgreSQLError(
                f"{args[0]} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}"
            )
        return result.stdout

    def _give_to_server(self, *paths):
        user = _server_user()
        if user is not None:
            for path in paths:
                os.chown(path, user.pw_uid, user.pw_gid)

    # --- life cycle ----------------------------------------------------------------

    @property
    def password(self):
        return self.password_file.read_text().strip()

    def dsn(self, database):
        return (
            f"host={self.host} port={self.port} dbname={database} "
            f"user={USER} password={self.password}"
        )

    def initialised(self):
        return (self.data / "PG_VERSION").exists()

    def init(self):
        """Make the database cluster once; later calls keep everything."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.password_file.exists():
            self.password_file.parent.mkdir(parents=True, exist_ok=True)
            self.password_file.touch(mode=0o600)
            self.password_file.write_text(secrets.token_urlsafe(24))
        if self.initialised():
            return False
        if not reachable_by_server(self.folder):
            raise PostgreSQLError(
                f"The 'postgres' user cannot reach {self.folder}; choose a folder "
                "outside root's home."
            )
        for folder in (self.data, self.run_dir):
            folder.mkdir(mode=0o700, exist_ok=True)
        self.log.touch(mode=0o600, exist_ok=True)
        self._give_to_server(self.folder, self.data, self.run_dir, self.log)
        # initdb reads the password from a file its own user can read: a new
        # one (O_EXCL), never a name someone else prepared.
        handle, name = tempfile.mkstemp(prefix="digitalebalie-pg-")
        initial = Path(name)
        with os.fdopen(handle, "w") as stream:
            stream.write(self.password + "\n")
        self._give_to_server(initial)
        try:
            self._run(
                "initdb",
                "-D",
                self.data,
                "-U",
                USER,
                "--pwfile",
                initial,
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        finally:
            initial.unlink()
        return True

    def running(self):
        result = subprocess.run(
            self._command("pg_ctl", "-D", self.data, "status"),
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def start(self):
        if self.running():
            return
        options = (
            f"-p {self.port} -k {self.run_dir} -c listen_addresses={self.host} "
            # Booking conflicts are settled by RelStorage's row locks; more than
            # the default 100 connections are not needed for a few instances.
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.log,
            "-o",
            options,
            "-w",
            "-t",
            START_TIMEOUT,
            "start",
        )

    def stop(self):
        if self.initialised() and self.running():
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def _psql(self, sql, database="postgres"):
        """Run SQL as the administrator; the text goes in on stdin (not in ps)."""
        result = subprocess.run(
            self._command(
                "psql",
                "-h",
                self.host,
                "-p",
                self.port,
                "-U",
                USER,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tA",
                "-f",
                "-",
                as_server=False,  # a client: needs no account of the server's
            ),
            input=sql,
            capture_output=True,
            text=True,
            env=dict(os.environ, PGPASSWORD=self.password),
            check=False,
        )
        if result.returncode:
            raise PostgreSQLError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name, owner):
        """Create database ``name`` owned by the role ``owner`` (made with a
        generated password, no other rights), unless they exist; True when
        the database is new. The application connects as ``owner``: not as
        the administrator, who could run programs on the server's account.
        """
        if not OWNER.match(owner) or not OWNER.match(name):
            raise ValueError("Names of roles and databases: lower-case letters.")
        owner_file = self.password_file.with_name(f"{self.password_file.name}-{owner}")
        if not owner_file.exists():
            owner_file.touch(mode=0o600)
            owner_file.write_text(secrets.token_urlsafe(24))
        password = owner_file.read_text().strip()
        if not PASSWORD.match(password):
            raise PostgreSQLError(f"{owner_file}: letters, digits, - and _ only.")
        # The names and the password are checked above: nothing to quote.
        roles = self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{owner}'")  # noqa: S608
        verb = "ALTER" if roles.strip() else "CREATE"
        self._psql(
            f"{verb} ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"PASSWORD '{password}'"
        )
        listed = self._psql("SELECT datname FROM pg_database")
        if name in listed.split():
            return False
        self._psql(f"CREATE DATABASE {name} OWNER {owner}")
        return True

    def owner_dsn(self, database, owner):
        password = (
            self.password_file.with_name(f"{self.password_file.name}-{owner}")
            .read_text()
            .strip()
        )
        return (
            f"host={self.host} port={self.port} dbname={database} "
            f"user={owner} password={password}"
        )
