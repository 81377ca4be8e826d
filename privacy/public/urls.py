"""Public pages of the privacy app (mounted under i18n_patterns in serop/urls.py): the privacy
notice at /privatlivspolitik/ (Danish) and /en/privacy-policy/ (English)."""

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "privacy_public"
urlpatterns: list[URLPattern] = [
    path(_("privacy-policy/"), views.notice, name="notice"),
]
