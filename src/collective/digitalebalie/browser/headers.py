"""Security headers of the pages citizens and guests open without logging in.

A Content-Security-Policy lets the page load scripts, styles, frames and
connections only from the site itself and from what the chosen video engine
needs:

- the room server's websocket address (``connect-src``): the built-in rooms and
  every page's live desk;
- Jitsi Meet: its ``external_api.js`` (``script-src``) and its meeting page in
  a frame (``frame-src``);
- LiveKit: its Meet page in a frame (``frame-src``).

TURN needs nothing here: ICE traffic is not subject to CSP. Plone's classic
pages have no inline script and no eval; the inline ``<style>`` elements (the
municipality's colours, house_style.tokens_css; the rules the page is first
painted with, first_paint.css_text; and one of Plone's bundle) are allowed by
their hashes, so neither scripts nor styles need 'unsafe-inline'. A Permissions-Policy
allows camera, microphone and screen sharing to the site and to the engine's
frame only.
"""

from collective.digitalebalie.browser import first_paint
from collective.digitalebalie.browser.house_style import tokens_css
from collective.digitalebalie.settings import setting
import base64
import functools
import hashlib
import urllib.parse


def _text(name):
    return setting(name, "") or ""


def origin(url, schemes=("http", "https")):
    """``scheme://host[:port]`` of an address, or None when it is not one of ``schemes``."""
    try:
        parts = urllib.parse.urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes or not parts.hostname:
        return None
    # Only characters a CSP source may hold: nothing can end the directive.
    netloc = parts.netloc.rpartition("@")[2].lower()
    if not all(c.isalnum() or c in ".-:[]" for c in netloc):
        return None
    return f"{parts.scheme.lower()}://{netloc}"


def engine_sources():
    """{"script", "frame", "connect"}: the origins the chosen video engine needs."""
    provider = _text("video_provider") or "builtin"
    sources = {"script": [], "frame": [], "connect": []}
    if provider == "jitsi":
        jitsi = origin(_text("jitsi_url"))
        if jitsi:
            sources["script"].append(jitsi)
            sources["frame"].append(jitsi)
    elif provider == "livekit":
        meet = origin(_text("livekit_meet_url"))
        if meet:
            sources["frame"].append(meet)
    # The room server, whatever the engine: the pages' live desk watches its
    # room there (and the built-in rooms signal through it).
    rooms = origin(_text("room_server_url"), schemes=("ws", "wss"))
    if rooms:
        sources["connect"].append(rooms)
    return sources


# Plone's pattern bundle (webpack's style-loader, for pat-plone-modal) inserts
# one <style> at run time: first empty, then with this text. Allowed by hash,
# not with 'unsafe-inline': the browser tests report any other inline style.
PLONE_BUNDLE_STYLES = ("", ".modal.show{display:block}")


def _hash(text):
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@functools.cache
def _first_paint_hash():
    return _hash(first_paint.css_text())


def content_security_policy():
    engine = engine_sources()
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *engine["script"]],
        "style-src": [
            "'self'",
            _hash(tokens_css()),
            _first_paint_hash(),
            *(_hash(text) for text in PLONE_BUNDLE_STYLES),
        ],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *engine["connect"]],
        # 'self': a document the employee shows in the call opens in a frame.
        "frame-src": ["'self'", *engine["frame"]],
        "media-src": ["'self'", "blob:"],
        # A proof-of-work widget solves its puzzle in a worker made from a blob.
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(
        f"{name} {' '.join(values)}" for name, values in directives.items()
    )


def permissions_policy():
    frames = " ".join(f'"{source}"' for source in engine_sources()["frame"])
    allow = f"(self {frames})" if frames else "(self)"
    return ", ".join(
        f"{feature}={allow}" for feature in ("camera", "microphone", "display-capture")
    )


def secret_link_page(response):
    """A page whose URL is a citizen's or guest's key: kept out of caches, out
    of other sites' logs (no referrer) and out of search engines; with the
    headers of every citizen page."""
    response.setHeader("Cache-Control", "no-store")
    response.setHeader("Referrer-Policy", "no-referrer")
    response.setHeader("X-Robots-Tag", "noindex, nofollow")
    citizen_page(response)


def citizen_page(response):
    """Set the headers of a citizen's or guest's page on ``response``."""
    response.setHeader("Content-Security-Policy", content_security_policy())
    response.setHeader("Permissions-Policy", permissions_policy())
    response.setHeader("X-Content-Type-Options", "nosniff")
