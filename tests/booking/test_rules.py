"""The pure booking rules: slots from opening hours, closures, notice and bookings."""

from collective.digitalebalie.booking import rules
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from typing import ClassVar
import pytest


WEEKDAYS_9_TO_17 = [
    {"weekday": d, "start": "09:00", "end": "17:00", "counters": 3} for d in range(5)
]


def slots(
    rows=WEEKDAYS_9_TO_17,
    closures=(),
    duration=15,
    first=None,
    last=None,
    now=None,
    notice=0,
    ahead=60,
    booked=None,
    tz=AMS,
    length=None,
):
    now = now or datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # Monday 07:00 local
    first = first or date(2026, 11, 30)
    return rules.free_slots(
        periods=rules.parse_periods(rows),
        closures=rules.parse_closures(closures),
        duration=duration,
        tz=tz,
        first_day=first,
        last_day=last or first,
        now=now,
        min_notice_hours=notice,
        max_days_ahead=ahead,
        booked=booked,
        length=length,
    )


def hhmm(slot):
    return slot.start.strftime("%H:%M")


class TestGrid:
    def test_slots_start_at_opening_and_follow_each_other(self):
        result = slots(duration=15)
        assert len(result) == 32
        assert [hhmm(s) for s in result[:3]] == ["09:00", "09:15", "09:30"]
        assert result[-1].end.strftime("%H:%M") == "17:00"
        assert all(s.available == 3 and s.counters == 3 for s in result)

    def test_a_slot_running_past_closing_is_not_offered(self):
        rows = [{"weekday": 0, "start": "09:00", "end": "10:00", "counters": 1}]
        assert [hhmm(s) for s in slots(rows, duration=25)] == ["09:00", "09:25"]

    def test_lunch_break_two_rows(self):
        rows = [
            {"weekday": 0, "start": "13:00", "end": "14:00", "counters": 1},
            {"weekday": 0, "start": "09:00", "end": "10:00", "counters": 2},
        ]
        result = slots(rows, duration=30)
        assert [(hhmm(s), s.counters) for s in result] == [
            ("09:00", 2),
            ("09:30", 2),
            ("13:00", 1),
            ("13:30", 1),
        ]

    def test_offset_is_the_site_time_zone(self):
        winter = slots(first=date(2026, 11, 30))[0]
        summer = slots(
            first=date(2027, 6, 7), now=datetime(2027, 6, 1, tzinfo=UTC), ahead=60
        )[0]
        assert winter.start.isoformat() == "2026-11-30T09:00:00+01:00"
        assert summer.start.isoformat() == "2027-06-07T09:00:00+02:00"

    def test_weekend_has_no_slots(self):
        assert slots(first=date(2026, 12, 5), last=date(2026, 12, 6)) == []


class TestDaylightSaving:
    NIGHT: ClassVar = [{"weekday": 6, "start": "01:00", "end": "04:00", "counters": 1}]

    def test_spring_forward_skips_the_missing_hour(self):
        # 2027-03-28: clocks go from 02:00 to 03:00 in Amsterdam.
        result = slots(
            self.NIGHT,
            duration=60,
            first=date(2027, 3, 28),
            now=datetime(2027, 3, 20, tzinfo=UTC),
        )
        assert [s.start.isoformat() for s in result] == [
            "2027-03-28T01:00:00+01:00",
            "2027-03-28T03:00:00+02:00",
        ]

    def test_fall_back_day(self):
        # 2026-... last Sunday of October 2027 is the 31st: 03:00 becomes 02:00.
        result = slots(
            self.NIGHT,
            duration=60,
            first=date(2027, 10, 31),
            now=datetime(2027, 10, 20, tzinfo=UTC),
        )
        starts = [s.start.isoformat() for s in result]
        # 01:00-04:00 by the clock is four real hours that night: 02:00
        # happens twice, and each time is a slot.
        assert starts == [
            "2027-10-31T01:00:00+02:00",
            "2027-10-31T02:00:00+02:00",
            "2027-10-31T02:00:00+01:00",
            "2027-10-31T03:00:00+01:00",
        ]

    def test_daytime_slots_on_dst_day_have_the_new_offset(self):
        rows = [{"weekday": 6, "start": "09:00", "end": "10:00", "counters": 1}]
        result = slots(
            rows,
            duration=30,
            first=date(2027, 3, 28),
            now=datetime(2027, 3, 20, tzinfo=UTC),
        )
        assert result[0].start.isoformat() == "2027-03-28T09:00:00+02:00"
        assert result[0].end - result[0].start == timedelta(minutes=30)


