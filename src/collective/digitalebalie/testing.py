"""Test layers: the add-on installed in a Plone site."""

from collective.digitalebalie.cli.create_site import configure_languages
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from plone import api
from plone.app.testing import PLONE_FIXTURE
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PloneSandboxLayer
from plone.app.testing import applyProfile
from plone.testing.zope import WSGI_SERVER_FIXTURE
import collective.digitalebalie
import os


# Compile the .po catalogs when the ZCML registers them, as zope.conf does.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")


class DigitaleBalieLayer(PloneSandboxLayer):
    defaultBases = (PLONE_FIXTURE,)

    def setUpZope(self, app, configurationContext):
        import plone.restapi

        self.loadZCML(package=plone.restapi)
        self.loadZCML(package=collective.digitalebalie)

    def setUpPloneSite(self, portal):
        # As in a site made by the "classic" distribution.
        portal.portal_workflow.setDefaultChain("simple_publication_workflow")
        configure_languages(portal)
        applyProfile(portal, "collective.digitalebalie:default")
        # Many tests book several times with one e-mail address (helpers.person())
        # from one address (127.0.0.1): the limits against abuse are off here,
        # and on in the tests of the limits (tests/services/test_limits.py) and
        # in the demo (`make start`).
        api.portal.set_registry_record(
            "booking_limits_enabled", False, interface=IDigitaleBalieSettings
        )


FIXTURE = DigitaleBalieLayer()

INTEGRATION_TESTING = IntegrationTesting(
    bases=(FIXTURE,),
    name="DigitaleBalieLayer:IntegrationTesting",
)

FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(FIXTURE, WSGI_SERVER_FIXTURE),
    name="DigitaleBalieLayer:FunctionalTesting",
)
