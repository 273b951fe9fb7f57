"""Statistics of a year of 100,000 appointments: how long @counter-statistics counts.

In-process (inside Zope, FileStorage, the rows and the answers committed as
the add-on keeps them); the cold figure empties the ZODB caches first, as after
a restart. Prints figures; it does not pass or fail (issue 21 asks < 1 s).
"""

from collective.digitalebalie.cli.instance import write_instance
from pathlib import Path
import json
import os
import socket
import subprocess
import sys
import tempfile


BIN = Path(sys.executable).parent
HERE = Path(__file__).parent
CREATE_SITE = HERE.parent / "src/collective/digitalebalie/cli/create_site.py"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    env = dict(os.environ, ADMIN_PASSWORD="bench", DEMO="0")
    with tempfile.TemporaryDirectory() as directory:
        instance = write_instance(directory, port=free_port())
        conf = str(instance / "etc" / "zope.conf")
        zconsole = str(BIN / "zconsole")
        subprocess.run(
            [zconsole, "run", conf, str(CREATE_SITE)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        out = Path(directory) / "figures.json"
        subprocess.run(
            [zconsole, "run", conf, str(HERE / "_statistics_inprocess.py"), str(out)],
            env=env,
            check=True,
        )
        figures = json.loads(out.read_text())
    print(
        f"{figures['appointments']} appointments in one year, 10 products, 4 teams "
        f"({figures['fill_seconds']:.1f} s to write their rows)"
    )
    print(
        f"statistics of the year, in-process: {figures['cold_ms']:7.1f} ms with a cold "
        f"cache, {figures['warm_ms']:7.1f} ms warm (median)"
    )


if __name__ == "__main__":
    main()
