"""Fixtures of the newsletter and contact-form tests.

Celery runs the tasks in-process (task_always_eager) when a test lets the on-commit callbacks
run (django_capture_on_commit_callbacks(execute=True)): what the worker would do, synchronously.
Mail goes to Django's locmem outbox. Rate-limit counters live in this run's Redis database and
are cleared before each test."""

import re

import factory
import pytest
from django.core.cache import cache
from django.utils import timezone
from factory.django import DjangoModelFactory

from consents.models import ConsentText
from consents.purposes import ConsentPurpose
from customers.models import NewsletterSubscriber
from customers.newsletter import current_consent_text
from serop.celery import app


@pytest.fixture(autouse=True)
def _eager_celery():
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def text(db) -> ConsentText:
    """The newsletter consent text in force (version 1 comes with consents' data migration)."""
    current = current_consent_text()
    if current is not None:
        return current
    return ConsentText.objects.create(
        purpose=ConsentPurpose.NEWSLETTER,
        version=1,
        text_da="Ja tak, send mig nyhedsbrevet.",
        text_en="Yes, send me the newsletter.",
        published_at=timezone.now(),
    )


def signup_data(text: ConsentText, email: str = "anna@example.dk", **extra: str) -> dict:
    return {"email": email, "consent": "on", "text_version": str(text.pk), "website": "", **extra}


def link_in(message, kind: str) -> str:
    """The path of the confirm or unsubscribe link in an email's text (kind: "confirm" or
    "unsubscribe", in either language's path)."""
    words = {"confirm": "(?:confirm|bekraeft)", "unsubscribe": "(?:unsubscribe|afmeld)"}[kind]
    found = re.search(rf"http://testserver(/\S*?{words}/[^/\s]+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = NewsletterSubscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.dk")
    language = "da"
    status = NewsletterSubscriber.Status.CONFIRMED
    subscribed_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
