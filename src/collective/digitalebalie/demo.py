"""Demo content: a counter folder, counter products and a demo counter employee.

Only for trying the product (``make start`` applies the ``demo`` profile).
Running it again changes nothing that exists.
"""

from collective.digitalebalie import logger
from collective.digitalebalie import multilingual
from collective.digitalebalie import teams
from collective.digitalebalie.browser import book_portlet
from collective.digitalebalie.dossiers import dossiers
from pathlib import Path
from plone import api
from plone.formwidget.namedfile.converter import b64encode_file
from plone.portlets.interfaces import IPortletAssignmentMapping
from plone.portlets.interfaces import IPortletManager
from zope.component import getMultiAdapter
from zope.component import getUtility
import os


FOLDER_ID = "balie"
TEAM_ID = "team-burgerzaken"
EMPLOYEE_ID = "medewerker"
# Two employees, so that the automatic assignment has a choice.
EMPLOYEES = ((EMPLOYEE_ID, "Demo Medewerker"), ("collega", "Demo Collega"))
DEFAULT_EMPLOYEE_PASSWORD = "balie-demo-2026"  # noqa: S105 - demo only, printed

WEEKDAYS_MORNING_AND_AFTERNOON = [
    row
    for day in range(5)
    for row in (
        {"weekday": day, "start": "09:00", "end": "12:30", "counters": 2},
        {"weekday": day, "start": "13:30", "end": "17:00", "counters": 2},
    )
]

PRODUCTS = (
    {
        "id": "uittreksel-brp",
        "title": "Uittreksel uit de Basisregistratie Personen",
        "description": "Een bewijs van waar u woont en wie u bent, "
        "bijvoorbeeld voor een werkgever of een woningcorporatie.",
        "duration": 10,
        "price": "17.10",
        "channels": ["video", "counter"],
        "opening_hours": WEEKDAYS_MORNING_AND_AFTERNOON,
        "requires_identification": True,
        "required_documents": [
            {"document": "Uw paspoort of identiteitskaart", "explanation": ""},
        ],
        "faq": [
            {
                "question": "Hoe snel krijg ik het uittreksel?",
                "answer": "Meteen na het gesprek, als pdf in uw e-mail.",
            },
        ],
        "case_type": "uittreksel-brp",
    },
    {
        "id": "verhuizing-doorgeven",
        "title": "Verhuizing doorgeven",
        "description": "U gaat in onze gemeente wonen of verhuist binnen de "
        "gemeente. Wij helpen u de verhuizing door te geven.",
        "duration": 20,
        "price": "",
        "channels": ["video", "phone"],
        "opening_hours": WEEKDAYS_MORNING_AND_AFTERNOON,
        "required_documents": [
            {
                "document": "Huurcontract of koopakte",
                "explanation": "Of een brief van de hoofdbewoner",
            },
        ],
        "case_type": "verhuizing",
    },
    {
        "id": "huwelijk-bespreken",
        "title": "Gesprek over uw huwelijk of geregistreerd partnerschap",
        "description": "U wilt trouwen of een geregistreerd partnerschap "
        "aangaan. Wij bespreken met u de datum, de getuigen en de papieren.",
        "duration": 45,
        "price": "",
        "channels": ["video", "counter"],
        "opening_hours": [
            {"weekday": day, "start": "09:00", "end": "16:00", "counters": 1}
            for day in (1, 3)
        ],
        "min_notice_hours": 24,
        "faq": [
            {
                "question": "Moeten we allebei meedoen aan het gesprek?",
                "answer": "Ja, u doet het gesprek samen.",
            },
        ],
        "case_type": "huwelijk",
    },
)


def employee_password():
    return os.environ.get("DEMO_EMPLOYEE_PASSWORD") or DEFAULT_EMPLOYEE_PASSWORD


def _publish(obj):
    if api.content.get_state(obj, default=None) != "published":
        api.content.transition(obj, to_state="published")


def create_demo_content(portal):
    """Create what is missing; return the ids of what was created."""
    created = []
    folder = portal.get(FOLDER_ID)
    if folder is None:
        folder = api.content.create(
            container=portal,
            type="Folder",
            id=FOLDER_ID,
            title="Digitale balie",
            description="Maak een afspraak en spreek een medewerker van de "
            "gemeente via video, zonder naar het stadhuis te komen.",
        )
        created.append(FOLDER_ID)
    _publish(folder)

    if api.group.get(groupname=TEAM_ID) is None:
        api.group.create(
            groupname=TEAM_ID,
            title="Team Burgerzaken",
            description="Medewerkers van de balie voor burgerzaken.",
            roles=["CounterEmployee"],
        )
        created.append(TEAM_ID)

    for user_id, fullname in EMPLOYEES:
        if api.user.get(username=user_id) is None:
            api.user.create(
                username=user_id,
                email=f"{user_id}@example.org",
                password=employee_password(),
                properties={"fullname": fullname},
            )
            api.group.add_user(groupname=TEAM_ID, username=user_id)
            created.append(user_id)

    for data in PRODUCTS:
        product = folder.get(data["id"])
        if product is None:
            product = api.content.create(
                container=folder, type="CounterProduct", teams=[TEAM_ID], **data
            )
            created.append(data["id"])
        elif not getattr(product, "teams", None):
            product.teams = [TEAM_ID]
            teams.sync_product(product)
            dossiers.follow_product_teams(product)
        _publish(product)

    if _book_portlet(portal):
        created.append("portlet")

    if multilingual.active() and _pam_installed():
        created += _translate(portal, folder)

    _demo_logo()

    if created:
        logger.info("Demo content created: %s", ", ".join(created))
    return created


