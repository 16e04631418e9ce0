"""Every permission question about the host's bank accounts, statements and lines."""

from opencity.accounts.permissions import has_2fa
from opencity.hosting.permissions import is_host_admin


def can_view_bank(user, host) -> bool:
    """Statements, lines (with IBANs and names) and reconciliation: the host's admins only."""
    return is_host_admin(user, host)


def can_import_statement(user, host) -> bool:
    """Importing matches lines and posts them to the ledger because a person clicked: a recent second factor."""
    return is_host_admin(user, host) and has_2fa(user)


def can_manage_bank_accounts(user, host) -> bool:
    return is_host_admin(user, host)


def can_assign_line(user, host) -> bool:
    """Assigning a line posts to the ledger because a person clicked: host admin with a recent second factor."""
    return is_host_admin(user, host) and has_2fa(user)
