"""DigiD's and eHerkenning's levels of assurance, lowest first, as a broker names them (SAML AuthnContextClassRef)."""

from collective.digitalebalie import _
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


DIGID_LEVELS = (
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",  # Basis
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",  # Midden
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",  # Substantieel
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",  # Hoog
)

LEVEL_TITLES = (
    _("Basis: user name and password"),
    _("Midden: DigiD app or SMS check"),
    _("Substantieel: DigiD app with ID check"),
    _("Hoog: identity card with chip"),
)

DIGID_LEVELS_VOCABULARY = SimpleVocabulary(
    [
        SimpleTerm(value=level, token=level.rsplit(":", 1)[-1], title=title)
        for level, title in zip(DIGID_LEVELS, LEVEL_TITLES, strict=True)
    ]
)


@provider(IVocabularyFactory)
def digid_levels(context=None):
    return DIGID_LEVELS_VOCABULARY


# eHerkenning's levels (Afsprakenstelsel eToegang: the SAML AuthnContextClassRef,
# which the brokers pass on as the level of assurance claim), lowest first.
EHERKENNING_LEVELS = (
    "urn:etoegang:core:assurance-class:loa2",  # EH2
    "urn:etoegang:core:assurance-class:loa2plus",  # EH2+
    "urn:etoegang:core:assurance-class:loa3",  # EH3
    "urn:etoegang:core:assurance-class:loa4",  # EH4
)
EHERKENNING_DEFAULT_LEVEL = EHERKENNING_LEVELS[2]

EHERKENNING_LEVEL_TITLES = (
    _("EH2: low (loa2)"),
    _("EH2+: low, with a second step (loa2plus)"),
    _("EH3: substantial (loa3)"),
    _("EH4: high (loa4)"),
)

EHERKENNING_LEVELS_VOCABULARY = SimpleVocabulary(
    [
        SimpleTerm(value=level, token=level.rsplit(":", 1)[-1], title=title)
        for level, title in zip(
            EHERKENNING_LEVELS, EHERKENNING_LEVEL_TITLES, strict=True
        )
    ]
)


@provider(IVocabularyFactory)
def eherkenning_levels(context=None):
    return EHERKENNING_LEVELS_VOCABULARY
