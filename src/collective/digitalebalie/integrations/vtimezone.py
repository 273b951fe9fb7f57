"""A VTIMEZONE as Outlook and Google write it: one yearly rule per change.

RFC 5545 §3.6.5: an observance's DTSTART is the local time of the change in
the offset *before* it (TZOFFSETFROM): for Europe/Amsterdam 02:00 on the last
Sunday of March (CET to CEST) and 03:00 on the last Sunday of October (CEST
to CET), each with ``RRULE:FREQ=YEARLY;BYMONTH=…;BYDAY=-1SU``. The rules are
read from the tz database (zoneinfo) for the years around now, each starting
where the tz database starts following it; a change that follows no yearly
rule in those years is written as an RDATE list instead.
"""

from calendar import monthrange
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from icalendar import Timezone
from icalendar import TimezoneDaylight
from icalendar import TimezoneStandard
from zoneinfo import ZoneInfo


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
YEARS_BACK = 2
YEARS_AHEAD = 12
# A time far back for a zone without changes (as Google writes it), and how
# far back a yearly rule is followed in the tz database.
EPOCH = datetime(1970, 1, 1)
FIRST_YEAR = 1970


def transitions(zone, first_year, last_year):
    """[(UTC instant, offset before, offset after, name after, dst)] in those years."""
    found = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(days=1)
    while moment < end:
        following = moment + step
        before = moment.astimezone(zone).utcoffset()
        if following.astimezone(zone).utcoffset() != before:
            # Find the (whole) second of the change within the day.
            low, high = 0, 86400
            while high - low > 1:
                middle = (low + high) // 2
                at = moment + timedelta(seconds=middle)
                if at.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            high = moment + timedelta(seconds=high)
            local = high.astimezone(zone)
            found.append(
                (high, before, local.utcoffset(), local.tzname(), bool(local.dst()))
            )
        moment = following
    return found


def _byday(local):
    """The yearly rule's BYDAY for that local date: "-1SU" (last) or "2SU" (second)."""
    weekday = WEEKDAYS[local.weekday()]
    if local.day + 7 > monthrange(local.year, local.month)[1]:
        return f"-1{weekday}"
    return f"{(local.day - 1) // 7 + 1}{weekday}"


def _key(local):
    """What one change has in common with the others of its yearly rule."""
    return local.month, _byday(local), local.time()


def _rule(changes):
    """The yearly RRULE the changes follow, or None.

    ``changes`` are the local times (before the change) of one kind of change,
    one a year in consecutive years, the same month, weekday and time of day.
    """
    years = [local.year for local in changes]
    if years != list(range(years[0], years[0] + len(years))):
        return None
    if len({_key(local) for local in changes}) != 1:
        return None
    first = changes[0]
    return {"freq": "yearly", "bymonth": first.month, "byday": _byday(first)}


def _since(zone, kind, first):
    """The first change of the rule: earlier years of the tz database that follow it.

    So the observance's DTSTART is where the rule began (for Europe/Amsterdam
    1981 and 1996), not the year the VTIMEZONE was made.
    """
    key = _key(first)
    year = first.year - 1
    while year >= FIRST_YEAR:
        earlier = [
            (instant + before).replace(tzinfo=None)
            for instant, before, after, name, dst in transitions(zone, year, year)
            if (dst, name, before, after) == kind
        ]
        if len(earlier) != 1 or _key(earlier[0]) != key:
            break
        first = earlier[0]
        year -= 1
    return first


def _observance(zone, kind, changes):
    dst, name, before, after = kind
    observance = TimezoneDaylight() if dst else TimezoneStandard()
    rule = _rule(changes) if len(changes) > 1 else None
    observance.add("dtstart", _since(zone, kind, changes[0]) if rule else changes[0])
    if rule:
        observance.add("rrule", rule)
    elif len(changes) > 1:
        observance.add("rdate", changes[1:])
    observance.add("tzname", name)
    observance.add("tzoffsetfrom", before)
    observance.add("tzoffsetto", after)
    return observance


def build(tzid, year):
    """The VTIMEZONE of ``tzid``, right from two years before ``year`` on."""
    zone = ZoneInfo(tzid)
    vtimezone = Timezone()
    vtimezone.add("tzid", tzid)
    found = transitions(zone, year - YEARS_BACK, year + YEARS_AHEAD)
    if not found:
        # One offset in all those years: since the last change before them.
        for earlier in range(year - YEARS_BACK - 1, FIRST_YEAR - 1, -1):
            last = transitions(zone, earlier, earlier)[-1:]
            if last:
                instant, before, after, name, dst = last[0]
                local = (instant + before).replace(tzinfo=None)
                vtimezone.add_component(
                    _observance(zone, (dst, name, before, after), [local])
                )
                return vtimezone
        moment = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
        offset = moment.utcoffset()
        kind = (bool(moment.dst()), moment.tzname(), offset, offset)
        vtimezone.add_component(_observance(zone, kind, [EPOCH]))
        return vtimezone
    kinds = {}
    for instant, before, after, name, dst in found:
        # The local time of the change as the clock showed it before.
        local = (instant + before).replace(tzinfo=None)
        kinds.setdefault((dst, name, before, after), []).append(local)
    for kind, changes in sorted(kinds.items(), key=lambda item: item[1][0]):
        vtimezone.add_component(_observance(zone, kind, changes))
    return vtimezone