class TestLimits:
    def test_closures_include_both_days(self):
        closures = [
            {"start": "2026-12-01", "end": "2026-12-02", "reason": "Verbouwing"}
        ]
        result = slots(
            closures=closures, first=date(2026, 11, 30), last=date(2026, 12, 3)
        )
        days = sorted({s.start.date().isoformat() for s in result})
        assert days == ["2026-11-30", "2026-12-03"]

    def test_min_notice(self):
        now = datetime(2026, 11, 30, 9, 5, tzinfo=AMS)
        result = slots(now=now, notice=2)
        assert hhmm(result[0]) == "11:15"

    def test_nothing_in_the_past(self):
        now = datetime(2026, 12, 1, 12, 0, tzinfo=AMS)
        assert slots(now=now, first=date(2026, 11, 30)) == []
        assert hhmm(slots(now=now, first=date(2026, 12, 1))[0]) == "12:00"

    def test_max_days_ahead(self):
        result = slots(first=date(2026, 11, 30), last=date(2026, 12, 31), ahead=3)
        assert max(s.start.date() for s in result) == date(2026, 12, 3)

    def test_booked_slots_lower_availability(self):
        first, second = slots()[:2]

        def interval(slot):
            return rules.slot_key(slot.start), rules.slot_key(slot.end)

        booked = rules.BookedIntervals([interval(first)] * 2 + [interval(second)] * 3)
        result = slots(booked=booked)
        assert result[0].start == first.start and result[0].available == 1
        assert hhmm(result[1]) == "09:30"  # 09:15 is full and left out

    def test_intervals_from_a_generator(self):
        booked = rules.BookedIntervals((s, s + 900) for s in (0, 1800))
        assert booked.overlapping(0, 900) == 1
        assert booked.overlapping(900, 1800) == 0
        assert booked.overlapping(0, 3600) == 2

    def test_a_longer_earlier_appointment_blocks_the_slots_it_overlaps(self):
        # Booked 09:00-09:30 when the product took 30 minutes; now it takes 15.
        rows = [{"weekday": 0, "start": "09:00", "end": "10:00", "counters": 1}]
        start = datetime(2026, 11, 30, 9, 0, tzinfo=AMS)
        booked = rules.BookedIntervals(
            [(rules.slot_key(start), rules.slot_key(start + timedelta(minutes=30)))]
        )
        assert [hhmm(s) for s in slots(rows, duration=15, booked=booked)] == [
            "09:30",
            "09:45",
        ]


class TestValidation:
    @pytest.mark.parametrize(
        "row,message",
        [
            (
                {"weekday": 0, "start": "10:00", "end": "09:00", "counters": 1},
                "after the opening",
            ),
            (
                {"weekday": 0, "start": "09:00", "end": "09:00", "counters": 1},
                "after the opening",
            ),
            ({"weekday": 0, "start": "9", "end": "17:00", "counters": 1}, "HH:MM"),
            ({"weekday": 0, "start": "24:00", "end": "25:00", "counters": 1}, "HH:MM"),
            (
                {"weekday": 7, "start": "09:00", "end": "17:00", "counters": 1},
                "0 (Monday)",
            ),
            (
                {"weekday": 0, "start": "09:00", "end": "17:00", "counters": 0},
                "at least 1",
            ),
        ],
    )
    def test_bad_rows(self, row, message):
        with pytest.raises(rules.RuleError) as info:
            rules.parse_periods([row])
        assert message in str(info.value)
        assert info.value.errors[0][0] == 1

    def test_overlapping_rows(self):
        rows = [
            {"weekday": 2, "start": "09:00", "end": "12:00", "counters": 1},
            {"weekday": 2, "start": "11:30", "end": "13:00", "counters": 1},
        ]
        with pytest.raises(rules.RuleError, match="overlaps"):
            rules.parse_periods(rows)

    def test_touching_rows_and_other_days_are_fine(self):
        rows = [
            {"weekday": 2, "start": "09:00", "end": "12:00", "counters": 1},
            {"weekday": 2, "start": "12:00", "end": "13:00", "counters": 1},
            {"weekday": 3, "start": "09:00", "end": "12:00", "counters": 1},
        ]
        assert len(rules.parse_periods(rows)) == 3

    def test_bad_closures(self):
        with pytest.raises(rules.RuleError, match="before the first"):
            rules.parse_closures([{"start": "2026-12-02", "end": "2026-12-01"}])
        with pytest.raises(rules.RuleError, match="YYYY-MM-DD"):
            rules.parse_closures([{"start": "2 december", "end": ""}])


