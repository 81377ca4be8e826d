from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from serop.health import healthz

# Pages outside the language-prefixed public site: their language comes from the visitor's
# choice (cookie) or browser, not from the path (serop/middleware.py).
# admin.site is serop.admin_site.SeropAdminSite (serop.apps.SeropAdminConfig.default_site).
plain_urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),  # liveness probe (serop/health.py)
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch (set_language)
    path("", include("retention.urls")),
    path("", include("privacy.urls")),
    path("files/", include("candidates.files")),  # uploaded files, permission-checked
]

# Public pages: Danish at the root (/privatlivspolitik), English under /en/ with English paths
# (/en/privacy-policy). Paths are translatable strings; their Danish forms are in locale/da.
urlpatterns = plain_urlpatterns + i18n_patterns(
    path("", include("candidates.public.urls")),
    path("", include("customers.public.urls")),
    path("", include("privacy.public.urls")),
    prefix_default_language=False,
)
