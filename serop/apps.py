from django.apps import AppConfig

# The module, not the class: an AppConfig class imported here would count as a candidate
# default config of the "serop" app.
from django.contrib.admin import apps as admin_apps


class SeropConfig(AppConfig):
    name = "serop"
    verbose_name = "SEROP"
    default = True


class SeropAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the admin site that requires a second factor."""

    default = False
    default_site = "serop.admin_site.SeropAdminSite"
