"""gzip for the responses of `make start` (waitress sends nothing compressed).

A WSGI middleware in the pipeline of the instance's zope.ini (cli/instance.py);
the cluster's nginx compresses for itself (cli/nginx.conf.in). Text is
compressed (HTML, CSS, JavaScript, JSON, SVG, XML) when the browser accepts
gzip; what is compressed already (images, video, PDF, ZIP, fonts in WOFF2) or
tiny passes as it is. The body is compressed while it streams, so a large
download is never held in memory.
"""

import zlib


TEXT_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/xhtml+xml",
    "application/ld+json",
    "application/manifest+json",
    "image/svg+xml",
    "image/x-icon",
)
# Below this a gzip header costs more than it saves.
MIN_SIZE = 256
LEVEL = 6


def accepts_gzip(environ):
    """Whether the client accepts gzip (and did not refuse it with q=0)."""
    for part in environ.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def compressible(status, headers):
    code = int(status.split(" ", 1)[0])
    if code < 200 or code in (204, 206, 304):
        return False
    found = {name.lower(): value for name, value in headers}
    content_type = found.get("content-type", "").split(";")[0].strip().lower()
    if not content_type.startswith(TEXT_TYPES):
        return False
    if found.get("content-encoding") or "no-transform" in found.get(
        "cache-control", ""
    ):
        return False
    length = found.get("content-length")
    return not (length and length.isdigit() and int(length) < MIN_SIZE)


def _vary(headers):
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            if "accept-encoding" not in value.lower():
                headers[index] = (name, f"{value}, Accept-Encoding")
            return
    headers.append(("Vary", "Accept-Encoding"))


def _compressed_headers(headers):
    result = []
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length":
            continue
        # Another body than the identity one: a weak validator (Plone's
        # caching reads W/ in If-None-Match the same).
        if lower == "etag" and not value.startswith("W/"):
            value = f"W/{value}"
        result.append((name, value))
    result.append(("Content-Encoding", "gzip"))
    _vary(result)
    return result


class GzipMiddleware:
    def __init__(self, app, level=LEVEL):
        self.app = app
        self.level = int(level)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "HEAD" or not accepts_gzip(environ):
            return self.app(environ, start_response)
        state = {}

        def gzip_start_response(status, headers, exc_info=None):
            state["started"] = True
            if compressible(status, headers):
                state["compressor"] = zlib.compressobj(self.level, zlib.DEFLATED, 31)
                headers = _compressed_headers(headers)
            write = start_response(status, headers, exc_info)

            def gzip_write(data):
                compressor = state.get("compressor")
                write(compressor.compress(data) if compressor else data)

            return gzip_write

        body = self.app(environ, gzip_start_response)
        if state.get("started") and "compressor" not in state:
            # Not compressed (an image, a PDF): the body as it is, so the
            # server can still send a file wrapper efficiently.
            return body
        return self._stream(body, state)

    def _stream(self, body, state):
        try:
            for chunk in body:
                compressor = state.get("compressor")
                if compressor is None:
                    yield chunk
                    continue
                data = compressor.compress(chunk)
                if data:
                    yield data
            if state.get("compressor") is not None:
                yield state["compressor"].flush()
        finally:
            if hasattr(body, "close"):
                body.close()


def filter_factory(global_conf, level=LEVEL, **local_conf):
    """PasteDeploy: ``[filter:gzip] use = call:...compression:filter_factory``."""
    return lambda app: GzipMiddleware(app, level)
