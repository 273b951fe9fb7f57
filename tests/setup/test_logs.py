"""Tokens of citizens' and guests' links never reach a log."""

from collective.digitalebalie.cli import logs
from collective.digitalebalie.cli.instance import write_instance
from collective.digitalebalie.masking import mask
import logging
import logging.config
import pytest


TOKEN = "Zq3-secret_token-9xY"


@pytest.mark.parametrize(
    "path",
    [
        f"/Plone/@@my-appointment/{TOKEN}",
        f"/Plone/my-appointment/{TOKEN}/document/abc",
        f"/Plone/@appointment/{TOKEN}/documents",
        f"/Plone/++api++/@appointment/{TOKEN}",
        f"/Plone/@@video-guest/{TOKEN}",
        f"/Plone/@video-guest/{TOKEN}?x=1",
        f"/Plone/@@calendar-feed/{TOKEN}",
        f"/Plone/@@earlier-time/{TOKEN}",
        f"/Plone/earlier-time/{TOKEN}?x=1",
        f"/Plone/%40%40my-appointment/{TOKEN}",
    ],
)
def test_mask(path):
    masked = mask(f'127.0.0.1 - - "GET {path} HTTP/1.1" 200 5 "https://x{path}"')
    assert TOKEN not in masked
    assert masked.count("/***") == 2


def test_other_paths_are_kept():
    line = "GET /Plone/appointments/7b7db887c324e07c/@video-guest HTTP/1.1"
    assert mask(line) == line


def test_the_instance_logs_through_the_masking_handlers(tmp_path):
    """The zope.ini that `make start` writes: its handlers mask, also in tracebacks."""
    instance = write_instance(tmp_path / "instance", port=8999)
    ini = instance / "etc" / "zope.ini"
    text = ini.read_text()
    for handler in ("accesslog", "eventlog", "console"):
        section = text.split(f"[handler_{handler}]")[1].split("[")[0]
        assert "collective.digitalebalie.cli.logs.Masking" in section
    # Loaded as runwsgi loads it: Python's logging.config.fileConfig.
    logging.config.fileConfig(
        ini, defaults={"here": str(ini.parent)}, disable_existing_loggers=False
    )
    try:
        wsgi = logging.getLogger("wsgi")
        assert all(isinstance(h, logs.MaskingFileHandler) for h in wsgi.handlers)
        wsgi.warning('"GET /Plone/@@my-appointment/%s HTTP/1.1" 200', TOKEN)
        try:
            raise ValueError(f"at /Plone/@video-guest/{TOKEN}")
        except ValueError:
            logging.getLogger("plone").exception("failed")
        for handler in wsgi.handlers + logging.getLogger("plone").handlers:
            handler.flush()
    finally:
        for name in ("wsgi", "plone", "waitress", "waitress.queue", ""):
            for handler in list(logging.getLogger(name).handlers):
                handler.close()
                logging.getLogger(name).removeHandler(handler)
    access = (instance / "var" / "log" / "access.log").read_text()
    event = (instance / "var" / "log" / "event.log").read_text()
    assert "@@my-appointment/***" in access and TOKEN not in access
    assert "@video-guest/***" in event and TOKEN not in event
