"""Public pages of the retention app: the "keep my profile" link of a deletion notice."""

from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("cv-bank/keep/<str:token>/", views.keep_profile, name="keep_profile"),
]
