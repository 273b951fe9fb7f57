from bs4 import BeautifulSoup
from collective.digitalebalie.testing import FUNCTIONAL_TESTING
from collective.digitalebalie.testing import INTEGRATION_TESTING
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

PASSWORD = "a-Long-test-password-1"


@pytest.fixture(scope="session")
def package_name() -> str:
    return "collective.digitalebalie"


class Browser(requests.Session):
    """A requests session bound to the test site's URL, with form helpers."""

    def __init__(self, portal_url, language=None):
        super().__init__()
        self.portal_url = portal_url
        if language:
            self.headers["Accept-Language"] = language

    def request(self, method, url, *args, **kwargs):
        if not url.startswith("http"):
            url = f"{self.portal_url}/{url.lstrip('/')}"
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, *args, **kwargs)

    def form_values(self, response, form_id):
        """The values a browser would submit for the form with this id."""
        soup = BeautifulSoup(response.text, "html.parser")
        form = soup.find("form", id=form_id)
        assert form is not None, f"form {form_id!r} not on {response.url}"
        values = {}
        for field in form.find_all(["input", "select", "textarea"]):
            name = field.get("name")
            if not name or field.get("type") in ("submit", "button"):
                continue
            if field.get("type") in ("checkbox", "radio") and not field.has_attr(
                "checked"
            ):
                continue
            if field.name == "select":
                selected = field.find("option", selected=True)
                values[name] = selected.get("value") if selected else ""
            elif field.name == "textarea":
                values[name] = field.text
            else:
                values[name] = field.get("value", "")
        return values


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


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """A real instance (FileStorage, waitress with 4 threads) with the demo site."""
    from live import Launcher
    from live import clean_env
    from live import free_port

    launcher = Launcher(
        tmp_path_factory.mktemp("live"),
        free_port(),
        clean_env(ADMIN_PASSWORD="live-Admin-pw"),
    )
    launcher.wait_ready(timeout=300)
    launcher.admin = ("admin", "live-Admin-pw")
    yield launcher
    launcher.stop()
