"""Erasure (GDPR Art. 17) and the other answers that change data: rectification (Art. 16),
restriction (Art. 18), objection (Art. 21), with the recipients to tell (Art. 19).

Irreversible. Invariants:
- The proposal is computed from data, never stored: the registry (which retention rule and legal
  basis each field has), the retention rules (when each rule lets go of the row) and the legal
  holds in force. What was executed is kept in the decision letter (privacy/letters.py) and the
  audit trail. One decision per record: "keep" (a legal hold, or a record SEROP must keep
  that cannot carry a restriction flag: a company), "restrict" until the rule's expiry (a
  rule that is a legal obligation, GDPR Art. 17(3)(b)), otherwise "erase".
- Inside a restricted row, each field is decided on its own (``erase_fields``): a field whose
  own declaration names no legal obligation (``required_by_law``) and that can be emptied
  without breaking the row (``empty_value``; both in privacy/erasure_fields.py) is erased now;
  the rest stays with the row's decision. A row kept by a legal hold keeps every field. The
  confirmed record's ``key`` carries a digest of every field erasure of its rows, so a
  confirmation given for another set of fields is stale.
- Rows that go with a confirmed record (its cascade) or block its deletion (PROTECT) share its
  fate: the record's decision is the strongest of theirs (keep > restrict > erase), which is
  what ``purge_people`` itself enforces for legal holds. Rows that outlive it (SET_NULL links,
  such as consent proof) are kept under their own retention rule.
- ``erasure_execute`` recomputes the proposal inside one transaction, with the request locked,
  and executes only the ticked decisions that are still proposed unchanged. Deleting goes
  through ``retention.purge.purge_people`` (the one implementation of deleting a person);
  restricting through ``privacy.services.person_restrict``, after the fields erased from the
  restricted rows are emptied through ``privacy.services.record_fields_blank`` (audited by
  field name). The recipients to tell are read before anything is deleted. Everything, or
  nothing, is written; a crash rolls it all back (files go only after the commit,
  retention/files.py).
- Restricted records stay under their retention rules: the retention job deletes them on their
  date. The audit trail gets record types, ids, field names and counts, never a value.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.models import Disclosure
from retention.models import LegalHold
from retention.purge import PurgeBlocked, PurgeResult, plan, protected_lookups, purge_people
from retention.rules import RULES

from .audit import Action, audit
from .erasure_fields import (
    LEGAL_OBLIGATIONS,
    FieldErasure,
    empty_value,
    field_erasure,
    required_by_law,
)
from .models import PersonRecord, Processor, RecipientNotice, SubjectRequest
from .services import person_restrict, record_fields_blank
from .subject_data import CLOCKS, Record, collect, confirmed_records
from .subject_requests import require_verified

ERASURE_RULE = "erasure_request"  # the rule named in tombstones and the purge's audit entry
ERASE, RESTRICT, KEEP = "erase", "restrict", "keep"
STRENGTH = {ERASE: 0, RESTRICT: 1, KEEP: 2}
ACTION_LABELS = {
    ERASE: gettext_lazy("Erase now"),
    RESTRICT: gettext_lazy("Restrict until a date"),
    KEEP: gettext_lazy("Keep"),
}

ERASE_REASON = gettext_lazy("GDPR Art. 17(1): erased at your request")
HOLD_REASON = gettext_lazy("Legal hold")
DEPENDENTS_REASON = gettext_lazy("Other records SEROP must keep refer to it")
OWN_RULE_REASON = gettext_lazy("Not part of the erased record; kept under its own retention rule")


@dataclass(frozen=True)
class Decision:
    """What happens to one record (a row) of the person, and why."""

    action: str
    model: type[models.Model]
    pk: Any
    fields: tuple[str, ...]  # the personal-data fields the row holds (names)
    reason: Any  # str or lazy text: the law or the hold
    until: date | None = None
    rule: str = ""  # the retention rule that decides the date, if any
    root_model: type[models.Model] | None = None  # the confirmed record the row belongs to
    root_pk: Any = None
    label: str = ""
    processors: tuple[str, ...] = ()  # processor keys the registry names for the fields
    companies: tuple[int, ...] = ()  # customers the row was sent to (disclosures)
    held: bool = False  # kept by a legal hold
    # Fields erased now from a restricted row (the rest of ``fields`` stays with the row).
    erase: tuple[FieldErasure, ...] = ()
    # On the confirmed record: a digest of every field erasure of its rows ("" if none).
    erase_digest: str = ""

    @property
    def erase_fields(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.erase)

    @property
    def kept_fields(self) -> tuple[str, ...]:
        """The fields that follow the row's decision (all of them, unless some are erased)."""
        erased = set(self.erase_fields)
        return tuple(name for name in self.fields if name not in erased)

    @property
    def is_root(self) -> bool:
        return self.root_model is self.model and self.root_pk == self.pk

    @property
    def root(self) -> tuple[str, str]:
        assert self.root_model is not None
        return (self.root_model._meta.label_lower, str(self.root_pk))

    @property
    def key(self) -> str:
        """Identifies the decision in a form; changes when the proposal for the row changes."""
        until = self.until.isoformat() if self.until else ""
        key = f"{self.model._meta.label_lower}:{self.pk}:{self.action}:{until}"
        if self.erase_fields:
            key += f":-{','.join(self.erase_fields)}"
        return f"{key}:{self.erase_digest}" if self.erase_digest else key

    @property
    def action_label(self) -> Any:
        return ACTION_LABELS[self.action]

    @property
    def field_labels(self) -> list[str]:
        """The labels of the fields that follow the row's decision (``kept_fields``)."""
        return [self.label_of(name) for name in self.kept_fields]

    def label_of(self, name: str) -> str:
        return str(self.model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


@dataclass
class ErasureSummary:
    """What ``erasure_execute`` did: the decisions executed, with the rows that went with them."""

    decisions: list[Decision]
    skipped: list[Decision] = field(default_factory=list)  # ticked, but no longer proposed
    deleted: Counter[str] = field(default_factory=Counter)  # rows deleted per model label
    notices: list[RecipientNotice] = field(default_factory=list)

    def of(self, action: str) -> list[Decision]:
        return [d for d in self.decisions if d.action == action]

    @property
    def field_erasures(self) -> list[Decision]:
        """The restricted rows that had fields erased (every restricted row of ``decisions``
        belongs to a record whose restriction was executed)."""
        return [d for d in self.decisions if d.action == RESTRICT and d.erase]

    @property
    def counts(self) -> dict[str, int]:
        """Confirmed records per action."""
        return dict(Counter(d.action for d in self.decisions if d.is_root))


# --- the proposal ---------------------------------------------------------------------------
def expiry(rule: str, row: models.Model, person: models.Model) -> date | None:
    """The first day ``rule`` no longer keeps ``row``; None while its clock has not started."""
    started = CLOCKS[rule](row, person)
    if started is None:
        return None
    if isinstance(started, datetime):
        started = timezone.localdate(started)
    if rule == "accounting_record":
        # Bogføringsloven counts from the end of the financial year, whatever the setting (as
        # the retention engine applies it).
        return date(started.year, 12, 31) + RULES[rule].period
    return RULES[rule].expires_on(started)


class _Holds:
    """The legal holds in force, found by record or by person."""

    def __init__(self) -> None:
        self.by_subject: dict[Any, list[LegalHold]] = defaultdict(list)
        self.by_record: dict[tuple[int, str], list[LegalHold]] = defaultdict(list)
        for hold in LegalHold.objects.active():
            if hold.subject_ref is not None:
                self.by_subject[hold.subject_ref].append(hold)
            if hold.content_type_id is not None and hold.object_id:
                self.by_record[(hold.content_type_id, hold.object_id)].append(hold)

    def of(self, row: models.Model, person: models.Model) -> LegalHold | None:
        type_id = ContentType.objects.get_for_model(row).pk
        found = list(self.by_record.get((type_id, str(row.pk)), []))
        for obj in (row, person):
            for name in ("public_id", "subject_ref"):
                found += self.by_subject.get(getattr(obj, name, None), [])
        # The hold that lasts longest speaks for all.
        return max(found, key=lambda h: h.ends_on or date.max, default=None)


@dataclass(frozen=True)
class _Own:
    action: str
    until: date | None
    reason: Any
    rule: str
    held: bool = False  # by a legal hold


def _combine(parts: list[_Own]) -> _Own:
    """The strongest decision of ``parts``; the latest date of those that share it (None, not
    yet known, wins), and all their reasons."""
    action = max((p.action for p in parts), key=STRENGTH.__getitem__)
    chosen = [p for p in parts if p.action == action]
    dates = [p.until for p in chosen]
    until = None if action == ERASE or None in dates else max(d for d in dates if d)
    reasons = list({str(p.reason): p.reason for p in chosen}.values())
    reason = format_lazy("; ".join(["{}"] * len(reasons)), *reasons)
    return _Own(action, until, reason, chosen[0].rule, any(p.held for p in chosen))


def _own(record: Record, holds: _Holds) -> _Own:
    """The decision the row's own declarations and holds call for."""
    hold = holds.of(record.row, record.person)
    if hold is not None:
        reason = format_lazy("{}: {}", HOLD_REASON, hold.reason)
        return _Own(KEEP, hold.ends_on, reason, "", held=True)
    infos = [v.info for v in record.values]
    legal = [i.retention for i in infos if required_by_law(i)]
    if legal:
        row, person = record.row, record.person
        return _combine(
            [
                _Own(RESTRICT, expiry(rule, row, person), LEGAL_OBLIGATIONS[rule], rule)
                for rule in dict.fromkeys(legal)
            ]
        )
    return _Own(ERASE, None, ERASE_REASON, infos[0].retention if infos else "")


def _decision(record: Record, own: _Own, root: models.Model, label: str = "") -> Decision:
    shown = [v for v in record.values if not v.is_empty] or record.values
    row = record.row
    erase: tuple[FieldErasure, ...] = ()
    if own.action == RESTRICT and not own.held:
        erase = tuple(e for v in record.values if (e := field_erasure(v)) is not None)
    return Decision(
        action=own.action,
        model=type(row),
        pk=row.pk,
        fields=tuple(v.info.name for v in shown),
        reason=own.reason,
        until=own.until,
        rule=own.rule,
        root_model=type(root),
        root_pk=root.pk,
        label=label or str(row._meta.verbose_name),
        processors=tuple(sorted({p for v in shown for p in v.info.data.processors})),
        companies=(row.company_id,) if isinstance(row, Disclosure) else (),
        held=own.held,
        erase=erase,
    )


def _digest(decisions: list[Decision]) -> str:
    """Identifies every field erasure of a record's rows; "" when there is none."""
    plan = [
        f"{d.model._meta.label_lower}:{d.pk}:{','.join(d.erase_fields)}"
        for d in decisions
        if d.erase
    ]
    return hashlib.sha256("|".join(plan).encode()).hexdigest()[:16] if plan else ""


def _decide(
    root: models.Model, records: list[Record], holds: _Holds, label: str, today: date
) -> list[Decision]:
    """The decisions for one confirmed record and every row of it, the record first."""
    root_model = type(root)

    def is_root(r: Record) -> bool:
        return type(r.row) is root_model and r.row.pk == root.pk

    cascade = {node.model for node in plan(root_model).walk()}
    protecting = protected_lookups(root_model)
    guarding = {model for model, _lookup in protecting}
    own = {id(r): _own(r, holds) for r in records}
    parts = []
    for r in records:
        if type(r.row) in cascade:
            parts.append(own[id(r)])
        elif type(r.row) in guarding:  # kept by its own rule, and it keeps the record too
            mine = own[id(r)]
            parts.append(mine if mine.action != ERASE else _Own(KEEP, None, DEPENDENTS_REASON, ""))
    reached = {type(r.row) for r in records}
    for model, lookup in protecting:
        if model not in reached and model._base_manager.filter(**{lookup: root.pk}).exists():
            parts.append(_Own(KEEP, None, DEPENDENTS_REASON, ""))
    decided = _combine(parts or [_Own(ERASE, None, ERASE_REASON, "")])
    if decided.action == RESTRICT and not isinstance(root, PersonRecord):
        # Only a person record carries the restriction flag (a company does not): the rest is
        # kept, by the same law.
        decided = replace(decided, action=KEEP)
    result = []
    for r in sorted(records, key=lambda r: not is_root(r)):
        mine = own[id(r)]
        if is_root(r):  # the record's own reason where it is the same decision
            reason = mine.reason if mine.action == decided.action else decided.reason
            mine = replace(decided, reason=reason)
        elif type(r.row) in cascade or type(r.row) in guarding:
            # Goes, or stays, with the record; its own reason where it is the same decision.
            mine = mine if mine.action == decided.action else decided
        else:
            mine = _outliving(r, mine, erased=decided.action == ERASE, today=today)
        result.append(_decision(r, mine, root, label if is_root(r) else ""))
    if result and result[0].is_root and (digest := _digest(result)):
        result[0] = replace(result[0], erase_digest=digest)
    return result


def _outliving(r: Record, mine: _Own, *, erased: bool, today: date) -> _Own:
    """A row that outlives the record it belongs to (a SET_NULL link, such as the proof of a
    consent) is kept under its own retention rule; erasing the record starts that rule's clock
    where nothing else has."""
    if mine.action != ERASE:
        return replace(mine, action=KEEP)
    rule = RULES.get(mine.rule)
    if rule is None:
        return _Own(KEEP, None, OWN_RULE_REASON, "")
    until = expiry(rule.key, r.row, r.person) or (rule.expires_on(today) if erased else None)
    return _Own(KEEP, until, format_lazy("{}: {}", OWN_RULE_REASON, rule.label), rule.key)


def erasure_proposal(request: SubjectRequest) -> list[Decision]:
    """One decision per row of every record confirmed as the person's: each confirmed record
    (``is_root``) followed by the rows that belong to it."""
    roots = confirmed_records(request)
    if not roots:
        return []
    labels = {
        (type_id, object_id): label
        for type_id, object_id, label in request.matches.filter(confirmed=True).values_list(
            "content_type_id", "object_id", "label"
        )
    }
    data = collect(roots, language=request.language)
    by_root: dict[tuple[type[models.Model], Any], list[Record]] = defaultdict(list)
    for record in data.records:
        by_root[(type(record.person), record.person.pk)].append(record)
    holds, today = _Holds(), timezone.localdate()
    decisions: list[Decision] = []
    for root in roots:
        records = by_root.get((type(root), root.pk), [])
        type_id = ContentType.objects.get_for_model(root).pk
        decisions += _decide(root, records, holds, labels.get((type_id, str(root.pk)), ""), today)
    return decisions


# --- Art. 19: the recipients to tell --------------------------------------------------------
def recipients_add(
    *, request: SubjectRequest, processors: Iterable[str], companies: Iterable[int], actor: Any
) -> list[RecipientNotice]:
    """Add the processors (by registry key) and customers not yet on the request's list."""
    existing = set(request.recipients.values_list("processor_id", "company_id"))
    created = []
    for processor in Processor.objects.filter(key__in=set(processors)).order_by("name"):
        if (processor.pk, None) not in existing:
            created.append(RecipientNotice(request=request, processor=processor))
    for company_id in sorted(set(companies)):
        if (None, company_id) not in existing:
            created.append(RecipientNotice(request=request, company_id=company_id))
    for notice in created:
        notice.save()
        audit(
            Action.CREATE,
            actor=actor,
            obj=notice,
            detail=f"request {request.reference}: recipient to tell (Art. 19)",
        )
    return created


@transaction.atomic
def recipients_mark_told(*, request: SubjectRequest, told: Iterable[int], actor: Any) -> int:
    """Tick the request's recipients whose ids are in ``told`` as told now, untick the others.
    Returns how many changed."""
    told = {int(pk) for pk in told}
    changed = 0
    for notice in request.recipients.select_for_update():
        tick = notice.pk in told
        if tick == (notice.notified_at is not None):
            continue
        notice.notified_at, notice.notified_by = (timezone.now(), actor) if tick else (None, None)
        notice.save(update_fields=["notified_at", "notified_by"])
        audit(
            Action.CHANGE,
            actor=actor,
            obj=notice,
            fields=["notified_at"],
            detail=f"request {request.reference}: " + ("told" if tick else "not told yet"),
        )
        changed += 1
    return changed


def _disclosed_to(records: Iterable[models.Model]) -> set[int]:
    candidates = [r.pk for r in records if r._meta.label_lower == "candidates.candidate"]
    if not candidates:
        return set()
    return set(
        Disclosure.objects.filter(candidate__in=candidates).values_list("company_id", flat=True)
    )


# --- executing an erasure -------------------------------------------------------------------
def _check_open(request: SubjectRequest, kind: str) -> None:
    require_verified(request)
    if request.kind != kind:
        raise ValidationError(
            _("This is a request of another kind: %(kind)s.") % {"kind": request.get_kind_display()}
        )
    if not request.is_open:
        raise ValidationError(_("This request is closed."))


def _restriction_reason(request: SubjectRequest, decision: Decision) -> str:
    until = decision.until.isoformat() if decision.until else _("the end of its retention period")
    return _("GDPR Art. 17(3)(b), erasure request %(reference)s: kept until %(date)s") % {
        "reference": request.reference,
        "date": until,
    }


def erasure_execute(
    request: SubjectRequest, *, confirmed: Iterable[Decision], actor: Any
) -> ErasureSummary:
    """Execute the ticked decisions that the proposal, computed again now, still makes."""
    _check_open(request, SubjectRequest.Kind.ERASURE)
    wanted = {d.key: d for d in confirmed if d.is_root}
    try:
        with transaction.atomic():
            SubjectRequest.objects.select_for_update().filter(pk=request.pk).first()
            proposal = erasure_proposal(request)
            valid = {d.key: d for d in proposal if d.is_root}
            chosen = [d for key, d in valid.items() if key in wanted]
            if not chosen:
                raise ValidationError(
                    _("Nothing to do: tick at least one decision that is still proposed.")
                )
            roots = {d.root for d in chosen}
            summary = ErasureSummary(
                decisions=[d for d in proposal if d.root in roots],
                skipped=[d for key, d in wanted.items() if key not in valid],
            )
            # Read before anything is deleted: who holds or received what is erased or restricted.
            told = [d for d in summary.decisions if d.action in (ERASE, RESTRICT)]
            processors = {p for d in told for p in d.processors}
            companies = {c for d in told for c in d.companies}
            _erase(summary, [d for d in chosen if d.action == ERASE])
            _erase_fields(request, summary, actor=actor)
            for decision in (d for d in chosen if d.action == RESTRICT):
                person = decision.model._base_manager.get(pk=decision.pk)
                assert isinstance(person, PersonRecord)
                reason = _restriction_reason(request, decision)
                person_restrict(person=person, reason=reason, actor=actor)
            summary.notices = recipients_add(
                request=request, processors=processors, companies=companies, actor=actor
            )
            per_record = ", ".join(f"{d.action} {d.root[0]}:{d.root[1]}" for d in chosen)
            deleted = ", ".join(f"{k}={n}" for k, n in sorted(summary.deleted.items()))
            emptied = sum(len(d.erase) for d in summary.field_erasures)
            audit(
                Action.CHANGE,
                actor=actor,
                obj=request,
                fields=sorted({f"{d.model._meta.label_lower}.{n}" for d in told for n in d.fields}),
                count=len(chosen),
                detail=f"erasure executed: {per_record}; deleted {deleted or 'nothing'}; "
                f"{emptied} fields erased from restricted rows; "
                f"{len(summary.notices)} recipients to tell",
            )
    except PurgeBlocked as exc:
        raise ValidationError(
            _(
                "A record could not be erased because records SEROP must keep refer to it. "
                "Nothing was changed."
            )
        ) from exc
    return summary


def _erase(summary: ErasureSummary, decisions: list[Decision]) -> None:
    by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
    for decision in decisions:
        by_model[decision.model].append(decision.pk)
    total = PurgeResult()
    for model, ids in by_model.items():
        result = purge_people(model, ids, rule=ERASURE_RULE)
        if result.held:
            # A hold placed since the proposal was computed: its rows are untouched, and the
            # letter would be wrong. Undo everything.
            raise ValidationError(
                _("A legal hold now covers a record to erase. Nothing was changed.")
            )
        total.add(result)
    summary.deleted = total.counts


def _erase_fields(request: SubjectRequest, summary: ErasureSummary, *, actor: Any) -> None:
    """Empty the fields erased from rows that are restricted, before the restriction: the
    rows stay, so this is a write to each, not a purge."""
    for decision in summary.field_erasures:
        row = decision.model._base_manager.select_for_update().get(pk=decision.pk)
        meta = row._meta
        values = {name: empty_value(meta.get_field(name)) for name in decision.erase_fields}
        record_fields_blank(
            record=row,
            values=values,
            actor=actor,
            detail=f"fields erased (GDPR Art. 17), erasure request {request.reference}; "
            "the rest of the record is restricted",
        )
