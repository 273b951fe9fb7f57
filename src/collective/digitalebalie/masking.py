"""Masking the secret token of a citizen's or guest's link where people read text.

The token of /@@my-appointment/<token>, /@appointment/<token>,
/@@video-guest/<token>, /@video-guest/<token>, /@@calendar-feed/<token> and
/@@earlier-time/<token> is the key to an appointment, a video room, an agenda or
a move to an earlier time. Logs (cli/logs.py) and
the outbox page show the link with the token replaced by ``***``.

No Plone imports: the logging configuration of the launcher loads this early.
"""

import re


MASK = "***"
# With or without @@ / @ (also percent-encoded), so also under ++api++.
_TOKEN_PATH = re.compile(
    r"(?P<name>/(?:@|%40){0,2}"
    r"(?:my-appointment|appointment|video-guest|calendar-feed|earlier-time)/)"
    r"(?P<token>[^/?#\s\"'<>]+)",
    re.IGNORECASE,
)


def mask(text):
    """The text with the token part of every such link masked."""
    return _TOKEN_PATH.sub(lambda found: found.group("name") + MASK, text)
