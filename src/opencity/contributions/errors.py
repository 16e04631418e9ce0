from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, ValidationFailed
from opencity.payments.pipeline import SettlementBlocked


class InvalidContribution(ValidationFailed):
    code = "invalid_contribution"
    default_message = _("This contribution is not valid.")


class TierSoldOut(Conflict):
    code = "tier_sold_out"
    default_message = _("This tier is sold out.")


class RefundNotCovered(Conflict, SettlementBlocked):
    code = "refund_not_covered"
    default_message = _(
        "The collective has already spent this money, so the refund cannot be recorded against its balance. "
        "Add funds to the collective first (or ask the host to cover it), then refund again."
    )
