"""Public pages of the customers app (mounted under i18n_patterns in serop/urls.py): Danish paths
at the root, English ones under /en/ (the translations of the paths are in the catalogue)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import contact_views, newsletter_views

app_name = "customers_public"
urlpatterns = [
    path(_("newsletter/"), newsletter_views.signup, name="newsletter_signup"),
    path(_("newsletter/check-your-email/"), newsletter_views.sent, name="newsletter_sent"),
    path(_("newsletter/confirm/<str:token>/"), newsletter_views.confirm, name="newsletter_confirm"),
    path(
        _("newsletter/unsubscribe/<str:token>/"),
        newsletter_views.unsubscribe,
        name="newsletter_unsubscribe",
    ),
    path(_("contact/"), contact_views.contact, name="contact"),
    path(_("contact/thank-you/"), contact_views.received, name="contact_received"),
]
