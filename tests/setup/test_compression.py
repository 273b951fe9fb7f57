"""Compression: the gzip middleware of `make start` and the cluster's nginx.

A phone on a small data bundle gets HTML, CSS and JavaScript gzipped; images,
fonts and PDFs, compressed already, pass as they are. Checked the way an
administrator would, with ``curl --compressed`` against the running server.
"""

from collective.digitalebalie.cli import cluster
from collective.digitalebalie.cli.compression import GzipMiddleware
from live import free_port
from typing import ClassVar
import gzip
import http.server
import subprocess
import threading
import time
import waitress.server


def curl(url, *args):
    """(status, headers, body) as curl got them, with gzip asked for and undone."""
    done = subprocess.run(
        ["curl", "-sS", "--compressed", "-D", "-", *args, url],
        capture_output=True,
        check=True,
        timeout=60,
    )
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


# --- The middleware, on a real waitress server ----------------------------------

PAGE = b"<html><body>" + b"<p>Uw afspraak bij de balie.</p>" * 200 + b"</body></html>"
PNG = bytes(range(256)) * 40


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/page":
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(PAGE))),
                ("ETag", '"page-1"'),
                ("Vary", "Accept-Language"),
            ],
        )
        return [PAGE]
    if path == "/stream":
        # A body in pieces, partly through the legacy write() callable.
        write = start_response("200 OK", [("Content-Type", "text/css")])
        write(b"body{color:black}\n" * 100)
        return iter([b".a{color:red}\n" * 100, b".b{color:blue}\n" * 100])
    if path == "/image":
        start_response("200 OK", [("Content-Type", "image/png")])
        return [PNG]
    if path == "/tiny":
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")]
        )
        return [b"ok"]
    start_response("304 Not Modified", [("ETag", '"page-1"')])
    return []


def serve(wsgi_app):
    port = free_port()
    server = waitress.server.create_server(wsgi_app, host="127.0.0.1", port=port)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


def test_text_is_gzipped_for_a_browser_that_asks():
    server, base = serve(GzipMiddleware(app))
    try:
        status, headers, body = curl(f"{base}/page")
        assert status == 200
        assert headers["content-encoding"] == "gzip"
        assert body == PAGE
        # What crossed the wire: a fifth of the page at most.
        raw = subprocess.run(
            ["curl", "-sS", "-H", "Accept-Encoding: gzip", f"{base}/page"],
            capture_output=True,
            check=True,
        ).stdout
        assert gzip.decompress(raw) == PAGE
        assert len(raw) < len(PAGE) / 5
        assert headers["vary"] == "Accept-Language, Accept-Encoding"
        # Another body, the same page: a weak validator.
        assert headers["etag"] == 'W/"page-1"'

        status, headers, body = curl(f"{base}/stream")
        assert headers["content-encoding"] == "gzip"
        assert (
            body
            == (b"body{color:black}\n" * 100 + b".a{color:red}\n" * 100)
            + b".b{color:blue}\n" * 100
        )
    finally:
        server.close()


def test_compressed_types_small_bodies_and_other_clients_pass_as_they_are():
    server, base = serve(GzipMiddleware(app))
    try:
        for path in ("/image", "/tiny"):
            status, headers, body = curl(f"{base}{path}")
            assert status == 200
            assert "content-encoding" not in headers, path
        assert body == b"ok"
        # curl without --compressed sends no Accept-Encoding.
        plain = subprocess.run(
            ["curl", "-sS", "-D", "-", f"{base}/page"], capture_output=True, check=True
        ).stdout
        assert b"Content-Encoding" not in plain and plain.endswith(PAGE)
        # gzip refused explicitly.
        status, headers, body = curl(f"{base}/page", "-H", "Accept-Encoding: gzip;q=0")
        assert "content-encoding" not in headers and body == PAGE
        status, headers, body = curl(f"{base}/not-modified")
        assert status == 304 and "content-encoding" not in headers
    finally:
        server.close()


# --- make start: the real instance ---------------------------------------------


def test_make_start_gzips_pages_and_resources_and_caches_versioned_ones(live_site):
    status, headers, page = curl(live_site.site)
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    html = page.decode()
    assert "<html" in html
    # The NL Design System stylesheet, with a version in its address.
    css = next(
        part.split('"')[0]
        for part in html.split('href="')[1:]
        if "/nlds/nlds.css" in part.split('"')[0]
    )
    assert "++webresource++" in css
    status, headers, body = curl(css)
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "max-age=31536000" in headers["cache-control"]
    assert b".utrecht-button" in body
    # A script of the add-on, linked without a version: a day, then revalidated.
    status, headers, body = curl(
        f"{live_site.site}/++plone++collective.digitalebalie/digitalebalie.js"
    )
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "max-age=86400" in headers["cache-control"]
    # A font is compressed already.
    status, headers, body = curl(
        f"{live_site.site}/++theme++barceloneta/roboto/roboto-regular.woff2"
    )
    assert status == 200
    assert "content-encoding" not in headers
    assert body[:4] == b"wOF2"


# --- The cluster's nginx --------------------------------------------------------


class Upstream(http.server.BaseHTTPRequestHandler):
    """Stands in for a Zope instance: a stylesheet and a font; remembers
    what nginx asked for."""

    asked: ClassVar[list] = []
    CSS = b".utrecht-button{color:black}\n" * 200
    FONT = b"wOF2" + bytes(range(256)) * 20

    def do_GET(self):
        Upstream.asked.append(self.headers.get("Accept-Encoding"))
        body, kind = (
            (self.CSS, "text/css")
            if self.path == "/style.css"
            else (self.FONT, "font/woff2")
        )
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_cluster_nginx_gzips_text_and_asks_the_instances_for_plain_bodies(tmp_path):
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    conf = cluster.write_nginx_conf(
        tmp_path,
        f"127.0.0.1:{port}",
        [f"127.0.0.1:{upstream.server_address[1]}"],
        [f"127.0.0.1:{free_port()}"],
    )
    cluster.check_nginx_conf(conf)
    nginx = cluster.start_nginx(conf)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, headers, body = curl(f"{base}/style.css")
                break
            except subprocess.CalledProcessError:
                time.sleep(0.1)
        assert status == 200
        assert headers["content-encoding"] == "gzip"
        assert headers["vary"] == "Accept-Encoding"
        assert body == Upstream.CSS
        status, headers, body = curl(f"{base}/font.woff2")
        assert "content-encoding" not in headers and body == Upstream.FONT
        assert Upstream.asked and all(not asked for asked in Upstream.asked)
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        upstream.shutdown()


def test_gzip_output_is_plain_gzip():
    """What the middleware writes is a gzip stream any client can read."""
    calls = []

    def start_response(status, headers, exc_info=None):
        calls.append(dict(headers))
        return lambda data: calls.append(data)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/page",
        "HTTP_ACCEPT_ENCODING": "br, gzip",
    }
    body = b"".join(GzipMiddleware(app)(environ, start_response))
    assert calls[0]["Content-Encoding"] == "gzip"
    assert "Content-Length" not in calls[0]
    assert gzip.decompress(body) == PAGE
