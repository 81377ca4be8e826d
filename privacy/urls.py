"""Public and staff URLs of the privacy app outside the admin's own pages."""

from django.contrib import admin
from django.urls import path

from . import export_views

app_name = "privacy"

urlpatterns = [
    path("data-export/<str:token>/", export_views.export_download, name="export_download"),
    # Behind the admin site's own checks (active staff, second factor), then the permission.
    path(
        "privacy/exports/<int:pk>/download/",
        admin.site.admin_view(export_views.export_download_admin),
        name="export_download_admin",
    ),
]
