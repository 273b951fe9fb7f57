"""Run the Digitale Balie's periodic work once.

    digitalebalie-jobs --url http://127.0.0.1:8080/Plone --key-file instance/var/job-key
    digitalebalie-retention --url http://127.0.0.1:8080/Plone --key-file instance/var/job-key

The first asks the payment provider about payments whose webhook did not
come, queues reminders and delivers mail and text messages (cron: every
minute); the second destroys dossiers whose destruction a manager approved and
removes old personal data (cron: hourly or daily). `make start` runs both.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request


VIEWS = {"deliver": "@@digitalebalie-deliver", "retention": "@@digitalebalie-retention"}


def run_once(url, key, task="deliver", timeout=600):
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"Not a web address: {url}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        f"{url.rstrip('/')}/{VIEWS[task]}",
        data=b"",
        method="POST",
        headers={"X-Digitalebalie-Job-Key": key, "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read())


def _run(task, argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="address of the Plone site")
    parser.add_argument("--key-file", required=True, help="file with the job key")
    args = parser.parse_args(argv)
    with open(args.key_file, encoding="ascii") as handle:
        key = handle.read().strip()
    try:
        result = run_once(args.url, key, task)
    except (urllib.error.URLError, OSError, ValueError) as error:
        print(f"The {task} job failed: {error}", file=sys.stderr)
        return 1
    if task == "deliver":
        archive = result.get("archive") or {}
        polled = result.get("payments") or {}
        print(
            f"payments: {polled.get('checked', 0)} asked at the provider, "
            f"{polled.get('changed', 0)} changed, {polled.get('failed', 0)} failed; "
            f"reminders: {result['reminders']} queued; messages: {result['sent']} sent, "
            f"{result['failed']} failed, {result['skipped']} skipped; dossiers to the "
            f"case system: {archive.get('archived', 0)} sent, {archive.get('failed', 0)} failed"
        )
    else:
        print(
            f"dossiers: {result['destroyed']} destroyed, {result['due']} due and "
            f"waiting for a manager's approval; appointments: "
            f"{result['anonymized']} without personal data now"
        )
    return 0


def main(argv=None):
    return _run("deliver", argv)


def retention_main(argv=None):
    return _run("retention", argv)


if __name__ == "__main__":
    sys.exit(main())
