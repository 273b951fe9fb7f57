"""Install: layer, registry, control panel, secrets, types, profile version."""

from collective.digitalebalie import appointments
from collective.digitalebalie import secrets
from collective.digitalebalie.interfaces import IDigitaleBalieLayer
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from plone import api
import pytest


class TestInstall:
    def test_product_installed(self, installer, package_name):
        assert installer.is_product_installed(package_name) is True

    def test_browser_layer(self, browser_layers):
        assert IDigitaleBalieLayer in browser_layers

    def test_profile_version(self, setup_tool, package_name):
        assert setup_tool.getLastVersionForProfile(f"{package_name}:default") == (
            "1009",
        )

    def test_no_pending_upgrade_steps(self, setup_tool, package_name):
        assert setup_tool.listUpgrades(f"{package_name}:default") == []

    @pytest.mark.parametrize(
        "name,expected",
        [
            ("municipality_name", "Gemeente Voorbeeld"),
            ("timezone", "Europe/Amsterdam"),
            ("room_server_url", "ws://127.0.0.1:8081/rooms"),
        ],
    )
    def test_settings_defaults(self, portal, name, expected):
        value = api.portal.get_registry_record(name, interface=IDigitaleBalieSettings)
        assert value == expected

    def test_secrets_generated_and_distinct(self, portal):
        values = [secrets.get_secret(name) for name in secrets.GENERATED]
        assert all(len(value) >= secrets.MIN_LENGTH for value in values)
        assert len(set(values)) == len(values)
        # An API key comes from the provider: none is made up.
        assert secrets.get_secret("sms_api_key") == ""

    def test_reinstall_keeps_secrets(self, portal, installer, package_name):
        before = {name: secrets.get_secret(name) for name in secrets.SECRET_NAMES}
        installer.uninstall_product(package_name)
        # Uninstall removes the records, so a fresh install makes new ones...
        installer.install_product(package_name)
        after_reinstall = {n: secrets.get_secret(n) for n in secrets.SECRET_NAMES}
        assert after_reinstall != before
        # ...but re-applying the profile keeps the values that exist.
        api.portal.get_tool("portal_setup").runAllImportStepsFromProfile(
            f"profile-{package_name}:default"
        )
        assert {n: secrets.get_secret(n) for n in secrets.SECRET_NAMES} == (
            after_reinstall
        )

    def test_controlpanel_listed(self, controlpanel_actions):
        assert "digitalebalie" in controlpanel_actions
        assert "digitalebalie-secrets" in controlpanel_actions

    def test_counter_product_type(self, portal):
        fti = api.portal.get_tool("portal_types").get("CounterProduct")
        assert fti is not None
        assert fti.add_permission == "collective.digitalebalie.AddCounterProduct"

    def test_counter_employee_role(self, portal):
        assert "CounterEmployee" in portal.validRoles()

    def test_timezone_vocabulary(self, get_vocabulary, portal):
        vocabulary = get_vocabulary("collective.digitalebalie.Timezones", portal)
        assert "Europe/Amsterdam" in vocabulary
        assert "America/Curacao" in vocabulary
        assert "posixrules" not in vocabulary


class TestUninstall:
    @pytest.fixture(autouse=True)
    def _uninstalled(self, uninstalled):
        pass

    def test_product_uninstalled(self, installer, package_name):
        assert installer.is_product_installed(package_name) is False

    def test_browser_layer_removed(self, browser_layers):
        assert IDigitaleBalieLayer not in browser_layers

    def test_registry_records_removed(self, portal):
        registry = api.portal.get_tool("portal_registry")
        leftovers = [
            key for key in registry.records if "collective.digitalebalie" in key
        ]
        assert leftovers == []

    def test_controlpanel_removed(self, controlpanel_actions):
        assert "digitalebalie" not in controlpanel_actions
        assert "digitalebalie-secrets" not in controlpanel_actions

    def test_type_removed(self, portal):
        assert api.portal.get_tool("portal_types").get("CounterProduct") is None

    def test_agenda_actions_removed(self, portal):
        actions = api.portal.get_tool("portal_actions")
        for category in ("object", "user"):
            assert "digitalebalie-agenda" not in actions[category].objectIds()

    def test_product_icon_removed(self, portal):
        registry = api.portal.get_tool("portal_registry")
        assert "plone.icon.contenttype/counterproduct" not in registry.records

    def test_role_removed(self, portal):
        assert "CounterEmployee" not in portal.validRoles()


