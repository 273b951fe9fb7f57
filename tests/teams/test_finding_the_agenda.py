"""Counter employees find their agenda: after logging in, in the toolbar and the user menu."""

from bs4 import BeautifulSoup
from helpers import PASSWORD
from helpers import Browser
import pytest


@pytest.fixture
def team(make_team):
    return make_team("burgerzaken", "anna")


def log_in(portal_url, login, came_from=None, referer=None):
    """Log in through Plone's login form as a browser does; returns the page
    the form leads to."""
    session = Browser(portal_url, "en")
    headers = {"Referer": referer} if referer else {}
    params = {"came_from": came_from} if came_from else {}
    form = session.get("login", params=params, headers=headers)
    values = session.form_values(form, "LoginForm")
    values.update({"__ac_name": login, "__ac_password": PASSWORD})
    values["buttons.login"] = "Log in"
    response = session.post("login", data=values)
    assert response.status_code == 200, response.text[:500]
    assert "__ac" in session.cookies
    return response


def test_employee_lands_on_the_agenda(portal_url, team):
    response = log_in(portal_url, "anna")
    assert response.url.startswith(f"{portal_url}/@@agenda")
    # Also from the home page's "Log in" link.
    response = log_in(portal_url, "anna", referer=f"{portal_url}/")
    assert response.url.startswith(f"{portal_url}/@@agenda")


def test_employee_who_came_for_another_page_goes_there(portal_url, team):
    wanted = f"{portal_url}/dossiers"
    response = log_in(portal_url, "anna", came_from=wanted)
    assert response.url.rstrip("/") == wanted


def test_others_keep_plones_landing(portal_url, make_user):
    make_user("redacteur", ["Editor"])
    response = log_in(portal_url, "redacteur")
    assert "@@agenda" not in response.url


def test_agenda_in_the_toolbar_and_the_user_menu(portal_url, team, make_user):
    session = team["anna"]
    soup = BeautifulSoup(session.get("").text, "html.parser")
    toolbar = soup.find(id="edit-zone")
    assert toolbar is not None
    links = [
        a
        for a in toolbar.find_all("a")
        if a.get("href", "").split("?")[0] == f"{portal_url}/@@agenda"
    ]
    # One in the toolbar's own entries, one in the user menu.
    assert len(links) == 2, [a.get("id") for a in links]
    assert all("Agenda" in a.text for a in links)
    personal = soup.find(id="collapse-personaltools")
    assert personal is not None and personal.find("a", href=f"{portal_url}/@@agenda")
    # Someone without an agenda gets no link to it.
    make_user("redacteur", ["Editor"])
    editor = Browser(portal_url, "en")
    editor.auth = ("redacteur", PASSWORD)
    assert "/@@agenda" not in editor.get("").text


def test_statistics_in_the_user_menu_of_those_who_may_see_them(
    portal_url, team, browser_as
):
    """Managers (and team leads) find the statistics in their user menu; a
    counter employee does not."""
    page = browser_as("Manager").get("").text
    personal = BeautifulSoup(page, "html.parser").find(id="collapse-personaltools")
    assert personal.find("a", href=f"{portal_url}/@@counter-statistics")
    assert "@@counter-statistics" not in team["anna"].get("").text
