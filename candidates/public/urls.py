"""Public pages of the candidates app (mounted under i18n_patterns in serop/urls.py): Danish
paths at the root, English ones under /en/. The paths are translatable strings."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import page_views, views

app_name = "candidates_public"

urlpatterns = [
    path(_("cv-bank/signup/"), views.signup, name="signup"),
    path(_("cv-bank/signup/thanks/"), views.signup_done, name="signup_done"),
    path(_("cv-bank/confirm/<str:token>/"), views.confirm, name="confirm"),
    path(_("cv-bank/my-data/link/"), views.magic_link, name="magic_link"),
    path(_("cv-bank/my-data/link/sent/"), views.magic_link_sent, name="magic_link_sent"),
    path(_("cv-bank/my-data/sign-in/<str:token>/"), views.login, name="login"),
    path(_("cv-bank/my-data/"), page_views.personal, name="personal"),
    path(_("cv-bank/my-data/correct/"), page_views.correct, name="correct"),
    path(_("cv-bank/my-data/documents/<str:kind>/"), page_views.document, name="document"),
    path(_("cv-bank/my-data/export/"), page_views.export, name="export"),
    path(
        _("cv-bank/my-data/consents/<str:purpose>/withdraw/"),
        page_views.withdraw,
        name="consent_withdraw",
    ),
    path(_("cv-bank/my-data/consents/<str:purpose>/give/"), page_views.give, name="consent_give"),
    path(_("cv-bank/my-data/delete/"), page_views.delete, name="delete"),
    path(_("cv-bank/my-data/deleted/"), page_views.deleted, name="deleted"),
    path(_("cv-bank/my-data/sign-out/"), page_views.logout, name="logout"),
]
