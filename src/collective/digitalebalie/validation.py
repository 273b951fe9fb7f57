"""Checks of what people type: names, e-mail addresses, telephone numbers, form values.

Pure functions (no Plone): each returns the clean value or raises ``Refused``
with a message for the field; the callers turn that into their own errors.
"""

from collective.digitalebalie import _
import email_validator
import phonenumbers
import re
import unicodedata


# Bidirectional embeddings, overrides and isolates: they make a name read
# differently from what is stored (U+202A-U+202E, U+2066-U+2069).
BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
# Characters that show nothing: a name of only these is no name.
INVISIBLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u180e\u200b\u200c\u200d\u200e")
INVISIBLE |= frozenset("\u200f\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0")
# An RFC 2047 encoded word: mail programs decode it inside a header.
_ENCODED_WORD = re.compile(r"=\?.*\?=", re.DOTALL)
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()-]{6,20}$")


class Refused(ValueError):
    """A value that can never be right; ``message`` says why, for the field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def is_clean_text(value):
    """True when the text holds no control character, lone surrogate or bidi control."""
    return not any(
        unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS
        for char in value
    )


def name(value, max_length=200):
    """A person's name on one line, spaces collapsed; "" when none was given."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(_("Must be text."))
    if not is_clean_text(value) or _ENCODED_WORD.search(value):
        raise Refused(_("The name holds characters that are not allowed."))
    value = " ".join(value.split())
    if not any(char not in INVISIBLE and not char.isspace() for char in value):
        return ""
    if max_length is not None and len(value) > max_length:
        raise Refused(_("Use at most ${max} characters.", mapping={"max": max_length}))
    return value


def email(value):
    """One e-mail address (no display name, no list), as it can be stored and used."""
    if not isinstance(value, str) or not is_clean_text(value) or "," in value:
        raise Refused(_("Fill in a valid e-mail address, like name@example.nl."))
    try:
        # Mail headers here are ASCII: an internationalised domain is kept
        # in its ASCII (punycode) form; a non-ASCII local part is refused.
        result = email_validator.validate_email(
            value.strip(), check_deliverability=False, allow_smtputf8=False
        )
    except email_validator.EmailNotValidError:
        raise Refused(
            _("Fill in a valid e-mail address, like name@example.nl.")
        ) from None
    if "." not in result.ascii_domain:
        raise Refused(_("Fill in a valid e-mail address, like name@example.nl."))
    return result.ascii_email


def phone(number, country_code="31"):
    """A telephone number in E.164 form (+31612345678), or None when it is not one.

    Numbers without a country code are taken as numbers of that country.
    """
    region = phonenumbers.region_code_for_country_code(int(country_code))
    if not isinstance(number, str) or not _PHONE_CHARACTERS.match(number):
        return None
    typed = number.replace("(0)", "")  # +31 (0)6 ...: the 0 is not dialled
    if re.sub(r"[ ()-]", "", typed).startswith("00"):
        typed = "+" + re.sub(r"[ ()-]", "", typed)[2:]
    if "+" in typed[1:]:
        return None
    try:
        parsed = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(number):
    """True when an E.164 number (from ``phone``) can receive text messages."""
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def one_value(form, key, default=""):
    """The single text value of a form or query field (``default`` when absent).

    ``?q=a&q=b`` and ``?q:int=1`` give a list or a number: refused.
    """
    value = form.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise Refused(_("Give this field once, as text."), key)
    return value
