"""A client of clamd, the ClamAV daemon: INSTREAM over its socket.

No Plone imports. clamd answers ``stream: OK`` or ``stream: <name> FOUND``;
anything else (no daemon, a timeout, ``... ERROR``) is ScannerUnavailable, and
the caller refuses the upload: a file that was not scanned is not stored.
"""

import socket
import struct


CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict."""


class Infected(Exception):
    def __init__(self, signature):
        super().__init__(signature)
        self.signature = signature


def _connect(address, timeout):
    """address: unix:///path/clamd.ctl, tcp://host:port, or a socket path."""
    if address.startswith("tcp://"):
        host, _sep, port = address[len("tcp://") :].rpartition(":")
        return socket.create_connection((host, int(port)), timeout=timeout)
    path = address[len("unix://") :] if address.startswith("unix://") else address
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    return sock


def scan(address, stream, timeout=60):
    """Scan a binary file object; return None when clean, raise Infected or ScannerUnavailable."""
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
    except (OSError, ValueError) as error:
        raise ScannerUnavailable(f"clamd at {address}: {error}") from None
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" FOUND"):
        raise Infected(text.removeprefix("stream:").removesuffix("FOUND").strip())
    if text != "stream: OK":
        # e.g. "INSTREAM size limit exceeded. ERROR"
        raise ScannerUnavailable(f"clamd at {address}: {text or 'no answer'}")


def ping(address, timeout=5):
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16).rstrip(b"\0") == b"PONG"
    except OSError:
        return False


# --- a clamd for demos and tests --------------------------------------------------

# The EICAR anti-virus test file: harmless, and found by every virus scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def write_test_clamd(directory):
    """A clamd configuration whose database knows only EICAR; returns (conf, address).

    For the demo and the tests, where freshclam cannot download signatures:
    the EICAR file by its MD5 (.hdb) and its text anywhere in any file (.ndb),
    so that a PDF carrying the EICAR text is found too. Not a virus scanner
    for real use: give clamd a real database (freshclam) there.
    """
    from pathlib import Path
    import hashlib

    directory = Path(directory)
    database = directory / "db"
    database.mkdir(parents=True, exist_ok=True)
    (database / "eicar.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature\n"  # noqa: S324 - ClamAV's format
    )
    (database / "eicar.ndb").write_text(
        f"Eicar-Test-Signature-Body:0:*:{EICAR.hex()}\n"
    )
    socket_path = directory / "clamd.sock"
    conf = directory / "clamd.conf"
    conf.write_text(
        f"LocalSocket {socket_path}\n"
        f"DatabaseDirectory {database}\n"
        "Foreground yes\n"
        f"LogFile {directory / 'clamd.log'}\n"
        "StreamMaxLength 100M\n"
    )
    return conf, f"unix://{socket_path}"
