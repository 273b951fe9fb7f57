"""The statistics page of managers and team leads, and its CSV download."""

from babel.numbers import format_currency
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import figures
from collective.digitalebalie import statistics
from collective.digitalebalie import validation
from collective.digitalebalie.browser import formatting
from decimal import Decimal
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zope.i18n import translate
import csv
import io


# (key, title, how to read it from the figures): the columns of the tables
# per product and per team, and of the CSV.
COLUMNS = (
    ("booked", _("Appointments made"), lambda f: f["booked"]),
    ("completed", _("Completed"), lambda f: f["completed"]),
    ("open", _("Not yet held"), lambda f: f["open"]),
    (
        "cancelled_citizen",
        _("Cancelled by the citizen"),
        lambda f: f["cancelled"]["by_citizen"],
    ),
    ("cancelled_staff", _("Cancelled by staff"), lambda f: f["cancelled"]["by_staff"]),
    ("no_show", _("Did not come"), lambda f: f["no_show"]),
    ("staff_made", _("Made by staff"), lambda f: f["staff_made"]),
    ("walk_ins", _("Walk-ins"), lambda f: f["walk_ins"]["count"]),
    ("video", _("Video call"), lambda f: f["channels"]["video"]),
    ("phone", _("Telephone"), lambda f: f["channels"]["phone"]),
    ("counter", _("At the counter"), lambda f: f["channels"]["counter"]),
    ("digid", _("Identified with DigiD"), lambda f: f["identified"]["digid"]),
    (
        "eherkenning",
        _("Identified with eHerkenning"),
        lambda f: f["identified"]["eherkenning"],
    ),
    ("payments_asked", _("Payments asked"), lambda f: f["payments"]["asked"]["count"]),
    ("payments_paid", _("Payments paid"), lambda f: f["payments"]["paid"]["count"]),
    (
        "satisfaction_count",
        _("Satisfaction answers"),
        lambda f: f["satisfaction"]["count"],
    ),
)


