"""A counter product: a service of the municipality a citizen can book."""

from Acquisition import aq_base
from collective.digitalebalie import _
from collective.digitalebalie.booking import rules
from collective.digitalebalie.content import households
from collective.digitalebalie.content.price import PriceLine
from collective.digitalebalie.content.price import validate_price
from collective.digitalebalie.integrations.levels import EHERKENNING_DEFAULT_LEVEL
from collective.digitalebalie.multilingual import LANGUAGE_INDEPENDENT_FIELDS
from collective.digitalebalie.multilingual import languageindependent
from collective.z3cform.datagridfield.row import DictRow
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.supermodel import model
from z3c.form.browser.checkbox import CheckBoxFieldWidget
from zope import schema
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.interface import Invalid
from zope.interface import implementer
from zope.interface import invariant
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


WEEKDAYS = SimpleVocabulary(
    [
        SimpleTerm(0, "0", _("Monday")),
        SimpleTerm(1, "1", _("Tuesday")),
        SimpleTerm(2, "2", _("Wednesday")),
        SimpleTerm(3, "3", _("Thursday")),
        SimpleTerm(4, "4", _("Friday")),
        SimpleTerm(5, "5", _("Saturday")),
        SimpleTerm(6, "6", _("Sunday")),
    ]
)

CHANNELS = SimpleVocabulary(
    [
        SimpleTerm("video", "video", _("Video call")),
        SimpleTerm("phone", "phone", _("Telephone")),
        SimpleTerm("counter", "counter", _("At the counter in the town hall")),
    ]
)

RULE_MESSAGES = {
    "weekday": _("Row ${row}: choose a day of the week."),
    "time_format": _(
        "Row ${row}: write the times as hours:minutes, for example 09:00."
    ),
    "end_before_start": _(
        "Row ${row}: the closing time must be after the opening time."
    ),
    "counters": _("Row ${row}: there must be at least 1 counter."),
    "overlap": _("Row ${row}: this period overlaps another period on the same day."),
    "date_format": _(
        "Row ${row}: write the dates as year-month-day, for example 2026-12-24."
    ),
    "closure_order": _("Row ${row}: the last day is before the first day."),
}


def rule_message(error, label):
    """One translated sentence for every problem of a RuleError."""
    request = getRequest()
    label = translate(label, context=request)
    problems = [
        translate(_(RULE_MESSAGES[code], mapping={"row": row}), context=request)
        for row, code, _message in error.errors
    ]
    return f"{label}: {' '.join(problems)}"


GRID = "collective.digitalebalie.browser.product_form.CounterGridFieldWidget"


class IOpeningHoursRow(model.Schema):
    weekday = schema.Choice(title=_("Day"), vocabulary=WEEKDAYS, required=True)
    start = schema.TextLine(
        title=_("Opens"), description=_("For example 09:00"), required=True
    )
    end = schema.TextLine(
        title=_("Closes"), description=_("For example 17:00"), required=True
    )
    counters = schema.Int(
        title=_("Counters"),
        description=_("How many appointments can take place at the same time."),
        default=1,
        required=True,
    )


class IWalkInHoursRow(model.Schema):
    weekday = schema.Choice(title=_("Day"), vocabulary=WEEKDAYS, required=True)
    start = schema.TextLine(
        title=_("From"), description=_("For example 09:00"), required=True
    )
    end = schema.TextLine(
        title=_("Until"), description=_("For example 12:00"), required=True
    )


class IClosureRow(model.Schema):
    start = schema.Date(title=_("First day"), required=True)
    end = schema.Date(title=_("Last day"), required=True)
    reason = schema.TextLine(title=_("Reason"), required=False, default="")


class IRequiredDocumentRow(model.Schema):
    document = schema.TextLine(title=_("Document"), required=True)
    explanation = schema.TextLine(title=_("Explanation"), required=False, default="")


class IFaqRow(model.Schema):
    question = schema.TextLine(title=_("Question"), required=True)
    answer = schema.Text(title=_("Answer"), required=True)


