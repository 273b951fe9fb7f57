"""How long the virus scan of an upload takes: clamd over its socket (INSTREAM).

Starts Debian's clamd with the EICAR signatures only (as the tests do), then
scans PDFs of 1 and 20 MB. A real signature database makes clamd slower to
start and to scan; the socket transfer measured here is the add-on's part.
"""

from collective.digitalebalie.dossiers import scanner
from collective.digitalebalie.dossiers.scanner import write_test_clamd
from pathlib import Path
import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def start_clamd(directory):
    conf, address = write_test_clamd(directory)
    started = time.perf_counter()
    process = subprocess.Popen(
        [shutil.which("clamd") or "/usr/sbin/clamd", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not scanner.ping(address):
        time.sleep(0.05)
    return process, address, time.perf_counter() - started


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
