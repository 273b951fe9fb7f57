"""Which pages get the inline first-paint CSS, and what the transform makes of
them (browser/first_paint.py); the pages themselves: test_first_paint.py."""

from collective.digitalebalie.browser import first_paint
from lxml import etree
import json


THEME = "++theme++barceloneta/css/barceloneta.min.css"
NLDS = "++plone++collective.digitalebalie/nlds/nlds.css"


class Parsed:
    """What Diazo hands on: a parsed page that serializes as XML."""

    def __init__(self, html):
        self.tree = etree.ElementTree(etree.fromstring(html))

    def __bytes__(self):
        return etree.tostring(self.tree)


def page(body='<p class="lead">Hallo</p>', role="userrole-anonymous", sheets=(NLDS,)):
    links = "".join(
        f'<link rel="stylesheet" href="http://gemeente.nl/Plone/'
        f'++webresource++0a1b-2c/{sheet}"/>'
        for sheet in sheets
    )
    html = (
        f'<html><head><title>t</title>{links}<link rel="canonical" href="/x"/>'
        f'<style id="digitalebalie-tokens">a{{}}</style></head>'
        f'<body class="template-view {role}">{body}</body></html>'
    )
    return Parsed(html)


def transformed(result):
    return first_paint.FirstPaintCss(None, None).transformIterable(result, "utf-8")


def test_built_files_agree():
    made = json.loads((first_paint.FOLDER / "first-paint.json").read_text())
    assert THEME in made["sheets"] and NLDS in made["sheets"]
    css = first_paint.css_text()
    assert css.isascii() and "</" not in css
    # What the pages use is in; what none of them had is not.
    assert ".utrecht-heading-1{" in css and ".lead{" in css
    assert ".accordion" in made["unseen"]


def test_sheet_path_drops_the_site_and_the_version():
    assert (
        first_paint.sheet_path(
            f"https://gemeente.nl/++webresource++9c53-40/{THEME}?x=1"
        )
        == THEME
    )
    assert (
        first_paint.sheet_path("http://localhost:8080/Plone/++plone++a/b.css")
        == "++plone++a/b.css"
    )


def test_anonymous_page_gets_the_rules_and_its_stylesheets_at_the_end():
    result = transformed(page(sheets=(NLDS, THEME)))
    html = b"".join(result).decode()
    head, body = html.split("</head>")
    style = f'<style id="{first_paint.STYLE_ID}">{first_paint.css_text()}</style>'
    # The rules as they are (Diazo's XML output would write > as &gt;) ...
    assert style in head
    # ... before the municipality's colours, which are more specific anyway ...
    assert head.index(style) < head.index("digitalebalie-tokens")
    assert 'rel="stylesheet"' not in head and 'rel="canonical"' in head
    # ... and the stylesheets last in the body, in their order.
    assert body.index(NLDS) < body.index(THEME) < body.index("</body>")
    assert body.index("Hallo") < body.index(NLDS)


def test_pages_it_was_not_made_for_are_left_alone():
    for result in (
        page(role="userrole-authenticated"),
        page(sheets=(NLDS, "@@custom.css")),
        page(body='<div class="accordion">Vraag</div>'),
        page(body='<input type="password"/>'),
        page(sheets=()),
    ):
        assert transformed(result) is None
    assert first_paint.FirstPaintCss(None, None).transformUnicode("<html/>", "") is None
