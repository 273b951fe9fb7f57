"""Install and uninstall handlers."""

from collective.digitalebalie import credentials
from collective.digitalebalie import limits
from collective.digitalebalie import logger
from collective.digitalebalie import sso
from collective.digitalebalie import statistics
from collective.digitalebalie import teams
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.store import FOLDER_ID
from collective.digitalebalie.booking.store import ensure_appointments_folder
from collective.digitalebalie.booking.store import product_of
from collective.digitalebalie.credentials import ensure_secrets
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.dossiers import FOLDER_ID as DOSSIERS_ID
from collective.digitalebalie.dossiers.dossiers import ensure_dossiers_folder
from collective.digitalebalie.settings import now_utc
from lxml import etree
from pathlib import Path
from plone import api
from plone.app.registry.exportimport.handler import RegistryImporter
from plone.base.interfaces import INonInstallable
from plone.base.utils import get_installer
from zope.interface import implementer
import copy
import logging


ROLES = ("CounterEmployee", "CounterTeam", "CounterTeamLead")


@implementer(INonInstallable)
class HiddenProfiles:
    def getNonInstallableProfiles(self):
        """Hide the uninstall profile from the add-ons control panel."""
        return ["collective.digitalebalie:uninstall"]

    def getNonInstallableProducts(self):
        return []


def post_install(context):
    """After the default profile: secrets and the private appointments folder."""
    ensure_appointments_folder(api.portal.get())
    ensure_dossiers_folder(api.portal.get())
    created = ensure_secrets()
    if created:
        logger.info("Generated secrets: %s", ", ".join(created))
    limits.ensure_key(api.portal.get())


def upgrade_to_1001(context):
    """Teams: new roles, permissions, workflow; local roles from each product."""
    setup = api.portal.get_tool("portal_setup")
    for step in ("rolemap", "workflow", "typeinfo", "plone.app.registry"):
        setup.runImportStepFromProfile("profile-collective.digitalebalie:default", step)
    api.portal.get_tool("portal_workflow").updateRoleMappings()
    with api.env.adopt_roles(["Manager"]):
        for brain in api.content.find(portal_type="CounterProduct"):
            teams.sync_product(brain.getObject())
            dossiers.follow_product_teams(brain.getObject())


def upgrade_to_1002(context):
    """Dossiers: types, workflow, settings and the dossiers folder."""
    setup = api.portal.get_tool("portal_setup")
    for step in ("rolemap", "workflow", "typeinfo", "plone.app.registry"):
        setup.runImportStepFromProfile("profile-collective.digitalebalie:default", step)
    ensure_dossiers_folder(api.portal.get())


def upgrade_to_1003(context):
    """The house style bundle."""
    api.portal.get_tool("portal_setup").runImportStepFromProfile(
        "profile-collective.digitalebalie:default", "plone.app.registry"
    )


def upgrade_to_1004(context):
    """Payment and DigiD settings; the identity key."""
    api.portal.get_tool("portal_setup").runImportStepFromProfile(
        "profile-collective.digitalebalie:default", "plone.app.registry"
    )
    ensure_secrets()


def upgrade_to_1005(context):
    """Settings of the video engines (Jitsi Meet, LiveKit), of the employees'
    single sign-on, and their secrets; the house style's colours and its NL
    Design System bundle."""
    api.portal.get_tool("portal_setup").runImportStepFromProfile(
        "profile-collective.digitalebalie:default", "plone.app.registry"
    )
    ensure_secrets()
    # The agenda can show cancelled appointments: list the ones made before.
    folder = api.portal.get().get(FOLDER_ID)
    with api.env.adopt_roles(["Manager"]):
        for appointment in folder.objectValues() if folder is not None else ():
            if api.content.get_state(appointment, default=None) == "cancelled":
                store.note_cancelled(appointment)


def upgrade_to_1006(context):
    """The security round's settings (new registry records)."""
    api.portal.get_tool("portal_setup").runImportStepFromProfile(
        "profile-collective.digitalebalie:default", "plone.app.registry"
    )
    move_secrets_out_of_the_registry()
    ensure_secrets()
    index_open_bookings()


def upgrade_to_1007(context):
    """This round (issue 18 and on): new registry records (eHerkenning, the
    Jitsi XMPP domain, the walk-in queue's callback wait); products get their *Identification* from
    requires_identification (true is DigiD); the Make an appointment portlet.
    Light pages for a phone (issue 22): plone.app.caching, a new dependency,
    before the registry that holds its rules; Plone's JavaScript bundles for
    logged-in users only."""
    installer = get_installer(api.portal.get())
    if not installer.is_product_installed("plone.app.caching"):
        installer.install_product("plone.app.caching")
    setup = api.portal.get_tool("portal_setup")
    for step in ("plone.app.registry", "portlets"):
        setup.runImportStepFromProfile("profile-collective.digitalebalie:default", step)
    identification_from_the_old_field()


