from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .signals import connect as connect_login_audit

        connect_login_audit()  # the audit trail's receivers of login, logout and lockout

        autodiscover_modules("privacy")