class TestUpgradeTo1001:
    """A site of profile version 1000 (one global CounterEmployee role) gets teams."""

    def test_upgrade_gives_products_their_team_roles(
        self, portal, setup_tool, package_name
    ):
        from collective.digitalebalie.teams import TEAM_ROLE

        with api.env.adopt_roles(["Manager"]):
            api.group.create(groupname="balie", roles=["CounterEmployee"])
            product = api.content.create(
                container=portal,
                type="CounterProduct",
                title="Oud product",
                duration=10,
            )
            # As before the upgrade: the product has a team but no local roles.
            product.teams = ["balie"]
            product.manage_delLocalRoles(["balie"])
        portal.__ac_roles__ = tuple(r for r in portal.__ac_roles__ if r != TEAM_ROLE)
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1000")
        assert setup_tool.listUpgrades(f"{package_name}:default")
        setup_tool.upgradeProfile(f"{package_name}:default")
        assert setup_tool.getLastVersionForProfile(f"{package_name}:default") == (
            "1009",
        )
        assert TEAM_ROLE in portal.validRoles()
        assert TEAM_ROLE in product.get_local_roles_for_userid("balie")


class TestUpgradeTo1005:
    @staticmethod
    def cancelled_before_1005(portal):
        """An appointment cancelled on a site that did not list cancellations yet."""
        from zope.annotation.interfaces import IAnnotations

        with api.env.adopt_roles(["Manager"]):
            product = api.content.create(
                container=portal,
                type="CounterProduct",
                title="Oud product",
                duration=15,
                opening_hours=[
                    {"weekday": d, "start": "08:00", "end": "18:00", "counters": 1}
                    for d in range(7)
                ],
            )
            api.content.transition(product, to_state="published")
        day = datetime.now(AMS).date() + timedelta(days=2)
        start = datetime(day.year, day.month, day.day, 11, 0, tzinfo=AMS)
        appointment, _token = appointments.book(
            product,
            {"start": start.isoformat(), "fullname": "Oud", "email": "o@example.nl"},
        )
        appointments.cancel(appointment)
        del IAnnotations(product)[appointments.CANCELLED_KEY]
        return appointment, product

    """A site of 1004 gets the video engine settings, their secrets and the
    house style (colours, the NL Design System bundle)."""

    def test_upgrade_adds_the_video_engine_settings(
        self, portal, setup_tool, package_name
    ):
        from plone.registry.interfaces import IRegistry
        from zope.component import getUtility

        registry = getUtility(IRegistry)
        prefix = f"{IDigitaleBalieSettings.__identifier__}."
        for name in ("video_provider", "jitsi_url", "livekit_url"):
            del registry.records[prefix + name]
        del registry.records[prefix + "primary_color"]
        del registry.records[prefix + "sso_enabled"]
        bundle = "plone.bundles/collective-digitalebalie"
        names = list(registry.records.keys())
        for key in [k for k in names if k.startswith(bundle + "-nlds.")]:
            del registry.records[key]
        registry[bundle + ".depends"] = "plone"
        cancelled, product = self.cancelled_before_1005(portal)
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1004")
        setup_tool.upgradeProfile(f"{package_name}:default")
        # Cancelled appointments of before are listed for the agenda now.
        day = cancelled.start.astimezone(AMS).date()
        assert appointments.cancelled_listing(product, day, day) == [cancelled]
        assert registry[prefix + "video_provider"] == "builtin"
        assert registry[prefix + "primary_color"] == "#00557f"
        assert registry[prefix + "sso_enabled"] is False
        assert registry[bundle + "-nlds.enabled"] is True
        assert registry[bundle + ".depends"] == "collective-digitalebalie-nlds"
        assert prefix + "livekit_url" in registry.records
        assert secrets.get_secret("jitsi_app_secret") == ""


class TestUpgradeTo1008:
    def test_upgrade_adds_the_agenda_to_toolbar_and_user_menu(
        self, portal, setup_tool, package_name
    ):
        actions = api.portal.get_tool("portal_actions")
        for category in ("object", "user"):
            actions[category].manage_delObjects(["digitalebalie-agenda"])
        registry = api.portal.get_tool("portal_registry")
        del registry.records["plone.icon.contenttype/counterproduct"]
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1007")
        assert setup_tool.listUpgrades(f"{package_name}:default") != []
        setup_tool.upgradeProfile(f"{package_name}:default")
        assert setup_tool.listUpgrades(f"{package_name}:default") == []
        for category in ("object", "user"):
            action = actions[category]["digitalebalie-agenda"]
            assert action.url_expr.endswith("/@@agenda")
            assert action.permissions == (
                "collective.digitalebalie: Manage appointments",
            )
        assert registry["plone.icon.contenttype/counterproduct"].endswith(
            "calendar-check.svg"
        )


