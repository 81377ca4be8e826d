"""``/healthz``: the liveness probe answers "ok" without the database."""

from django.test import Client
from django.urls import reverse


def test_healthz_answers_ok_without_touching_the_database():
    # No django_db mark: pytest-django makes any query in this test raise.
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_not_language_prefixed_and_refuses_posts():
    assert reverse("healthz") == "/healthz"
    assert Client().post("/healthz").status_code == 405
