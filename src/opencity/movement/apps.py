from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MovementConfig(AppConfig):
    name = "opencity.movement"
    verbose_name = _("Start your own movement")
    default_auto_field = "django.db.models.BigAutoField"