def identification_from_the_old_field():
    count = 0
    with api.env.adopt_roles(["Manager"]):
        for brain in api.content.find(portal_type="CounterProduct"):
            product = brain.getObject()
            product._p_activate()  # a ghost's __dict__ is empty
            stored = product.__dict__
            if "requires_identification" in stored and "identification" not in stored:
                # The class's property writes identification and drops the old value.
                product.requires_identification = stored["requires_identification"]
                count += 1
    logger.info("Identification set on %s products from before it", count)


def upgrade_to_1008(context):
    """Statistics: the permission and the team lead role; a row of figures for
    every appointment made before (payments of dossiers already destroyed and
    satisfaction answers given before are not in them). The agenda in the
    toolbar and the user menu (portal_actions); the counter product's own icon
    (registry)."""
    setup = api.portal.get_tool("portal_setup")
    for step in ("rolemap", "actions", "plone.app.registry"):
        setup.runImportStepFromProfile("profile-collective.digitalebalie:default", step)
    count = statistics.rebuild()
    logger.info("Statistics: figures of %s appointments", count)


PRODUCT_PAGE_RULE = "collective.digitalebalie.productPage"
OPERATION_MAPPING = "plone.caching.interfaces.ICacheSettings.operationMapping"


class _Merge:
    """What plone.app.registry's importer asks of GenericSetup: no purge."""

    def shouldPurge(self):
        return False

    def getLogger(self, name):
        return logging.getLogger(name)


def upgrade_to_1009(context):
    """The counter product page's caching rule (issue 22, browser/page_cache.py):
    its operation and its options, as the profile's registry.xml has them, and
    nothing else of that file (it would reset what an administrator changed
    in the caching control panel since)."""
    profile = etree.parse(str(Path(__file__).parent / "profiles/default/registry.xml"))
    document = etree.Element("registry")
    for record in profile.getroot().iter("record"):
        if PRODUCT_PAGE_RULE in record.get("name", ""):
            document.append(copy.deepcopy(record))
    mapping = etree.SubElement(document, "record", name=OPERATION_MAPPING)
    value = etree.SubElement(mapping, "value", purge="False")
    element = etree.SubElement(value, "element", key=PRODUCT_PAGE_RULE)
    element.text = "plone.app.caching.weakCaching"
    registry = api.portal.get_tool("portal_registry")
    RegistryImporter(registry, _Merge()).importDocument(etree.tostring(document))


def index_open_bookings():
    """The limit of open appointments per person (1006) counts the booked
    appointments made before it: index those that have not started."""
    portal = api.portal.get()
    limits.ensure_key(portal)
    folder = portal.get(FOLDER_ID)
    now = now_utc()
    count = 0
    with api.env.adopt_roles(["Manager"]):
        for appointment in folder.objectValues() if folder is not None else ():
            if appointment.start <= now or (
                api.content.get_state(appointment, default=None) != "booked"
            ):
                continue
            product = product_of(appointment)
            if product is not None:
                limits.remember(product, appointment, now)
                count += 1
    logger.info("Indexed %s open appointments for the booking limits", count)


def move_secrets_out_of_the_registry():
    """Secrets leave the registry (which can be read back) for the site's
    private store; the SSO plugin no longer keeps a copy of its secret."""
    moved = credentials.move_from_registry()
    if moved:
        logger.info("Secrets moved out of the registry: %s", ", ".join(moved))
    sso.sync_plugin()


def uninstall(context):
    """After the uninstall profile: remove the roles the add-on declared."""
    site = api.portal.get()
    # Appointments hold citizens' data: an empty folder goes, a full one stays
    # for the administrator to export or delete deliberately.
    for folder_id in (FOLDER_ID, DOSSIERS_ID):
        folder = site.get(folder_id)
        if folder is not None and not folder.objectIds():
            site._delObject(folder_id)
    credentials.forget_secrets(site)
    site.__ac_roles__ = tuple(r for r in site.__ac_roles__ if r not in ROLES)
    role_manager = site.acl_users.portal_role_manager
    for role in ROLES:
        if role in role_manager.listRoleIds():
            role_manager.removeRole(role)
    # The employee SSO plugin serves only this add-on's login views.
    if "digitalebalie-sso" in site.acl_users.objectIds():
        site.acl_users._delObject("digitalebalie-sso")
