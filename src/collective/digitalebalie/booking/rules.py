"""Opening hours, closures and bookings in; free slots out.

Times of day are wall-clock times in the municipality's time zone. Slots start
at the opening time and follow each other every ``duration`` minutes; a slot
that would run past the closing time is not offered. Daylight saving is handled
by ``zoneinfo``: a wall-clock time that does not exist on a spring-forward day
is skipped, and on the autumn day a wall-clock time that happens twice gives
two slots, one at each moment: the counter is open for every real minute of
its opening hours, and the grid has no hole in real time.
"""

from bisect import bisect_left
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import timezone
import itertools
import re


MAX_RANGE_DAYS = 62
MAX_STAFF_DAYS_AHEAD = 366  # staff may book a published slot this far ahead
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class RuleError(ValueError):
    """Invalid opening hours or closures; ``errors`` lists (row, code, message).

    ``row`` counts from 1; ``code`` names the problem for translated messages.
    """

    def __init__(self, errors):
        super().__init__("; ".join(message for _row, _code, message in errors))
        self.errors = errors


@dataclass(frozen=True)
class Period:
    """One opening period on a weekday (Monday = 0)."""

    weekday: int
    start: time
    end: time
    counters: int


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, in the site's time zone
    end: datetime
    counters: int
    available: int


def parse_hhmm(value):
    match = _HHMM.match(value or "")
    if not match:
        raise ValueError(value)
    return time(int(match.group(1)), int(match.group(2)))


def parse_periods(rows):
    """Turn rows ``{"weekday", "start", "end", "counters"}`` into Periods.

    Raises RuleError with a message per bad row; rows on one weekday must not
    overlap.
    """
    errors = []
    periods = []
    for index, row in enumerate(rows or ()):
        number = index + 1
        try:
            weekday = int(row.get("weekday"))
        except (TypeError, ValueError):
            weekday = -1
        if not 0 <= weekday <= 6:
            errors.append(
                (number, "weekday", f"row {number}: the day must be 0 (Monday) to 6")
            )
            continue
        try:
            start = parse_hhmm(row.get("start"))
            end = parse_hhmm(row.get("end"))
        except ValueError:
            errors.append(
                (
                    number,
                    "time_format",
                    f"row {number}: write times as HH:MM, e.g. 09:00",
                )
            )
            continue
        if end <= start:
            errors.append(
                (
                    number,
                    "end_before_start",
                    f"row {number}: the closing time must be after the opening time",
                )
            )
            continue
        try:
            counters = int(row.get("counters", 1))
        except (TypeError, ValueError):
            counters = 0
        if counters < 1:
            errors.append(
                (number, "counters", f"row {number}: there must be at least 1 counter")
            )
            continue
        periods.append((number, Period(weekday, start, end, counters)))
    by_day = sorted(periods, key=lambda item: (item[1].weekday, item[1].start))
    for (_n1, first), (n2, second) in itertools.pairwise(by_day):
        if first.weekday == second.weekday and second.start < first.end:
            errors.append(
                (n2, "overlap", f"row {n2}: overlaps another period on the same day")
            )
    if errors:
        raise RuleError(errors)
    return [period for _number, period in by_day]


def parse_closures(rows):
    """Rows ``{"start", "end", "reason"}`` (ISO dates, both days included)."""
    errors = []
    closures = []
    for index, row in enumerate(rows or ()):
        number = index + 1
        try:
            start = _as_date(row.get("start"))
            end = _as_date(row.get("end") or row.get("start"))
        except (TypeError, ValueError):
            errors.append(
                (number, "date_format", f"row {number}: write dates as YYYY-MM-DD")
            )
            continue
        if end < start:
            errors.append(
                (
                    number,
                    "closure_order",
                    f"row {number}: the last day is before the first day",
                )
            )
            continue
        closures.append((start, end))
    if errors:
        raise RuleError(errors)
    return closures


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _wall_clock(day, clock, tz):
    """The aware moment of a wall-clock time, or None when it does not exist."""
    moment = datetime.combine(day, clock, tzinfo=tz)
    back = moment.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None  # skipped by a spring-forward change
    return back


def slot_key(moment):
    """A moment as whole UTC seconds: how bookings are compared and kept."""
    return int(moment.timestamp())


def peak(intervals, start, end):
    """The most of ``intervals`` ((start, end) pairs) that run at one moment of
    [start, end): the counters they take there.

    With appointments of different lengths (a household's booking lasts
    longer) two that overlap a long time need not overlap each other, so the
    number that overlap it would count one counter twice.
    """
    events = []
    for first, last in intervals:
        if first < end and last > start:
            events.append((max(first, start), 1))
            events.append((min(last, end), -1))
    # Ends sort before starts at the same moment: back to back is no overlap.
    events.sort()
    running = highest = 0
    for _moment, change in events:
        running += change
        highest = max(highest, running)
    return highest


class BookedIntervals:
    """Existing appointments as (start, end) in UTC seconds; counts overlaps fast.

    An appointment blocks every slot it overlaps, also after an editor changed
    the duration or the opening times.
    """

    def __init__(self, intervals=()):
        intervals = sorted(intervals)
        self.intervals = intervals
        self.starts = [start for start, _end in intervals]
        self.ends = sorted(end for _start, end in intervals)
        self.longest = max((end - start for start, end in intervals), default=0)

    def taken(self, start, end):
        """How many counters are taken at the busiest moment of [start, end)."""
        count = self.overlapping(start, end)
        if count <= 1:
            return count
        # Only those that start after start - longest can reach into the time.
        first = bisect_right(self.starts, start - self.longest)
        last = bisect_left(self.starts, end)
        return peak(self.intervals[first:last], start, end)

    def overlapping(self, start, end):
        """How many appointments overlap [start, end)."""
        # Those that start before `end`, minus those that ended by `start`
        # (which all started before `end` too).
        return bisect_left(self.starts, end) - bisect_right(self.ends, start)


