"""Rate limits and the honeypot shared by the public forms (serop/abuse.py)."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from serop.abuse import HoneypotForm, Ratelimited, check_rate_limits, rate_limited_view


def post(email: str = "", ip: str = "192.0.2.1") -> HttpRequest:
    return RequestFactory().post("/x/", {"email": email}, REMOTE_ADDR=ip)


def attempts_until_refused(make_request, limit: int = 20) -> int:
    for n in range(1, limit + 1):
        try:
            check_rate_limits(make_request(), "signup")
        except Ratelimited:
            return n
    return 0


def test_an_email_address_is_limited_whatever_ip_it_comes_from(settings):
    settings.SEROP_RATE_LIMITS = {"signup": {"ip": "100/h", "email": "3/h"}}
    ips = iter(f"192.0.2.{n}" for n in range(1, 50))
    assert attempts_until_refused(lambda: post("Anna@Example.dk ", next(ips))) == 4


def test_an_ip_is_limited_whatever_addresses_it_sends(settings):
    settings.SEROP_RATE_LIMITS = {"signup": {"ip": "5/h", "email": "100/h"}}
    emails = iter(f"p{n}@example.dk" for n in range(50))
    assert attempts_until_refused(lambda: post(next(emails))) == 6


def test_reading_a_form_is_never_limited(settings):
    settings.SEROP_RATE_LIMITS = {"signup": {"ip": "1/h", "email": "1/h"}}
    for _ in range(5):
        check_rate_limits(RequestFactory().get("/x/"), "signup")


def test_limits_can_be_switched_off_for_load_tests(settings):
    settings.SEROP_RATE_LIMITS = {"signup": {"ip": "1/h", "email": "1/h"}}
    settings.RATELIMIT_ENABLE = False
    assert attempts_until_refused(lambda: post("a@example.dk")) == 0


@pytest.mark.parametrize(("language", "text"), [("da", "For mange forsøg"), ("en", "Too many")])
def test_the_refusal_page_is_a_429_in_the_visitors_language(language, text):
    with translation.override(language):
        response: HttpResponse = rate_limited_view(RequestFactory().get("/"))
    assert response.status_code == 429
    assert text in response.content.decode()


def test_the_honeypot_tells_a_bot_from_a_person():
    assert HoneypotForm({"website": "http://spam.example"}).is_bot()
    assert not HoneypotForm({"website": ""}).is_bot()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy: the header is the client's word, ignored
        (1, "203.0.113.9", "203.0.113.9"),  # nginx appended the visitor
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left is ignored
        (2, "203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "", "192.0.2.1"),  # header missing: fall back to the connection
    ],
)
def test_behind_proxies_the_visitor_is_counted_not_the_proxy(
    settings, proxies, forwarded, expected
):
    from serop.abuse import client_ip

    settings.SEROP_PROXY_COUNT = proxies
    request = RequestFactory().post("/x/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_visitors_behind_one_proxy_do_not_share_a_limit(settings):
    settings.SEROP_PROXY_COUNT = 1
    settings.SEROP_RATE_LIMITS = {"signup": {"ip": "2/h", "email": "100/h"}}

    def via_proxy(visitor: str) -> HttpRequest:
        return RequestFactory().post("/x/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=visitor)

    assert attempts_until_refused(lambda: via_proxy("203.0.113.1")) == 3
    check_rate_limits(via_proxy("203.0.113.2"), "signup")  # another visitor is not refused
