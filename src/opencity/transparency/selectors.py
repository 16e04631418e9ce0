"""Public money reads: totals for hosts and collectives. (Contract used by the hosting API and pages.)"""

from opencity.ledger import services as ledger


def collective_totals(collective) -> dict:
    """{"currency", "balance", "total_raised", "total_spent", "yearly_budget_estimate"} in minor units."""
    funds = ledger.funds_account(collective)
    return {
        "currency": collective.currency,
        "balance": funds.balance,
        "total_raised": 0,
        "total_spent": 0,
        "yearly_budget_estimate": 0,
    }


def host_totals(host) -> dict:
    """{"currency", "collectives_count", "total_held", "host_fees_collected"} in minor units."""
    return {
        "currency": host.currency,
        "collectives_count": host.collectives.filter(status="active").exclude(pk=host.profile_id).count(),
        "total_held": 0,
        "host_fees_collected": 0,
    }
