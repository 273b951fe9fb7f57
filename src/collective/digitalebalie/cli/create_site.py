"""Create the Plone site with the add-on and demo content, if it is not there yet.

Run inside Zope, where ``app`` is the application root:

    zconsole run instance/etc/zope.conf src/collective/digitalebalie/cli/create_site.py

Environment variables:
    SITE_ID           id of the site (default "Plone")
    ROOM_SECRET_FILE  file with the room token secret to store (optional)
    ROOM_SERVER_URL   address of the room server to store (optional)
    JOB_KEY_FILE      file with the delivery job's key to store (optional)
    CLAMD_ADDRESS     address of the virus scanner to store (optional)
    TRUSTED_PROXIES   proxies in front of Plone, comma-separated (optional)
    ADMIN_USER        Zope manager login (default "admin")
    ADMIN_PASSWORD    its password (default "admin"); set on every run
    DEMO              "1" (default) applies the demo content profile
    DELETE_EXISTING   "1" deletes an existing site first (default "0")

An existing site is kept, with all its data; only the admin password is
brought in line with ADMIN_PASSWORD.
"""

from AccessControl.SecurityManagement import newSecurityManager
from collective.digitalebalie import credentials
from collective.digitalebalie import logger
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from plone import api
from plone.distribution.api import site as site_api
from plone.registry.interfaces import IRegistry
from Testing.makerequest import makerequest
from zope.component import getUtility
from zope.component.hooks import setSite
import os
import transaction


SITE_ANSWERS = {
    "title": "Gemeente Voorbeeld",
    "description": "De digitale balie van de gemeente: maak een afspraak en "
    "spreek een medewerker via video.",
    "default_language": "nl",
    "portal_timezone": "Europe/Amsterdam",
    "setup_content": False,
}


def _flag(name, default):
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def ensure_admin(app, login, password):
    """Create the Zope manager, or set its password; True when something changed."""
    users = app.acl_users
    user = users.getUser(login)
    if user is None:
        users._doAddUser(login, password, ["Manager"], [])
        return True
    if users.authenticate(login, password, app.REQUEST):
        return False
    # Plone turns the root user folder into a PAS; its user manager plugin
    # holds the password.
    for plugin in users.objectValues():
        if hasattr(plugin, "updateUserPassword"):
            plugin.updateUserPassword(user.getId(), password)
            return True
    users._doChangeUser(login, password, ["Manager"], [])
    return True


def configure_languages(site):
    """Dutch by default, English for whoever asks for it (browser or selector)."""
    registry = getUtility(IRegistry)
    registry["plone.available_languages"] = ["nl", "en"]
    registry["plone.default_language"] = "nl"
    registry["plone.use_request_negotiation"] = True
    registry["plone.use_cookie_negotiation"] = True
    registry["plone.always_show_selector"] = True


def configure_theme(site):
    """Theme the site also when it is opened as http://127.0.0.1 (the demo URL).

    plone.app.theming leaves 127.0.0.1 unthemed by default, as a back door
    for theme developers; a new user would see a bare page there.
    """
    key = "plone.app.theming.interfaces.IThemeSettings.hostnameBlacklist"
    registry = getUtility(IRegistry)
    if key in registry:
        registry[key] = []


def sync_room_settings(site):
    """Give Plone the room server's address and secret that `make start` uses."""
    secret_file = os.environ.get("ROOM_SECRET_FILE")
    key_file = os.environ.get("JOB_KEY_FILE")
    url = os.environ.get("ROOM_SERVER_URL")
    clamd = os.environ.get("CLAMD_ADDRESS")
    proxies = [p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p]
    if proxies:
        # The cluster's own nginx: the visitor's address is in X-Forwarded-For.
        api.portal.set_registry_record(
            "trusted_proxies", proxies, interface=IDigitaleBalieSettings
        )
    if clamd:
        api.portal.set_registry_record(
            "clamd_address", clamd, interface=IDigitaleBalieSettings
        )
    for path, name in ((secret_file, "room_token_secret"), (key_file, "job_key")):
        if path:
            with open(path, encoding="ascii") as handle:
                credentials.set_secret(name, handle.read().strip())
    if url:
        api.portal.set_registry_record(
            "room_server_url", url, interface=IDigitaleBalieSettings
        )


def configure_demo_mail(site):
    """The demo has no mail server: keep mail on the outbox page."""
    api.portal.set_registry_record("plone.email_from_address", "balie@example.org")
    api.portal.set_registry_record("plone.email_from_name", "Gemeente Voorbeeld")
    api.portal.set_registry_record(
        "mail_capture_only", True, interface=IDigitaleBalieSettings
    )


def create_site(app, site_id="Plone", demo=True, delete_existing=False):
    """Return (site, created)."""
    if delete_existing and site_id in app.objectIds():
        app.manage_delObjects([site_id])
        transaction.commit()
    if site_id in app.objectIds():
        site = app[site_id]
        setSite(site)
        upgrade(site)
        return site, False
    answers = dict(SITE_ANSWERS, site_id=site_id)
    site = site_api.create(app, "classic", answers)
    setSite(site)
    configure_languages(site)
    configure_theme(site)
    setup = site.portal_setup
    setup.runAllImportStepsFromProfile("profile-collective.digitalebalie:default")
    if demo:
        setup.runAllImportStepsFromProfile("profile-collective.digitalebalie:demo")
        configure_demo_mail(site)
    transaction.commit()
    return site, True


def upgrade(site):
    """Bring an existing site up to the installed code's profile version."""
    setup = site.portal_setup
    profile = "collective.digitalebalie:default"
    if setup.getLastVersionForProfile(profile) == "unknown":
        return
    if setup.listUpgrades(profile):
        setup.upgradeProfile(profile)
        logger.info("Upgraded %s to %s", profile, setup.getVersionForProfile(profile))


def main(app):
    app = makerequest(app)
    site_id = os.environ.get("SITE_ID", "Plone")
    admin = os.environ.get("ADMIN_USER", "admin")
    password = os.environ.get("ADMIN_PASSWORD") or "admin"
    if ensure_admin(app, admin, password):
        transaction.commit()
        logger.info("Zope manager %r ready", admin)
    newSecurityManager(None, app.acl_users.getUser(admin).__of__(app.acl_users))
    site, created = create_site(
        app,
        site_id,
        demo=_flag("DEMO", "1"),
        delete_existing=_flag("DELETE_EXISTING", "0"),
    )
    setSite(site)
    sync_room_settings(site)
    transaction.commit()
    print(f"Site {site_id!r} {'created' if created else 'already exists, kept'}.")
    return site


if __name__ == "__main__" and "app" in globals():
    main(app)  # noqa: F821 - zconsole provides ``app``
