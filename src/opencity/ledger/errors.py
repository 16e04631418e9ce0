from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, DomainError


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    default_message = _("The collective does not have enough money for this.")


class LedgerError(DomainError):
    code = "ledger_error"
    default_message = _("This money movement is not valid.")


class AlreadyReversed(Conflict):
    code = "already_reversed"
    default_message = _("This entry has already been reversed.")
