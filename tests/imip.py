"""How calendar programs read our invitation mails (RFC 5545, RFC 6047, [MS-OXCMAIL]).

``invitation`` checks the structure Outlook and Google need and returns the
calendar; ``zone_offsets`` evaluates a VTIMEZONE by the letter of RFC 5545
§3.6.5, independently of the code that wrote it.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from dateutil.rrule import rrulestr
from icalendar import Calendar
import bisect


def calendar_parts(message):
    """(inline text/calendar part, .ics attachment) of an invitation mail.

    The mail is multipart/mixed[multipart/alternative[text/plain, text/html,
    text/calendar], application/ics]: Outlook takes an invitation only from a
    text/calendar alternative of the body; the attachment is for the others.
    """
    assert message.get_content_type() == "multipart/mixed"
    body, attachment = message.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in body.get_payload()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    inline = body.get_payload()[2]
    assert inline.get_content_disposition() in (None, "inline")
    assert inline.get_param("charset").upper() == "UTF-8"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    # One invitation: the attachment holds the same bytes as the inline part.
    assert attachment.get_payload(decode=True) == inline.get_payload(decode=True)
    return inline, attachment


def calendar_text(message):
    """The inline calendar as text, decoded with the charset the part names."""
    inline, _ = calendar_parts(message)
    return inline.get_content()


def invitation(message):
    """The invitation's calendar; its METHOD is the part's ``method`` parameter."""
    inline, _ = calendar_parts(message)
    calendar = Calendar.from_ical(inline.get_content())
    assert inline.get_param("method") == str(calendar["METHOD"])
    return calendar


def event_of(message):
    [event] = invitation(message).walk("VEVENT")
    return event


def unquote_param(value):
    """A parameter value as RFC 6868 encodes it (^' for ", ^n for a new line)."""
    out, chars = [], iter(value)
    for char in chars:
        if char == "^":
            following = next(chars, "")
            out.append({"'": '"', "n": "\n", "^": "^"}.get(following, "^" + following))
        else:
            out.append(char)
    return "".join(out)


def zone_offsets(vtimezone, until):
    """[(UTC onset, offset)] of the VTIMEZONE's observances, up to ``until``.

    RFC 5545 §3.6.5: an observance's DTSTART (and RDATE, and each RRULE
    instance) is the local time of the onset *in the offset before it*
    (TZOFFSETFROM), so the onset in UTC is that local time minus TZOFFSETFROM.
    """
    onsets = []
    for observance in vtimezone.subcomponents:
        assert observance.name in ("STANDARD", "DAYLIGHT")
        start = observance.decoded("DTSTART")
        assert start.tzinfo is None  # local time, never UTC or with a TZID
        before = observance.decoded("TZOFFSETFROM")
        after = observance.decoded("TZOFFSETTO")
        local = [start]
        rdates = observance.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            local += [period.dt for period in rdate.dts]
        if "RRULE" in observance:
            rule = observance["RRULE"].to_ical().decode()
            local += list(rrulestr(rule, dtstart=start).between(start, until, inc=True))
        onsets += [((moment - before).replace(tzinfo=UTC), after) for moment in local]
    return sorted(set(onsets))


def offset_at(onsets, instant):
    """The offset the VTIMEZONE gives an instant: that of the last onset before it."""
    index = bisect.bisect_right([onset for onset, _ in onsets], instant)
    assert index > 0, f"the VTIMEZONE says nothing about {instant}"
    return onsets[index - 1][1]


def hours(first_year, last_year):
    """Every hour (UTC) of those years."""
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    while moment < end:
        yield moment
        moment += timedelta(hours=1)


def hours_near_changes(zone, first_year, last_year):
    """Noon (UTC) of every day, and every hour of the days around a change."""
    for hour in hours(first_year, last_year):
        day_before = hour - timedelta(days=1)
        day_after = hour + timedelta(days=1)
        offsets = {
            moment.astimezone(zone).utcoffset()
            for moment in (day_before, hour, day_after)
        }
        if hour.hour == 12 or len(offsets) > 1:
            yield hour