class TestUpgradeTo1006:
    """A site of 1005 kept its secrets in the registry, which shows them (its
    edit form, GET @registry, the ZMI): the upgrade moves them out."""

    @staticmethod
    def secrets_in_the_registry(values):
        """As a site of 1005 had them: records of IDigitaleBalieSecrets."""
        from collective.digitalebalie.interfaces import IDigitaleBalieSecrets
        from plone.registry.interfaces import IRegistry
        from zope.annotation.interfaces import IAnnotations
        from zope.component import getUtility

        registry = getUtility(IRegistry)
        registry.registerInterface(IDigitaleBalieSecrets)
        for name, value in values.items():
            registry[f"{IDigitaleBalieSecrets.__identifier__}.{name}"] = value
        IAnnotations(api.portal.get()).pop(secrets.STORE_KEY, None)
        return registry

    def test_upgrade_keeps_the_values_and_drops_the_records(
        self, portal, setup_tool, package_name
    ):
        old = {
            name: f"{name}-of-the-old-site-0123456789abcdef"
            for name in ("room_token_secret", "job_key", "identity_key", "sms_api_key")
        }
        registry = self.secrets_in_the_registry(old)
        assert secrets.get_secret("room_token_secret") == ""  # not here yet
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1005")
        setup_tool.upgradeProfile(f"{package_name}:default")
        assert setup_tool.getLastVersionForProfile(f"{package_name}:default") == (
            "1009",
        )
        for name, value in old.items():
            assert secrets.get_secret(name) == value
        # Not given before: made now.
        assert len(secrets.get_secret("turn_secret")) >= secrets.MIN_LENGTH
        assert [k for k in registry.records if "IDigitaleBalieSecrets" in k] == []

    def test_install_puts_no_secret_in_the_registry(self, portal):
        registry = api.portal.get_tool("portal_registry")
        assert [k for k in registry.records if "IDigitaleBalieSecrets" in k] == []
        for name in secrets.GENERATED:
            value = secrets.get_secret(name)
            assert value
            assert value not in {
                str(registry[k])
                for k in registry.records
                if k.startswith("collective.digitalebalie")
            }


class TestUpgradeTo1006Limits:
    """A site of 1005 gets the settings of the limits against abuse, and its
    booked appointments count for the limit of open appointments per person."""

    def test_upgrade_indexes_open_appointments(self, portal, setup_tool, package_name):
        from collective.digitalebalie import limits
        from plone.registry.interfaces import IRegistry
        from zope.annotation.interfaces import IAnnotations
        from zope.component import getUtility

        with api.env.adopt_roles(["Manager"]):
            product = api.content.create(
                container=portal,
                type="CounterProduct",
                title="Oud product",
                duration=15,
                opening_hours=[
                    {"weekday": d, "start": "08:00", "end": "18:00", "counters": 1}
                    for d in range(7)
                ],
            )
            api.content.transition(product, to_state="published")
        day = datetime.now(AMS).date() + timedelta(days=2)
        booked = []
        for hour in (9, 10, 11):
            start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=AMS)
            appointment, _token = appointments.book(
                product,
                {
                    "start": start.isoformat(),
                    "fullname": "Oud",
                    "email": "O@example.nl",
                },
            )
            booked.append(appointment)
        appointments.cancel(booked[2])
        # As before 1006: no index, no settings.
        del IAnnotations(product)[limits.BOOKERS_KEY]
        for appointment in booked:
            del appointment.limit_keys
        registry = getUtility(IRegistry)
        prefix = f"{IDigitaleBalieSettings.__identifier__}."
        for name in ("booking_limits_enabled", "max_open_bookings_per_person"):
            del registry.records[prefix + name]
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1005")
        setup_tool.upgradeProfile(f"{package_name}:default")
        assert registry[prefix + "booking_limits_enabled"] is True
        assert registry[prefix + "max_open_bookings_per_person"] == 2
        now = appointments.now_utc()
        # Two booked, one cancelled: the cancelled one does not count.
        assert limits.open_bookings(product, "o@example.nl", None, now) == 2


