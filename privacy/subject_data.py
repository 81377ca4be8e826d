"""Everything SEROP holds about one person, read from the registry: what an access request
(GDPR Art. 15) answers and what a portability export (Art. 20) carries.

``collect`` starts from the records the DPO confirmed as the person's (a candidate, an employee,
an application, a newsletter subscriber...) and walks the registry: every registered model whose
``person`` path leads to one of those records contributes its rows, with every personal field the
registry declares for it. Nothing here lists fields or models by hand, so a field added to a
``privacy.py`` appears in the next export. Values of every sensitivity are read in full: this is
the person's own copy. Nothing in this module logs a value.

Queries are bounded by the number of registered models, not by the number of rows: one query
per (root model, registered model), with ``select_related`` for the foreign keys shown and
``prefetch_related`` for many-to-many fields.
"""

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from consents.models import ConsentRecord
from retention.rules import RULES

from .models import Processor
from .person_data import (
    ConsentInfo,
    DisclosureInfo,
    FileRef,
    Group,
    PersonData,
    ProcessorInfo,
    Record,
    RetentionInfo,
    Table,
    Value,
)
from .registry import FieldInfo, ModelEntry, registry
from .taxonomy import Category, LegalBasis, Purpose, Source

FILES_FOLDER = "files"


# --- walking the registry -----------------------------------------------------------------
def _target(model: type[models.Model], path: str) -> type[models.Model] | None:
    """The model at the end of a lookup path (``"candidate"`` from JobPreference: Candidate)."""
    current: Any = model
    for part in path.split("__"):
        try:
            current = current._meta.get_field(part).related_model
        except Exception:
            return None
        if current is None:
            return None
    return current


@cache
def paths_to(root: type[models.Model]) -> tuple[tuple[ModelEntry, str], ...]:
    """Every registered model holding personal data whose rows belong to a ``root`` record,
    with the lookup from that model to the root ("" for the root model itself)."""
    found = []
    for entry in registry.entries():
        if not entry.holds_personal_data:
            continue
        if entry.model is root:
            # A root is always its own row, whatever its registered person path says.
            found.append((entry, ""))
        elif entry.person and _target(entry.model, entry.person) is root:
            found.append((entry, entry.person))
    return tuple(found)


@cache
def _infos(model: type[models.Model]) -> tuple[FieldInfo, ...]:
    return tuple(registry.fields(model=model))


