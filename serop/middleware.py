"""Language selection for a site that has both language-prefixed and plain URLs."""

from functools import cache

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern
from django.utils import translation


@cache
def _plain_resolver() -> URLResolver:
    from serop.urls import plain_urlpatterns

    return URLResolver(RegexPattern(r"^/"), plain_urlpatterns)


def is_plain_path(path: str) -> bool:
    """Whether ``path`` is one of the pages outside i18n_patterns (admin, links in emails,
    file downloads)."""
    try:
        _plain_resolver().resolve(path)
    except Resolver404:
        return False
    return True


class SeropLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except on the plain (unprefixed) pages.

    With ``i18n_patterns(prefix_default_language=False)`` Django serves *every* unprefixed
    path in the default language, ignoring the language cookie and Accept-Language. That is
    right for the public pages (Danish at /privatlivspolitik, English at /en/privacy-policy)
    but wrong for the admin and for the links in emails (keep-my-profile, downloads), which
    have one URL for both languages: there the visitor's choice decides, as without
    i18n_patterns.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if translation.get_language_from_path(request.path_info) is None and is_plain_path(
            request.path_info
        ):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
