"""GET {site or folder}/@counter-statistics?start=YYYY-MM-DD&end=YYYY-MM-DD&product=UID

Counts only (see figures.py): no personal data. Managers see every team,
team leads (role CounterTeamLead) the teams they are in.
"""

from collective.digitalebalie import figures
from collective.digitalebalie import validation
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.services.base import Service


class StatisticsGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        form = self.request.form
        first, last = figures.parse_period(form)
        try:
            product = validation.one_value(form, "product").strip()
        except validation.Refused as error:
            raise InvalidInput(error.message, {error.field: error.message}) from None
        return figures.compute(self.context, first, last, product)
