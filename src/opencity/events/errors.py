from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, ValidationFailed


class InvalidEvent(ValidationFailed):
    code = "invalid_event"
    default_message = _("This event is not valid.")


class InvalidOrder(ValidationFailed):
    code = "invalid_order"
    default_message = _("This order is not valid.")


class SoldOut(Conflict):
    code = "sold_out"
    default_message = _("Sold out: there are not enough places left.")
