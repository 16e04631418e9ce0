"""`{% bank_summary host %}`: the reconciliation of each of the host's bank accounts, for its dashboard."""

from django import template

register = template.Library()


@register.inclusion_tag("banking/_summary.html")
def bank_summary(host):
    from opencity.banking import reconciliation, selectors

    return {
        "host": host,
        "reconciliations": reconciliation.host_reconciliations(host),
        "unmatched_count": selectors.unmatched_lines(host).count(),
    }
