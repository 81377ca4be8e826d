"""Finding a person's records across every app for a subject request, and attaching the ones
the DPO picks to the request.

Which tables and columns are searched is read from the registry, not kept here:

- every registered model with personal data about its own subject is a candidate table
  (person roots such as Candidate or Employee, and rows that carry their own copy of the
  person's details, such as Application, WebshopOrder or ContactEnquiry);
- email: its CONTACT fields that are ``EmailField``; compared as ``LOWER(column)``, which the
  ``Lower("email")`` indexes answer;
- phone: its CONTACT fields validated by ``validate_phone``; compared as ``PhoneKey(column)``,
  the SQL twin of ``normalize_phone``, so "+45 20 30 40 50" finds "20304050" however it was
  stored (the admin's forms keep what was typed);
- name with birth date: its IDENTITY fields ``first_name`` and ``last_name`` together with a
  DEMOGRAPHIC ``DateField`` (the birth date). The registry says a field is an identity, not
  which part of a name it holds: ``NAME_PARTS`` is that small mapping. Models without a birth
  date are not searched by name, which on its own finds too many namesakes;
- CPR: its ``BlindIndexField`` whose source is a NATIONAL_ID field (the HMAC of the normalized
  number; the encrypted number itself cannot be searched).

Fields about someone other than the model's subject (next of kin, referees, staff) are left
out: they are not the requester's own contact details.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Concat, Lower, Replace

from serop.validators import normalize_cpr, normalize_phone, validate_phone

from .audit import Action, audit
from .fields import BlindIndexField
from .models import RequestMatch, SubjectRequest
from .registry import registry
from .taxonomy import Category


class PhoneKey(models.Func):
    """``serop.validators.normalize_phone`` in SQL: separators dropped, a leading 00 read as +,
    and +45 followed by 8 characters shortened to those 8. The indexes on phone numbers are on
    this expression (candidates, employees), so a change here needs a migration there."""

    arity = 1
    output_field = models.CharField()
    template = (
        "regexp_replace(regexp_replace(regexp_replace("
        "%(expressions)s, '[\\s().-]', '', 'g'), '^00', '+'), '^\\+45(.{8})$', '\\1')"
    )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite (make run's embedded database) has no regexp_replace: the same steps with
        # replace/substr, which SQLite accepts in an index expression. Tabs and other rare
        # whitespace are not removed here; phone numbers are validated on the way in.
        sql, params = compiler.compile(self.source_expressions[0])
        if params:
            raise ValueError("PhoneKey on SQLite takes a column, not a parameter")
        bare = sql
        for separator in (" ", "(", ")", ".", "-"):
            bare = f"replace({bare}, '{separator}', '')"
        plus = (
            f"(CASE WHEN substr({bare}, 1, 2) = '00' THEN '+' || substr({bare}, 3) ELSE {bare} END)"
        )
        return (
            f"(CASE WHEN substr({plus}, 1, 3) = '+45' AND length({plus}) = 11 "
            f"THEN substr({plus}, 4) ELSE {plus} END)",
            [],
        )


# IDENTITY field name -> which part of a name it holds (the registry cannot tell).
NAME_PARTS = {"first_name": "first", "last_name": "last"}
# IDENTITY fields that make up a record's label, in this order (not its CVR or number).
LABEL_NAMES = ("first_name", "last_name", "name", "contact_name")


@dataclass(frozen=True)
class SearchPlan:
    """What can be searched in one model, derived from the registry."""

    model: type[models.Model]
    email: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    first_name: str | None = None
    last_name: str | None = None
    birth_date: str | None = None
    cpr: tuple[BlindIndexField, ...] = ()
    label_names: tuple[str, ...] = ()  # shown with the first email column as the label

    @property
    def searches_name(self) -> bool:
        return bool(self.first_name and self.last_name and self.birth_date)

    def keys(self) -> set[str]:
        found = {k for k in ("email", "phone", "cpr") if getattr(self, k)}
        return found | ({"name"} if self.searches_name else set())


@dataclass(frozen=True)
class Match:
    """One record found: what it is, where, and a short label to recognise it by."""

    model: type[models.Model]
    pk: Any
    label: str
    public_id: uuid.UUID | None = None
    matched_on: tuple[str, ...] = field(default=())

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def app_name(self) -> str:
        return str(apps.get_app_config(self.app_label).verbose_name)

    @property
    def record_type(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def subject(self) -> str:
        entry = registry.entry(self.model)
        return str(entry.subject.label) if entry is not None and entry.subject else ""

    @property
    def key(self) -> str:
        """``app_label.model:pk``: identifies the record in a form."""
        return f"{self.model._meta.label_lower}:{self.pk}"


def _is_phone(model_field: models.Field) -> bool:
    return validate_phone in model_field.validators


@cache
def search_plans() -> tuple[SearchPlan, ...]:
    """Every model that can be searched, and its columns; read once from the registry."""
    plans = []
    for entry in registry.entries():
        if not entry.holds_personal_data:
            continue
        model = entry.model
        own = [info for info in registry.fields(model=model) if info.subject == entry.subject]
        by_category: dict[str, list[Any]] = {}
        for info in own:
            by_category.setdefault(info.category, []).append(model._meta.get_field(info.name))
        contact = by_category.get(Category.CONTACT, [])
        identity = {f.name for f in by_category.get(Category.IDENTITY, [])}
        names = {NAME_PARTS[n]: n for n in identity if n in NAME_PARTS}
        births = [
            f.name for f in by_category.get(Category.DEMOGRAPHIC, []) if type(f) is models.DateField
        ]
        national = {f.name for f in by_category.get(Category.NATIONAL_ID, [])}
        blind = tuple(
            f
            for f in model._meta.concrete_fields
            if isinstance(f, BlindIndexField) and f.source in national
        )
        email = tuple(f.name for f in contact if isinstance(f, models.EmailField))
        plan = SearchPlan(
            model=model,
            email=email,
            phone=tuple(f.name for f in contact if _is_phone(f)),
            first_name=names.get("first"),
            last_name=names.get("last"),
            birth_date=births[0] if births else None,
            cpr=blind,
            label_names=tuple(n for n in LABEL_NAMES if n in identity),
        )
        if plan.keys():
            plans.append(plan)
    return tuple(plans)


def _words(value: str) -> list[str]:
    return value.replace("-", " ").lower().split()


def _name_condition(plan: SearchPlan, name: str, birth_date: date) -> models.Q:
    """The birth date exactly; the name's first word among the first names and its last word
    among the last names (case-insensitive, hyphens as spaces), so that "Anne Jensen" finds
    Anne Marie Nielsen-Jensen. One word: among either. The DPO confirms what is found."""
    words = _words(name)
    first, last = words[0], words[-1]
    first_words = f"_ps_{plan.first_name}"
    last_words = f"_ps_{plan.last_name}"
    name_q = models.Q(**{f"{first_words}__contains": f" {first} "}) & models.Q(
        **{f"{last_words}__contains": f" {last} "}
    )
    if len(words) == 1:
        name_q = models.Q(**{f"{first_words}__contains": f" {first} "}) | models.Q(
            **{f"{last_words}__contains": f" {last} "}
        )
    assert plan.birth_date
    return models.Q(**{plan.birth_date: birth_date}) & name_q


def _padded_words(column: str) -> models.Func:
    """ " anne marie " from "Anne-Marie": whole words can then be found with LIKE '% anne %'."""
    return Concat(
        models.Value(" "),
        Lower(Replace(models.F(column), models.Value("-"), models.Value(" "))),
        models.Value(" "),
        output_field=models.CharField(),
    )


def find_person(
    *,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    birth_date: date | None = None,
    cpr: str | None = None,
) -> list[Match]:
    """Every record, in every app, that matches any of the given keys (one query per model).

    A name is searched together with a birth date; either alone raises ``ValueError``.
    Restricted records are included: the request concerns them as much as any other."""
    if bool(name and name.strip()) != bool(birth_date):
        raise ValueError("A name is searched together with a birth date.")
    email_key = (email or "").strip().lower()
    phone_key = normalize_phone(phone or "")
    cpr_key = normalize_cpr(cpr or "")
    matches: list[Match] = []
    for plan in search_plans():
        conditions: dict[str, models.Q] = {}
        aliases: dict[str, Any] = {}
        if email_key and plan.email:
            q = models.Q()
            for column in plan.email:
                aliases[f"_ps_{column}"] = Lower(column)
                q |= models.Q(**{f"_ps_{column}": email_key})
            conditions["email"] = q
        if phone_key and plan.phone:
            q = models.Q()
            for column in plan.phone:
                aliases[f"_ps_{column}"] = PhoneKey(column)
                q |= models.Q(**{f"_ps_{column}": phone_key})
            conditions["phone"] = q
        if name and birth_date and plan.searches_name:
            assert plan.first_name and plan.last_name
            aliases[f"_ps_{plan.first_name}"] = _padded_words(plan.first_name)
            aliases[f"_ps_{plan.last_name}"] = _padded_words(plan.last_name)
            conditions["name"] = _name_condition(plan, name, birth_date)
        if cpr_key and plan.cpr:
            q = models.Q()
            for blind in plan.cpr:
                q |= models.Q(**{blind.name: blind.index_of(cpr_key)})
            conditions["cpr"] = q
        if not conditions:
            continue
        matches.extend(_run(plan, aliases, conditions))
    return matches


def _run(plan: SearchPlan, aliases: dict[str, Any], conditions: dict[str, models.Q]) -> list[Match]:
    any_of = models.Q()
    for q in conditions.values():
        any_of |= q
    has_public_id = any(f.name == "public_id" for f in plan.model._meta.concrete_fields)
    flags = {}
    if len(conditions) > 1:  # which keys matched; with one key, every row matched it
        flags = {
            f"_ps_hit_{key}": models.ExpressionWrapper(q, output_field=models.BooleanField())
            for key, q in conditions.items()
        }
    columns = ["pk", *plan.label_names, *plan.email[:1], *(["public_id"] if has_public_id else [])]
    rows = (
        plan.model._default_manager.alias(**aliases)
        .filter(any_of)
        .annotate(**flags)
        .order_by("pk")
        .values(*columns, *flags)
    )
    found = []
    for row in rows:
        matched = tuple(k for k in conditions if row.get(f"_ps_hit_{k}", True))
        label = " ".join(str(row[n]) for n in plan.label_names if row[n])
        if plan.email and row[plan.email[0]]:
            label = f"{label} <{row[plan.email[0]]}>" if label else row[plan.email[0]]
        found.append(
            Match(
                model=plan.model,
                pk=row["pk"],
                label=(label or str(row["pk"]))[:300],
                public_id=row.get("public_id"),
                matched_on=matched,
            )
        )
    return found


# --- writes: attaching what was found to the request ----------------------------------------
def _record_key(match: RequestMatch) -> str:
    """``candidates.candidate:42``: names the record in the audit trail without its data."""
    return f"{match.content_type.app_label}.{match.content_type.model}:{match.object_id}"


@transaction.atomic
def request_matches_add(
    *, request: SubjectRequest, matches: Iterable[Match], actor: Any
) -> list[RequestMatch]:
    """Record found records as the request's matches (not yet confirmed); a record already
    attached is left as it is. Returns the rows created."""
    existing = set(request.matches.values_list("content_type_id", "object_id"))
    created = []
    for match in matches:
        content_type = ContentType.objects.get_for_model(match.model)
        if (content_type.pk, str(match.pk)) in existing:
            continue
        existing.add((content_type.pk, str(match.pk)))
        created.append(
            RequestMatch(
                request=request,
                content_type=content_type,
                object_id=str(match.pk),
                label=match.label,
            )
        )
    RequestMatch.objects.bulk_create(created)
    if created:
        audit(
            Action.CHANGE,
            actor=actor,
            obj=request,
            fields=["matches"],
            count=len(created),
            detail="matching records added: "
            + ", ".join(
                f"{m.content_type.app_label}.{m.content_type.model}:{m.object_id}" for m in created
            ),
        )
    return created


@transaction.atomic
def request_match_confirm(*, match: RequestMatch, confirmed: bool, actor: Any) -> None:
    """The DPO's decision whether a found record belongs to the person who asked."""
    if match.confirmed == confirmed:
        return
    match.confirmed = confirmed
    match.save(update_fields=["confirmed"])
    audit(
        Action.CHANGE,
        actor=actor,
        obj=match.request,
        fields=["matches"],
        detail=f"{'confirmed' if confirmed else 'unconfirmed'}: {_record_key(match)}",
    )
