"""Which language a page is in: the path for the public site, the visitor's choice elsewhere."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_public_pages_are_danish_at_the_root_whatever_the_browser_prefers(client):
    response = client.get("/privatlivspolitik/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert lang(response) == "da"


def test_public_pages_are_english_under_en(client):
    response = client.get("/en/privacy-policy/", HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200
    assert lang(response) == "en"


@pytest.mark.parametrize(("accept", "expected"), [("en", "en"), ("da", "da"), ("", "da")])
def test_the_admin_follows_the_browser(client, accept, expected):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert lang(response) == expected


def test_the_language_switch_decides_for_the_admin_too(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="da")
    assert lang(response) == "en"
