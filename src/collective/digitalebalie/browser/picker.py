"""The slot picker: days with free times, a page of days at a time, no JavaScript needed.

Its markup on an anonymous visitor's product page, without typed input or
errors, is the same for everyone who asks the same days at the same version
of the free slots (``ProductRules.versioned_slots``): kept per process under
that key, which a booking, cancellation, move or product edit in any
instance, a new day or a passed time changes at once.
"""

from collective.digitalebalie import settings
from collective.digitalebalie.booking import actions
from collective.digitalebalie.booking.input import persons_of
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.content.households import max_persons
from datetime import date
from datetime import timedelta


DAYS_PER_PAGE = 14
# markup key -> the picker's HTML; per process, right in every process.
_MARKUP = {}
MAX_MARKUP = 1000  # about 10 KB each


class SlotPicker:
    """Free slots of one product around a requested day, grouped per day."""

    def __init__(self, product, request, selected_start=None, persons=None):
        self.product = product
        self.request = request
        self.rules = actions.ProductRules(product)
        self.max_persons = max_persons(product)
        # A household's appointment lasts longer: only starts with room for it.
        self.persons = persons or self._persons_param()
        self.today = settings.now_utc().astimezone(self.rules.tz).date()
        self.horizon = self.today + timedelta(days=self.rules.max_days_ahead)
        self.first = self._date_param("from") or self.today
        self.first = min(max(self.first, self.today), self.horizon)
        self.last = min(self.first + timedelta(days=DAYS_PER_PAGE - 1), self.horizon)
        slots, self.version = self.rules.versioned_slots(
            self.first, self.last, persons=self.persons
        )
        self.by_day = {}
        for slot in slots:
            self.by_day.setdefault(slot.start.date(), []).append(slot)
        wanted = self._date_param("day")
        self.day = wanted if wanted in self.by_day else next(iter(self.by_day), None)
        self.selected_start = selected_start

    def _persons_param(self):
        """The number of people asked for (1 when absent or not allowed)."""
        errors = {}
        persons = persons_of(
            {"persons": self.request.form.get("persons")}, self.product, errors
        )
        return 1 if errors else persons

    @property
    def persons_query(self):
        return f"&persons={self.persons}" if self.persons > 1 else ""

    def persons_choices(self):
        """The choice "How many people?" (only when more than one may come)."""
        return [
            {"value": n, "selected": n == self.persons}
            for n in range(1, self.max_persons + 1)
        ]

    def _date_param(self, name):
        try:
            return date.fromisoformat(self.request.form.get(name, ""))
        except (TypeError, ValueError):
            return None

    def days(self, base_url):
        for day, slots in self.by_day.items():
            yield {
                "label": formatting.short_date(day),
                "long": formatting.long_date(day),
                "count": len(slots),
                "url": f"{base_url}?from={self.first.isoformat()}&day={day.isoformat()}"
                f"{self.persons_query}#times",
                "current": day == self.day,
            }

    def times(self):
        for slot in self.by_day.get(self.day, []):
            yield {
                "value": slot.start.isoformat(),
                "label": f"{formatting.clock(slot.start)} – {formatting.clock(slot.end)}",
                "available": slot.available,
                "counters": slot.counters,
                "checked": slot.start.isoformat() == self.selected_start,
                "id": "slot-" + slot.start.strftime("%H%M"),
            }

    @property
    def day_label(self):
        return formatting.long_date(self.day) if self.day else ""

    def earlier_url(self, base_url):
        if self.first <= self.today:
            return None
        first = max(self.today, self.first - timedelta(days=DAYS_PER_PAGE))
        return f"{base_url}?from={first.isoformat()}{self.persons_query}#days"

    def later_url(self, base_url):
        if self.last >= self.horizon:
            return None
        later = (self.last + timedelta(days=1)).isoformat()
        return f"{base_url}?from={later}{self.persons_query}#days"

    def markup(self, base_url, render):
        """``render()``, the picker's HTML, from the cache when it holds it
        for these days, this version of the free slots and this language.

        Only for markup that is the same for everyone: the caller asks this
        for an anonymous visitor's page without typed input or errors.
        """
        if self.version is None or self.selected_start:
            return render()
        key = (
            base_url,
            formatting.language(),
            self.request.get("LANGUAGE"),
            self.first,
            self.last,
            self.day,
            self.persons,
            self.version,
        )
        html = _MARKUP.get(key)
        if html is None:
            html = render()
            if len(_MARKUP) >= MAX_MARKUP:
                _MARKUP.clear()
            _MARKUP[key] = html
        return html
