"""The counter product's edit form: grids that forgive and explain, a price in
Dutch notation.

The data grid adds an empty row for the next entry; a browser sends it along
(and more, after "add a row" clicks). Those rows are no input: they are left
out before the form reads the grid. What is left is checked row by row, and
every problem is shown next to its row, all at once.
"""

from collective.digitalebalie import _
from collective.digitalebalie import teams
from collective.digitalebalie.booking import rules
from collective.digitalebalie.content.counter_product import RULE_MESSAGES
from collective.digitalebalie.content.counter_product import ICounterProduct
from collective.digitalebalie.desk import parse_euros
from collective.digitalebalie.integrations.payments import euros
from collective.z3cform.datagridfield.datagridfield import DataGridFieldObjectWidget
from collective.z3cform.datagridfield.datagridfield import DataGridFieldWidget
from plone import api
from plone.app.layout.viewlets.common import ViewletBase
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from z3c.form.converter import FieldDataConverter
from z3c.form.interfaces import INPUT_MODE
from z3c.form.interfaces import IFieldWidget
from z3c.form.widget import ComputedWidgetAttribute
from z3c.form.widget import FieldWidget
from zExceptions import BadRequest
from zope.i18n import translate
from zope.interface import implementer
import re


# "9:00", "9.00" and "09:00" are one time.
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")
# Row fields a person fills in; a row without any of them is empty.
TYPED = {
    "opening_hours": ("start", "end"),
    "walk_in_hours": ("start", "end"),
    "closures": ("start", "end", "reason"),
    "required_documents": ("document", "explanation"),
    "faq": ("question", "answer"),
}
TIMES = {"opening_hours": ("start", "end"), "walk_in_hours": ("start", "end")}
# More rows than a week of opening hours could need: a form claiming more is
# read no further.
MAX_ROWS = 500


def clock_text(value):
    """'9.00' -> '09:00'; anything else unchanged (the check explains it)."""
    match = _CLOCK.match(value or "")
    if not match:
        return value
    return f"{int(match.group(1)):02d}:{match.group(2)}"


class CounterGridRowWidget(DataGridFieldObjectWidget):
    """A row with its own error line and labelled buttons (grid_row_input.pt)."""

    row_error = None

    def updateWidgets(self, *args, **kwargs):
        super().updateWidgets(*args, **kwargs)
        if self.id.endswith("AA") or self.id.endswith("TT"):
            # The grid's blank rows are no input: nothing in them is missing.
            for widget in self.widgets.values():
                widget.error = None
            self.widgets.errors = ()

    def label_add_row(self):
        return _("Add a row")

    def label_remove_row(self):
        return _("Remove this row")

    def translate_label(self, message):
        return translate(message, context=self.request)


