"""How many people, and how many records, SEROP holds with given categories of data about given
categories of people, counted from the registry's declarations and the data itself.

Used for the breach register (the people and records a breach may have touched) and for the
daily snapshot behind the DPO dashboard's chart. Nothing here lists models or fields: a model or
field added to a ``privacy.py`` is counted without a change here.

How a count is made (docs/breaches-and-dashboard.md):
- a *record* is a row of a registered model that holds a value in at least one matching field
  (a declared field whose category and subject type were chosen): not null, and for text and
  files not empty. A row counts once per model, however many of its fields match;
- a *person* is the row the registry's ``person`` path leads to (the candidate of a document,
  the company of a mandate), counted once per person model: a candidate with a CV, a document
  and ten consents is one person;
- a field about another kind of person than its row's (a next of kin on an employee, the staff
  member on an activity event) counts one person per distinct value of a link to that person,
  or else one per row holding it: an upper bound.

The queries are a fixed number per registered model, whatever the number of rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models.functions import Length

from .registry import FieldInfo, ModelEntry, registry
from .taxonomy import Category, Subject


@dataclass
class Holdings:
    people: int = 0
    records: int = 0
    # {"records": {"app.model": n}, "people": {"app.model" or "subject:<key>": n}}
    detail: dict[str, dict[str, int]] = field(default_factory=lambda: {"records": {}, "people": {}})


def subject_choices() -> list[tuple[str, Any]]:
    """The categories of people the registry declares data about, in the taxonomy's order."""
    present = {str(info.subject) for info in registry.fields()}
    return [(s.value, s.label) for s in Subject if s.value in present]


def category_choices() -> list[tuple[str, Any]]:
    """The categories of data the registry declares, in the taxonomy's order."""
    present = {str(info.category) for info in registry.fields()}
    return [(c.value, c.label) for c in Category if c.value in present]


def _is_text(model_field: Any) -> bool:
    return getattr(model_field, "encrypted", False) or isinstance(
        model_field, models.CharField | models.TextField | models.FileField
    )


def _holds_value(model: type[models.Model], name: str, aliases: dict[str, Any]) -> models.Q | None:
    """The condition for a row to hold a value in ``name``; None when every row does."""
    model_field: Any = model._meta.get_field(name)
    if model_field.many_to_many:
        return models.Q(**{f"{name}__isnull": False})
    condition = models.Q()
    if model_field.null:
        condition &= models.Q(**{f"{name}__isnull": False})
    if _is_text(model_field):
        # Length, not ``!= ""``: encrypted columns allow no lookup but isnull (privacy/fields.py),
        # and store an empty value as an empty string.
        alias = f"_len_{name}"
        aliases[alias] = Length(name)
        condition &= models.Q(**{f"{alias}__gt": 0})
    return condition or None


def _rows(model: type[models.Model], names: Iterable[str]) -> models.QuerySet:
    """The rows of ``model`` holding a value in any of ``names`` (restricted rows included:
    SEROP still holds them)."""
    aliases: dict[str, Any] = {}
    conditions = [_holds_value(model, name, aliases) for name in names]
    queryset = model._base_manager.all()
    if any(c is None for c in conditions):
        return queryset
    combined = models.Q()
    for condition in conditions:
        combined |= condition  # type: ignore[operator]
    return queryset.alias(**aliases).filter(combined).distinct()


def _person_model(entry: ModelEntry) -> type[models.Model]:
    target: Any = entry.model
    for part in entry.person.split("__") if entry.person else []:
        target = target._meta.get_field(part).related_model
    model: type[models.Model] = target
    return model


def _link_field(infos: list[FieldInfo]) -> str | None:
    """A foreign key among the fields: it names the other person, so distinct values count."""
    for info in infos:
        if isinstance(info.model._meta.get_field(info.name), models.ForeignKey):
            return info.name
    return None


def count_holdings(*, categories: Iterable[str] | None, subjects: Iterable[str] | None) -> Holdings:
    """People and records holding any of ``categories`` about any of ``subjects`` (None: all)."""
    wanted_categories = None if categories is None else {str(c) for c in categories}
    wanted_subjects = None if subjects is None else {str(s) for s in subjects}
    result = Holdings()
    # person model -> the querysets of its pks that hold matching data
    person_sources: dict[type[models.Model], list[models.QuerySet]] = defaultdict(list)
    for entry in registry.entries():
        matching = [
            info
            for info in registry.fields(model=entry.model)
            if (wanted_categories is None or str(info.category) in wanted_categories)
            and (wanted_subjects is None or str(info.subject) in wanted_subjects)
        ]
        if not matching:
            continue
        label = entry.model._meta.label_lower
        records = _rows(entry.model, [info.name for info in matching]).count()
        if not records:
            continue
        result.records += records
        result.detail["records"][label] = records
        own = [info for info in matching if info.subject == entry.subject]
        if own:
            path = entry.person or "pk"
            person_sources[_person_model(entry)].append(
                _rows(entry.model, [info.name for info in own]).values(path)
            )
        others: dict[str, list[FieldInfo]] = defaultdict(list)
        for info in matching:
            if info.subject != entry.subject:
                others[str(info.subject)].append(info)
        for subject, infos in others.items():
            rows = _rows(entry.model, [info.name for info in infos])
            link = _link_field(infos)
            people = rows.values(link).distinct().count() if link else rows.count()
            key = f"subject:{subject}"
            result.detail["people"][key] = result.detail["people"].get(key, 0) + people
            result.people += people
    for person_model, sources in person_sources.items():
        condition = models.Q()
        for source in sources:
            condition |= models.Q(pk__in=source)
        people = person_model._base_manager.filter(condition).count()
        result.detail["people"][person_model._meta.label_lower] = people
        result.people += people
    return result


def holdings_by_kind() -> dict[tuple[str, str], Holdings]:
    """Every (subject type, category) pair the registry declares, plus (subject type, "") for
    all of a subject type's data, each counted."""
    pairs = sorted({(str(info.subject), str(info.category)) for info in registry.fields()})
    counted = {
        (subject, category): count_holdings(categories=[category], subjects=[subject])
        for subject, category in pairs
    }
    for subject in sorted({subject for subject, _category in pairs}):
        counted[(subject, "")] = count_holdings(categories=None, subjects=[subject])
    return counted
