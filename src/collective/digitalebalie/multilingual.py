"""Translated counter products (plone.app.multilingual), when it is installed.

All translations of a product are one service: one booking ledger, one set of
slots, one set of teams, one list of cancelled appointments and one index of
who booked. Those records live on the *canonical* product: the translation in
the site's default language, or, where there is none, the translation whose
language comes first. An appointment keeps the UID of the translation it was
booked through (its page and mails name the product in the citizen's words).

The add-on does not need plone.app.multilingual: without it (or on a site
where it is not installed) every product is its own canonical product.
"""

from Acquisition import aq_base
from plone import api
from zope.globalrequest import getRequest


try:
    from plone.app.multilingual.dx.directives import languageindependent
    from plone.app.multilingual.interfaces import ITranslatable
    from plone.app.multilingual.interfaces import ITranslationManager
    from plone.app.multilingual.subscriber import set_recursive_language
except ImportError:  # plone.app.multilingual is not there: nothing is translated
    ITranslatable = None
    ITranslationManager = None
    set_recursive_language = None

    def languageindependent(*names):
        """Without plone.app.multilingual a schema has no translations."""


# The counter product's fields that are the same in every translation: how,
# when and by whom it is served (and the booking ledger is shared). What a
# citizen reads (title, description, text, what to bring, the FAQ) is translated.
LANGUAGE_INDEPENDENT_FIELDS = (
    "duration",
    "price",
    "channels",
    "teams",
    "opening_hours",
    "closures",
    "min_notice_hours",
    "max_days_ahead",
    "walk_in",
    "walk_in_hours",
    "walk_in_max_queue",
    "identification",
    "eherkenning_loa",
    "case_type",
    "document_type",
    "final_status_type",
    "result_type",
    "result_explanation",
    "initiator_role_type",
    "usage_conditions",
)


def active():
    """Is plone.app.multilingual there to translate content?

    Not the request's layer: jobs and scripts run without a request, and
    must find the same ledger as the pages do.
    """
    return ITranslatable is not None


def translations(obj):
    """{language: object} of obj's translations, obj included; {} when untranslated."""
    if obj is None or not active() or not ITranslatable.providedBy(obj):
        return {}
    found = ITranslationManager(obj).get_translations()
    return found if len(found) > 1 else {}


def canonical(product):
    """The translation that holds the product's ledger, teams' records and limits."""
    found = translations(product)
    if not found:
        return product
    default = (api.portal.get_default_language() or "")[:2]
    for language, translation in found.items():
        if language[:2] == default:
            return translation
    return found[sorted(found)[0]]


def is_canonical(product):
    return aq_base(canonical(product)) is aq_base(product)


def canonical_products(products):
    """Each translated product once (its canonical one), in the given order."""
    return [product for product in products if is_canonical(product)]


def content_language(obj):
    """nl or en when plone.app.multilingual is on and obj is in one of them, else ""."""
    if obj is None or not active() or not ITranslatable.providedBy(obj):
        return ""
    language = (getattr(aq_base(obj), "language", None) or "")[:2]
    return language if language in ("nl", "en") else ""


def set_language(obj, language):
    """Give obj (and what it holds) a language, as plone.app.multilingual does."""
    set_recursive_language(obj, language)


def page_language(obj, request=None):
    """nl or en: the language of the page (with plone.app.multilingual, the
    content's own), else the language the request negotiated."""
    language = content_language(obj)
    if language:
        return language
    request = request if request is not None else getRequest()
    negotiated = (request.get("LANGUAGE", "") if request is not None else "")[:2]
    return negotiated if negotiated in ("nl", "en") else "nl"


def one_per_service(brains, language):
    """Catalog results of products, each translated service once: its
    translation in ``language``, else the one in the site's default language.

    In the order of ``brains``; untranslated products all stay. Without
    plone.app.multilingual's catalog columns nothing is left out.
    """
    default = (api.portal.get_default_language() or "")[:2]

    def rank(brain):
        found = (getattr(brain, "Language", "") or "")[:2]
        return 0 if found == language else 1 if found == default else 2

    best = {}
    for position, brain in enumerate(brains):
        group = getattr(brain, "TranslationGroup", None) or brain.UID
        if group not in best or rank(brain) < rank(brains[best[group]]):
            best[group] = position
    return [brains[position] for position in sorted(best.values())]
