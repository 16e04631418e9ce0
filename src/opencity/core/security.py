"""HTTP hardening that every response shares: the Content-Security-Policy, and the request body limit that
the WSGI application enforces before Django reads a byte.

CSP: scripts and styles come from our own origin only — no inline `<script>`, no `on…=` handler, no
`style=` attribute or `<style>` element in templates (put behaviour in static/opencity/*.js, looks in CSS).
"""

from django.conf import settings
from django.utils.translation import gettext as _

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not set its own (settings.CONTENT_SECURITY_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", CSP)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


def max_request_bytes() -> int:
    return int(getattr(settings, "REQUEST_MAX_BYTES", 25 * 1024 * 1024))


class _CappedInput:
    """A request body without Content-Length (chunked): reads stop at the cap, the rest is never read."""

    def __init__(self, stream, cap: int):
        self.stream, self.left = stream, cap

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.read(size)
        self.left -= len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.readline(size)
        self.left -= len(data)
        return data

    def __iter__(self):
        while line := self.readline():
            yield line


class RequestBodyLimit:
    """WSGI middleware: a declared Content-Length over REQUEST_MAX_BYTES is answered 413 at once, without
    reading the body; a body of unknown length is cut off at the limit."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        cap = max_request_bytes()
        raw = environ.get("CONTENT_LENGTH") or ""
        try:
            length = int(raw) if raw else None
        except ValueError:
            length = -1
        if length is not None and (length < 0 or length > cap):
            return self._too_large(environ, start_response, cap)
        if length is None and "wsgi.input" in environ:
            environ["wsgi.input"] = _CappedInput(environ["wsgi.input"], cap)
        return self.app(environ, start_response)

    @staticmethod
    def _too_large(environ, start_response, cap: int):
        import json

        message = _("The request body is too large (more than %(mb)s MB).") % {"mb": max(1, cap // (1024 * 1024))}
        if environ.get("PATH_INFO", "").startswith("/api/"):
            body = json.dumps({"code": "payload_too_large", "message": message}).encode()
            content_type = "application/json"
        else:
            body = message.encode()
            content_type = "text/plain; charset=utf-8"
        start_response(
            "413 Request Entity Too Large",
            [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Connection", "close")],
        )
        return [body]
