"""The dossier workflow: preconditions, dates, read-only archive, audit."""

from collective.digitalebalie import appointments
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.events import PreconditionFailed
from collective.digitalebalie.dossiers.preconditions import IClosePrecondition
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from plone import api
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.file import NamedBlobFile
from zope.component import getAdapter
import pytest


EVERY_DAY = [
    {"weekday": d, "start": "08:00", "end": "18:00", "counters": 2} for d in range(7)
]


@pytest.fixture
def dossier(portal):
    from plone.app.testing import TEST_USER_ID
    from plone.app.testing import setRoles

    setRoles(portal, TEST_USER_ID, ["Manager"])
    if True:
        product = api.content.create(
            container=portal,
            type="CounterProduct",
            title="Paspoort",
            duration=30,
            min_notice_hours=0,
            opening_hours=EVERY_DAY,
            case_type="paspoort",
        )
        api.content.transition(product, to_state="published")
        day = datetime.now(AMS).date() + timedelta(days=1)
        start = datetime(day.year, day.month, day.day, 10, tzinfo=AMS)
        appointment, _token = appointments.book(
            product,
            {"start": start.isoformat(), "fullname": "Fatima", "email": "f@example.nl"},
        )
        yield dossiers.of(appointment)


def add_document(dossier, scan):
    return createContentInContainer(
        dossier,
        "DossierDocument",
        checkConstraints=False,
        id=f"doc-{scan}",
        title=f"{scan}.pdf",
        file=NamedBlobFile(data=b"%PDF-1.4", filename=f"{scan}.pdf"),
        sha256="0" * 64,
        kind="pdf",
        scan=scan,
        uploaded_by="citizen",
    )


def transition(dossier, name):
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(dossier, transition=name)


def test_new_dossier_facts(dossier):
    assert api.content.get_state(dossier) == "dossier-state-open"
    assert dossier.case_type == "paspoort"
    assert dossier.subject == "Paspoort"
    assert len(dossier.appointment_ids) == 1
    assert dossier.opened is not None
    assert "Fatima" not in dossier.Title()


def test_precondition_is_a_named_adapter(dossier):
    check = getAdapter(dossier, IClosePrecondition, name="documents-scanned")
    assert check.problems() == []
    add_document(dossier, "unscanned")
    assert "unscanned.pdf" in str(check.problems()[0].mapping["names"])


@pytest.mark.parametrize("scan", ["unscanned", "infected"])
def test_no_closing_with_an_unclean_document(dossier, scan):
    add_document(dossier, scan)
    transition(dossier, "dossier-transition-start")
    with pytest.raises(PreconditionFailed):
        transition(dossier, "dossier-transition-close")
    assert api.content.get_state(dossier) == "dossier-state-in-progress"


def test_close_archive_sets_dates_and_is_read_only(dossier):
    add_document(dossier, "clean")
    dossier.retention_years = 2
    transition(dossier, "dossier-transition-start")
    transition(dossier, "dossier-transition-wait")
    transition(dossier, "dossier-transition-resume")
    transition(dossier, "dossier-transition-close")
    assert dossier.closed is not None
    transition(dossier, "dossier-transition-archive")
    assert api.content.get_state(dossier) == "dossier-state-archived"
    assert dossier.destroy_after == dossier.archived.date() + timedelta(days=730)
    with api.env.adopt_roles(["Manager"]):
        for permission in (
            "Modify portal content",
            "collective.digitalebalie: Add Dossier",
            "Delete objects",
        ):
            assert not api.user.has_permission(permission, obj=dossier), permission
        assert api.user.has_permission("View", obj=dossier)
    actions = [entry[2] for entry in audit.entries(dossier)]
    assert actions[0] == "opened"
    assert actions.count("state") == 5


def test_closed_dossier_is_not_joined_by_a_new_appointment(dossier, portal):
    transition(dossier, "dossier-transition-close")
    if True:
        product = api.content.get(UID=dossier.product_uid)
        day = datetime.now(AMS).date() + timedelta(days=2)
        start = datetime(day.year, day.month, day.day, 11, tzinfo=AMS)
        appointment, _token = appointments.book(
            product,
            {"start": start.isoformat(), "fullname": "Fatima", "email": "f@example.nl"},
        )
    assert dossiers.of(appointment) is not dossier
