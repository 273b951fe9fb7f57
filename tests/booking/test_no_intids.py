"""Appointments and dossiers get no intid (nothing links to them; it made a
booking a quarter slower), and one that still has an intid from before loses
it with the object, so a deleted appointment leaves the database for real."""

from collective.digitalebalie.booking import links
from collective.digitalebalie.dossiers import dossiers
from five.intid.keyreference import KeyReferenceToPersistent
from helpers import book_soon
from plone import api
from zope.component import getUtility
from zope.event import notify
from zope.intid.interfaces import IIntIds
from zope.lifecycleevent import ObjectModifiedEvent
import pytest
import transaction


@pytest.fixture
def booked(functional, browser, make_product):
    token, _start = book_soon(browser, make_product(), email="jan@example.nl")
    transaction.begin()
    appointment = links.find_by_token(token)
    return appointment, dossiers.of(appointment)


def registered(intids, obj):
    return KeyReferenceToPersistent(obj) in intids.ids


def test_a_booking_registers_no_intid(booked):
    appointment, dossier = booked
    intids = getUtility(IIntIds)
    assert dossier is not None
    assert not registered(intids, appointment)
    assert not registered(intids, dossier)
    assert intids.queryId(appointment) is None
    # An edit still goes through link integrity's listener, which finds none.
    with api.env.adopt_roles(["Manager"]):
        appointment.notes = "Brengt een tolk mee."
        notify(ObjectModifiedEvent(appointment))
    transaction.commit()
    assert not registered(getUtility(IIntIds), appointment)


def test_an_intid_from_before_goes_with_its_object(booked):
    appointment, dossier = booked
    intids = getUtility(IIntIds)
    # As five.intid registered every appointment and dossier before.
    for obj in (appointment, dossier):
        key = KeyReferenceToPersistent(obj)
        uid = intids._generateId()
        intids.refs[uid] = key
        intids.ids[key] = uid
    transaction.commit()
    assert registered(intids, appointment) and registered(intids, dossier)
    with api.env.adopt_roles(["Manager"]):
        api.content.delete(appointment, check_linkintegrity=False)
        api.content.delete(dossier, check_linkintegrity=False)
    transaction.commit()
    intids = getUtility(IIntIds)
    held = {ref.oid for ref in intids.refs.values()}
    assert appointment._p_oid not in held and dossier._p_oid not in held
    assert len(intids.ids) == len(intids.refs)