def _moments(day, clock, tz):
    """The aware moments of a wall-clock time, in order: none when a
    spring-forward change skips it, two in the hour an autumn change repeats."""
    first = _wall_clock(day, clock, tz)
    if first is None:
        return ()
    later = datetime.combine(day, clock, tzinfo=tz).replace(fold=1)
    if later.utcoffset() == first.utcoffset():
        return (first,)
    return (first, later.astimezone(UTC).astimezone(tz))


def _clock_changes(day, tz):
    """True when the offset changes during ``day`` (a daylight-saving day)."""
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return midnight.utcoffset() != next_midnight.utcoffset()


def last_day_reached(day, tz):
    """The last day a slot of ``day`` may run into.

    Slots fit the opening hours by the clock. On a day shorter than 24 hours
    (the spring's clock change) a slot across the change lasts an hour longer
    than the clock says, so a late one may end after midnight: the next day.
    """
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    if next_midnight.astimezone(UTC) - midnight.astimezone(UTC) < timedelta(days=1):
        return day + timedelta(days=1)
    return day


def candidate_slots(periods, duration, day, tz, length=None):
    """Every slot of one day by the opening hours alone: (start, end, counters),
    in order of time.

    Slots start every ``duration`` minutes and last ``length`` minutes (the
    duration unless a household needs longer); a start is offered only when
    the whole length fits in its opening period.
    """
    step = timedelta(minutes=duration)
    span = timedelta(minutes=length or duration)
    weekday = day.weekday()
    if not _clock_changes(day, tz):
        # An ordinary day: every wall-clock time happens once, in order.
        offset = datetime.combine(day, time(12), tzinfo=tz).utcoffset()
        zone = timezone(offset)
        found = []
        for period in periods:
            if period.weekday != weekday:
                continue
            start = datetime.combine(day, period.start)
            close = datetime.combine(day, period.end)
            while start + span <= close:
                # Arithmetic in a fixed offset counts real minutes, also for
                # a long appointment that runs into the next day.
                fixed = start.replace(tzinfo=zone)
                found.append(
                    (
                        fixed.astimezone(tz),
                        (fixed + span).astimezone(tz),
                        period.counters,
                    )
                )
                start += step
        found.sort(key=lambda slot: slot[0])
        return found
    found = []
    for period in periods:
        if period.weekday != weekday:
            continue
        start = datetime.combine(day, period.start)
        close = datetime.combine(day, period.end)
        while start + span <= close:
            for begin in _moments(day, start.time(), tz):
                # The appointment lasts `length` real minutes, also across a
                # daylight-saving change.
                finish = (begin.astimezone(UTC) + span).astimezone(tz)
                found.append((begin, finish, period.counters))
            start += step
    found.sort(key=lambda slot: slot_key(slot[0]))
    return found


def free_slots(
    *,
    periods,
    closures,
    duration,
    tz,
    first_day,
    last_day,
    now,
    min_notice_hours=0,
    max_days_ahead=60,
    booked=None,
    length=None,
):
    """Slots a citizen can book now, from first_day to last_day (both included).

    ``booked`` is a BookedIntervals of the existing appointments; ``length``
    the minutes the appointment lasts (default ``duration``).
    """
    booked = booked or BookedIntervals()
    earliest = now + timedelta(hours=min_notice_hours)
    today = now.astimezone(tz).date()
    horizon = today + timedelta(days=max_days_ahead)
    day = max(first_day, today)
    last_day = min(last_day, horizon)
    result = []
    while day <= last_day:
        if not any(start <= day <= end for start, end in closures):
            for begin, finish, counters in candidate_slots(
                periods, duration, day, tz, length
            ):
                if begin < earliest:
                    continue
                available = counters - booked.taken(slot_key(begin), slot_key(finish))
                if available > 0:
                    result.append(Slot(begin, finish, counters, available))
        day += timedelta(days=1)
    return result


def slot_counters(*, periods, duration, tz, start, length=None):
    """Counters of the slot that starts at ``start`` by the opening hours alone.

    0 means ``start`` is not on the slot grid of that day, or an appointment
    of ``length`` minutes from there would run past the closing time.
    """
    day = start.astimezone(tz).date()
    key = slot_key(start)
    for begin, _finish, counters in candidate_slots(periods, duration, day, tz, length):
        # Compare instants: on the autumn clock change 02:30 happens twice.
        if slot_key(begin) == key:
            return counters
    return 0


def unavailable_reason(*, closures, tz, start, now, min_notice_hours, max_days_ahead):
    """Why a slot on the grid cannot be booked now (None: it can, if not full)."""
    day = start.astimezone(tz).date()
    if start < now + timedelta(hours=min_notice_hours):
        return "too_soon"
    if day > now.astimezone(tz).date() + timedelta(days=max_days_ahead):
        return "too_far"
    if any(first <= day <= last for first, last in closures):
        return "closed"
    return None
