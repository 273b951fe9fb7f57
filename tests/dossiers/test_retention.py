"""Retention: destruction after a manager's approval; old personal data removed."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from helpers import JSON
from helpers import at
from helpers import book
from helpers import tomorrow
from plone import api
import pytest
import transaction


@pytest.fixture
def site(functional, browser, browser_as, make_product, make_team):
    team = make_team("burgerzaken", "anna")
    product = make_product(teams=["burgerzaken"], title="Paspoort")
    token = book(
        browser, product, at(tomorrow(), "10:00"), fullname="Jan de Vries"
    ).json()["token"]
    portal = functional["portal"]
    return {
        "portal": portal,
        "token": token,
        "anna": team["anna"],
        "manager": browser_as("Manager", language="en"),
    }


def the_appointment(site):
    transaction.begin()
    from collective.digitalebalie import appointments

    with api.env.adopt_roles(["Manager"]):
        return appointments.find_by_token(site["token"])


def job(browser):
    response = browser.post(
        "@@digitalebalie-retention",
        headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
    )
    assert response.status_code == 200, response.text
    return response.json()


def archive_past_retention(site):
    from collective.digitalebalie.dossiers import dossiers

    appointment = the_appointment(site)
    dossier = dossiers.of(appointment)
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(dossier, transition="dossier-transition-close")
        api.content.transition(dossier, transition="dossier-transition-archive")
    dossier.destroy_after = datetime.now(UTC).date() - timedelta(days=1)
    transaction.commit()
    return (
        appointment.absolute_url(),
        f"{site['portal'].absolute_url()}/dossiers/{dossier.getId()}",
    )


def test_destroyed_only_after_approval(browser, site):
    appointment_url, dossier_url = archive_past_retention(site)
    assert job(browser) == {
        "due": 1,
        "destroyed": 0,
        "anonymized": 0,
        "messages_removed": 0,
    }
    assert site["anna"].get(dossier_url).status_code == 200  # still there
    # The job refuses callers without its key.
    assert browser.post(
        "@@digitalebalie-retention", allow_redirects=False
    ).status_code in (
        302,
        401,
        403,
    )
    manager = site["manager"]
    page = manager.get("@@dossier-retention")
    soup = BeautifulSoup(page.text, "html.parser")
    box = soup.find("input", attrs={"name": "approve:list"})
    authenticator = soup.find("input", attrs={"name": "_authenticator"})["value"]
    response = manager.post(
        "@@dossier-retention",
        data={"_authenticator": authenticator, "approve:list": box["value"]},
    )
    assert "will be destroyed" in response.text
    result = job(browser)
    assert (result["due"], result["destroyed"]) == (0, 1)
    assert manager.get(dossier_url, allow_redirects=False).status_code == 404
    # The appointment stays for statistics, without personal data; its link ends.
    page = manager.get(appointment_url).text
    assert "Jan de Vries" not in page and "fatima@example.nl" not in page
    assert browser.get(f"@appointment/{site['token']}", headers=JSON).status_code == 404


def test_approval_needs_the_form_token_and_a_manager(browser, site):
    archive_past_retention(site)
    assert site["anna"].get(
        "@@dossier-retention", allow_redirects=False
    ).status_code in (
        302,
        401,
        403,
    )
    response = site["manager"].post("@@dossier-retention", data={"approve:list": "x"})
    assert response.status_code == 403
    assert job(browser)["destroyed"] == 0


def test_personal_data_of_old_appointments_without_dossier(browser, site):
    appointment = the_appointment(site)
    # As if booked before dossiers existed.
    site["portal"]["dossiers"]._delObject(appointment.dossier_id)
    appointment.dossier_id = None
    transaction.commit()
    assert job(browser)["anonymized"] == 0  # the appointment is tomorrow
    appointment = the_appointment(site)
    appointment.end = datetime.now(UTC) - timedelta(days=31)
    transaction.commit()
    assert job(browser)["anonymized"] == 1
    assert browser.get(f"@appointment/{site['token']}", headers=JSON).status_code == 404
    transaction.begin()
    assert appointment.fullname == "(verwijderd)" and appointment.email == ""
    assert job(browser)["anonymized"] == 0  # once


def test_untouched_dossiers_links_and_old_messages_go(browser, site):
    from collective.digitalebalie.integrations import outbox

    appointment = the_appointment(site)
    appointment.end = datetime.now(UTC) - timedelta(days=31)
    for item in outbox.outbox().values():
        item.created = datetime.now(UTC) - timedelta(days=31)
        item.sent = datetime.now(UTC) - timedelta(days=31)
    transaction.commit()
    # The citizen's link has stopped working.
    assert browser.get(f"@appointment/{site['token']}", headers=JSON).status_code == 404
    result = job(browser)
    assert result["destroyed"] == 1  # the dossier nobody worked on
    assert result["messages_removed"] >= 1  # the sent confirmation
    transaction.begin()
    assert appointment.fullname == "(verwijderd)"
    assert not [m for m in outbox.outbox().values() if "fatima" in m.mto]
