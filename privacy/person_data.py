"""What a collection of one person's data holds (privacy/subject_data.py fills it): records of
values with their registry declarations, grouped by category with purposes, legal basis,
processors and retention, plus disclosures, consents and files."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models

from .registry import FieldInfo
from .taxonomy import Source


@dataclass(frozen=True)
class Value:
    info: FieldInfo
    text: str  # as shown to the person, in their language
    data: Any  # JSON-ready, machine-readable (Art. 20)

    @property
    def key(self) -> str:
        """Stable across releases and languages: ``app.model.field``."""
        meta = self.info.model._meta
        return f"{meta.app_label}.{meta.model_name}.{self.info.name}"

    @property
    def is_empty(self) -> bool:
        return self.text == ""


@dataclass
class Record:
    """One row about the person: the confirmed record it was reached from (``root``) and the
    person record it belongs to (``person``; the same, unless a confirmed record is not itself
    a person, like a consent)."""

    row: models.Model
    root: models.Model
    person: models.Model
    values: list[Value]

    @property
    def model(self) -> type[models.Model]:
        return type(self.row)


@dataclass(frozen=True)
class Table:
    """The values of one record type in one category: a row per record."""

    label: str
    columns: list[str]
    rows: list[list[str]]

    @property
    def single(self) -> bool:
        return len(self.rows) == 1

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(label, value) of a single record, for a two-column layout."""
        return list(zip(self.columns, self.rows[0], strict=True)) if self.rows else []


@dataclass(frozen=True)
class ProcessorInfo:
    key: str
    name: str
    service: str
    role: str
    country: str
    third_country_transfer: bool
    transfer_safeguard: str


@dataclass(frozen=True)
class RetentionInfo:
    rule: str
    label: str
    action: str
    clock: str  # what starts the period, in words
    applies_on: date | None  # None: the clock has not started


@dataclass
class Group:
    """One category of data, with what GDPR Art. 15(1) asks about it."""

    category: str
    label: str
    tables: list[Table]
    purposes: list[str]
    bases: list[str]
    sources: list[str]
    processors: list[ProcessorInfo]
    retention: list[RetentionInfo]
    values: int


@dataclass(frozen=True)
class DisclosureInfo:
    disclosed_at: str
    customer: str
    contact: str
    posting: str
    documents: str
    method: str
    note: str


@dataclass(frozen=True)
class ConsentInfo:
    purpose: str
    version: int
    text: str  # the exact wording agreed to, in the person's language
    given_at: str
    channel: str
    withdrawn_at: str
    withdrawal_channel: str


@dataclass(frozen=True)
class FileRef:
    storage_name: str
    archive_name: str  # where it goes in the zip
    key: str  # app.model.field


@dataclass
class PersonData:
    language: str
    people: list[models.Model]
    records: list[Record]
    groups: list[Group] = field(default_factory=list)
    disclosures: list[DisclosureInfo] = field(default_factory=list)
    consents: list[ConsentInfo] = field(default_factory=list)
    files: list[FileRef] = field(default_factory=list)

    @property
    def processors(self) -> list[ProcessorInfo]:
        """Every processor or recipient of any group, once."""
        found = {p.key: p for group in self.groups for p in group.processors}
        return sorted(found.values(), key=lambda p: p.name.lower())

    @property
    def values(self) -> int:
        """How many non-empty values the collection holds."""
        return sum(1 for r in self.records for v in r.values if not v.is_empty)

    def values_of(self, person: models.Model) -> int:
        """Non-empty values of the records reached from the confirmed record ``person``."""
        return sum(1 for r in self.records if r.root == person for v in r.values if not v.is_empty)

    def provided(self) -> dict[str, list[dict[str, Any]]]:
        """GDPR Art. 20: the values the person provided (registry source: the person), per
        record type, keyed ``app.model.field``."""
        result: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in self.records:
            given = {v.key: v.data for v in record.values if v.info.data.source == Source.SUBJECT}
            if given:
                result[record.model._meta.label_lower].append(given)
        return dict(result)
