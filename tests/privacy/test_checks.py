import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps

from candidates.models import Candidate
from privacy.checks import registry_errors
from privacy.registry import NOT_PERSONAL, PersonalData, Registry, registry
from privacy.taxonomy import Category, LegalBasis, Purpose, Subject


def test_the_project_passes_its_own_registry_check():
    call_command("check")


def test_check_fails_naming_the_model_and_field_when_a_declaration_is_missing(monkeypatch):
    entry = registry.entry(Candidate)
    fields = dict(entry.fields)
    del fields["email"]
    monkeypatch.setattr(entry, "fields", fields)
    with pytest.raises(SystemCheckError, match=r"candidates\.Candidate\.email is not declared"):
        call_command("check")


@isolate_apps("candidates")
def test_a_new_undeclared_field_is_an_error():
    class Probe(models.Model):
        nickname = models.CharField(max_length=50)

        class Meta:
            app_label = "candidates"

    reg = Registry()
    reg.register(Probe, subject=Subject.CANDIDATE, fields={"id": NOT_PERSONAL})
    errors = registry_errors([Probe], reg)
    assert [e.msg for e in errors] == [
        "candidates.Probe.nickname is not declared in the privacy registry"
    ]
    assert all(isinstance(e, Error) and e.id == "privacy.E001" for e in errors)


@isolate_apps("candidates")
def test_an_undeclared_model_is_an_error():
    class Unlisted(models.Model):
        class Meta:
            app_label = "candidates"

    errors = registry_errors([Unlisted], Registry())
    assert [e.id for e in errors] == ["privacy.E001"]
    assert "candidates.Unlisted" in errors[0].msg


@isolate_apps("candidates")
@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"processors": ("no-such-processor",)}, "privacy.E007"),
        ({"retention": "forever"}, "privacy.E008"),
        ({"purposes": ("world_domination",)}, "privacy.E004"),
        ({"basis": ("gut_feeling",)}, "privacy.E005"),
        ({"consent": "no-such-consent"}, "privacy.E009"),
        ({"category": Category.NATIONAL_ID}, "privacy.E011"),  # confidential, not encrypted
    ],
)
def test_a_declaration_naming_an_unknown_key_is_an_error(override, code):
    class Probe(models.Model):
        nickname = models.CharField(max_length=50)

        class Meta:
            app_label = "candidates"

    spec = {
        "category": Category.IDENTITY,
        "purposes": (Purpose.RECRUITMENT,),
        "basis": (LegalBasis.ART6_1A,),
        "retention": "cv_bank_inactivity",
        "processors": ("simply",),
        **override,
    }
    reg = Registry()
    reg.register(
        Probe,
        subject=Subject.CANDIDATE,
        fields={"id": NOT_PERSONAL, "nickname": PersonalData(**spec)},
    )
    errors = registry_errors([Probe], reg)
    assert [e.id for e in errors] == [code]
    assert "candidates.Probe.nickname" in errors[0].msg


@isolate_apps("candidates")
def test_declaring_a_field_the_model_does_not_have_is_an_error():
    class Probe(models.Model):
        class Meta:
            app_label = "candidates"

    reg = Registry()
    reg.register(
        Probe, subject=Subject.CANDIDATE, fields={"id": NOT_PERSONAL, "ghost": NOT_PERSONAL}
    )
    assert [e.id for e in registry_errors([Probe], reg)] == ["privacy.E002"]


@pytest.mark.django_db
def test_every_processor_the_registry_names_is_in_the_seeded_register():
    from privacy.checks import check_processors_in_database

    assert check_processors_in_database(databases=["default"]) == []


@pytest.mark.django_db
def test_a_processor_deleted_from_the_register_is_reported():
    from privacy.checks import check_processors_in_database
    from privacy.models import Processor

    Processor.objects.filter(key="nets").delete()
    warnings = check_processors_in_database(databases=["default"])
    assert [w.id for w in warnings] == ["privacy.W001"]
    assert "'nets'" in warnings[0].msg


@pytest.fixture
def undeclared_field_on_a_real_model():
    """Adds ``nickname`` to candidates.NextOfKin for one test, as a migration-less model change
    would, and takes it away again."""
    from candidates.models import NextOfKin

    field = models.CharField(max_length=50, blank=True)
    field.contribute_to_class(NextOfKin, "nickname")
    try:
        yield NextOfKin
    finally:
        opts = NextOfKin._meta
        opts.local_fields.remove(field)
        opts._expire_cache()
        delattr(NextOfKin, "nickname")


def test_manage_py_check_names_model_and_field_of_a_newly_added_undeclared_field(
    undeclared_field_on_a_real_model,
):
    with pytest.raises(SystemCheckError) as exc:
        call_command("check")
    assert "candidates.NextOfKin.nickname is not declared in the privacy registry" in str(exc.value)


@pytest.mark.parametrize(
    ("override", "what"),
    [
        ({"processors": ("no-such-processor",)}, "processor"),
        ({"retention": "forever"}, "retention rule"),
        ({"purposes": ("world_domination",)}, "purpose"),
    ],
)
def test_manage_py_check_names_model_and_field_of_a_declaration_with_an_unknown_key(
    monkeypatch, override, what
):
    import dataclasses

    entry = registry.entry(Candidate)
    fields = dict(entry.fields)
    fields["email"] = dataclasses.replace(fields["email"], **override)
    monkeypatch.setattr(entry, "fields", fields)
    with pytest.raises(
        SystemCheckError, match=rf"candidates\.Candidate\.email names an unknown {what}"
    ):
        call_command("check")
