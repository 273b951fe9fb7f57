"""Interfaces and the settings schema of collective.digitalebalie."""

from collective.digitalebalie import _
from collective.digitalebalie import colours
from collective.digitalebalie.integrations import addresses
from collective.digitalebalie.integrations.levels import DIGID_LEVELS
from plone.autoform import directives
from plone.supermodel import model
from z3c.form.browser.checkbox import CheckBoxFieldWidget
from zope import schema
from zope.i18nmessageid import Message
from zope.interface import Interface
from zope.publisher.interfaces.browser import IDefaultBrowserLayer
import ipaddress
import math
import re


class IDigitaleBalieLayer(IDefaultBrowserLayer):
    """Marker for the browser layer: every view and service is registered for it."""


class InvalidSender(schema.ValidationError):
    __doc__ = _("Use at most 11 letters and digits, without spaces.")


def _sender_ok(value):
    if not (value.isascii() and value.isalnum() and len(value) <= 11):
        raise InvalidSender(value)
    return True


class InvalidRsin(schema.ValidationError):
    __doc__ = _("An RSIN has 9 digits.")


def _rsin_ok(value):
    if not (value.isdigit() and len(value) == 9):
        raise InvalidRsin(value)
    return True


def _checked(check, error):
    """A field constraint: ``check(value)`` holds, or the field shows ``error``'s text."""

    def constraint(value):
        if not check(value):
            raise error(value)
        return True

    return constraint


class NotEncrypted(schema.ValidationError):
    __doc__ = _(
        "Use an address that starts with https:// (http:// only on this machine)."
    )


_encrypted_address = _checked(addresses.encrypted_or_local, NotEncrypted)


class NotSecureSocket(schema.ValidationError):
    __doc__ = _("Use an address that starts with wss:// (ws:// only on this machine).")


_secure_socket_address = _checked(addresses.secure_socket_or_local, NotSecureSocket)


class InvalidClamdAddress(schema.ValidationError):
    __doc__ = _(
        "Type the address of the virus scanner as unix:///path/to/clamd.ctl "
        "or tcp://host:port, for example tcp://127.0.0.1:3310."
    )


_clamd_address = _checked(addresses.clamd_address_ok, InvalidClamdAddress)


class InvalidIceServer(schema.ValidationError):
    __doc__ = _(
        "Type each server as stun: or turn: and the address, for example "
        "turn:turn.example.nl:3478."
    )


_ice_server = _checked(addresses.ice_server_ok, InvalidIceServer)


class InvalidNetwork(schema.ValidationError):
    __doc__ = _("Type an IP address or a network, for example 10.0.0.0/8.")


def _network_ok(value):
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise InvalidNetwork(value) from None
    return True


class InvalidXmppDomain(schema.ValidationError):
    __doc__ = _("Type a domain name, for example meet.example.nl, or *.")


def _xmpp_domain_ok(value):
    value = value.strip()
    labels = value.split(".")
    return value == "*" or (
        len(value) <= 253
        and all(
            re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label, re.IGNORECASE)
            for label in labels
        )
    )


_xmpp_domain = _checked(_xmpp_domain_ok, InvalidXmppDomain)


class InvalidColour(schema.ValidationError):
    __doc__ = _("Type a colour as # and 6 characters 0-9 or a-f, for example #00557f.")


class LowContrast(schema.ValidationError):
    """A colour with too little contrast; the message says how much it has."""

    message = None

    def __init__(self, value, ratio):
        super().__init__(value)
        # Rounded down: 4.47 must not read as 4.5.
        self.ratio = f"{math.floor(ratio * 10) / 10:.1f}"

    def doc(self):
        return Message(self.message, mapping={"ratio": self.ratio})


class PrimaryTooLight(LowContrast):
    message = _(
        "White text on this colour is hard to read: the contrast is ${ratio}:1, "
        "it must be at least 4.5:1. Choose a darker colour."
    )


class FocusTooDark(LowContrast):
    message = _(
        "Black text on this colour is hard to read: the contrast is ${ratio}:1, "
        "it must be at least 4.5:1. Choose a lighter colour."
    )


def _primary_ok(value):
    if not colours.is_hex(value):
        raise InvalidColour(value)
    ratio = colours.contrast(value, colours.WHITE)
    if ratio < colours.MIN_TEXT_CONTRAST:
        raise PrimaryTooLight(value, ratio)
    return True