class StatisticsView(BrowserView):
    index = ViewPageTemplateFile("templates/statistics.pt")
    caption_products = _("Per counter product")
    caption_teams = _("Per team")

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        self.error = None
        self.data = None
        form = self.request.form
        self.start = self._text("start")
        self.end = self._text("end")
        self.product = self._text("product")
        try:
            first, last = figures.parse_period(form, defaults=True)
            self.start, self.end = first.isoformat(), last.isoformat()
            self.data = figures.compute(self.context, first, last, self.product)
        except errors.UserError as error:
            self.error = self.t(error.message)
            self.request.response.setStatus(error.status)
        if self.data is not None and self._text("format") == "csv":
            return self.csv()
        return self.index()

    def _text(self, name):
        try:
            return validation.one_value(self.request.form, name).strip()[:100]
        except validation.Refused:
            return ""

    def t(self, message, mapping=None):
        return translate(message, context=self.request, mapping=mapping)

    # --- for the template ----------------------------------------------------------

    def products(self):
        """The choice of product (all products under this folder)."""
        return [
            {
                "uid": uid,
                "title": product.Title(),
                "selected": uid == self.product,
            }
            for product in figures.products_in(self.context)
            for uid in [product.UID()]
        ]

    def csv_url(self):
        query = {"start": self.start, "end": self.end, "format": "csv"}
        if self.product:
            query["product"] = self.product
        return f"{self.context.absolute_url()}/@@counter-statistics?{urlencode(query)}"

    def columns(self):
        return [{"key": key, "title": self.t(title)} for key, title, _get in COLUMNS]

    def table(self, kind):
        """Rows of the table per product or per team."""
        return [
            {
                "title": item["title"],
                "cells": [get(item["figures"]) for _key, _title, get in COLUMNS],
            }
            for item in self.data[kind]
        ]

    def summary(self):
        """The figures of the whole choice, as (title, value) rows."""
        f = self.data["total"]
        walk_ins = f["walk_ins"]
        share = f["identified"]["share"]
        rows = [(self.t(title), get(f)) for _key, title, get in COLUMNS[:13]]
        rows[7] = (
            rows[7][0],
            self.t(
                _(
                    "${count} (waiting time: median ${median}, 90% within ${p90})",
                    mapping={
                        "count": walk_ins["count"],
                        "median": self.duration(walk_ins["waiting_median_seconds"]),
                        "p90": self.duration(walk_ins["waiting_p90_seconds"]),
                    },
                )
            )
            if walk_ins["count"]
            else 0,
        )
        rows.append(
            (
                self.t(_("Share identified (of the appointments not cancelled)")),
                self.percent(share),
            )
        )
        payments = f["payments"]
        rows.append(
            (
                self.t(_("Payments asked")),
                f"{payments['asked']['count']} ({self.money(payments['asked']['amount_cents'])})",
            )
        )
        rows.append(
            (
                self.t(_("Payments paid")),
                f"{payments['paid']['count']} ({self.money(payments['paid']['amount_cents'])})",
            )
        )
        return [{"title": title, "value": value} for title, value in rows]

    def satisfaction(self):
        found = self.data["total"]["satisfaction"]
        return {
            "count": found["count"],
            "hidden": found["hidden"],
            "minimum": figures.MIN_ANSWERS,
            "mean": self.number(found["mean"]) if found["mean"] is not None else "–",
            "rows": [
                {"score": score, "count": found["distribution"][str(score)]}
                for score in statistics.SCORES
            ]
            if found["distribution"]
            else [],
        }

    def heat_map(self):
        """The busiest hours: the hours any weekday has appointments, 7 rows."""
        counts = self.data["busiest_hours"]["counts"]
        used = [h for h in range(24) if any(day[h] for day in counts)]
        hours = list(range(min(used), max(used) + 1)) if used else list(range(8, 18))
        top = max((max(day) for day in counts), default=0) or 1
        lang = formatting.language()
        rows = []
        for weekday, day in enumerate(counts):
            rows.append(
                {
                    "name": formatting.weekday_name(weekday, lang),
                    "cells": [
                        {
                            "hour": hour,
                            "count": day[hour],
                            # 0-4: how dark the square is drawn (the number stays in it).
                            "level": 0 if not day[hour] else 1 + (3 * day[hour]) // top,
                        }
                        for hour in hours
                    ],
                }
            )
        return {"hours": hours, "rows": rows, "top": top}

    def heat_map_svg(self):
        """The heat map as a picture (its numbers are in the table beside it)."""
        found = self.heat_map()
        size, left, top_margin = 40, 110, 24
        width = left + size * len(found["hours"]) + 4
        height = top_margin + size * 7 + 4
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="dbalie-heat-map" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-hidden="true" focusable="false">'
        ]
        for column, hour in enumerate(found["hours"]):
            x = left + column * size + size // 2
            parts.append(
                f'<text x="{x}" y="16" text-anchor="middle" font-size="13">{hour:02d}:00</text>'
            )
        for line, row in enumerate(found["rows"]):
            y = top_margin + line * size
            parts.append(
                f'<text x="{left - 8}" y="{y + 24}" text-anchor="end" font-size="14">'
                f"{row['name']}</text>"
            )
            for column, cell in enumerate(row["cells"]):
                x = left + column * size
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{size - 2}" height="{size - 2}" '
                    f'class="dbalie-heat-{cell["level"]}"/>'
                )
                if cell["count"]:
                    parts.append(
                        f'<text x="{x + size // 2 - 1}" y="{y + 24}" text-anchor="middle" '
                        f'font-size="14" class="dbalie-heat-text-{cell["level"]}">'
                        f"{cell['count']}</text>"
                    )
        parts.append("</svg>")
        return "".join(parts)

    # --- numbers in words ----------------------------------------------------------

    def number(self, value):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if formatting.language() == "nl" else text

    def percent(self, share):
        if share is None:
            return "–"
        return f"{self.number(round(share * 100, 1))}%"

    def money(self, cents):
        return format_currency(
            Decimal(cents) / 100, "EUR", locale=formatting.language()
        )

    def duration(self, seconds):
        if seconds is None:
            return "–"
        seconds = round(seconds)
        return self.t(
            _(
                "${minutes} min ${seconds} s",
                mapping={"minutes": seconds // 60, "seconds": f"{seconds % 60:02d}"},
            )
        )

    # --- the download --------------------------------------------------------------

    def csv(self):
        """One line per product and per team, the whole choice first."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        extra = (
            "waiting_median_seconds",
            "waiting_p90_seconds",
            "identified_share",
            "payments_asked_cents",
            "payments_paid_cents",
            "satisfaction_mean",
            *(f"satisfaction_{score}" for score in statistics.SCORES),
        )
        writer.writerow(
            ["kind", "id", "title", *(key for key, _t, _g in COLUMNS), *extra]
        )
        data = self.data
        items = [("total", "", self.t(_("All")), data["total"])]
        items += [
            ("product", p["uid"], p["title"], p["figures"]) for p in data["products"]
        ]
        items += [("team", t["id"], t["title"], t["figures"]) for t in data["teams"]]
        for kind, item_id, title, f in items:
            writer.writerow(
                [
                    kind,
                    item_id,
                    # A spreadsheet must not read a title as a formula.
                    f"'{title}" if title and title[0] in "=+-@\t\r" else title,
                    *(get(f) for _k, _t, get in COLUMNS),
                    f["walk_ins"]["waiting_median_seconds"],
                    f["walk_ins"]["waiting_p90_seconds"],
                    f["identified"]["share"],
                    f["payments"]["asked"]["amount_cents"],
                    f["payments"]["paid"]["amount_cents"],
                    # Too few answers: empty cells, as on the page.
                    f["satisfaction"]["mean"],
                    *(
                        (f["satisfaction"]["distribution"] or {}).get(str(s))
                        for s in statistics.SCORES
                    ),
                ]
            )
        response = self.request.response
        response.setHeader("Content-Type", "text/csv; charset=utf-8")
        response.setHeader(
            "Content-Disposition",
            f'attachment; filename="statistics-{self.start}-{self.end}.csv"',
        )
        return out.getvalue()
