"""`make start`'s launcher, for real: a new instance, a real Plone over HTTP, a restart.

Runs ``digitalebalie-start`` (what ``make start`` runs) in a temporary folder on
a free port, twice, the way a site administrator would.
"""

from collective.digitalebalie.video import tokens
from helpers import ACCEPT
from helpers import EICAR
from live import BIN
from live import Launcher
from live import book_first_free
from live import clean_env
from live import free_port
import aiohttp
import asyncio
import pytest
import requests
import subprocess
import time


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def instance_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="module")
def port():
    return free_port()


@pytest.fixture(scope="module")
def rooms_port():
    return free_port()


@pytest.fixture(scope="module")
def first_run(instance_dir, port, rooms_port):
    launcher = Launcher(
        instance_dir, port, clean_env(ADMIN_PASSWORD="first-Admin-pw"), rooms_port
    )
    seconds = launcher.wait_ready(timeout=300)
    yield launcher, seconds, f"http://127.0.0.1:{port}/Plone"
    launcher.stop()


ADMIN = ("admin", "first-Admin-pw")


class TestFirstStart:
    def test_site_answers_and_prints_urls(self, first_run):
        launcher, seconds, site = first_run
        print(f"first start ready after {seconds:.1f} s")
        assert requests.get(site, timeout=30).status_code == 200
        assert site in launcher.text
        assert f"{site}/@@digitalebalie-controlpanel" in launcher.text
        assert "medewerker" in launcher.text
        assert launcher.rooms_url in launcher.text
        # The password came from the environment: it is not printed.
        assert "first-Admin-pw" not in launcher.text

    def test_room_server_runs_with_the_sites_secret(self, first_run):
        """The room server admits a token that Plone minted: they share the secret."""
        launcher, _seconds, site = first_run
        url = requests.get(
            f"{site}/@controlpanels/digitalebalie",
            headers=ACCEPT,
            auth=ADMIN,
            timeout=30,
        ).json()["data"]["room_server_url"]
        assert url == launcher.rooms_url
        secret = (launcher.directory / "var" / "room-secret").read_text().strip()
        token = tokens.mint(secret, room="check", participant="p", role="employee")

        async def join():
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(f"{url}/check") as ws,
            ):
                await ws.send_json({"type": "join", "token": token})
                return await ws.receive_json(timeout=10)

        assert asyncio.run(join())["type"] == "welcome"

    def test_addon_installed(self, first_run):
        site = first_run[2]
        response = requests.get(
            f"{site}/@addons/collective.digitalebalie",
            headers=ACCEPT,
            auth=ADMIN,
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["is_installed"] is True

    def test_admin_password_from_environment(self, first_run):
        site = first_run[2]
        url = f"{site}/@@digitalebalie-controlpanel"
        assert (
            requests.get(
                url, auth=("admin", "admin"), timeout=30, allow_redirects=False
            ).status_code
            != 200
        )
        assert requests.get(url, auth=ADMIN, timeout=30).status_code == 200

    def test_dutch_by_default_english_on_request(self, first_run):
        site = first_run[2]
        dutch = requests.get(site, timeout=30).text
        english = requests.get(site, headers={"Accept-Language": "en"}, timeout=30).text
        assert 'lang="nl"' in dutch
        assert 'lang="en"' in english
        url = f"{site}/@@digitalebalie-controlpanel"
        nl = requests.get(
            url, auth=ADMIN, headers={"Accept-Language": "nl"}, timeout=30
        ).text
        en = requests.get(
            url, auth=ADMIN, headers={"Accept-Language": "en"}, timeout=30
        ).text
        assert "Naam van de gemeente" in nl
        assert "Name of the municipality" in en

    def test_demo_counter_products_are_public(self, first_run):
        site = first_run[2]
        response = requests.get(
            f"{site}/@search",
            params={
                "portal_type": "CounterProduct",
                "path.query": "/Plone/balie",
                "metadata_fields": "review_state",
            },
            headers=ACCEPT,
            timeout=30,
        )
        items = response.json()["items"]
        assert len(items) >= 3
        assert {item["review_state"] for item in items} == {"published"}
        durations = set()
        for item in items:
            product = requests.get(item["@id"], headers=ACCEPT, timeout=30).json()
            durations.add(product["duration"])
        assert len(durations) >= 3
        page = requests.get(f"{site}/balie", timeout=30)
        assert page.status_code == 200
        assert "Verhuizing doorgeven" in page.text

    def test_demo_scans_uploads(self, first_run):
        """make start runs a clamd of its own: the demo refuses the EICAR test file."""
        site = first_run[2]
        booking = book_first_free(f"{site}/balie/verhuizing-doorgeven", "Demo Dirk")
        token = booking["token"]
        url = f"{site}/@appointment/{token}/documents"
        accept = {"Accept": "application/json"}
        infected = b"%PDF-1.4\n% " + EICAR + b"\n%%EOF\n"
        response = requests.post(
            url, files={"file": ("x.pdf", infected)}, headers=accept, timeout=60
        )
        assert response.status_code == 422, response.text
        clean = b"%PDF-1.4\n%%EOF\n"
        response = requests.post(
            url, files={"file": ("y.pdf", clean)}, headers=accept, timeout=60
        )
        assert response.status_code == 201, response.text

    def test_demo_employee_can_log_in(self, first_run):
        site = first_run[2]
        response = requests.post(
            f"{site}/@login",
            json={"login": "medewerker", "password": "balie-demo-2026"},
            headers=ACCEPT,
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["token"]
        user = requests.get(
            f"{site}/@users/medewerker", headers=ACCEPT, auth=ADMIN, timeout=30
        ).json()
        assert "CounterEmployee" in user["roles"], user
        assert "team-burgerzaken" in {group["id"] for group in user["groups"]["items"]}

    def test_control_panel_refused_to_employee_and_anonymous(self, first_run):
        site = first_run[2]
        url = f"{site}/@@digitalebalie-controlpanel"
        anonymous = requests.get(url, timeout=30)
        employee = requests.get(url, auth=("medewerker", "balie-demo-2026"), timeout=30)
        for response in (anonymous, employee):
            assert "form.widgets.municipality_name" not in response.text

    def test_access_log_masks_link_tokens(self, first_run):
        """The real access log of `make start`: tokens of links never in it."""
        launcher, _seconds, site = first_run
        token = "Live-secret-token_0123456789"
        paths = (
            f"@@my-appointment/{token}",
            f"@appointment/{token}",
            f"@@video-guest/{token}",
            f"@video-guest/{token}",
            f"@@calendar-feed/{token}",
        )
        for path in paths:
            requests.get(f"{site}/{path}", headers=ACCEPT, timeout=30)
        log = launcher.directory / "var" / "log" / "access.log"
        deadline = time.monotonic() + 10
        while log.read_text().count("/***") < len(paths):
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)
        text = log.read_text()
        assert token not in text
        assert "my-appointment/*** " in text  # requests sends @@ as %40%40


class TestRestart:
    @pytest.fixture(scope="class")
    def second_run(self, first_run, instance_dir, port, rooms_port):
        """Leaves a mark in the first run's site, stops it and starts it again.

        The mark is made here, not by an earlier test, so the restart tests
        also run on their own (``-k restart``).
        """
        first_launcher, _seconds, site = first_run
        response = requests.post(
            site,
            json={"@type": "Document", "id": "bewaard", "title": "Blijft bewaard"},
            headers=ACCEPT,
            auth=ADMIN,
            timeout=30,
        )
        assert response.status_code == 201, response.text
        assert first_launcher.stop() == 0
        launcher = Launcher(
            instance_dir, port, clean_env(ADMIN_PASSWORD="second-Admin-pw")
        )
        seconds = launcher.wait_ready(timeout=120)
        yield launcher, seconds, first_run[2]
        launcher.stop()

    def test_restart_is_quick_and_keeps_data(self, second_run):
        launcher, seconds, site = second_run
        print(f"restart ready after {seconds:.1f} s")
        # The site was not created again: the document from the first run is there.
        response = requests.get(
            f"{site}/bewaard",
            headers=ACCEPT,
            auth=("admin", "second-Admin-pw"),
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["title"] == "Blijft bewaard"
        assert "created" not in launcher.text
        assert seconds < 60

    def test_new_admin_password_applies(self, second_run):
        site = second_run[2]
        url = f"{site}/@@digitalebalie-controlpanel"
        assert (
            requests.get(url, auth=ADMIN, timeout=30, allow_redirects=False).status_code
            != 200
        )
        assert (
            requests.get(url, auth=("admin", "second-Admin-pw"), timeout=30).status_code
            == 200
        )

    def test_port_in_use_gives_a_clear_message(self, second_run, instance_dir, port):
        result = subprocess.run(
            [
                str(BIN / "digitalebalie-start"),
                "--dir",
                str(instance_dir),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=60,
        )
        assert result.returncode != 0
        assert f"Port {port}" in result.stderr
        assert "PORT=" in result.stderr