def _focus_ok(value):
    if not colours.is_hex(value):
        raise InvalidColour(value)
    ratio = colours.contrast(value, colours.FOCUS_TEXT)
    if ratio < colours.MIN_TEXT_CONTRAST:
        raise FocusTooDark(value, ratio)
    return True


class IDigitaleBalieSettings(model.Schema):
    """Settings an administrator edits in the "Digitale Balie" control panel.

    Later features add their own fieldsets (mail, SMS, virus scanner, payments,
    identity, archive). Secrets are not part of this schema: see
    ``IDigitaleBalieSecrets``.
    """

    municipality_name = schema.TextLine(
        title=_("Name of the municipality"),
        description=_(
            "Shown to citizens in pages, e-mails and text messages, "
            "for example: Gemeente Rotterdam."
        ),
        default="Gemeente Voorbeeld",
        required=True,
        max_length=120,
    )

    timezone = schema.Choice(
        title=_("Time zone"),
        description=_("Opening hours and appointment times are in this time zone."),
        vocabulary="collective.digitalebalie.Timezones",
        default="Europe/Amsterdam",
        required=True,
    )

    model.fieldset(
        "house_style",
        label=_("House style"),
        fields=["primary_color", "focus_color"],
    )

    primary_color = schema.TextLine(
        title=_("Main colour"),
        description=_(
            "For buttons and links on the pages for citizens. Buttons have white "
            "text, so the colour must be dark enough. For example #00557f. The "
            "logo is set in Site Setup, Site."
        ),
        default="#00557f",
        required=True,
        max_length=7,
        constraint=_primary_ok,
    )

    focus_color = schema.TextLine(
        title=_("Focus colour"),
        description=_(
            "Shows where you are when you use the keyboard. With a black line "
            "around it, so the colour must be light enough. For example #ffbf47."
        ),
        default="#ffbf47",
        required=True,
        max_length=7,
        constraint=_focus_ok,
    )

    model.fieldset(
        "video",
        label=_("Video"),
        fields=[
            "video_provider",
            "room_server_url",
            "room_opens_minutes_before",
            "room_closes_minutes_after",
            "walk_in_long_wait_minutes",
            "stun_urls",
            "turn_urls",
            "turn_credential_minutes",
            "jitsi_url",
            "jitsi_app_id",
            "jitsi_audience",
            "jitsi_subject",
            "livekit_url",
            "livekit_api_key",
            "livekit_meet_url",
        ],
    )

    video_provider = schema.Choice(
        title=_("Video engine"),
        description=_(
            "The built-in rooms need only the room server and a TURN server. "
            "Jitsi Meet and LiveKit are servers of their own: fill in their "
            "address and key below, and their secret on the secrets page."
        ),
        vocabulary="collective.digitalebalie.VideoProviders",
        default="builtin",
        required=True,
    )

    jitsi_url = schema.URI(
        title=_("Address of the Jitsi Meet server"),
        description=_("For example https://meet.example.nl"),
        required=False,
        constraint=_encrypted_address,
    )

    jitsi_app_id = schema.TextLine(
        title=_("Jitsi app id"),
        description=_(
            "The app id of the Jitsi server's token authentication (JWT_APP_ID). "
            "Tokens carry it as issuer."
        ),
        required=False,
    )

    jitsi_audience = schema.TextLine(
        title=_("Jitsi token audience"),
        description=_("An audience the Jitsi server accepts (JWT_ACCEPTED_AUDIENCES)."),
        default="jitsi",
        required=False,
    )

    jitsi_subject = schema.TextLine(
        title=_("Jitsi XMPP domain"),
        description=_(
            "The token's subject (sub): the XMPP domain of the Jitsi server, "
            "checked when it verifies domains. Empty: the host name of the "
            "address above. * for any domain; meet.jitsi for docker-jitsi-meet."
        ),
        required=False,
        constraint=_xmpp_domain,
    )

    livekit_url = schema.URI(
        title=_("Address of the LiveKit server"),
        description=_("The web socket address, for example wss://livekit.example.nl"),
        required=False,
        constraint=_secure_socket_address,
    )

    livekit_api_key = schema.TextLine(title=_("LiveKit API key"), required=False)

    livekit_meet_url = schema.URI(
        title=_("Address of the LiveKit Meet page"),
        description=_(
            "The page that shows the call (LiveKit Meet, or your own build of it), "
            "for example https://meet.example.nl/custom"
        ),
        required=False,
        constraint=_encrypted_address,
    )

    room_server_url = schema.URI(
        title=_("Address of the room server"),
        description=_(
            "The web socket address browsers use to reach the room server, "
            "for example wss://balie.example.nl/rooms. "
            "The room server passes messages between the people in a video call."
        ),
        default="ws://127.0.0.1:8081/rooms",
        required=True,
        constraint=_secure_socket_address,
    )

    model.fieldset(
        "mail",
        label=_("Mail"),
        fields=["reminder_hours", "mail_capture_only"],
    )

    reminder_hours = schema.Int(
        title=_("Send a reminder this many hours before the appointment"),
        description=_("0 sends no reminders."),
        default=24,
        min=0,
        max=24 * 14,
        required=True,
    )

    mail_capture_only = schema.Bool(
        title=_("Keep mail and text messages in the outbox, do not send them"),
        description=_(
            "For a demo or a test site without a mail server: messages are "
            "kept on the outbox page (Site Setup) instead of sent. The mail "
            "server itself is set in Site Setup, Mail."
        ),
        default=False,
        required=False,
    )

    model.fieldset(
        "sms",
        label=_("Text messages"),
        fields=["sms_gateway", "sms_gateway_url", "sms_sender", "video_sms_minutes"],
    )

    sms_gateway = schema.Choice(
        title=_("SMS gateway"),
        description=_(
            "Text messages are sent only to citizens who gave a telephone "
            "number. The API key is on the secrets page."
        ),
        vocabulary="collective.digitalebalie.SmsGateways",
        default="none",
        required=True,
    )

    sms_gateway_url = schema.URI(
        title=_("Address of the SMS gateway"),
        description=_(
            "Empty: the provider's standard address "
            "(CM.com: https://gw.cmtelecom.com/v1.0/message). "
            "Required for the generic gateway."
        ),
        required=False,
        constraint=_encrypted_address,
    )

    sms_sender = schema.TextLine(
        title=_("Sender of text messages"),
        description=_("At most 11 letters and digits, for example Gemeente."),
        default="Gemeente",
        max_length=11,
        constraint=_sender_ok,
        required=True,
    )

    video_sms_minutes = schema.Int(
        title=_("Text message this many minutes before a video appointment"),
        description=_("With the link to the appointment. 0 sends none."),
        default=10,
        min=0,
        max=120,
        required=True,
    )

    model.fieldset(
        "documents",
        label=_("Documents"),
        fields=[
            "upload_types",
            "upload_max_mb",
            "clamd_address",
            "appointment_data_days",
        ],
    )

    directives.widget("upload_types", CheckBoxFieldWidget)
    upload_types = schema.List(
        title=_("Types of documents citizens and employees may upload"),
        description=_("Judged by the content of the file, not by its name."),
        value_type=schema.Choice(vocabulary="collective.digitalebalie.UploadTypes"),
        default=["pdf", "jpeg", "png", "heic", "docx", "odt"],
        required=True,
        min_length=1,
    )

    upload_max_mb = schema.Int(
        title=_("Largest document (MB)"),
        default=20,
        min=1,
        max=200,
        required=True,
    )

    clamd_address = schema.TextLine(
        title=_("Address of the virus scanner (clamd)"),
        description=_(
            "Every upload is scanned before it is stored; when the scanner "
            "cannot be reached, uploads are refused. For example "
            "unix:///run/clamav/clamd.ctl or tcp://127.0.0.1:3310."
        ),
        default="unix:///run/clamav/clamd.ctl",
        required=True,
        constraint=_clamd_address,
    )

    appointment_data_days = schema.Int(
        title=_(
            "Remove personal data of appointments without a dossier after this many days"
        ),
        description=_(
            "Counted from the end of the appointment. Also: citizens' links stop "
            "working, dossiers nobody worked on are removed, and sent mail and "
            "text messages leave the outbox. Dossiers that were worked on have "
            "their own retention period."
        ),
        default=30,
        min=1,
        max=3650,
        required=True,
    )

    model.fieldset(
        "payments",
        label=_("Payments"),
        fields=["payment_provider", "mollie_api_endpoint"],
    )

    payment_provider = schema.Choice(
        title=_("Payment provider"),
        description=_(
            "The built-in test provider takes no money: for the demo and for trying. "
            "For Mollie, the API key is on the secrets page."
        ),
        values=["test", "mollie"],
        default="test",
        required=True,
    )

    mollie_api_endpoint = schema.URI(
        title=_("Address of the Mollie API"),
        description=_("Empty: https://api.mollie.com"),
        required=False,
        constraint=_encrypted_address,
    )

    model.fieldset(
        "identity",
        label=_("DigiD"),
        fields=[
            "oidc_issuer",
            "oidc_client_id",
            "oidc_scope",
            "bsn_claim",
            "name_claim",
            "loa_claim",
        ],
    )

    oidc_issuer = schema.URI(
        title=_("Issuer of the DigiD broker (OpenID Connect)"),
        description=_(
            "For example https://broker.example.nl. The client secret is on the secrets page."
        ),
        required=False,
        constraint=_encrypted_address,
    )

    oidc_client_id = schema.TextLine(title=_("Client id at the broker"), required=False)

    oidc_scope = schema.TextLine(title=_("Scopes"), default="openid", required=True)

    bsn_claim = schema.TextLine(
        title=_("Claim with the BSN"), default="bsn", required=True
    )

    name_claim = schema.TextLine(
        title=_("Claim with the name"), default="name", required=True
    )

    loa_claim = schema.TextLine(
        title=_("Claim with the level of assurance"), default="acr", required=True
    )

    model.fieldset(
        "sso",
        label=_("Employee login (SSO)"),
        fields=[
            "sso_enabled",
            "sso_issuer",
            "sso_client_id",
            "sso_scope",
            "sso_userid_claim",
            "sso_groups_claim",
            "sso_employee_groups",
            "sso_sync_teams",
        ],
    )

    sso_enabled = schema.Bool(
        title=_("Employees may log in with the organisation's account (SSO)"),
        description=_(
            "Through OpenID Connect, for example Microsoft Entra ID or Keycloak. "
            "The normal Plone login keeps working. Citizens never log in here: "
            "they use DigiD. The client secret is on the secrets page."
        ),
        default=False,
        required=False,
    )

    sso_issuer = schema.URI(
        title=_("Issuer of the login service (OpenID Connect)"),
        description=_("For example https://login.example.nl/realms/gemeente"),
        required=False,
        constraint=_encrypted_address,
    )

    sso_client_id = schema.TextLine(
        title=_("Client id of this site at the login service"),
        required=False,
        max_length=200,
    )

    sso_scope = schema.TextLine(
        title=_("Scopes for the employee login"),
        description=_("Separated by spaces. openid is always asked."),
        default="openid profile email",
        required=True,
    )

    sso_userid_claim = schema.ASCIILine(
        title=_("Claim with the user name"),
        description=_(
            "For example sub, preferred_username or email. It becomes the user "
            "name in Plone; it must not be the name of an existing Plone user."
        ),
        default="sub",
        required=True,
        max_length=100,
    )

    sso_groups_claim = schema.ASCIILine(
        title=_("Claim with the groups or roles"),
        default="groups",
        required=True,
        max_length=100,
    )

    sso_employee_groups = schema.List(
        title=_("Groups that make someone a counter employee"),
        description=_(
            "One per line, as the login service names them. Members get the "
            "agenda. Empty: the login service decides nothing about this."
        ),
        value_type=schema.TextLine(),
        default=[],
        required=False,
    )

    sso_sync_teams = schema.Bool(
        title=_("Teams follow the groups of the login service"),
        description=_(
            "A group with the same name as a team makes the employee a member of "
            "that team; at every login the employee leaves teams the login "
            "service no longer names."
        ),
        default=False,
        required=False,
    )

    model.fieldset(
        "archive",
        label=_("Case system (ZGW)"),
        fields=[
            "zgw_enabled",
            "zaken_api_url",
            "documenten_api_url",
            "zgw_client_id",
            "rsin",
        ],
    )

    zgw_enabled = schema.Bool(
        title=_("Send closed dossiers to the case system"),
        description=_(
            "Through the ZGW APIs (Zaken and Documenten API, for example Open Zaak). "
            "The case type of a product is its zaaktype URL. The secret is on the "
            "secrets page."
        ),
        default=False,
        required=False,
    )

    zaken_api_url = schema.URI(
        title=_("Address of the Zaken API"),
        description=_("For example https://zaken.example.nl/zaken/api/v1"),
        required=False,
        constraint=_encrypted_address,
    )

    documenten_api_url = schema.URI(
        title=_("Address of the Documenten API"),
        description=_("For example https://documenten.example.nl/documenten/api/v1"),
        required=False,
        constraint=_encrypted_address,
    )

    zgw_client_id = schema.TextLine(
        title=_("Client id for the ZGW APIs"), required=False, max_length=200
    )

    rsin = schema.TextLine(
        title=_("RSIN of the municipality"),
        description=_("9 digits; the source organisation of cases and documents."),
        required=False,
        constraint=_rsin_ok,
    )

    walk_in_long_wait_minutes = schema.Int(
        title=_("Walk-in: offer a callback from this wait on (minutes)"),
        description=_(
            "When the estimated wait in a walk-in queue is this long or longer, "
            "a citizen may leave a telephone number and be called back instead."
        ),
        default=20,
        min=5,
        max=240,
        required=True,
    )

    room_opens_minutes_before = schema.Int(
        title=_("The video room opens this many minutes before the appointment"),
        default=15,
        min=0,
        max=240,
        required=True,
    )

    room_closes_minutes_after = schema.Int(
        title=_("The video room closes this many minutes after the end"),
        default=30,
        min=0,
        max=240,
        required=True,
    )

    stun_urls = schema.List(
        title=_("STUN servers"),
        description=_("One per line, for example stun:stun.example.nl:3478"),
        value_type=schema.TextLine(constraint=_ice_server),
        default=[],
        required=False,
    )

    turn_urls = schema.List(
        title=_("TURN servers"),
        description=_(
            "One per line, for example turn:turn.example.nl:3478?transport=udp. "
            "Credentials are made per participant with the TURN secret."
        ),
        value_type=schema.TextLine(constraint=_ice_server),
        default=[],
        required=False,
    )

    turn_credential_minutes = schema.Int(
        title=_("TURN credentials are valid for this many minutes"),
        default=120,
        min=5,
        max=24 * 60,
        required=True,
    )

    # --- DigiD: the level of assurance (issue 15) ---
    model.fieldset("identity", label=_("DigiD"), fields=["digid_loa"])

    digid_loa = schema.Choice(
        title=_("Level of assurance the DigiD login needs"),
        description=_(
            "A login at a lower level is refused. The claim with the level is "
            "set above (usually acr)."
        ),
        vocabulary="collective.digitalebalie.DigiDLevels",
        default=DIGID_LEVELS[1],
        required=True,
    )

    # --- eHerkenning for entrepreneurs (issue 18): integrations/eherkenning.py ---
    model.fieldset(
        "eherkenning",
        label=_("eHerkenning"),
        fields=[
            "eherkenning_issuer",
            "eherkenning_client_id",
            "eherkenning_scope",
            "eherkenning_legal_subject_claim",
            "eherkenning_acting_subject_claim",
            "eherkenning_branch_claim",
            "eherkenning_name_claim",
            "eherkenning_loa_claim",
        ],
    )

    eherkenning_issuer = schema.URI(
        title=_("Issuer of the eHerkenning broker (OpenID Connect)"),
        description=_(
            "For example https://broker.example.nl. The client secret is on the "
            "secrets page. The level of assurance is set per product."
        ),
        required=False,
        constraint=_encrypted_address,
    )

    eherkenning_client_id = schema.TextLine(
        title=_("Client id at the eHerkenning broker"), required=False
    )

    eherkenning_scope = schema.TextLine(
        title=_("Scopes at the eHerkenning broker"), default="openid", required=True
    )

    eherkenning_legal_subject_claim = schema.TextLine(
        title=_("Claim with the KVK number or RSIN"),
        description=_(
            "Its name qualifier says which: urn:etoegang:1.9:EntityConcernedID:KvKnr "
            "or urn:etoegang:1.9:EntityConcernedID:RSIN."
        ),
        default="urn:etoegang:core:LegalSubjectID",
        required=True,
    )

    eherkenning_acting_subject_claim = schema.TextLine(
        title=_("Claim with the person acting (a pseudonym)"),
        default="urn:etoegang:core:ActingSubjectID",
        required=True,
    )

    eherkenning_branch_claim = schema.TextLine(
        title=_("Claim with the branch number"),
        default="urn:etoegang:1.9:ServiceRestriction:Vestigingsnr",
        required=True,
    )

    eherkenning_name_claim = schema.TextLine(
        title=_("Claim with the company name"),
        default="urn:etoegang:1.11:attribute-represented:CompanyName",
        required=True,
    )

    eherkenning_loa_claim = schema.TextLine(
        title=_("Claim with the eHerkenning level of assurance"),
        default="acr",
        required=True,
    )

    # --- Limits against abuse of the booking (issue 15): see limits.py ---

    model.fieldset(
        "limits",
        label=_("Limits against abuse"),
        fields=[
            "booking_limits_enabled",
            "max_open_bookings_per_person",
            "bookings_per_address_per_hour",
            "trusted_proxies",
            "confirmation_mails_per_day",
        ],
    )

    booking_limits_enabled = schema.Bool(
        title=_("Limit bookings against abuse"),
        description=_(
            "The limits below. Switch them off only for a load test: then one "
            "person or one computer can book without limit."
        ),
        default=True,
        required=False,
    )

    max_open_bookings_per_person = schema.Int(
        title=_("Open appointments per e-mail address or telephone number"),
        description=_(
            "Per service. Who has this many appointments that have not started "
            "yet must first move or cancel one. Counter staff can always book."
        ),
        default=2,
        min=1,
        max=100,
        required=True,
    )

    bookings_per_address_per_hour = schema.Int(
        title=_("Bookings an hour from one internet address without a check"),
        description=_(
            "Above this, the browser first does a short computing task (about a "
            "second, no puzzle). Many people can share one address, for example "
            "in a library or on a mobile network."
        ),
        default=30,
        min=1,
        max=100000,
        required=True,
    )

    trusted_proxies = schema.List(
        title=_("Trusted proxies"),
        description=_(
            "Addresses or networks of the proxies in front of Plone, such as "
            "nginx, one per line (for example 127.0.0.1 or 10.0.0.0/8). Only "
            "for requests from these, the visitor's address is taken from "
            "X-Forwarded-For."
        ),
        value_type=schema.TextLine(constraint=_network_ok),
        default=[],
        required=False,
    )

    confirmation_mails_per_day = schema.Int(
        title=_("Confirmation e-mails a day to one address"),
        description=_(
            "Past this, a booking still succeeds, but no confirmation is sent "
            "to that address until the next day. The outbox shows why."
        ),
        default=5,
        min=1,
        max=10000,
        required=True,
    )


