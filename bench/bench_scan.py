"""How long the virus scan of an upload takes: clamd over its socket (INSTREAM).

Starts Debian's clamd with the EICAR signatures only (as the tests do), then
scans PDFs of 1 and 20 MB. A real signature database makes clamd slower to
start and to scan; the socket transfer measured here is the add-on's part.
"""

from collective.digitalebalie.dossiers import scanner
from pathlib import Path
import hashlib
import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def start_clamd(directory):
    database = directory / "db"
    database.mkdir()
    (database / "eicar.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature\n"  # noqa: S324
    )
    socket_path = directory / "clamd.sock"
    (directory / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {database}\nForeground yes\n"
        f"LogFile {directory / 'clamd.log'}\nStreamMaxLength 100M\n"
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            shutil.which("clamd") or "/usr/sbin/clamd",
            "-c",
            str(directory / "clamd.conf"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not scanner.ping(f"unix://{socket_path}"):
        time.sleep(0.05)
    return process, f"unix://{socket_path}", time.perf_counter() - started


def main():
    with tempfile.TemporaryDirectory() as directory:
        process, address, startup = start_clamd(Path(directory))
        try:
            print(f"clamd (EICAR signatures only) ready in {startup:.2f} s")
            for megabytes in (1, 20):
                data = b"%PDF-1.4\n" + os.urandom(megabytes * 1024 * 1024)
                timings = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    scanner.scan(address, io.BytesIO(data))
                    timings.append(time.perf_counter() - t0)
                median = statistics.median(timings)
                print(
                    f"scan of a {megabytes:2d} MB PDF: {median * 1000:7.1f} ms median "
                    f"({megabytes / median:5.0f} MB/s)"
                )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
