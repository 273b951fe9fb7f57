"""The house style on every page: NL Design System theme, the municipality's
colours as design tokens, and a logo whose text names the municipality."""

from collective.digitalebalie import _
from collective.digitalebalie import colours
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.settings import setting
from plone.app.layout.globals.interfaces import IBodyClassAdapter
from plone.app.layout.viewlets.common import LogoViewlet as PloneLogoViewlet
from plone.app.layout.viewlets.common import ViewletBase
from zope.i18n import translate
from zope.interface import implementer


# The class the design tokens of @nl-design-system-unstable/voorbeeld-design-tokens
# are declared on.
THEME_CLASS = "voorbeeld-theme"


@implementer(IBodyClassAdapter)
class ThemeBodyClass:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def get_classes(self, template=None, view=None):
        return [THEME_CLASS]


def _colour(name):
    value = setting(name)
    return value if colours.is_hex(value) else IDigitaleBalieSettings[name].default


def tokens(primary, focus):
    """CSS custom properties for the two colours of the municipality.

    They override design tokens of the Voorbeeld theme (``--basis-*``): tokens
    of components refer to them, and resolve where both are declared.
    """
    hover = colours.shade(primary, 0.2)
    active = colours.shade(primary, 0.35)
    return {
        "--digitalebalie-primary-color": primary,
        "--digitalebalie-primary-hover-color": hover,
        "--digitalebalie-focus-color": focus,
        # Primary buttons: white text on the main colour.
        "--basis-color-action-1-inverse-bg-default": primary,
        "--basis-color-action-1-inverse-bg-hover": hover,
        "--basis-color-action-1-inverse-bg-active": active,
        "--basis-color-action-1-inverse-color-default": colours.WHITE,
        "--basis-color-action-1-inverse-color-hover": colours.WHITE,
        "--basis-color-action-1-inverse-color-active": colours.WHITE,
        # Secondary buttons and links: the main colour on white.
        "--basis-color-action-1-color-default": primary,
        "--basis-color-action-1-color-hover": hover,
        "--basis-color-action-1-color-active": active,
        "--basis-color-action-1-border-default": primary,
        "--basis-color-action-1-border-hover": hover,
        "--basis-color-action-1-border-active": active,
        "--basis-color-action-2-color-default": primary,
        "--basis-color-action-2-color-hover": hover,
        "--basis-color-action-2-color-active": active,
        # Focus: black text on the focus colour, a black line around it.
        "--basis-focus-background-color": focus,
        "--basis-focus-color": colours.FOCUS_TEXT,
        "--basis-focus-outline-color": colours.FOCUS_TEXT,
    }


class TokensViewlet(ViewletBase):
    """A <style> in the head with the municipality's colours.

    Both values are checked to be #rrggbb, so nothing else reaches the CSS.
    """

    def index(self):
        return f'<style id="digitalebalie-tokens">{tokens_css()}</style>'


def tokens_css():
    """The text of the tokens' <style> (its hash is in the citizen pages' CSP)."""
    declarations = "".join(
        f"{name}:{value};"
        for name, value in tokens(
            _colour("primary_color"), _colour("focus_color")
        ).items()
    )
    # More specific than the theme's ".voorbeeld-theme", declared on the
    # same element: the component tokens pick these values up.
    return f"html body.{THEME_CLASS}{{{declarations}}}"


class LogoViewlet(PloneLogoViewlet):
    """Plone's logo (Site Setup, Site), with a text that names the municipality
    and where the link goes."""

    def update(self):
        super().update()
        name = setting("municipality_name")
        if name:
            text = translate(
                _(
                    "logo_alt",
                    default="${municipality}: to the home page",
                    mapping={"municipality": name},
                ),
                context=self.request,
            )
            self.logo_title = text
            self.navigation_root_title = text
