"""GET {site or folder}/@counter-statistics?start=YYYY-MM-DD&end=YYYY-MM-DD&product=UID

Counts only (see statistics.py): no personal data. Managers see every team,
team leads (role CounterTeamLead) the teams they are in.
"""

from collective.digitalebalie import statistics
from collective.digitalebalie import validation
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.services.base import Service


class StatisticsGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        form = self.request.form
        first, last = statistics.parse_period(form)
        try:
            product = validation.one_value(form, "product").strip()
        except validation.Refused as error:
            raise InvalidInput(error.message, {error.field: error.message}) from None
        return statistics.compute(self.context, first, last, product)
