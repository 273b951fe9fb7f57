"""The VTIMEZONE of an invitation gives every hour the offset of the tz database.

Read two ways: by RFC 5545 §3.6.5 (``imip.zone_offsets``) and by vobject, an
independent parser; the site's zone is a setting, so other zones are checked
too: southern summers, a half-hour zone, no changes, changes without a rule.
"""

from collective.digitalebalie.integrations import vtimezone
from datetime import datetime
from icalendar import Calendar
from imip import hours
from imip import hours_near_changes
from imip import offset_at
from imip import zone_offsets
from zoneinfo import ZoneInfo
import pytest
import vobject


def wrong_hours(tzid, year, with_vobject=True):
    """The hours of 2025-2035 that either reading gets wrong.

    Ours reads every hour; vobject (dateutil underneath, about 17 s for all
    hours of a zone) every noon and each hour of the days around a change.
    """
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//NL\r\n"
        + vtimezone.build(tzid, year).to_ical().decode()
        + "END:VCALENDAR\r\n"
    )
    # Through text, as a calendar program gets it.
    [parsed] = Calendar.from_ical(text).walk("VTIMEZONE")
    onsets = zone_offsets(parsed, until=datetime(2036, 1, 1))
    other = vobject.readOne(text).vtimezone.gettzinfo()
    zone = ZoneInfo(tzid)
    wrong = []
    for hour in hours(2025, 2035):
        if offset_at(onsets, hour) != hour.astimezone(zone).utcoffset():
            wrong.append(("RFC 5545", hour))
    for hour in hours_near_changes(zone, 2025, 2035) if with_vobject else ():
        if hour.astimezone(other).utcoffset() != hour.astimezone(zone).utcoffset():
            wrong.append(("vobject", hour))
    return wrong


@pytest.mark.parametrize(
    "tzid",
    [
        "Europe/Amsterdam",
        "Europe/London",
        "America/New_York",
        "Australia/Sydney",
        "America/St_Johns",
        "Asia/Tokyo",
        "America/Sao_Paulo",
        "UTC",
    ],
)
def test_every_hour_of_2025_to_2035(tzid):
    assert wrong_hours(tzid, 2026) == []


def test_changes_without_a_yearly_rule_are_listed():
    """Morocco's changes follow Ramadan: RDATEs, still right every hour.

    (dateutil, under vobject, misreads its DAYLIGHT of +00 below a STANDARD of
    +01, tz database's negative DST; so only our reading here.)
    """
    built = vtimezone.build("Africa/Casablanca", 2025)
    assert all("RRULE" not in o and "RDATE" in o for o in built.subcomponents)
    assert wrong_hours("Africa/Casablanca", 2025, with_vobject=False) == []


def test_amsterdam_as_outlook_and_google_write_it():
    """DTSTART is the local time before the change; one yearly rule each."""
    built = vtimezone.build("Europe/Amsterdam", 2026)
    observances = {
        o.name: (
            o["DTSTART"].to_ical().decode(),
            o["RRULE"].to_ical().decode(),
            o["TZOFFSETFROM"].to_ical(),
            o["TZOFFSETTO"].to_ical(),
        )
        for o in built.subcomponents
    }
    assert observances == {
        # 02:00 CET becomes 03:00 CEST on the last Sunday of March …
        "DAYLIGHT": (
            "19810329T020000",
            "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
            "+0100",
            "+0200",
        ),
        # … and 03:00 CEST becomes 02:00 CET on the last Sunday of October.
        "STANDARD": (
            "19961027T030000",
            "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            "+0200",
            "+0100",
        ),
    }
    # The same whatever year it is made in (a mail of 2031 reads 2025 right too).
    assert vtimezone.build("Europe/Amsterdam", 2031).to_ical() == built.to_ical()
