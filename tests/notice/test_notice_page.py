"""The public privacy notice at /privatlivspolitik/ and /en/privacy-policy/."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from privacy.models import PrivacyNoticeVersion
from privacy.notice import notice_lines, notice_publish
from privacy.processing_facts import cookies
from privacy.roles import Role

from .conftest import staff

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return "\n".join(notice_lines(response.content.decode()))


def test_the_notice_is_at_the_danish_and_english_paths():
    with translation.override("da"):
        assert reverse("privacy_public:notice") == "/privatlivspolitik/"
    with translation.override("en"):
        assert reverse("privacy_public:notice") == "/en/privacy-policy/"


def test_the_danish_path_without_a_slash_redirects_to_the_notice(client):
    response = client.get("/privatlivspolitik")
    assert response.status_code == 301 and response.url == "/privatlivspolitik/"


def test_before_anything_is_published_the_page_shows_the_draft_marked_as_such(client):
    page = text(client.get("/privatlivspolitik/"))
    assert "Kladde: Denne privatlivspolitik er dannet ud fra vores register" in page
    assert "Dette er en kladde til vores privatlivspolitik" in page
    assert "1. Hvem er ansvarlig for dine personoplysninger" in page


def test_the_published_version_is_shown_in_danish_with_its_version_and_date(client, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+01:00")
    notice_publish(actor=User.objects.create_user("dpo-user"))
    response = client.get("/privatlivspolitik/")
    page = text(response)
    assert response["Content-Language"] == "da"
    assert "Version 1, gældende fra 2. marts 2026" in page
    assert "Dette er version 1 af vores privatlivspolitik, gældende fra 2. marts 2026." in page
    assert "Kladde" not in page


def test_the_english_page_shows_the_english_content_of_the_same_version(client, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+01:00")
    notice_publish(actor=None)
    response = client.get("/en/privacy-policy/")
    page = text(response)
    assert response["Content-Language"] == "en"
    assert "Version 1, in force from March 2, 2026" in page
    assert "1. Who is responsible for your personal data" in page
    assert "11. Complaints" in page and "Borgergade 28, 5., 1300 København K" in page


def test_the_page_shows_what_was_published_not_what_the_registry_says_now(client):
    notice_publish(actor=None)
    PrivacyNoticeVersion.objects.update(content_da="<p>Den udgivne tekst</p>")
    page = text(client.get("/privatlivspolitik/"))
    assert "Den udgivne tekst" in page
    assert "Hvem er ansvarlig" not in page


def test_the_notice_links_to_the_self_service_page(client):
    with translation.override("da"):
        link = reverse("candidates_public:magic_link")
    assert f'href="{link}"' in client.get("/privatlivspolitik/").content.decode()


def test_the_notice_lists_exactly_the_cookies_of_the_settings(client, settings):
    settings.CSRF_COOKIE_NAME = "serop_csrf"
    page = text(client.get("/privatlivspolitik/"))
    cookie_rows = [line for line in page.splitlines() if line.count(" | ") == 2][1:4]
    names = {row.split(" | ")[0] for row in cookie_rows}
    # Only what the system needs: confirmations ride in the session (MESSAGE_STORAGE)
    assert names == {"sessionid", "serop_csrf", "django_language"}
    assert "messages |" not in page
    assert {c.name for c in cookies()} == names
    assert "sessionid | Holder dig logget ind" in page
    assert "1 time uden aktivitet, og når browseren lukkes" in page
    # the personal data page sets its own, shorter expiry on the session (SELF_SERVICE_...)
    assert "Siden med dine personoplysninger: 30 minutter uden aktivitet" in page


def test_messages_kept_in_cookies_are_listed_by_the_notice(client, settings):
    """The notice follows the settings: a deployment that keeps confirmations in Django's
    cookie storage gets the ``messages`` cookie listed without editing any template."""
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"
    settings.SELF_SERVICE_SESSION_MINUTES = 45
    page = text(client.get("/privatlivspolitik/"))
    assert {c.name for c in cookies()} == {"sessionid", "csrftoken", "django_language", "messages"}
    assert "messages | " in page
    assert "45 minutter uden aktivitet" in page


def test_the_cookies_staff_get_when_sending_a_form_are_among_those_the_notice_lists(client):
    """Publishing in the admin confirms with a message, carried to the next page in the
    session (MESSAGE_STORAGE): no cookie beyond those the notice names."""
    client.force_login(staff(Role.DPO))
    draft = client.get(reverse("admin:privacy_privacynoticeversion_draft"))
    published = client.post(
        reverse("admin:privacy_privacynoticeversion_draft"), {"digest": draft.context["digest"]}
    )
    assert published.status_code == 302
    set_cookies = set(draft.cookies) | set(published.cookies)
    assert "messages" not in set_cookies
    shown = client.get(published.url)  # the confirmation still reaches the next page
    assert list(shown.context["messages"])
    set_cookies |= set(shown.cookies)
    listed = {c.name for c in cookies()}
    assert set_cookies <= listed
    notice = text(client.get("/privatlivspolitik/"))
    assert all(f"{name} | " in notice for name in set_cookies)


def test_the_cookies_public_pages_set_are_among_those_the_notice_lists(client):
    """Every cookie set while visiting the public pages, the contact form, switching language and
    opening the staff login is one the notice names (read from the notice's own text)."""
    page = client.get("/privatlivspolitik/")
    listed = {
        row.split(" | ")[0]
        for row in text(page).splitlines()
        if row.count(" | ") == 2 and not row.startswith("Cookie |")
    } & {c.name for c in cookies()}
    assert listed == {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    }
    set_cookies: set[str] = set(page.cookies)
    for path in ["/en/privacy-policy/", reverse("admin:login")]:
        set_cookies |= set(client.get(path).cookies)
    for name in ("customers_public:contact", "candidates_public:signup"):
        with translation.override("da"):
            set_cookies |= set(client.get(reverse(name)).cookies)
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/privatlivspolitik/"})
    set_cookies |= set(switched.cookies)
    assert settings.CSRF_COOKIE_NAME in set_cookies  # the forms did set their cookie
    assert settings.LANGUAGE_COOKIE_NAME in set_cookies  # and switching language its own
    assert set_cookies <= listed


def test_only_get_and_head_are_allowed(client):
    assert client.post("/privatlivspolitik/").status_code == 405
