"""Run the Digitale Balie's periodic work once: queue reminders, deliver the outbox.

    digitalebalie-jobs --url http://127.0.0.1:8080/Plone --key-file instance/var/job-key

For cron (every minute). `make start` runs it every minute by itself.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request


def run_once(url, key, timeout=120):
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"Not a web address: {url}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        f"{url.rstrip('/')}/@@digitalebalie-deliver",
        data=b"",
        method="POST",
        headers={"X-Digitalebalie-Job-Key": key, "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="address of the Plone site")
    parser.add_argument("--key-file", required=True, help="file with the job key")
    args = parser.parse_args(argv)
    with open(args.key_file, encoding="ascii") as handle:
        key = handle.read().strip()
    try:
        result = run_once(args.url, key)
    except (urllib.error.URLError, OSError, ValueError) as error:
        print(f"Delivery failed: {error}", file=sys.stderr)
        return 1
    print(
        f"reminders: {result['reminders']} queued; mail: {result['sent']} sent, "
        f"{result['failed']} failed, {result['skipped']} skipped"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
