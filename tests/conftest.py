from collective.digitalebalie.testing import FUNCTIONAL_TESTING
from collective.digitalebalie.testing import INTEGRATION_TESTING
from helpers import PASSWORD
from helpers import Browser
from helpers import Inbox
from live import Launcher
from live import clean_env
from live import free_port
from pathlib import Path
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from pytest_plone import fixtures_factory
import pytest
import requests
import transaction


pytest_plugins = ["pytest_plone"]

globals().update(
    fixtures_factory(
        (
            (FUNCTIONAL_TESTING, "functional"),
            (INTEGRATION_TESTING, "integration"),
        )
    )
)

CLUSTER = Path(__file__).parent / "cluster"


def pytest_collection_modifyitems(config, items):
    """Markers by what a test needs, so `make test-quick` can leave them out:
    Chromium (browser), the cluster (cluster), a real instance started by the
    launcher (slow: minutes of start-up, shared by the tests of a session).
    Modules that start a launcher of their own set ``pytestmark`` themselves."""
    for item in items:
        if "chromium" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if CLUSTER in item.path.parents:
            item.add_marker(pytest.mark.cluster)
        if "live_site" in item.fixturenames:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def package_name() -> str:
    return "collective.digitalebalie"


@pytest.fixture
def portal_url(functional):
    return functional["portal"].absolute_url()


@pytest.fixture
def make_user(functional):
    """Create a user with site-wide roles; returns its login."""

    portal = functional["portal"]

    def make(username, roles):
        portal.acl_users.userFolderAddUser(username, PASSWORD, list(roles), [])
        transaction.commit()
        return username

    return make


@pytest.fixture
def browser(portal_url):
    """A browser without a login."""
    with Browser(portal_url) as session:
        yield session


@pytest.fixture
def browser_as(portal_url, make_user):
    """browser_as(roles) gives a browser logged in as a new user with these roles."""
    sessions = []

    def login(*roles, language=None):
        session = Browser(portal_url, language)
        if roles == ("Manager",):
            session.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        else:
            name = make_user("user-" + "-".join(r.lower() for r in roles), roles)
            session.auth = (name, PASSWORD)
        sessions.append(session)
        return session

    yield login
    for session in sessions:
        session.close()


@pytest.fixture
def make_team(functional, portal_url):
    """make_team(team_id, *user_ids): a team (group with the CounterEmployee role)
    and its members; returns {user id: logged-in Browser}."""
    from plone import api

    sessions = []

    def make(team_id, *user_ids):
        with api.env.adopt_roles(["Manager"]):
            if api.group.get(groupname=team_id) is None:
                api.group.create(
                    groupname=team_id, title=team_id.title(), roles=["CounterEmployee"]
                )
            result = {}
            for user_id in user_ids:
                if api.user.get(username=user_id) is None:
                    api.user.create(
                        username=user_id,
                        email=f"{user_id}@example.org",
                        password=PASSWORD,
                        properties={"fullname": user_id.title()},
                    )
                api.group.add_user(groupname=team_id, username=user_id)
                session = Browser(portal_url, "en")
                session.auth = (user_id, PASSWORD)
                sessions.append(session)
                result[user_id] = session
        transaction.commit()
        return result

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def limits_on(functional):
    """limits_on(**settings): the limits against abuse on (the test layer has
    them off), with these settings, and fresh per-address counters."""
    from collective.digitalebalie import limits
    from collective.digitalebalie.interfaces import IDigitaleBalieSettings
    from plone import api

    def switch(**settings):
        values = {"booking_limits_enabled": True, **settings}
        for name, value in values.items():
            api.portal.set_registry_record(
                name, value, interface=IDigitaleBalieSettings
            )
        transaction.commit()
        limits.reset_counters()

    yield switch
    limits.reset_counters()


EVERY_DAY = [
    {"weekday": day, "start": "08:00", "end": "18:00", "counters": 1}
    for day in range(7)
]


@pytest.fixture
def make_product(functional):
    """make_product(**fields): a published counter product; returns its URL."""
    from collective.digitalebalie.content.counter_product import ICounterProduct
    from plone import api

    portal = functional["portal"]
    counter = [0]

    def make(**fields):
        counter[0] += 1
        values = {
            "title": f"Product {counter[0]}",
            "duration": 30,
            "opening_hours": EVERY_DAY,
            "min_notice_hours": 2,
            "max_days_ahead": 60,
            "channels": ["video", "phone"],
        }
        values.update(fields)
        with api.env.adopt_roles(["Manager"]):
            product = api.content.create(
                container=portal, type="CounterProduct", **values
            )
            assert ICounterProduct.providedBy(product)
            api.content.transition(product, to_state="published")
        transaction.commit()
        return product.absolute_url()

    return make


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller
    from live import free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A real clamd (Debian's clamav-daemon) with only the EICAR test signature.

    freshclam cannot download here: the database holds the EICAR file's MD5
    (.hdb) and its text as a body signature anywhere in any file (.ndb), so a
    PDF carrying the EICAR text is found too. Yields the socket address.
    """
    from collective.digitalebalie.dossiers.scanner import write_test_clamd
    import shutil
    import subprocess
    import time

    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    directory = tmp_path_factory.mktemp("clamd")
    conf, address = write_test_clamd(directory)
    socket_path = directory / "clamd.sock"
    process = subprocess.Popen(
        [binary, "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        assert process.poll() is None, (directory / "clamd.log").read_text()
        assert time.monotonic() < deadline, "clamd did not start"
        time.sleep(0.2)
    yield address
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """A real instance (FileStorage, waitress with 4 threads) with the demo site."""
    launcher = Launcher(
        tmp_path_factory.mktemp("live"),
        free_port(),
        clean_env(ADMIN_PASSWORD="live-Admin-pw"),
    )
    launcher.wait_ready(timeout=300)
    launcher.admin = ("admin", "live-Admin-pw")
    # The browser tests of a session book the demo's products many times with
    # the same e-mail address from 127.0.0.1: no limits against abuse here
    # (the demo itself keeps them; tests/services/test_limits.py tests them).
    response = requests.patch(
        f"{launcher.site}/@controlpanels/digitalebalie",
        json={"booking_limits_enabled": False},
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        auth=launcher.admin,
        timeout=60,
    )
    assert response.status_code == 204, response.text
    yield launcher
    launcher.stop()