class IDigitaleBalieSecrets(Interface):
    """Secrets, generated at install. Kept out of every form and REST answer.

    Administrators can replace them in the control panel; they are never
    shown in full.
    """

    room_token_secret = schema.ASCIILine(
        title=_("Room token secret"),
        description=_(
            "Signs the tokens that admit people to a video room. "
            "The room server must use the same secret."
        ),
        required=False,
        default="",
    )

    turn_secret = schema.ASCIILine(
        title=_("TURN server secret"),
        description=_(
            "Shared with the TURN server (coturn use-auth-secret) to make "
            "short-lived relay credentials."
        ),
        required=False,
        default="",
    )

    sms_api_key = schema.ASCIILine(
        title=_("API key of the SMS gateway"),
        description=_(
            "For CM.com: the product token. For the generic gateway: sent as "
            "a Bearer token."
        ),
        required=False,
        default="",
    )

    mollie_api_key = schema.ASCIILine(
        title=_("Mollie API key"),
        description=_("Starts with live_ or test_."),
        required=False,
        default="",
    )

    oidc_client_secret = schema.ASCIILine(
        title=_("Client secret at the DigiD broker"), required=False, default=""
    )

    eherkenning_client_secret = schema.ASCIILine(
        title=_("Client secret at the eHerkenning broker"), required=False, default=""
    )

    sso_client_secret = schema.ASCIILine(
        title=_("Client secret for the employee login (SSO)"),
        required=False,
        default="",
    )

    identity_key = schema.ASCIILine(
        title=_("Key that encrypts identities"),
        description=_(
            "Encrypts the citizen service numbers stored with appointments. "
            "Replacing it makes stored identities unreadable."
        ),
        required=False,
        default="",
    )

    zgw_secret = schema.ASCIILine(
        title=_("Secret for the ZGW APIs"),
        description=_(
            "Signs the JWT (HS256) sent with every call to the case system, "
            "together with the client id."
        ),
        required=False,
        default="",
    )

    job_key = schema.ASCIILine(
        title=_("Key of the delivery job"),
        description=_(
            "The job that sends mail every minute (digitalebalie-jobs) shows "
            "this key to Plone."
        ),
        required=False,
        default="",
    )

    jitsi_app_secret = schema.ASCIILine(
        title=_("Jitsi app secret"),
        description=_("Signs the tokens for the Jitsi Meet server (JWT_APP_SECRET)."),
        required=False,
        default="",
    )

    livekit_api_secret = schema.ASCIILine(
        title=_("LiveKit API secret"),
        description=_("Signs the access tokens for the LiveKit server."),
        required=False,
        default="",
    )