class TestSlotChecks:
    periods = rules.parse_periods(WEEKDAYS_9_TO_17)

    def test_autumn_repeated_hour_is_matched_by_instant(self):
        rows = rules.parse_periods(
            [{"weekday": 6, "start": "01:00", "end": "04:00", "counters": 1}]
        )
        kw = {"periods": rows, "duration": 60, "tz": AMS}
        offered = datetime.fromisoformat("2027-10-31T02:00:00+02:00")
        second_two = datetime.fromisoformat("2027-10-31T02:00:00+01:00")
        off_grid = datetime.fromisoformat("2027-10-31T02:30:00+01:00")
        assert rules.slot_counters(start=offered, **kw) == 1
        assert rules.slot_counters(start=second_two, **kw) == 1
        assert rules.slot_counters(start=off_grid, **kw) == 0

    def test_slot_counters_on_and_off_the_grid(self):
        on = datetime(2026, 12, 1, 9, 15, tzinfo=AMS)
        off = datetime(2026, 12, 1, 9, 10, tzinfo=AMS)
        saturday = datetime(2026, 12, 5, 9, 15, tzinfo=AMS)
        kw = {"periods": self.periods, "duration": 15, "tz": AMS}
        assert rules.slot_counters(start=on, **kw) == 3
        assert rules.slot_counters(start=on.astimezone(UTC), **kw) == 3
        assert rules.slot_counters(start=off, **kw) == 0
        assert rules.slot_counters(start=saturday, **kw) == 0

    @pytest.mark.parametrize(
        "start,reason",
        [
            (datetime(2026, 11, 30, 9, 0), "too_soon"),
            (datetime(2027, 3, 1, 9, 0), "too_far"),
            (datetime(2026, 12, 24, 9, 0), "closed"),
            (datetime(2026, 12, 1, 9, 0), None),
        ],
    )
    def test_unavailable_reason(self, start, reason):
        assert (
            rules.unavailable_reason(
                closures=[(date(2026, 12, 24), date(2026, 12, 26))],
                tz=AMS,
                start=start.replace(tzinfo=AMS),
                now=datetime(2026, 11, 30, 8, 0, tzinfo=AMS),
                min_notice_hours=2,
                max_days_ahead=60,
            )
            == reason
        )


def test_every_day_of_a_year_has_its_grid_in_real_minutes():
    """Ordinary days take a fast path; every day, change days included, gives
    slots on the wall-clock grid, in order, each lasting its real minutes."""
    rows = rules.parse_periods(
        [
            {"weekday": d, "start": "00:00", "end": "23:59", "counters": 1}
            for d in range(7)
        ]
    )
    day = date(2027, 1, 1)
    while day.year == 2027:
        slots = rules.candidate_slots(rows, 25, day, AMS)
        starts = [rules.slot_key(begin) for begin, _end, _c in slots]
        assert starts == sorted(set(starts)), day
        for begin, end, _counters in slots:
            assert begin.tzinfo is AMS and begin.date() == day
            assert (begin.hour * 60 + begin.minute) % 25 == 0, begin
            assert rules.slot_key(end) - rules.slot_key(begin) == 25 * 60
        # 57 slots a day (00:00 … 23:20); the hour the spring skips and the
        # hour the autumn repeats each hold three of them (02:05, 02:30, 02:55).
        expected = {date(2027, 3, 28): 54, date(2027, 10, 31): 60}.get(day, 57)
        assert len(slots) == expected, day
        day += timedelta(days=1)


class TestHouseholds:
    """Longer appointments for several people: the grid stays, the length grows."""

    def test_a_longer_length_keeps_the_grid_and_ends_by_closing(self):
        day = date(2026, 11, 30)  # a Monday
        found = rules.candidate_slots(
            rules.parse_periods(WEEKDAYS_9_TO_17), 15, day, AMS, length=45
        )
        assert found[0][0].strftime("%H:%M") == "09:00"
        assert found[1][0] - found[0][0] == timedelta(minutes=15)
        assert all(end - start == timedelta(minutes=45) for start, end, _c in found)
        assert found[-1][1].strftime("%H:%M") == "17:00"
        assert len(found) == 30  # 09:00 … 16:15

    def test_peak_counts_the_busiest_moment_not_every_overlap(self):
        # Back to back on one counter: at no moment two at once.
        assert rules.peak([(0, 1800), (1800, 3600)], 0, 3600) == 1
        assert rules.peak([(0, 1800), (900, 2700)], 0, 3600) == 2
        assert rules.peak([(0, 1800), (1800, 3600)], 3600, 5400) == 0
        booked = rules.BookedIntervals([(0, 1800), (1800, 3600), (0, 3600)])
        assert booked.overlapping(0, 3600) == 3
        assert booked.taken(0, 3600) == 2
        assert booked.taken(1800, 2700) == 2
        assert booked.taken(3600, 4500) == 0

    def test_free_slots_for_a_household_on_two_counters(self):
        rows = [{"weekday": 0, "start": "09:00", "end": "11:00", "counters": 2}]
        nine = datetime(2026, 11, 30, 9, 0, tzinfo=AMS)

        def key(minutes):
            return rules.slot_key(nine + timedelta(minutes=minutes))

        booked = rules.BookedIntervals([(key(0), key(30)), (key(30), key(60))])
        result = slots(rows=rows, duration=30, booked=booked, length=60)
        assert [(hhmm(s), s.available) for s in result] == [
            ("09:00", 1),
            ("09:30", 1),
            ("10:00", 2),
        ]
