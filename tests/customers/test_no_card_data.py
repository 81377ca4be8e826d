"""Card data is entered at Quickpay only (policy §8): no model may have a place for it."""

import re

from django.apps import apps
from django.conf import settings

CARD_LIKE = re.compile(
    r"card|pan\b|^pan_|cvv|cvc|cvd|expir(y|ation)_?(month|year|date)?$", re.IGNORECASE
)


# SEROP's own apps (third-party apps such as django-axes have unrelated "expiration" fields).
PROJECT_APPS = {"serop", "privacy", "retention", *settings.PRIVACY_SUBJECT_APPS}


def test_no_model_has_a_field_that_could_hold_card_data():
    offenders = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.get_fields()
        if CARD_LIKE.search(field.name) or CARD_LIKE.search(str(getattr(field, "verbose_name", "")))
    ]
    assert offenders == []


def test_the_card_field_detector_would_catch_one():
    assert CARD_LIKE.search("card_number") and CARD_LIKE.search("cvv")
    assert CARD_LIKE.search("expiry_date") and not CARD_LIKE.search("id_document_expires")