class CounterGridWidget(DataGridFieldWidget):
    def createObjectWidget(self, idx):
        widget = FieldWidget(self.field.value_type, CounterGridRowWidget(self.request))
        widget.setErrors = idx not in ("TT", "AA")
        return widget

    def update(self):
        if self.mode == INPUT_MODE and f"{self.name}.count" in self.request.form:
            self._tidy_the_request()
        super().update()
        if self.mode == INPUT_MODE and f"{self.name}.count" in self.request.form:
            self._explain_rows()

    @property
    def _field_name(self):
        return self.field.__name__

    def _count(self):
        """The number of rows the form says it sends (at most MAX_ROWS)."""
        try:
            count = int(self.request.form.get(f"{self.name}.count") or 0)
        except (TypeError, ValueError):
            return None
        return max(0, min(count, MAX_ROWS))

    def _tidy_the_request(self):
        """Leave out empty rows (renumbering the rest) and write times as HH:MM."""
        form = self.request.form
        count = self._count()
        if count is None:
            raise BadRequest("The grid's row count is not a number.")
        typed = TYPED.get(self._field_name, ())
        times = TIMES.get(self._field_name, ())
        rows = []
        for index in range(count):
            prefix = f"{self.name}.{index}"
            keys = [
                k
                for k in form
                if k == f"{prefix}-empty-marker" or k.startswith(prefix + ".")
            ]
            values = {k: form.pop(k) for k in keys}
            if typed and not any(
                str(values.get(f"{prefix}.widgets.{name}", "") or "").strip()
                for name in typed
            ):
                continue
            rows.append((prefix, values))
        # Zope's request keeps the form's values twice (form and other).
        other = self.request.other
        for key in (k for _prefix, values in rows for k in values):
            other.pop(key, None)
        for index in range(count):
            prefix = f"{self.name}.{index}"
            for key in [k for k in other if k.startswith(prefix + ".")]:
                other.pop(key, None)
            other.pop(f"{prefix}-empty-marker", None)
        for new_index, (old_prefix, values) in enumerate(rows):
            new_prefix = f"{self.name}.{new_index}"
            for key, value in values.items():
                name = new_prefix + key[len(old_prefix) :]
                if any(name == f"{new_prefix}.widgets.{t}" for t in times):
                    value = clock_text(value)
                form[name] = other[name] = value
        form[f"{self.name}.count"] = other[f"{self.name}.count"] = str(len(rows))

    def _raw_rows(self):
        form = self.request.form
        count = self._count() or 0
        result = []
        for index in range(count):
            prefix = f"{self.name}.{index}.widgets."
            row = {}
            for key, value in form.items():
                if key.startswith(prefix):
                    name = key[len(prefix) :].split(":")[0]
                    if isinstance(value, list):
                        value = value[0] if value else ""
                    row[name] = value
            result.append(row)
        return result

    def _explain_rows(self):
        """Every problem of the rules next to its row (the schema's invariant
        still refuses to save them)."""
        check = {
            "opening_hours": rules.parse_periods,
            "walk_in_hours": rules.parse_periods,
            "closures": rules.parse_closures,
        }.get(self._field_name)
        if check is None:
            return
        try:
            check(self._raw_rows())
        except (rules.RuleError, ValueError, TypeError) as error:
            problems = getattr(error, "errors", ())
        else:
            problems = ()
        rows = [
            w for w in self.widgets if not (w.id.endswith("AA") or w.id.endswith("TT"))
        ]
        by_row = {}
        for number, code, _message in problems:
            text = translate(
                _(RULE_MESSAGES[code], mapping={"row": number}), context=self.request
            )
            by_row.setdefault(number, []).append(text)
        for number, texts in by_row.items():
            if 0 < number <= len(rows):
                rows[number - 1].row_error = " ".join(texts)


@implementer(IFieldWidget)
def CounterGridFieldWidget(field, request):
    """The grids of the counter product's form."""
    return FieldWidget(field, CounterGridWidget(request))


class PriceConverter(FieldDataConverter):
    """ "75,50", "€ 75,50" and "75.50" are stored as "75.50"."""

    def toFieldValue(self, value):
        cents = parse_euros(value) if value else None
        if cents:
            return euros(cents)
        return super().toFieldValue((value or "").strip())


def _editor_teams(adapter):
    """A new product is served by the editor's own teams, when they have any."""
    return sorted(teams.user_teams())


# The teams field's default in the add form (z3c.form's computed default).
editor_teams_default = ComputedWidgetAttribute(
    _editor_teams, field=ICounterProduct["teams"]
)


class ProductNotices(ViewletBase):
    """Above a product, for whoever may edit it: no team serves it (nobody would
    see its appointments), or it is private (and how to publish it)."""

    index = ViewPageTemplateFile("templates/product_notices.pt")

    def update(self):
        super().update()
        self.no_team = not teams.product_teams(self.context)
        self.private = api.content.get_state(self.context, default=None) == "private"

    def render(self):
        if not (self.no_team or self.private):
            return ""
        return self.index()
