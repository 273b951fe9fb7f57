"""GET {product}/@satisfaction: what citizens answered about this product.

For the product's teams and managers: the counts per score, the mean and the
latest comments (date, score, text; nobody's name).
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import teams
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.services.base import Service
from plone import api


class SatisfactionGet(Service):
    def reply(self):
        product = self.context
        serves = teams.user_teams() & set(teams.product_teams(product))
        if not serves and not api.user.has_permission(teams.VIEW_ALL, obj=product):
            raise errors.Forbidden(
                _("Only the teams of this service and managers see its answers.")
            )
        self.request.response.setHeader("Cache-Control", "private, no-store")
        found = satisfaction.summary(product)
        return {
            "@id": f"{product.absolute_url()}/@satisfaction",
            "count": found["count"],
            "mean": found["mean"],
            # JSON keys are text.
            "distribution": {str(k): n for k, n in found["distribution"].items()},
            "comments": satisfaction.latest_comments(product),
        }