def _related_paths(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """``select_related`` and ``prefetch_related`` lookups for the fields shown of ``model``.
    A related object is shown by its ``str()``, which may itself follow a required foreign key
    (a contact person names their company), so those are joined one level further."""
    joins: list[str] = []
    prefetch: list[str] = []
    for info in _infos(model):
        f = model._meta.get_field(info.name)
        if f.many_to_many:
            prefetch.append(info.name)
        elif f.is_relation and (f.many_to_one or f.one_to_one) and f.concrete:
            joins.append(info.name)
            related = f.related_model
            assert related is not None and not isinstance(related, str)
            joins.extend(
                f"{info.name}__{g.name}"
                for g in related._meta.concrete_fields
                if g.is_relation and g.many_to_one and not g.null
            )
    return joins, prefetch


def _resolve(row: models.Model, path: str) -> Any:
    target: Any = row
    for part in path.split("__"):
        target = getattr(target, part)
    return target


def _rows(
    entry: ModelEntry, path: str, roots: list[models.Model]
) -> Iterable[tuple[models.Model, models.Model]]:
    """(row, root) for every row of ``entry.model`` that belongs to one of ``roots``."""
    by_pk = {root.pk: root for root in roots}
    joins, prefetch = _related_paths(entry.model)
    queryset = entry.model._default_manager.all()
    if not path:
        queryset = queryset.filter(pk__in=list(by_pk))
        if entry.person:  # a confirmed record that is not itself the person (a consent)
            joins.append(entry.person)
    else:
        queryset = queryset.filter(**{f"{path}__in": roots})
        if "__" in path:
            joins.append(path)
    queryset = queryset.select_related(*joins).prefetch_related(*prefetch)
    first = path.split("__", 1)[0]
    for row in queryset:
        if not path:
            # The retention clocks read the person the row is about.
            person = _resolve(row, entry.person) if entry.person else None
            yield row, person if person is not None else row
        elif "__" not in path:
            attname = row._meta.get_field(first).attname  # type: ignore[union-attr]
            yield row, by_pk[getattr(row, attname)]
        else:
            yield row, by_pk[_resolve(row, path).pk]


# --- one value ----------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(formats.number_format(value, use_l10n=True))
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _data(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _data(v) for k, v in value.items()}
    return str(value)


def archive_name(row: models.Model, stored: str) -> str:
    """Where an uploaded file goes in the zip: a folder per record, the stored file name."""
    name = PurePosixPath(stored.replace("\\", "/")).name or "file"
    return f"{FILES_FOLDER}/{row._meta.model_name}-{row.pk}/{name}"


def _value(row: models.Model, info: FieldInfo, files: list[FileRef]) -> Value:
    f = row._meta.get_field(info.name)
    if f.many_to_many:
        names = [str(o) for o in getattr(row, info.name).all()]
        return Value(info, ", ".join(names), names)
    if f.is_relation:
        related = getattr(row, info.name)
        label = str(related) if related is not None else ""
        return Value(info, label, label or None)
    if isinstance(f, models.FileField):
        stored = getattr(row, info.name).name or ""
        if not stored:
            return Value(info, "", None)
        archive = archive_name(row, stored)
        value = Value(info, archive, archive)
        files.append(FileRef(stored, archive, value.key))
        return value
    assert isinstance(f, models.Field)
    raw = getattr(row, f.attname)
    if f.choices and raw not in (None, ""):
        label = dict(f.flatchoices).get(raw, raw)
        return Value(info, str(label), _data(raw))
    return Value(info, _text(raw), _data(raw))


# --- when each retention rule applies to this person --------------------------------------
# The clock of each rule (retention/rules.py says in words what starts it), read from the row
# and from the person record it belongs to. None: the clock has not started, so the data is
# kept while the relationship lasts.
Clock = Callable[[Any, Any], date | datetime | None]


def _accounting_clock(row: Any, person: Any) -> date | datetime | None:
    # Webshop orders and their lines: the sale. Mandates and subscriptions: their end.
    if hasattr(person, "placed_at"):
        return person.placed_at
    if hasattr(row, "cancelled_on"):
        return row.cancelled_on
    return getattr(row, "ended_on", None)


def _customer_clock(row: Any, person: Any) -> date | None:
    company = person.company if hasattr(person, "company") else person
    return company.relationship_ended_on


CLOCKS: dict[str, Clock] = {
    "cv_bank_inactivity": lambda row, person: person.last_activity_at,
    "cv_bank_unconfirmed": lambda row, person: (
        None if person.email_confirmed_at else person.created_at
    ),
    "application_posting_closed": lambda row, person: person.posting.closed_on,
    "employment_end": lambda row, person: person.employment_end,
    "payroll": lambda row, person: person.employment_end,
    "customer_relationship": _customer_clock,
    "accounting_record": _accounting_clock,
    "newsletter_unsubscribed": lambda row, person: person.unsubscribed_at,
    "newsletter_unconfirmed": lambda row, person: (
        None if person.confirmed_at else person.subscribed_at
    ),
    "contact_enquiry": lambda row, person: person.received_at,
    "marketing_permission": lambda row, person: person.permission_withdrawn_at,
    "consent_proof": lambda row, person: row.withdrawn_at,
    "audit_trail": lambda row, person: None,
    "subject_request": lambda row, person: person.closed_at,
    "breach_record": lambda row, person: row.closed_at,
    "legal_hold": lambda row, person: row.lifted_at or row.ends_on,
    "deletion_notice": lambda row, person: row.expires_on,
    "retention_record": lambda row, person: (
        getattr(row, "deleted_at", None) or getattr(row, "finished_at", None)
    ),
    "privacy_notice_version": lambda row, person: row.archived_at,
}


def applies_on(rule_key: str, row: models.Model, person: models.Model) -> date | None:
    """The first day ``rule_key`` no longer lets SEROP keep this row; None if not yet known."""
    started = CLOCKS[rule_key](row, person)
    if started is None:
        return None
    if isinstance(started, datetime):
        started = timezone.localdate(started)
    return RULES[rule_key].expires_on(started)


# --- grouping -----------------------------------------------------------------------------
def _ordered_labels(keys: set[str], choices: type[models.TextChoices]) -> list[str]:
    return [str(c.label) for c in choices if c.value in keys]


def _group(
    category: Category,
    records: list[Record],
    processors: dict[str, Processor],
) -> Group | None:
    tables: dict[type[models.Model], tuple[list[str], list[list[str]]]] = {}
    infos: dict[str, FieldInfo] = {}
    retention: dict[tuple[str, date | None], None] = {}
    values = 0
    for record in records:
        shown = [v for v in record.values if v.info.category == category]
        if not shown:
            continue
        _columns, rows = tables.setdefault(record.model, ([v.info.label for v in shown], []))
        rows.append([v.text for v in shown])
        values += sum(1 for v in shown if not v.is_empty)
        for v in shown:
            infos[v.key] = v.info
        for rule in sorted({v.info.retention for v in shown}):
            retention[(rule, applies_on(rule, record.row, record.person))] = None
    if not tables:
        return None
    used = infos.values()
    processor_keys = sorted({key for info in used for key in info.data.processors})
    return Group(
        category=str(category.value),
        label=str(category.label),
        tables=[
            Table(str(model._meta.verbose_name_plural).capitalize(), columns, rows)
            if len(rows) > 1
            else Table(str(model._meta.verbose_name).capitalize(), columns, rows)
            for model, (columns, rows) in tables.items()
        ],
        purposes=_ordered_labels({p for i in used for p in i.data.purposes}, Purpose),
        bases=_ordered_labels({b for i in used for b in i.data.basis}, LegalBasis),
        sources=_ordered_labels({i.data.source for i in used}, Source),
        processors=[_processor(key, processors.get(key)) for key in processor_keys],
        retention=[
            RetentionInfo(
                rule=key,
                label=str(RULES[key].label),
                action=str(RULES[key].action.label),
                clock=str(RULES[key].clock),
                applies_on=day,
            )
            for key, day in sorted(retention, key=lambda k: (k[0], k[1] or date.max))
        ],
        values=values,
    )


def _processor(key: str, processor: Processor | None) -> ProcessorInfo:
    if processor is None:  # named by a declaration but missing from the register
        return ProcessorInfo(key, key, "", "", "", False, "")
    return ProcessorInfo(
        key=key,
        name=processor.name,
        service=processor.service,
        role=str(processor.get_role_display()),
        country=processor.country,
        third_country_transfer=processor.third_country_transfer,
        transfer_safeguard=processor.transfer_safeguard,
    )


def _disclosures(records: list[Record]) -> list[DisclosureInfo]:
    from candidates.models import Disclosure

    result = []
    for record in records:
        row = record.row
        if not isinstance(row, Disclosure):
            continue
        result.append(
            DisclosureInfo(
                disclosed_at=_text(row.disclosed_at),
                customer=str(row.company),
                contact=row.contact.display_name() if row.contact else "",
                posting=str(row.posting) if row.posting else "",
                documents=", ".join(str(d) for d in row.documents.all()),
                method=str(row.get_method_display()),
                note=row.note,
            )
        )
    return sorted(result, key=lambda d: d.disclosed_at)


def _consents(people: list[models.Model], language: str) -> list[ConsentInfo]:
    """Every consent the person gave, found by candidate, subscriber or pseudonymous id (a
    consent's proof outlives the link to the person's record)."""
    condition = Q(pk__in=[])
    refs = [getattr(p, "public_id", None) for p in people]
    refs = [ref for ref in refs if isinstance(ref, uuid.UUID)]
    if refs:
        condition |= Q(subject_ref__in=refs)
    for name in ("candidate", "subscriber"):
        related = ConsentRecord._meta.get_field(name).related_model
        mine = [p for p in people if isinstance(p, related)]  # type: ignore[arg-type]
        if mine:
            condition |= Q(**{f"{name}__in": mine})
    rows = ConsentRecord.objects.filter(condition).select_related("text").order_by("given_at")
    return [
        ConsentInfo(
            purpose=str(r.text.get_purpose_display()),
            version=r.text.version,
            text=r.text.text(language),
            given_at=_text(r.given_at),
            channel=str(r.get_channel_display()),
            withdrawn_at=_text(r.withdrawn_at),
            withdrawal_channel=str(r.get_withdrawal_channel_display())
            if r.withdrawal_channel
            else "",
        )
        for r in rows
    ]


# --- the entry point ----------------------------------------------------------------------
def confirmed_records(request: Any) -> list[models.Model]:
    """The records the DPO confirmed as the requester's (``RequestMatch.confirmed``), one query
    per record type."""
    ids: dict[type[models.Model], list[str]] = defaultdict(list)
    for match in request.matches.filter(confirmed=True).select_related("content_type"):
        model = match.content_type.model_class()
        if model is not None:
            ids[model].append(match.object_id)
    found: list[models.Model] = []
    for model, pks in ids.items():
        found.extend(model._default_manager.filter(pk__in=pks).order_by("pk"))
    return found


def collect(records: Iterable[models.Model], *, language: str = "da") -> PersonData:
    """Everything registered about the person the given root records belong to."""
    people = list(dict.fromkeys(records))  # keeps order, drops duplicates
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for person in people:
        by_model[type(person)].append(person)
    with translation.override(language):
        files: list[FileRef] = []
        collected: list[Record] = []
        seen: set[tuple[str, Any]] = set()
        for root_model, roots in by_model.items():
            for entry, path in paths_to(root_model):
                for row, person in _rows(entry, path, roots):
                    root = row if not path else person
                    key = (row._meta.label_lower, row.pk)
                    if key in seen:
                        continue
                    seen.add(key)
                    values = [_value(row, info, files) for info in _infos(entry.model)]
                    collected.append(Record(row, root, person, values))
        processors = {p.key: p for p in Processor.objects.all()}
        data = PersonData(language=language, people=people, records=collected, files=files)
        data.groups = [
            group
            for category in Category
            if (group := _group(category, collected, processors)) is not None
        ]
        data.disclosures = _disclosures(collected)
        data.consents = _consents(people, language)
    return data
