"""The old home of the booking code, kept so that old import paths work.

``DayBookings`` must stay importable here for ever: the ZODB pickles of
product ledgers written before 1.0 name ``collective.digitalebalie.appointments``.
New code imports from ``collective.digitalebalie.booking`` (``actions``,
``store``, ``links``, ``input``), ``errors`` and ``settings``.
"""

from collective.digitalebalie.booking.actions import ProductRules
from collective.digitalebalie.booking.actions import book
from collective.digitalebalie.booking.actions import cancel
from collective.digitalebalie.booking.actions import date_in_words
from collective.digitalebalie.booking.actions import ensure_bookable
from collective.digitalebalie.booking.actions import reschedule
from collective.digitalebalie.booking.input import MAX_NOTES
from collective.digitalebalie.booking.input import check_range
from collective.digitalebalie.booking.input import clean_booking_data
from collective.digitalebalie.booking.input import e164
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.booking.input import parse_range
from collective.digitalebalie.booking.input import parse_start
from collective.digitalebalie.booking.links import TOKEN_BYTES
from collective.digitalebalie.booking.links import TOKENS_KEY
from collective.digitalebalie.booking.links import find_by_token
from collective.digitalebalie.booking.links import hash_token
from collective.digitalebalie.booking.links import token_index
from collective.digitalebalie.booking.person_limit import check_person_limit
from collective.digitalebalie.booking.store import CANCELLED_KEY
from collective.digitalebalie.booking.store import FOLDER_ID
from collective.digitalebalie.booking.store import LEDGER_KEY
from collective.digitalebalie.booking.store import DayBookings
from collective.digitalebalie.booking.store import appointments_folder
from collective.digitalebalie.booking.store import booked_intervals
from collective.digitalebalie.booking.store import cancelled_listing
from collective.digitalebalie.booking.store import ensure_appointments_folder
from collective.digitalebalie.booking.store import forget_cancelled
from collective.digitalebalie.booking.store import forget_ledger
from collective.digitalebalie.booking.store import listing
from collective.digitalebalie.booking.store import note_cancelled
from collective.digitalebalie.booking.store import product_of
from collective.digitalebalie.booking.store import release
from collective.digitalebalie.errors import BookingError
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.errors import NotBookable
from collective.digitalebalie.errors import NotFound
from collective.digitalebalie.errors import SlotUnavailable
from collective.digitalebalie.errors import TooManyBookings
from collective.digitalebalie.errors import UserError
from collective.digitalebalie.errors import WrongState
from collective.digitalebalie.limits import ChallengeRequired
from collective.digitalebalie.settings import link_days
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.settings import site_timezone


__all__ = [
    "CANCELLED_KEY",
    "FOLDER_ID",
    "LEDGER_KEY",
    "MAX_NOTES",
    "TOKENS_KEY",
    "TOKEN_BYTES",
    "BookingError",
    "ChallengeRequired",
    "DayBookings",
    "InvalidInput",
    "NotBookable",
    "NotFound",
    "ProductRules",
    "SlotUnavailable",
    "TooManyBookings",
    "UserError",
    "WrongState",
    "appointments_folder",
    "book",
    "booked_intervals",
    "cancel",
    "cancelled_listing",
    "check_person_limit",
    "check_range",
    "clean_booking_data",
    "date_in_words",
    "e164",
    "ensure_appointments_folder",
    "ensure_bookable",
    "find_by_token",
    "forget_cancelled",
    "forget_ledger",
    "hash_token",
    "link_days",
    "listing",
    "note_cancelled",
    "now_utc",
    "parse_day",
    "parse_range",
    "parse_start",
    "product_of",
    "release",
    "reschedule",
    "site_timezone",
    "token_index",
]
