"""Plone's viewlets of the bundles' <link> and <script> tags, kept for a
minute for anonymous visitors.

Plone builds these tags anew on every page: it finds each bundle's file by
traversal, reads it and hashes it twice (for the version in its address and
for the integrity attribute). On an anonymous product page that was a sixth
of the time Zope spent. The tags are the same for every anonymous visitor of
a site as long as the registry's bundles, the theme, the conditions'
outcomes (``python: member is not None`` …) and the files are: the key holds
all of them but the files' contents, which change with a new release (a
restart, so a new process) or when a theme is edited through the web: then
the new hashes are in the tags after at most ``TTL`` seconds. Logged-in users
and development mode get Plone's own viewlets' work on every page.
"""

from AccessControl.SecurityManagement import getSecurityManager
from plone.app.theming.utils import theming_policy
from plone.base.interfaces import IBundleRegistry
from plone.registry.interfaces import IRegistry
from Products.CMFCore.Expression import Expression
from Products.CMFPlone.resources.browser.resource import _RESOURCE_REGISTRY_MTIME
from Products.CMFPlone.resources.browser.resource import REQUEST_CACHE_KEY
from Products.CMFPlone.resources.browser.resource import ScriptsView
from Products.CMFPlone.resources.browser.resource import StylesView
from Products.CMFPlone.resources.utils import evaluateExpression
from zope.component import getMultiAdapter
from zope.component import getUtility
import time
import webresource


TTL = 60  # seconds
CUSTOM_CSS = "plone.app.theming.interfaces.IThemeSettings.custom_css"
# key -> (until, what Plone rendered: {"js": ..., "css": ...})
_RENDERED = {}
# (until, registry mtime, ((bundle, condition), ...)): the bundles' conditions
_CONDITIONS = [0, None, ()]
_COOKED = {}  # condition text -> Expression
MAX_ENTRIES = 200


def _conditions(registry, now):
    mtime = getattr(registry, _RESOURCE_REGISTRY_MTIME, None)
    until, known_mtime, conditions = _CONDITIONS
    if until < now or known_mtime != mtime:
        records = registry.collectionOfInterface(
            IBundleRegistry, prefix="plone.bundles", check=False
        )
        conditions = tuple(
            sorted(
                (name, rec.expression)
                for name, rec in records.items()
                if rec.expression
            )
        )
        _CONDITIONS[:] = [now + TTL, mtime, conditions]
    return mtime, conditions


THEME_FACTS = (
    "__name__",
    "production_css",
    "development_css",
    "production_js",
    "development_js",
    "enabled_bundles",
    "disabled_bundles",
)


def _theme_key(theme):
    if theme is None:
        return None
    facts = (getattr(theme, name, None) for name in THEME_FACTS)
    return tuple(tuple(f) if isinstance(f, list) else f for f in facts)


def _outcome(text, context):
    expression = _COOKED.get(text)
    if expression is None:
        expression = _COOKED[text] = Expression(text)
    return bool(evaluateExpression(expression, context))


class CachedResources:
    """Mixin for Plone's ScriptsView and StylesView (the first of the two on
    a page renders both; the second finds them on the request)."""

    def cache_key(self, now):
        if webresource.config.development:
            return None
        if getSecurityManager().getUser().getUserName() != "Anonymous User":
            return None
        registry = getUtility(IRegistry)
        mtime, conditions = _conditions(registry, now)
        outcomes = {}
        for _name, text in conditions:
            if text not in outcomes:
                outcomes[text] = _outcome(text, self.context)
        policy = theming_policy(self.request)
        theme = policy.get_theme() if policy.isThemeEnabled() else None
        portal_state = getMultiAdapter(
            (self.context, self.request), name="plone_portal_state"
        )
        enabled, disabled = self._request_bundles()
        return (
            portal_state.portal_url(),
            mtime,
            tuple((name, outcomes[text]) for name, text in conditions),
            _theme_key(theme),
            registry.get(CUSTOM_CSS),
            tuple(sorted(enabled)),
            tuple(sorted(disabled)),
        )

    def update(self):
        if getattr(self.request, REQUEST_CACHE_KEY, None) is not None:
            return super().update()
        now = time.monotonic()
        key = self.cache_key(now)
        found = _RENDERED.get(key) if key else None
        if found is not None and found[0] > now:
            self.rendered = found[1]
            setattr(self.request, REQUEST_CACHE_KEY, self.rendered)
            return
        super().update()
        if key:
            if len(_RENDERED) >= MAX_ENTRIES:
                _RENDERED.clear()
            _RENDERED[key] = (now + TTL, self.rendered)


class CachedScriptsView(CachedResources, ScriptsView):
    pass


class CachedStylesView(CachedResources, StylesView):
    pass
