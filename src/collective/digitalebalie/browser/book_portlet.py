"""The "Make an appointment" portlet: the bookable services, one tap away.

The demo puts it on the home page (the counter folder inherits it); a site can
place it anywhere portlets go. It shows itself only in a page's own view. On a phone it stands after the page's text, so a citizen
reaches the services without opening the menu.
"""

from collective.digitalebalie import _
from collective.digitalebalie import multilingual
from collective.digitalebalie.content.counter_product import ICounterProduct
from plone import api
from plone.app.portlets.portlets import base
from plone.portlets.interfaces import IPortletDataProvider
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.component import getMultiAdapter
from zope.interface import implementer


PORTLET_NAME = "collective.digitalebalie.BookPortlet"
SHOWN = 8  # more than this and the list is no longer a shortcut


class IBookPortlet(IPortletDataProvider):
    """No settings: it lists the published counter products the visitor may see."""


@implementer(IBookPortlet)
class Assignment(base.Assignment):
    @property
    def title(self):
        return _("Make an appointment")


class Renderer(base.Renderer):
    render = ViewPageTemplateFile("templates/book_portlet.pt")

    @property
    def available(self):
        """On the home page and on folders, in their own view: not on a product
        (it has its own booking form), not on an appointment page."""
        state = getMultiAdapter(
            (self.context, self.request), name="plone_context_state"
        )
        if ICounterProduct.providedBy(self.context) or not state.is_view_template():
            return False
        return bool(self.products())

    def products(self):
        if not hasattr(self, "_products"):
            brains = api.content.find(
                portal_type="CounterProduct",
                review_state="published",
                sort_on="sortable_title",
            )
            # A translated service once, in the page's language (not the
            # English titles first on the Dutch home page).
            brains = multilingual.one_per_service(
                list(brains), multilingual.page_language(self.context, self.request)
            )
            self._products = [
                {"title": brain.Title, "url": brain.getURL()} for brain in brains
            ]
        return self._products[:SHOWN]

    def more_url(self):
        """All services: the folder of the products when they share one."""
        self.products()
        if len(self._products) <= SHOWN:
            return None
        parents = {item["url"].rsplit("/", 1)[0] for item in self._products}
        return parents.pop() if len(parents) == 1 else None


class AddForm(base.NullAddForm):
    def create(self):
        return Assignment()
