"""Citizen pages paint before their stylesheets arrive (issue 22).

On a phone's slow connection a page that links its stylesheets in the head
shows nothing until they came: a second round trip (562 ms on Slow 4G) and
their transfer, on every first visit. An anonymous visitor's page therefore
gets, in a ``<style>`` in the head, the rules of the site's stylesheets that
the citizen pages use when they open (``first-paint/first-paint.css``, built by
``scripts/build-first-paint-css.py``), and the stylesheets themselves move to
the end of the ``<body>``. Chromium, Firefox and Safari paint what they have
before a stylesheet at the end of the body; when it arrives it applies the
same rules again (later in the cascade, the same specificity) and the rest, so
the page looks as it always did. Scripts still run after the stylesheets.

Only where the inline rules are enough: the visitor is anonymous, the page
links no stylesheet the CSS was not made from, and it has no tag, class, id or
attribute that the stylesheets' selectors name and that none of the pages the
CSS was made from had (``first-paint.json``). Any other page (an editor's, a
page with a status message, another add-on's) keeps its stylesheets in the
head. The text is the same for everybody: nothing personal, and its hash is
in the citizen pages' Content-Security-Policy (browser/headers.py).
"""

from pathlib import Path
from plone.transformchain.interfaces import ITransform
from zope.interface import implementer
import functools
import json
import re


FOLDER = Path(__file__).parent / "first-paint"
STYLE_ID = "digitalebalie-first-paint"
ANONYMOUS = "userrole-anonymous"


@functools.cache
def _built():
    # ASCII only (the build escapes the rest), and nothing that ends a <style>.
    css = (FOLDER / "first-paint.css").read_text(encoding="ascii").strip()
    if "</" in css:
        raise ValueError("first-paint.css may not hold '</'")
    made = json.loads((FOLDER / "first-paint.json").read_text(encoding="utf-8"))
    return css, frozenset(made["sheets"]), frozenset(made["unseen"])


def css_text():
    """The inline rules, exactly as the ``<style>`` holds them."""
    return _built()[0]


def sheet_path(href):
    """A stylesheet's address without the site and Plone's version:
    ``++theme++barceloneta/css/barceloneta.min.css``."""
    path = re.sub(r"\+\+webresource\+\+[^/]+/", "", (href or "").split("?")[0])
    index = path.find("/++")
    return path[index + 1 :] if index >= 0 else path


def _tokens(element):
    yield element.tag
    for name in element.get("class", "").split():
        yield f".{name}"
    if element.get("id"):
        yield f"#{element.get('id')}"
    for name, value in element.attrib.items():
        yield f"[{name}]"
        yield f"[{name}={value}]"


def made_for(body, links):
    """True when the inline rules paint this page as its stylesheets would."""
    css, sheets, unseen = _built()
    if not css or ANONYMOUS not in body.get("class", "").split():
        return False
    if any(sheet_path(link.get("href")) not in sheets for link in links):
        return False
    return not any(
        token in unseen
        for element in body.iter()
        if isinstance(element.tag, str)
        for token in _tokens(element)
    )


def stylesheet_links(head):
    return [
        element
        for element in head
        if element.tag == "link" and "stylesheet" in element.get("rel", "").split()
    ]


@implementer(ITransform)
class FirstPaintCss:
    """On the page Diazo parsed, after plone.protect (9000) added its tokens.

    The rules go into the page after it is serialized: Diazo's output is XML,
    which would write the ``>`` of a child selector as ``&gt;`` inside the
    ``<style>``, and a browser does not read that as CSS."""

    order = 9100
    placeholder = f"/* {STYLE_ID} */"

    def __init__(self, published, request):
        self.published = published
        self.request = request

    def transformBytes(self, result, encoding):
        return None

    def transformUnicode(self, result, encoding):
        return None

    def transformIterable(self, result, encoding):
        # Only a page Diazo parsed (a themed HTML page) has a tree.
        tree = getattr(result, "tree", None)
        root = tree.getroot() if tree is not None else None
        if root is None or root.tag != "html":
            return None
        head, body = root.find("head"), root.find("body")
        if head is None or body is None:
            return None
        links = stylesheet_links(head)
        if not links or not made_for(body, links):
            return None
        style = head.makeelement("style", {"id": STYLE_ID})
        style.text = self.placeholder
        links[0].addprevious(style)
        for link in links:
            link.tail = None
            body.append(link)
        page = bytes(result)
        return [page.replace(self.placeholder.encode(), css_text().encode(), 1)]