# The English translations of the counter folder and its products: what a
# citizen reads. How, when and by whom a product is served is language
# independent (content/counter_product.py) and copied by plone.app.multilingual.
ENGLISH = {
    FOLDER_ID: {
        "title": "Digital counter",
        "description": "Make an appointment and talk to an employee of the "
        "municipality by video, without coming to the town hall.",
    },
    "uittreksel-brp": {
        "title": "Extract from the Personal Records Database",
        "description": "Proof of where you live and who you are, for example "
        "for an employer or a housing corporation.",
        "required_documents": [
            {"document": "Your passport or identity card", "explanation": ""},
        ],
        "faq": [
            {
                "question": "How soon do I get the extract?",
                "answer": "Right after the call, as a PDF in your e-mail.",
            },
        ],
    },
    "verhuizing-doorgeven": {
        "title": "Report a change of address",
        "description": "You are coming to live in our municipality or moving "
        "within it. We help you report the move.",
        "required_documents": [
            {
                "document": "Rental agreement or deed of purchase",
                "explanation": "Or a letter from the main occupant",
            },
        ],
    },
    "huwelijk-bespreken": {
        "title": "Talk about your marriage or registered partnership",
        "description": "You want to marry or enter a registered partnership. "
        "We talk with you about the date, the witnesses and the papers.",
        "faq": [
            {
                "question": "Do we both have to take part in the call?",
                "answer": "Yes, you have the call together.",
            },
        ],
    },
}


def _pam_installed():
    setup = api.portal.get_tool("portal_setup")
    version = setup.getLastVersionForProfile("plone.app.multilingual:default")
    return version not in ("unknown", None)


def _keep_site_as_it_was(portal):
    """plone.app.multilingual makes the site's front page a redirect to a
    language folder and every type translatable. The demo keeps its home page
    (with "Make an appointment") and its Dutch counter folder where they are;
    only the counter folder and its products are translated (appointments and
    dossiers are nobody's translation: their language is the citizen's)."""
    site_fti = portal.portal_types["Plone Site"]
    if site_fti.default_view == "language-switcher":
        site_fti.default_view = "document_view"
    keep = {"CounterProduct", "Folder", "LRF", "LIF"}
    for fti in portal.portal_types.listTypeInfo():
        behaviors = getattr(fti, "behaviors", None)
        if behaviors and "plone.translatable" in behaviors and fti.getId() not in keep:
            fti._updateProperty(
                "behaviors", tuple(b for b in behaviors if b != "plone.translatable")
            )
    # An English browser still gets English pages where the content has no
    # language of its own (appointment pages); a translated page is shown in
    # its own language.
    api.portal.set_registry_record("plone.use_request_negotiation", True)


def _translate(portal, folder):
    """The counter folder and its products in English, in the site's English
    language folder (made by plone.app.multilingual)."""
    created = []
    _keep_site_as_it_was(portal)
    english_root = portal.get("en")
    if english_root is None:
        return created
    if not multilingual.content_language(folder):
        multilingual.set_language(folder, "nl")
    manager = multilingual.ITranslationManager(folder)
    english = manager.get_translation("en")
    if english is None:
        english = api.content.create(
            container=english_root,
            type="Folder",
            id=FOLDER_ID,
            **ENGLISH[FOLDER_ID],
        )
        multilingual.set_language(english, "en")
        manager.register_translation("en", english)
        created.append(f"en/{FOLDER_ID}")
    _publish(english)
    for product_id, texts in ENGLISH.items():
        product = folder.get(product_id)
        if product_id == FOLDER_ID or product is None:
            continue
        products = multilingual.ITranslationManager(product)
        translation = products.get_translation("en")
        if translation is None:
            products.add_translation("en")
            translation = products.get_translation("en")
            for name, value in texts.items():
                setattr(translation, name, value)
            translation.reindexObject()
            teams.sync_product(translation)
            created.append(f"en/{FOLDER_ID}/{translation.getId()}")
        _publish(translation)
    return created


def _book_portlet(place):
    """ "Make an appointment" on the home page, and so on the counter folder: on
    a phone it comes right after the page's text, no menu needed."""
    manager = getUtility(IPortletManager, name="plone.rightcolumn", context=place)
    mapping = getMultiAdapter((place, manager), IPortletAssignmentMapping)
    if "afspraak-maken" in mapping:
        return False
    mapping["afspraak-maken"] = book_portlet.Assignment()
    return True


def _demo_logo():
    """The made-up municipality's logo, in Plone's own logo setting (Site Setup,
    Site), unless the site has a logo already."""
    if api.portal.get_registry_record("plone.site_logo", default=None):
        return
    data = (Path(__file__).parent / "demo-logo.svg").read_bytes()
    api.portal.set_registry_record(
        "plone.site_logo", b64encode_file("gemeente-voorbeeld.svg", data)
    )


def post_install(context):
    create_demo_content(api.portal.get())
