"""How long `make start` takes to answer, first run and restart; Plone's memory.

Prints figures; it does not pass or fail. Uses a temporary instance on a free port.
"""

from pathlib import Path
import os
import psutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_once(directory, port):
    started = time.monotonic()
    process = subprocess.Popen(
        [str(BIN / "digitalebalie-start"), "--dir", directory, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "ADMIN_PASSWORD"},
    )
    for line in process.stdout:
        if "Digitale Balie is running" in line:
            break
    ready = time.monotonic() - started
    url = f"http://127.0.0.1:{port}/Plone/balie"
    t0 = time.monotonic()
    for _ in range(20):
        with urllib.request.urlopen(url) as response:
            response.read()
    page_ms = (time.monotonic() - t0) / 20 * 1000
    plone = [
        child
        for child in psutil.Process(process.pid).children(recursive=True)
        if "runwsgi" in " ".join(child.cmdline())
    ]
    rss = plone[0].memory_info().rss / 2**20 if plone else float("nan")
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    return ready, page_ms, rss


def main():
    with tempfile.TemporaryDirectory() as directory:
        port = free_port()
        first = run_once(directory, port)
        second = run_once(directory, port)
    print(f"first start (create site + demo): {first[0]:6.1f} s to answer")
    print(f"restart (data kept):              {second[0]:6.1f} s to answer")
    print(f"anonymous counter folder page:    {second[1]:6.1f} ms (mean of 20, warm)")
    print(f"Plone process memory after start: {second[2]:6.0f} MiB RSS")


if __name__ == "__main__":
    main()
