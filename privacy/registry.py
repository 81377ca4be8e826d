"""The personal-data registry: one declaration per field of every model that holds data about
people, and the query API that everything else reads (admin masking, exports, erasure,
retention, records of processing, the privacy notice).

Each app declares its models in ``<app>/privacy.py``; ``PrivacyConfig.ready`` imports them the
way the admin discovers ``admin.py``. ``privacy.checks`` makes ``manage.py check`` fail on any
field left undeclared or any declaration naming an unknown key.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from .taxonomy import (
    DEFAULT_SENSITIVITY,
    Category,
    LegalBasis,
    Purpose,
    Sensitivity,
    Source,
    Subject,
)


@dataclass(frozen=True)
class PersonalData:
    """What a field holds about a person, why, on what legal basis and for how long."""

    category: Category
    purposes: tuple[Purpose, ...]
    basis: tuple[LegalBasis, ...]
    retention: str
    source: Source = Source.SUBJECT
    processors: tuple[str, ...] = ()
    sensitivity: Sensitivity | None = None  # None: the category's default
    consent: str | None = None  # the consent purpose the value depends on (voluntary data)
    subject: Subject | None = None  # None: the model's subject

    def __post_init__(self) -> None:
        # Accept lists as well as tuples in declarations; the dataclass stays hashable.
        for name in ("purposes", "basis", "processors"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class NotPersonal:
    """A field that holds no personal data (keys, flags, timestamps of the record itself)."""

    reason: str = ""


NOT_PERSONAL = NotPersonal()
Declaration = PersonalData | NotPersonal


@dataclass(frozen=True)
class FieldInfo:
    """A resolved declaration: a personal-data field with its model and effective values."""

    model: type[models.Model]
    name: str
    data: PersonalData
    subject: Subject
    sensitivity: Sensitivity

    @property
    def label(self) -> str:
        return str(getattr(self.model._meta.get_field(self.name), "verbose_name", self.name))

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    @property
    def category(self) -> Category:
        return self.data.category

    @property
    def retention(self) -> str:
        return self.data.retention

    @property
    def is_confidential(self) -> bool:
        return self.sensitivity != Sensitivity.ORDINARY


@dataclass
class ModelEntry:
    model: type[models.Model]
    subject: Subject | None
    # Lookup path from this model to the person the row is about ("candidate",
    # "application__candidate"); "" when the row is the person itself.
    person: str
    fields: dict[str, Declaration] = field(default_factory=dict)
    reason: str = ""  # for models holding no personal data at all

    @property
    def holds_personal_data(self) -> bool:
        return any(isinstance(d, PersonalData) for d in self.fields.values())


class Registry:
    def __init__(self) -> None:
        self._entries: dict[type[models.Model], ModelEntry] = {}

    # --- declaring ------------------------------------------------------------------------
    def register(
        self,
        model: type[models.Model],
        *,
        subject: Subject,
        fields: dict[str, Declaration],
        person: str = "",
    ) -> None:
        if model in self._entries:
            raise ValueError(f"{model._meta.label} is declared twice in the privacy registry")
        self._entries[model] = ModelEntry(model, subject, person, dict(fields))

    def register_non_personal(self, model: type[models.Model], *, reason: str) -> None:
        """Declare a model of a data-subject app that holds no personal data at all."""
        if model in self._entries:
            raise ValueError(f"{model._meta.label} is declared twice in the privacy registry")
        self._entries[model] = ModelEntry(model, None, "", {}, reason=reason)

    # --- reading --------------------------------------------------------------------------
    def entries(self) -> list[ModelEntry]:
        return sorted(self._entries.values(), key=lambda e: e.model._meta.label)

    def entry(self, model: type[models.Model]) -> ModelEntry | None:
        return self._entries.get(model._meta.concrete_model or model)

    def is_registered(self, model: type[models.Model]) -> bool:
        return self.entry(model) is not None

    def declaration(self, model: type[models.Model], field_name: str) -> Declaration | None:
        entry = self.entry(model)
        return entry.fields.get(field_name) if entry else None

    def _resolve(self, entry: ModelEntry) -> Iterator[FieldInfo]:
        for name, decl in entry.fields.items():
            if isinstance(decl, PersonalData):
                subject = decl.subject or entry.subject
                assert subject is not None, f"{entry.model._meta.label}.{name} has no subject"
                sensitivity = decl.sensitivity or DEFAULT_SENSITIVITY.get(
                    decl.category, Sensitivity.ORDINARY
                )
                yield FieldInfo(entry.model, name, decl, subject, sensitivity)

    def fields(
        self,
        *,
        model: type[models.Model] | None = None,
        name: str | None = None,
        subject: Subject | str | None = None,
        category: Category | str | None = None,
        sensitivity: Sensitivity | str | None = None,
        purpose: Purpose | str | None = None,
        processor: str | None = None,
        retention: str | None = None,
    ) -> list[FieldInfo]:
        """Every personal-data field matching all the given filters, in a stable order."""
        entries: Iterable[ModelEntry]
        if model is not None:
            found = self.entry(model)
            entries = [found] if found else []
        else:
            entries = self.entries()
        result = []
        for entry in entries:
            for info in self._resolve(entry):
                if name is not None and info.name != name:
                    continue
                if subject is not None and info.subject != subject:
                    continue
                if category is not None and info.category != category:
                    continue
                if sensitivity is not None and info.sensitivity != sensitivity:
                    continue
                if purpose is not None and purpose not in info.data.purposes:
                    continue
                if processor is not None and processor not in info.data.processors:
                    continue
                if retention is not None and info.retention != retention:
                    continue
                result.append(info)
        return result

    def field(self, model: type[models.Model], name: str) -> FieldInfo | None:
        found = self.fields(model=model, name=name)
        return found[0] if found else None

    def personal_models(self, *, subject: Subject | str | None = None) -> list[type[models.Model]]:
        """Models holding personal data, optionally only those with fields about ``subject``."""
        return [
            e.model
            for e in self.entries()
            if e.holds_personal_data
            and (subject is None or any(f.subject == subject for f in self._resolve(e)))
        ]

    def sensitivity_of(self, model: type[models.Model], name: str) -> Sensitivity | None:
        info = self.field(model, name)
        return info.sensitivity if info else None

    def retention_rules(self) -> set[str]:
        return {info.retention for info in self.fields()}

    def processors(self) -> set[str]:
        return {key for info in self.fields() for key in info.data.processors}


registry = Registry()
register = registry.register
register_non_personal = registry.register_non_personal


def describe(info: FieldInfo) -> dict[str, Any]:
    """A plain, JSON-ready description of one declaration (stable keys, no labels)."""
    return {
        "app": info.model._meta.app_label,
        "model": info.model._meta.model_name,
        "field": info.name,
        "verbose_name": info.label,
        "subject": str(info.subject),
        "category": str(info.category),
        "sensitivity": str(info.sensitivity),
        "purposes": [str(p) for p in info.data.purposes],
        "legal_basis": [str(b) for b in info.data.basis],
        "source": str(info.data.source),
        "processors": list(info.data.processors),
        "retention": info.retention,
        "consent": info.data.consent or "",
    }


def person_record_fields(retention: str) -> dict[str, Declaration]:
    """Declarations of the fields every ``PersonRecord`` inherits."""
    return {
        "public_id": PersonalData(
            Category.TECHNICAL,
            purposes=(Purpose.SECURITY_AUDIT,),
            basis=(LegalBasis.ART6_1F,),
            retention=retention,
            source=Source.SYSTEM,
        ),
        "is_restricted": NotPersonal("processing state of the record"),
        "restricted_at": NotPersonal("processing state of the record"),
        "restriction_reason": NotPersonal("processing state of the record"),
    }