class ICounterProduct(model.Schema):
    """Schema of a counter product."""

    # How, when and by whom a product is served: the same in every translation.
    languageindependent(*LANGUAGE_INDEPENDENT_FIELDS)

    duration = schema.Int(
        title=_("Duration (minutes)"),
        description=_("How long one appointment takes, from 5 to 480 minutes."),
        min=5,
        max=480,
        default=15,
        required=True,
    )

    price = PriceLine(
        title=_("Price (euros)"),
        description=_("Leave empty when the service is free. Example: 24,50"),
        required=False,
        constraint=validate_price,
    )

    directives.widget("channels", CheckBoxFieldWidget)
    channels = schema.List(
        title=_("How the appointment can take place"),
        value_type=schema.Choice(vocabulary=CHANNELS),
        default=["video"],
        min_length=1,
        required=True,
    )

    directives.widget("teams", CheckBoxFieldWidget)
    # Which teams serve a product is internal: not in the public REST answer.
    directives.read_permission(teams="cmf.ModifyPortalContent")
    teams = schema.List(
        title=_("Teams that serve this product"),
        description=_(
            "Appointments go to the member of these teams with the fewest "
            "appointments that day. Only these teams (and managers) see them. "
            "A team is a group with the role Counter employee."
        ),
        value_type=schema.Choice(vocabulary="collective.digitalebalie.Teams"),
        default=[],
        required=False,
    )

    model.fieldset(
        "booking",
        label=_("Opening hours and booking"),
        fields=list(households.BOOKING_FIELDSET),
    )

    directives.widget(opening_hours=GRID)
    opening_hours = schema.List(
        title=_("Opening hours"),
        description=_(
            "One row per period. Use two rows on one day for a lunch break. "
            "Times are in the time zone of the municipality."
        ),
        value_type=DictRow(title=_("Period"), schema=IOpeningHoursRow),
        default=[],
        required=False,
    )

    directives.widget(closures=GRID)
    closures = schema.List(
        title=_("Closed"),
        description=_("Days without appointments, such as holidays. Both days count."),
        value_type=DictRow(title=_("Closure"), schema=IClosureRow),
        default=[],
        required=False,
    )

    min_notice_hours = schema.Int(
        title=_("Book at least this many hours ahead"),
        default=2,
        min=0,
        max=24 * 30,
        required=True,
    )

    max_days_ahead = schema.Int(
        title=_("Book at most this many days ahead"),
        default=60,
        min=1,
        max=366,
        required=True,
    )

    max_persons = schema.Int(
        title=_("At most this many people in one appointment"),
        description=households.PERSONS_HELP,
        default=1,
        min=1,
        max=households.MAX_PERSONS,
    )

    extra_minutes_per_person = schema.Int(
        title=_("Extra minutes for each more person"),
        description=households.EXTRA_HELP,
        default=0,
        min=0,
        max=240,
    )

    email_required = schema.Bool(
        title=_("An e-mail address is required"),
        description=households.EMAIL_HELP,
        default=True,
        required=False,
    )

    model.fieldset(
        "walk_in",
        label=_("Walk in (video)"),
        fields=["walk_in", "walk_in_hours", "walk_in_max_queue"],
    )

    walk_in = schema.Bool(
        title=_("Citizens can walk in without an appointment (video)"),
        description=_(
            "During the walk-in hours, while an employee of the product's teams "
            "is available, citizens can join a queue and talk to us now."
        ),
        default=False,
        required=False,
    )

    directives.widget(walk_in_hours=GRID)
    walk_in_hours = schema.List(
        title=_("Walk-in hours"),
        description=_("One row per period, in the time zone of the municipality."),
        value_type=DictRow(title=_("Period"), schema=IWalkInHoursRow),
        default=[],
        required=False,
    )

    walk_in_max_queue = schema.Int(
        title=_("At most this many citizens waiting"),
        default=20,
        min=1,
        max=500,
        required=True,
    )

    model.fieldset(
        "information",
        label=_("Information for citizens"),
        fields=[
            "required_documents",
            "faq",
            "identification",
            "eherkenning_loa",
            "case_type",
            "document_type",
            "final_status_type",
            "result_type",
            "result_explanation",
            "initiator_role_type",
            "usage_conditions",
        ],
    )

    directives.widget(required_documents=GRID)
    required_documents = schema.List(
        title=_("What to bring or upload"),
        value_type=DictRow(title=_("Document"), schema=IRequiredDocumentRow),
        default=[],
        required=False,
    )

    directives.widget(faq=GRID)
    faq = schema.List(
        title=_("Frequently asked questions"),
        value_type=DictRow(title=_("Question"), schema=IFaqRow),
        default=[],
        required=False,
    )

    identification = schema.Choice(
        title=_("Identification"),
        description=_(
            "How the citizen shows who they are before the video call: with "
            "DigiD (citizens), eHerkenning (entrepreneurs), or either (the "
            "citizen chooses on the appointment page)."
        ),
        vocabulary="collective.digitalebalie.IdentificationMethods",
        required=False,
        default=None,
    )

    eherkenning_loa = schema.Choice(
        title=_("Level of assurance the eHerkenning login needs"),
        description=_("A login at a lower level is refused."),
        vocabulary="collective.digitalebalie.EHerkenningLevels",
        default=EHERKENNING_DEFAULT_LEVEL,
        required=True,
    )

    # Before "Identification": true meant DigiD. Kept for the REST API (read
    # and written as before), not in the edit form.
    directives.omitted("requires_identification")
    requires_identification = schema.Bool(
        title=_("The citizen must identify (DigiD or ID document)"),
        default=False,
        required=False,
    )

    case_type = schema.TextLine(
        title=_("Case type"),
        description=_(
            "The case type in the case system, for archiving: its zaaktype URL "
            "when dossiers are sent to the case system (ZGW)."
        ),
        required=False,
    )

    document_type = schema.URI(
        title=_("Document type in the case system"),
        description=_(
            "The informatieobjecttype URL for the documents of this product."
        ),
        required=False,
    )

    final_status_type = schema.URI(
        title=_("Final status in the case system"),
        description=_("The statustype URL set when a dossier is archived."),
        required=False,
    )

    result_type = schema.URI(
        title=_("Result in the case system"),
        description=_(
            "The resultaattype URL of this product's zaaktype. The case system "
            "needs a result before the final status."
        ),
        required=False,
    )

    result_explanation = schema.TextLine(
        title=_("Explanation of the result"),
        description=_("Sent with the result, for example: Passport issued."),
        max_length=1000,
        required=False,
    )

    initiator_role_type = schema.URI(
        title=_("Initiator role in the case system"),
        description=_(
            "The roltype URL of this product's zaaktype whose generic description "
            "is initiator. A citizen who logged in with DigiD or an entrepreneur "
            "with eHerkenning is sent as the initiator of the zaak. Leave empty "
            "to send no initiator."
        ),
        required=False,
    )

    usage_conditions = schema.Text(
        title=_("Conditions of use of the documents"),
        description=_(
            "When filled in, the documents are sent to the case system with "
            "these conditions of use (gebruiksrechten). When empty, the "
            "documents are marked as having no conditions of use."
        ),
        required=False,
    )

    @invariant
    def valid_opening_hours(data):
        try:
            rules.parse_periods(getattr(data, "opening_hours", None) or [])
        except rules.RuleError as error:
            raise Invalid(rule_message(error, _("Opening hours"))) from None

    @invariant
    def valid_walk_in_hours(data):
        try:
            rules.parse_periods(getattr(data, "walk_in_hours", None) or [])
        except rules.RuleError as error:
            raise Invalid(rule_message(error, _("Walk-in hours"))) from None

    @invariant
    def valid_closures(data):
        try:
            rules.parse_closures(getattr(data, "closures", None) or [])
        except rules.RuleError as error:
            raise Invalid(rule_message(error, _("Closed"))) from None


IDENTIFICATION_METHODS = ("none", "digid", "eherkenning", "either")


def identification_method(product):
    """none, digid, eherkenning or either: the product's *Identification*.

    A product from before that setting has only requires_identification:
    true there means DigiD.
    """
    if product is None:
        return "none"
    value = getattr(product, "identification", None)
    if value in IDENTIFICATION_METHODS:
        return value
    stored = getattr(aq_base(product), "__dict__", {})
    if "requires_identification" in stored:
        return "digid" if stored["requires_identification"] else "none"
    if isinstance(product, CounterProduct):
        return "none"
    return "digid" if getattr(product, "requires_identification", False) else "none"


@implementer(ICounterProduct)
class CounterProduct(Item):
    """A counter product."""

    @property
    def requires_identification(self):
        """True when the product needs any identification (the REST API's old field)."""
        return identification_method(self) != "none"

    @requires_identification.setter
    def requires_identification(self, value):
        # Written by an old client: true is DigiD unless a method is chosen.
        current = identification_method(self)
        if value:
            self.identification = "digid" if current == "none" else current
        else:
            self.identification = "none"
        self.__dict__.pop("requires_identification", None)
