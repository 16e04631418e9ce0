"""Domain errors: raised by services, shown as a translated message on pages and as JSON in the API."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the user can understand. `code` is stable for API clients; `message` is translated."""

    code = "invalid"
    status = 400
    default_message = _("This request is not valid.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.field = field
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This conflicts with the current state.")


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400
