"""The appointment page embeds Jitsi Meet or LiveKit when the site uses them.

Jitsi and LiveKit cannot run here: a local HTTP server stands in for what the
page loads from them (Jitsi's external_api.js, a LiveKit Meet page) and
records what the page handed over. Real Chromium with a fake camera.
"""

from browser_helpers import wait_for
from helpers import JSON
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from live import create_product
from live import first_slot_soon
from live import set_controlpanel
from live import set_secret
from urllib.parse import parse_qs
from urllib.parse import urlsplit
import jwt
import pytest
import requests
import threading
import time


CHROMIUM_EXTRA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
JITSI_SECRET = "jitsi-app-secret-for-the-browser-test-0123"
LIVEKIT_SECRET = "livekit-api-secret-for-the-browser-test-01"

# What Jitsi's IFrame API does, as far as the page can tell: a constructor
# taking the domain and the options, an iframe in parentNode, listeners, dispose.
EXTERNAL_API = b"""
window.jitsiCalls = [];
window.JitsiMeetExternalAPI = function (domain, options) {
  window.jitsiCalls.push({
    domain: domain,
    roomName: options.roomName,
    jwt: options.jwt,
    displayName: options.userInfo && options.userInfo.displayName,
    inRoom: Boolean(options.parentNode.closest(".dbalie-room")),
  });
  const frame = document.createElement("iframe");
  frame.title = "Jitsi Meet";
  options.parentNode.append(frame);
  this.addListener = function () {};
  this.dispose = function () { frame.remove(); };
};
"""


class Engine(BaseHTTPRequestHandler):
    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/slow/external_api.js":
            time.sleep(2)  # a slow network: the citizen leaves before it arrives
            path = "/external_api.js"
        if path == "/external_api.js":
            body, kind = EXTERNAL_API, "text/javascript"
        elif path == "/custom":
            body, kind = b"<!doctype html><title>LiveKit Meet</title>", "text/html"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def engine():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Engine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def appointment(live_site):
    product, _uid = create_product(
        live_site, title="Video via engine", channels=["video"]
    )
    booking = requests.post(
        f"{product}/@book",
        json={
            "start": first_slot_soon(product),
            "fullname": "Fatima el Amrani",
            "email": "f@example.nl",
        },
        headers=JSON,
        timeout=30,
    )
    assert booking.status_code == 201, booking.text
    return booking.json()["url"]


def configure(live_site, secret_name, secret, **values):
    """Settings through the REST API, the secret on the secrets page; returns
    a function that puts the built-in rooms back (the live site is shared)."""
    set_secret(live_site.site, live_site.admin, secret_name, secret)
    set_controlpanel(live_site, "digitalebalie", values)

    def restore():
        requests.patch(
            f"{live_site.site}/@controlpanels/digitalebalie",
            json={"video_provider": "builtin"},
            headers=JSON,
            auth=live_site.admin,
            timeout=30,
        )

    return restore


def join(chromium, url):
    context = chromium.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(url)
    page.click("[data-action=check]")
    page.wait_for_selector("[data-action=join]:not([disabled])")
    page.click("[data-action=join]")
    return context, page


def test_jitsi_meet_is_embedded_with_a_token_for_this_room(
    live_site, chromium, engine, appointment
):
    restore = configure(
        live_site,
        "jitsi_app_secret",
        JITSI_SECRET,
        video_provider="jitsi",
        jitsi_url=engine,
        jitsi_app_id="digitalebalie",
    )
    try:
        context, page = join(chromium, appointment)
        wait_for(page, "window.jitsiCalls && window.jitsiCalls.length === 1")
        call = page.evaluate("window.jitsiCalls[0]")
        domain = urlsplit(engine).netloc
        assert call["domain"] == domain and call["inRoom"] is True
        assert call["displayName"] == "Fatima el Amrani"
        claims = jwt.decode(
            call["jwt"], JITSI_SECRET, algorithms=["HS256"], audience="jitsi"
        )
        assert claims["room"] == call["roomName"] and claims["sub"] == "127.0.0.1"
        assert claims["context"]["user"]["moderator"] is False
        # The built-in controls that the engine replaces are gone; leaving works.
        assert page.is_hidden("[data-action=mute]")
        assert page.is_hidden(".room-chat-area")
        assert page.locator(".room-engine iframe[title='Jitsi Meet']").count() == 1
        page.click("[data-action=leave]")
        assert page.locator(".room-engine iframe").count() == 0
        context.close()
    finally:
        restore()


def test_livekit_meet_is_embedded_with_an_access_token(
    live_site, chromium, engine, appointment
):
    restore = configure(
        live_site,
        "livekit_api_secret",
        LIVEKIT_SECRET,
        video_provider="livekit",
        livekit_url="ws://127.0.0.1:7880",
        livekit_api_key="APIdigitalebalie",
        livekit_meet_url=f"{engine}/custom",
    )
    try:
        context, page = join(chromium, appointment)
        frame = page.wait_for_selector(".room-engine iframe")
        assert frame.get_attribute("title") == "Videogesprek"
        assert "camera" in frame.get_attribute("allow")
        src = frame.get_attribute("src")
        assert src.startswith(f"{engine}/custom?")
        query = parse_qs(urlsplit(src).query)
        assert query["liveKitUrl"] == ["ws://127.0.0.1:7880"]
        claims = jwt.decode(
            query["token"][0],
            LIVEKIT_SECRET,
            algorithms=["HS256"],
            issuer="APIdigitalebalie",
        )
        assert claims["video"]["roomJoin"] is True and claims["video"]["room"]
        # The Meet page really loads in the frame.
        frame.content_frame().wait_for_load_state()
        assert frame.content_frame().title() == "LiveKit Meet"
        context.close()
    finally:
        restore()


def test_leaving_before_jitsi_arrived_starts_no_call(
    live_site, chromium, engine, appointment
):
    restore = configure(
        live_site,
        "jitsi_app_secret",
        JITSI_SECRET,
        video_provider="jitsi",
        jitsi_url=f"{engine}/slow",
        jitsi_app_id="digitalebalie",
    )
    try:
        context, page = join(chromium, appointment)
        page.wait_for_selector("[data-action=leave]:not([disabled])")
        page.click("[data-action=leave]")
        wait_for(page, "typeof window.JitsiMeetExternalAPI === 'function'")
        page.wait_for_timeout(300)
        assert page.evaluate("window.jitsiCalls.length") == 0
        assert page.locator(".room-engine iframe").count() == 0
        # Joining again uses the script that arrived meanwhile: one call, one frame.
        page.click("[data-action=check]")
        page.wait_for_selector("[data-action=join]:not([disabled])")
        page.click("[data-action=join]")
        wait_for(page, "window.jitsiCalls.length === 1")
        assert page.locator(".room-engine iframe").count() == 1
        context.close()
    finally:
        restore()