class TestUpgradeTo1008Statistics:
    """A site of 1007 gets the permission to see the statistics, the team lead
    role, and the figures of the appointments it already had."""

    def test_upgrade_counts_the_appointments_made_before(
        self, portal, setup_tool, package_name
    ):
        from collective.digitalebalie import figures
        from collective.digitalebalie import statistics
        from zope.annotation.interfaces import IAnnotations

        with api.env.adopt_roles(["Manager"]):
            product = api.content.create(
                container=portal,
                type="CounterProduct",
                title="Oud product",
                duration=15,
                opening_hours=[
                    {"weekday": d, "start": "08:00", "end": "18:00", "counters": 1}
                    for d in range(7)
                ],
            )
            api.content.transition(product, to_state="published")
        day = datetime.now(AMS).date() + timedelta(days=2)
        for hour in (9, 10):
            start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=AMS)
            appointment, _token = appointments.book(
                product,
                {"start": start.isoformat(), "fullname": "Oud", "email": "o@ex.nl"},
            )
        appointments.cancel(appointment)
        # As before 1008: no rows, no permission, no role.
        folder = portal["appointments"]
        IAnnotations(folder).pop(statistics.KEY)
        portal.manage_permission(statistics.VIEW_STATISTICS, [], acquire=True)
        portal.__ac_roles__ = tuple(
            r for r in portal.__ac_roles__ if r != statistics.TEAM_LEAD_ROLE
        )
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1007")
        setup_tool.upgradeProfile(f"{package_name}:default")
        assert statistics.TEAM_LEAD_ROLE in portal.validRoles()
        roles = {
            r["name"]
            for r in portal.rolesOfPermission(statistics.VIEW_STATISTICS)
            if r["selected"]
        }
        assert roles == {"Manager", "Site Administrator", statistics.TEAM_LEAD_ROLE}
        with api.env.adopt_roles(["Manager"]):
            found = figures.compute(portal, day, day)
        assert found["total"]["booked"] == 2
        assert found["total"]["cancelled"]["total"] == 1


class TestUpgradeTo1007:
    """A site of 1006 had no HTTP caching and gave anonymous visitors all of
    Plone's JavaScript."""

    def test_upgrade_installs_caching_and_keeps_the_bundle_from_anonymous(
        self, portal, setup_tool, package_name
    ):
        from plone.base.utils import get_installer
        from plone.registry.interfaces import IRegistry
        from zope.component import getUtility

        registry = getUtility(IRegistry)
        registry["plone.bundles/plone.expression"] = ""
        registry["plone.caching.interfaces.ICacheSettings.enabled"] = False
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1006")
        setup_tool.upgradeProfile(f"{package_name}:default")
        assert setup_tool.getLastVersionForProfile(f"{package_name}:default") == (
            "1009",
        )
        assert get_installer(portal).is_product_installed("plone.app.caching")
        assert registry["plone.caching.interfaces.ICacheSettings.enabled"] is True
        assert registry["plone.bundles/plone.expression"] == (
            "python: member is not None"
        )
        assert registry["plone.bundles/plone.jscompilation"] == (
            "++plone++static/bundle-plone/bundle.min.js"
        )


class TestUpgradeTo1009:
    """A site of 1008 rendered the product page for every anonymous visitor."""

    def test_upgrade_caches_the_anonymous_product_page(
        self, portal, setup_tool, package_name
    ):
        from plone.registry.interfaces import IRegistry
        from zope.component import getUtility

        registry = getUtility(IRegistry)
        prefix = "plone.app.caching.weakCaching.collective.digitalebalie.productPage"
        mapping_name = "plone.caching.interfaces.ICacheSettings.operationMapping"
        mapping = dict(registry[mapping_name])
        mapping.pop("collective.digitalebalie.productPage")
        registry[mapping_name] = mapping
        for name in (f"{prefix}.etags", f"{prefix}.ramCache"):
            del registry.records[name]
        # What an administrator chose since stays as it is.
        enabled = "plone.caching.interfaces.ICacheSettings.enabled"
        item_ram = "plone.app.caching.weakCaching.plone.content.itemView.ramCache"
        registry[enabled] = False
        registry[item_ram] = True
        setup_tool.setLastVersionForProfile(f"{package_name}:default", "1008")
        setup_tool.upgradeProfile(f"{package_name}:default")
        assert setup_tool.getLastVersionForProfile(f"{package_name}:default") == (
            "1009",
        )
        assert registry[mapping_name]["collective.digitalebalie.productPage"] == (
            "plone.app.caching.weakCaching"
        )
        assert registry[mapping_name]["plone.resource"] == (
            "plone.app.caching.strongCaching"
        )
        assert registry[f"{prefix}.ramCache"] is True
        assert "digitalebalie.freeTimes" in registry[f"{prefix}.etags"]
        assert "anonymousOrRandom" in registry[f"{prefix}.etags"]
        assert registry[enabled] is False
        assert registry[item_ram] is True
