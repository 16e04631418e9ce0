"""The API: django-ninja at /api/v1, OpenAPI at /api/openapi.json, docs at /api/docs.

Each domain owns one module with a `router`; this file mounts them and turns every refusal into
JSON `{"code", "message"}` with a 4xx status.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from opencity.core.errors import DomainError

api = NinjaAPI(
    title="OpenCity API",
    version="1",
    description="Everything a person can do on the web. Amounts are integers of minor units.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    body = {"code": code, "message": str(message)}
    if field:
        body["field"] = field
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    message = str(exc.message)
    if exc.code == "2fa_required":  # the API's way to pass the second factor (see api/auth.py)
        message = _(
            "Money operations need two-factor authentication: turn it on in your settings, then send a current "
            "code from your authenticator app in the X-OpenCity-OTP header with each request."
        )
    return _error(request, exc.status, exc.code, message, exc.field)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = ".".join(str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query", "path", "form"))
    message = first.get("msg", "Invalid input.")
    return _error(request, 422, "validation_error", f"{loc}: {message}" if loc else message, loc or None)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(
        request, 401, "unauthenticated", _("A valid personal API token is required (Authorization: Bearer …).")
    )


@api.exception_handler(Http404)
def on_404(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(DjangoPermissionDenied)
def on_403(request, exc):
    return _error(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, "payload_too_large", _("The request body is too large."))


@api.exception_handler(DataError)
def on_data_error(request, exc):
    """Last line of defence: input the database cannot store (the service's transaction rolled back)."""
    return _error(request, 400, "invalid_input", _("This input cannot be stored."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


def _mount() -> None:
    import importlib

    for name, prefix in [
        ("opencity.api.hosting", "/v1/"),
        ("opencity.api.ledger", "/v1/"),
        ("opencity.api.contributions", "/v1/"),
        ("opencity.api.expenses", "/v1/"),
        ("opencity.api.events", "/v1/"),
        ("opencity.api.banking", "/v1/"),
        ("opencity.api.community", "/v1/"),
        ("opencity.api.stories", "/v1/"),
        ("opencity.api.insights", "/v1/"),
        ("opencity.api.movement", "/v1/"),
    ]:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        api.add_router(prefix, module.router)


_mount()
