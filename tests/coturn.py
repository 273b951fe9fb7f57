"""A real coturn (TURN relay) on loopback, with the TURN REST API's shared secret."""

from contextlib import contextmanager
from live import free_port
import shutil
import socket
import subprocess
import time


@contextmanager
def coturn(folder, secret):
    """Yield (``turn:`` URL over UDP, path of its log); stop it afterwards."""
    binary = shutil.which("turnserver")
    assert binary, "coturn is installed by `make test` (SYSTEM_PACKAGES)"
    port = free_port()
    low = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            f"--min-port={low}",
            f"--max-port={low + 200}",
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm=digitalebalie.test",
            "--allow-loopback-peers",
            "--no-cli",
            "--no-tls",
            "--no-dtls",
            "--no-multicast-peers",
            f"--pidfile={folder / 'turn.pid'}",
            "--log-file=stdout",
            "--verbose",
        ],
        stdout=(folder / "turn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"turn:127.0.0.1:{port}?transport=udp", folder / "turn.log"
    finally:
        process.terminate()
        process.wait(timeout=10)
