"""Issue 8, item 12: HTTPS defaults, a Content-Security-Policy the pages pass, Swagger UI from our own static
files, a request body limit enforced before the body is read, `opencity check --deploy` clean on a
production-like configuration, API tokens revoked on password reset."""

import io
import os
import re
import subprocess
import sys

import pytest

from opencity.accounts.models import ApiToken
from tests.conftest import PASSWORD, enable_2fa, make_user

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style[\s>]|<[^>]+\sstyle\s*=", re.I)


def _settings_in_subprocess(tmp_path, **env) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({k: getattr(settings, k, None) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT',"
        "'SECURE_PROXY_SSL_HEADER')}))"
    )
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SITE_URL"))},
        "DJANGO_SETTINGS_MODULE": "opencity.settings",
        "OPENCITY_DATA_DIR": str(tmp_path),
        **env,
    }
    out = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True)
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def test_https_site_url_turns_on_secure_cookies_and_hsts_by_default(tmp_path):
    https = _settings_in_subprocess(tmp_path, SITE_URL="https://opencity.example.org")
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"] and https["SECURE_SSL_REDIRECT"]
    assert https["SECURE_HSTS_SECONDS"] >= 31536000
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    plain = _settings_in_subprocess(tmp_path, SITE_URL="http://127.0.0.1:8000")
    assert not plain["SESSION_COOKIE_SECURE"] and plain["SECURE_HSTS_SECONDS"] == 0 and not plain["SECURE_SSL_REDIRECT"]
    assert plain["SECURE_PROXY_SSL_HEADER"] is None
    no_proxy = _settings_in_subprocess(tmp_path, SITE_URL="https://opencity.example.org", SECURE_PROXY_SSL_HEADER="")
    assert no_proxy["SECURE_PROXY_SSL_HEADER"] is None


def _cli_check(tmp_path, **env):
    # A production-like environment: none of the test harness's variables (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment checks rightly refuse).
    skip = ("SECURE_", "SITE_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "OPENCITY_DEBUG")
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(skip)},
        "OPENCITY_DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "opencity.cli", "check", "--deploy"], env=full_env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_on_a_production_like_configuration(tmp_path):
    ok = _cli_check(tmp_path, SITE_URL="https://opencity.example.org", ALLOWED_HOSTS="opencity.example.org")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Configuration looks good." in ok.stdout
    bad = _cli_check(tmp_path, SITE_URL="http://opencity.example.org")
    assert bad.returncode != 0 and "security.W012" in bad.stdout + bad.stderr


def _pages(client, host, collective):
    admin = enable_2fa(host.admins.first())
    client.force_login(admin)
    urls = [
        "/",
        "/fr/",
        "/ar/collectives/",
        f"/{collective.slug}/",
        f"/{collective.slug}/transactions",
        f"/{collective.slug}/expenses",
        f"/{collective.slug}/contribute",
        f"/{host.slug}/admin/ledger",
        f"/{host.slug}/admin/expenses",
        "/accounts/settings/",
        "/accounts/confirm-code/",
        "/nl/no-such-page/",
    ]
    anonymous = ["/accounts/login/", "/accounts/signup/", "/api/docs", "/api/v1/collectives"]
    for url in urls:
        yield url, client.get(url)
    client.logout()
    for url in anonymous:
        yield url, client.get(url)


def test_every_page_type_carries_the_csp_and_has_no_inline_script(client, host, collective, settings):
    settings.DEMO_MODE = True
    seen = 0
    for url, resp in _pages(client, host, collective):
        assert resp.status_code in (200, 404), (url, resp.status_code)
        csp = resp["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "object-src 'none'" in csp, url
        if resp["Content-Type"].startswith("text/html"):
            html = resp.content.decode()
            assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
            assert not INLINE_HANDLER.search(html), (url, INLINE_HANDLER.search(html).group(0))
            assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html).group(0))
            seen += 1
    assert seen >= 14


def test_api_docs_use_our_own_static_files(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui-init.js")


class _CountingInput:
    """A wsgi.input that counts what is read from it (and would hand out 100 MB)."""

    def __init__(self, size: int):
        self.size, self.read_bytes = size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.read_bytes if n is None or n < 0 else min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return b"a" * n

    def readline(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 65536)


def _environ(path="/accounts/login/", length=None, stream=None):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "10.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    return environ


def _call(app, environ):
    status = {}

    def start_response(s, headers, exc_info=None):
        status["status"], status["headers"] = s, dict(headers)

    body = b"".join(app(environ, start_response))
    return status["status"], status["headers"], body


def test_a_100_mb_post_to_the_login_page_is_refused_without_reading_it():
    from opencity.wsgi import application

    hundred_mb = 100 * 1024 * 1024
    stream = _CountingInput(hundred_mb)
    status, headers, body = _call(application, _environ(length=hundred_mb, stream=stream))
    assert status.startswith("413") and stream.read_bytes == 0
    assert b"too large" in body
    api = _CountingInput(hundred_mb)
    status, headers, body = _call(application, _environ("/api/v1/collectives", length=hundred_mb, stream=api))
    assert status.startswith("413") and headers["Content-Type"] == "application/json" and api.read_bytes == 0


def test_a_body_without_length_is_cut_off_at_the_limit(settings):
    from opencity.core.security import RequestBodyLimit

    settings.REQUEST_MAX_BYTES = 1000
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [b""]

    stream = _CountingInput(100 * 1024 * 1024)
    status, _h, _b = _call(RequestBodyLimit(app), _environ(stream=stream))
    assert status.startswith("200") and len(seen["body"]) == 1000 and stream.read_bytes == 1000


def test_a_normal_post_still_goes_through_the_wsgi_app():
    from opencity.wsgi import application

    body = b"email=a%40example.org&password=x"
    status, _h, _b = _call(application, _environ(length=len(body), stream=io.BytesIO(body)))
    assert status.startswith("403")  # Django answered (CSRF), so the body limit let it in


def test_django_refuses_big_form_bodies_too(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    resp = client.post("/accounts/login/", {"email": "a@example.org", "password": "x" * 5000})
    assert resp.status_code == 400


def test_password_reset_revokes_api_tokens(client, mailoutbox):
    from opencity.accounts.services import api_token_create

    user = make_user()
    raw = api_token_create(user=user, name="script")
    assert client.get("/api/v1/collectives", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"(/accounts/password/reset/[^/\s]+/[^/\s]+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "a-brand-new-passphrase-42"
    resp = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert resp.status_code == 302
    assert ApiToken.objects.get(user=user).revoked_at is not None
    resp = client.post("/api/v1/collectives", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 401
    assert PASSWORD != new
