"""``manage.py check`` for the registry: every field of every data-subject app is declared, and
every declaration names only known purposes, bases, categories, processors, rules and consents.
A confidential or criminal-record field must also be encrypted at rest."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from .fields import is_encrypted
from .processors import KNOWN_PROCESSOR_KEYS
from .registry import PersonalData, Registry, registry
from .taxonomy import Category, LegalBasis, Purpose, Sensitivity, Source

MUST_BE_ENCRYPTED = {Sensitivity.CONFIDENTIAL, Sensitivity.CRIMINAL}


def _declarable_fields(model: Any) -> list[Any]:
    local_m2m = list(model._meta.local_many_to_many)
    return [*model._meta.concrete_fields, *local_m2m]


def _check_declaration(model: Any, name: str, decl: PersonalData) -> list[Error]:
    from consents.purposes import ConsentPurpose
    from retention.rules import RULES

    where = f"{model._meta.label}.{name}"
    errors = []

    def bad(what: str, value: Any, code: str) -> None:
        errors.append(Error(f"{where} names an unknown {what}: {value!r}", obj=model, id=code))

    if decl.category not in Category.values:
        bad("data category", decl.category, "privacy.E003")
    for purpose in decl.purposes:
        if purpose not in Purpose.values:
            bad("purpose", purpose, "privacy.E004")
    for basis in decl.basis:
        if basis not in LegalBasis.values:
            bad("legal basis", basis, "privacy.E005")
    if decl.source not in Source.values:
        bad("source", decl.source, "privacy.E006")
    for key in decl.processors:
        if key not in KNOWN_PROCESSOR_KEYS:
            bad("processor", key, "privacy.E007")
    if decl.retention not in RULES:
        bad("retention rule", decl.retention, "privacy.E008")
    if decl.consent is not None and decl.consent not in ConsentPurpose.values:
        bad("consent purpose", decl.consent, "privacy.E009")
    if not decl.purposes or not decl.basis:
        errors.append(
            Error(
                f"{where} must name at least one purpose and one legal basis",
                obj=model,
                id="privacy.E010",
            )
        )
    return errors


def registry_errors(models: Iterable[Any], reg: Registry) -> list[Any]:
    """Every problem with the declarations of ``models`` (the models of the data-subject apps)
    in ``reg``: undeclared models and fields, declared fields that do not exist, unknown keys,
    and confidential fields that are not encrypted."""
    errors: list[Any] = []
    for model in models:
        app_label = model._meta.app_label
        entry = reg.entry(model)
        if entry is None:
            errors.append(
                Error(
                    f"{model._meta.label} is not declared in the privacy registry",
                    hint=f"Declare it in {app_label}/privacy.py.",
                    obj=model,
                    id="privacy.E001",
                )
            )
            continue
        if entry.reason:  # a model declared as holding no personal data at all
            continue
        names = {f.name for f in _declarable_fields(model)}
        for name in sorted(names - entry.fields.keys()):
            errors.append(
                Error(
                    f"{model._meta.label}.{name} is not declared in the privacy registry",
                    hint=f"Declare it in {app_label}/privacy.py (PersonalData or NOT_PERSONAL).",
                    obj=model,
                    id="privacy.E001",
                )
            )
        for name in sorted(entry.fields.keys() - names):
            errors.append(
                Error(
                    f"{model._meta.label}.{name} is declared but the model has no such field",
                    obj=model,
                    id="privacy.E002",
                )
            )
    for info in reg.fields():
        errors.extend(_check_declaration(info.model, info.name, info.data))
        if info.sensitivity in MUST_BE_ENCRYPTED:
            model_field = info.model._meta.get_field(info.name)
            if not is_encrypted(model_field) and not model_field.is_relation:
                errors.append(
                    Error(
                        f"{info.key} is {info.sensitivity} but not encrypted at rest",
                        hint="Use an Encrypted*Field from privacy.fields.",
                        obj=info.model,
                        id="privacy.E011",
                    )
                )
    return errors


@register("privacy")
def check_registry(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    subject_models = [
        model
        for app_label in settings.PRIVACY_SUBJECT_APPS
        for model in apps.get_app_config(app_label).get_models()
    ]
    return registry_errors(subject_models, registry)


@register(Tags.database)
def check_processors_in_database(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Any]:
    """Run by ``check --database default``: every processor a declaration names is in the
    register the DPO maintains."""
    from .models import Processor

    if not databases:
        return []
    try:
        known = set(Processor.objects.values_list("key", flat=True))
    except DatabaseError:
        return []
    return [
        Warning(
            f"Processor {key!r} is named in the registry but missing from the processor register",
            id="privacy.W001",
        )
        for key in sorted(registry.processors() - known)
    ]
