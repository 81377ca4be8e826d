from django.apps import AppConfig

# The module, not the class: an AppConfig class imported here would count as a candidate
# default config of the "serop" app.
from django.contrib.admin import apps as admin_apps


class SeropConfig(AppConfig):
    name = "serop"
    verbose_name = "SEROP"
    default = True

    def ready(self) -> None:
        from django.db.models import EmailField
        from django.db.models.functions import Lower

        # ``email__lower=Lower(Value(address))`` compiles to LOWER(email) = LOWER(address),
        # which the ``Lower("email")`` indexes answer. ``email__iexact`` compiles to UPPER(...)
        # on PostgreSQL, which no index here matches: a whole-table scan per lookup.
        EmailField.register_lookup(Lower)


class SeropAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the admin site that requires a second factor."""

    default = False
    default_site = "serop.admin_site.SeropAdminSite"
