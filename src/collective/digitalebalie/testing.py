"""Test layers: the add-on installed in a Plone site."""

from collective.digitalebalie.cli.create_site import configure_languages
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


FIXTURE = DigitaleBalieLayer()

INTEGRATION_TESTING = IntegrationTesting(
    bases=(FIXTURE,),
    name="DigitaleBalieLayer:IntegrationTesting",
)

FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(FIXTURE, WSGI_SERVER_FIXTURE),
    name="DigitaleBalieLayer:FunctionalTesting",
)
