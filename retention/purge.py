"""Deleting people: the one implementation, for the retention engine and for erasure alike.

Irreversible. Invariants:
- ``purge_people`` runs in one transaction (its own, or the caller's, as a savepoint): a
  person's row, every row that cascades from it, the SET_NULL links to it, their tombstones and
  the audit entry are all written, or none is.
- What cascades is read from the models' ``on_delete`` (``Plan``), the way Django's collector
  reads it: reverse CASCADE relations recursively, many-to-many link tables included; SET_NULL
  links are cleared. Rows go bottom-up, one set-based statement per table per call; no model
  instance is loaded and no delete signal is sent (the project has none; a test keeps it so).
- PROTECT and RESTRICT relations stop the whole call (``PurgeBlocked``) before anything is
  written: such a row is kept by another rule, and the caller must leave it out.
- A legal hold in force on a person, on the row, or on any row that would cascade with it
  keeps that row and everything of it untouched (``PurgeResult.held``).
- Uploaded files are collected before their rows go and are removed from storage only after the
  transaction commits (retention/files.py); a rollback leaves them all.
- Each purged person (a ``PersonRecord`` row, or a row the registry names as the person itself)
  leaves a Tombstone: pseudonymous id, record type, rule, run, nothing else. Audit entries about
  them keep the pseudonymous id but lose their recorded values (``changes`` masked).
- Rows already gone are skipped: a second call with the same ids does nothing.
"""

# The SQL here is built from model metadata (quote_name) and %s placeholders only; no value
# is ever formatted into it.
# ruff: noqa: S608

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, models, transaction
from django.db.models.deletion import (
    CASCADE,
    DO_NOTHING,
    PROTECT,
    RESTRICT,
    SET_NULL,
    get_candidate_relations_to_delete,
)
from django.utils import timezone

from privacy.audit import MASK, Action, audit
from privacy.models import AuditEntry
from privacy.registry import registry

from .files import remove_files_on_commit
from .models import LegalHold, RetentionRun, Tombstone

# Stable pseudonymous ids for persons whose rows have no ``public_id`` (an applicant, a sole
# proprietorship; webshop orders anonymised before they became person records): uuid5 of the
# record type and key, so a tombstone can be found again.
PSEUDONYM_NAMESPACE = uuid.UUID("6f0c3c52-8d0e-4b8e-9a59-5e7f3c1a0d42")
SQLITE_CHUNK = 500  # SQLite has no arrays: ids go in IN (...) lists of this many


class PurgeBlocked(Exception):
    """A row to be purged is referenced through a PROTECT or RESTRICT relation."""


def fault_point(stage: str, model: type[models.Model]) -> None:
    """Called inside the transaction, after the rows are deleted and before the tombstones and
    the audit entry. Does nothing; tests replace it to inject a failure mid-batch."""


def pseudonym(model: type[models.Model], pk: Any) -> uuid.UUID:
    return uuid.uuid5(PSEUDONYM_NAMESPACE, f"{model._meta.label_lower}:{pk}")


def has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def is_person(model: type[models.Model]) -> bool:
    """A row of ``model`` is a person: a PersonRecord, or the registry says the row is the
    person itself (``person=""``) and it holds personal data."""
    if has_field(model, "public_id"):
        return True
    entry = registry.entry(model)
    return bool(entry and entry.person == "" and entry.holds_personal_data)


# --- the plan: what goes with a row, from the models' on_delete -----------------------------------
class Node:
    """One table of a purge: ``model``'s rows reached from the parent's rows through ``fk``."""

    def __init__(
        self, model: type[models.Model], fk: Any = None, parent: "Node | None" = None
    ) -> None:
        self.model = model
        self.fk = fk  # the ForeignKey on ``model`` pointing at the parent (None at the root)
        self.parent = parent
        self.children: list[Node] = []  # CASCADE
        self.set_null: list[Any] = []  # ForeignKeys of other models to clear
        self.protected: list[Any] = []  # ForeignKeys of other models that forbid the purge
        self.files = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        self.person = is_person(model)
        self.public_id = has_field(model, "public_id")

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def table(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def walk(self) -> Iterable["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def lookup_to_root(self) -> str:
        """The ORM lookup from this node's rows to the root's primary key."""
        parts = []
        node: Node | None = self
        while node is not None and node.parent is not None:
            parts.append(node.fk.name)
            node = node.parent
        return "__".join([*parts, "pk"])


def _build(model: type[models.Model], fk: Any, parent: Node | None, seen: tuple) -> Node:
    if model._meta.parents:
        raise ImproperlyConfigured(f"{model._meta.label}: multi-table inheritance is not purged")
    if any(isinstance(f, models.Field) and f.is_relation for f in model._meta.private_fields):
        raise ImproperlyConfigured(f"{model._meta.label}: generic relations are not purged")
    node = Node(model, fk, parent)
    rel: Any
    for rel in get_candidate_relations_to_delete(model._meta):
        on_delete = rel.on_delete
        child_fk = rel.field
        if on_delete is CASCADE:
            if rel.related_model in seen:
                raise ImproperlyConfigured(f"{model._meta.label}: a cascade cycle is not purged")
            node.children.append(_build(rel.related_model, child_fk, node, (*seen, model)))
        elif on_delete is SET_NULL:
            node.set_null.append(child_fk)
        elif on_delete in (PROTECT, RESTRICT):
            # RESTRICT is stricter here than in Django's collector (which allows it when the
            # referencing rows go through another cascade): no model of ours needs that.
            node.protected.append(child_fk)
        elif on_delete is not DO_NOTHING:
            raise ImproperlyConfigured(
                f"{child_fk.model._meta.label}.{child_fk.name}: on_delete={on_delete.__name__} "
                "is not supported by the purge"
            )
    return node


_PLANS: dict[type[models.Model], Node] = {}


def plan(model: type[models.Model]) -> Node:
    """The purge plan of ``model``, derived once per process."""
    if model not in _PLANS:
        _PLANS[model] = _build(model, None, None, ())
    return _PLANS[model]


def protected_lookups(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """``(model, lookup)`` pairs: rows of ``model`` whose ``lookup`` names a row of the given
    model (its pk) forbid purging that row, anywhere in its cascade (PROTECT, RESTRICT)."""
    return [
        (fk.model, f"{fk.name}__{node.lookup_to_root()}")
        for node in plan(model).walk()
        for fk in node.protected
    ]


# --- SQL ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Roots:
    """The root rows of one statement: ``<pk> <sql>`` with ``params``."""

    sql: str
    params: list[Any]

    @classmethod
    def of_ids(cls, ids: Sequence[Any]) -> "Roots":
        if connection.vendor != "postgresql":
            return cls(f"IN ({', '.join(['%s'] * len(ids))})", list(ids))
        if all(type(pk) is int for pk in ids):
            # One text parameter, '{1,2,3}', cast by the server: the same ids go into a dozen
            # statements per batch, and adapting a list element by element costs more than the
            # statement itself.
            return cls("= ANY(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"])
        return cls("= ANY(%s)", [list(ids)])

    @classmethod
    def of_queryset(cls, queryset: models.QuerySet) -> "Roots":
        sql, params = queryset.values("pk").query.sql_with_params()
        return cls(f"IN ({sql})", list(params))


def _qn(name: Any) -> str:
    return connection.ops.quote_name(str(name))


def _rows_of(node: Node, roots: Roots) -> tuple[str, list[Any]]:
    """A WHERE clause on ``node``'s table selecting the rows the purge removes."""
    if node.parent is None:
        return f"{node.table}.{_qn(node.model._meta.pk.column)} {roots.sql}", roots.params
    return _pointing_at(node.fk, node.parent, roots)


def _pointing_at(fk: Any, node: Node, roots: Roots) -> tuple[str, list[Any]]:
    """A WHERE clause on ``fk.model``'s table: rows whose ``fk`` points at a purged row of
    ``node``."""
    column = f"{_qn(fk.model._meta.db_table)}.{_qn(fk.column)}"
    target = fk.target_field
    if node.parent is None and target.primary_key:
        return f"{column} {roots.sql}", roots.params
    where, params = _rows_of(node, roots)
    sub = f"SELECT {node.table}.{_qn(target.column)} FROM {node.table} WHERE {where}"
    return f"{column} IN ({sub})", params


# --- legal holds ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Holds:
    """The legal holds in force: persons (pseudonymous ids) and records (by model)."""

    subjects: frozenset[uuid.UUID] = frozenset()
    records: dict[type[models.Model], frozenset[str]] = field(default_factory=dict)

    @classmethod
    def in_force(cls) -> "Holds":
        subjects: set[uuid.UUID] = set()
        records: dict[type[models.Model], set[str]] = {}
        for ref, type_id, object_id in LegalHold.objects.active().values_list(
            "subject_ref", "content_type_id", "object_id"
        ):
            if ref is not None:
                subjects.add(ref)
            if type_id is not None and object_id:
                model = ContentType.objects.get_for_id(type_id).model_class()
                if model is not None:
                    records.setdefault(model, set()).add(object_id)
        return cls(frozenset(subjects), {m: frozenset(ids) for m, ids in records.items()})

    def __bool__(self) -> bool:
        return bool(self.subjects or self.records)

    def record_ids(self, model: type[models.Model]) -> list[Any]:
        ids = []
        for raw in self.records.get(model, ()):
            try:
                ids.append(model._meta.pk.to_python(raw))
            except ValidationError:  # not an id of this model: it holds nothing here
                continue
        return ids


def exclude_held(
    queryset: models.QuerySet, holds: Holds, *, owners: Sequence[str] = ()
) -> models.QuerySet:
    """``queryset`` without rows a hold in force covers: held themselves, or belonging to a
    held person (the registry's ``person`` path), or to a held record along ``owners``."""
    if not holds:
        return queryset
    model = queryset.model
    if record_ids := holds.record_ids(model):
        queryset = queryset.exclude(pk__in=record_ids)
    entry = registry.entry(model)
    paths = [*owners, *([entry.person] if entry and entry.person else [])]
    if holds.subjects:
        if has_field(model, "public_id"):
            queryset = queryset.exclude(public_id__in=holds.subjects)
        if has_field(model, "subject_ref"):
            queryset = queryset.exclude(subject_ref__in=holds.subjects)
    for path in paths:
        owner = _model_at(model, path)
        if record_ids := holds.record_ids(owner):
            queryset = queryset.exclude(**{f"{path}__pk__in": record_ids})
        if holds.subjects and has_field(owner, "public_id"):
            queryset = queryset.exclude(**{f"{path}__public_id__in": holds.subjects})
    return queryset


def _model_at(model: type[models.Model], path: str) -> type[models.Model]:
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model  # type: ignore[assignment]
    return model


def held_roots(root: Node, ids: Sequence[Any], holds: Holds) -> set[Any]:
    """Which of ``ids`` a hold keeps: on the row or its person, or on any row of its cascade."""
    if not holds or not ids:
        return set()
    held: set[Any] = set()
    for node in root.walk():
        manager = node.model._base_manager
        lookup = node.lookup_to_root()
        scope = manager.filter(**{f"{lookup}__in": ids})
        record_ids = holds.record_ids(node.model)
        if record_ids:
            held.update(scope.filter(pk__in=record_ids).values_list(lookup, flat=True))
        if holds.subjects:
            for name in ("public_id", "subject_ref"):
                if has_field(node.model, name):
                    held.update(
                        scope.filter(**{f"{name}__in": holds.subjects}).values_list(
                            lookup, flat=True
                        )
                    )
    return held


# --- the purge ------------------------------------------------------------------------------------
@dataclass
class PurgeResult:
    people: int = 0  # root rows purged (or anonymised)
    counts: Counter[str] = field(default_factory=Counter)  # rows deleted per model label
    files: list[str] = field(default_factory=list)
    tombstones: int = 0
    held: list[Any] = field(default_factory=list)  # root ids a legal hold kept

    def add(self, other: "PurgeResult") -> None:
        self.people += other.people
        self.counts.update(other.counts)
        self.files += other.files
        self.tombstones += other.tombstones
        self.held += other.held


def purge_people(
    model: type[models.Model],
    ids: Iterable[Any],
    *,
    rule: str,
    run: RetentionRun | None = None,
) -> PurgeResult:
    """Delete the rows ``ids`` of ``model`` and everything that cascades from them, leave a
    tombstone per person, audit the purge, and remove their files after the commit."""
    ids = list(dict.fromkeys(ids))
    result = PurgeResult()
    if not ids:
        return result
    root = plan(model)
    with transaction.atomic():
        holds = Holds.in_force()
        held = held_roots(root, ids, holds)
        if held:
            result.held = [pk for pk in ids if pk in held]
            ids = [pk for pk in ids if pk not in held]
        chunk = max(len(ids), 1) if connection.vendor == "postgresql" else SQLITE_CHUNK
        for start in range(0, len(ids), chunk):
            result.add(_purge(root, ids[start : start + chunk], rule=rule, run=run))
        if result.people or result.held:
            audit_purge(model, result, rule=rule, run=run)
        remove_files_on_commit(result.files, run_id=run.pk if run else None)
    return result


def _purge(root: Node, ids: list[Any], *, rule: str, run: RetentionRun | None) -> PurgeResult:
    roots = Roots.of_ids(ids)
    result = PurgeResult()
    with connection.cursor() as cursor:
        for node in root.walk():
            for fk in node.protected:
                where, params = _pointing_at(fk, node, roots)
                cursor.execute(
                    f"SELECT 1 FROM {_qn(fk.model._meta.db_table)} WHERE {where} LIMIT 1",
                    params,
                )
                if cursor.fetchone():
                    raise PurgeBlocked(
                        f"{node.label} rows are referenced by {fk.model._meta.label_lower}."
                        f"{fk.name} (on_delete={fk.remote_field.on_delete.__name__})"
                    )
        # Before anything goes: the files to remove, the persons to tombstone and scrub.
        for node in root.walk():
            if node.files:
                where, params = _rows_of(node, roots)
                columns = ", ".join(f"{node.table}.{_qn(f.column)}" for f in node.files)
                cursor.execute(f"SELECT {columns} FROM {node.table} WHERE {where}", params)
                result.files += [name for row in cursor.fetchall() for name in row if name]
            if node.person:
                result.tombstones += _tombstone(cursor, node, roots, rule=rule, run=run)
                scrub_audit(cursor, node, roots)
        _delete(cursor, root, roots, result)
        result.people = result.counts[root.label]
    fault_point("deleted", root.model)
    return result


def _delete(cursor: Any, node: Node, roots: Roots, result: PurgeResult) -> None:
    """Bottom-up: the node's cascade, then the links to it, then its rows."""
    for child in node.children:
        _delete(cursor, child, roots, result)
    for fk in node.set_null:
        where, params = _pointing_at(fk, node, roots)
        table = _qn(fk.model._meta.db_table)
        cursor.execute(f"UPDATE {table} SET {_qn(fk.column)} = NULL WHERE {where}", params)
    where, params = _rows_of(node, roots)
    cursor.execute(f"DELETE FROM {node.table} WHERE {where}", params)
    if cursor.rowcount:
        result.counts[node.label] += cursor.rowcount


def _tombstone(
    cursor: Any, node: Node, roots: Roots, *, rule: str, run: RetentionRun | None
) -> int:
    where, params = _rows_of(node, roots)
    now = timezone.now()
    run_id = run.pk if run else None
    if node.public_id:
        columns = _tombstone_columns()
        cursor.execute(
            f"INSERT INTO {_qn(Tombstone._meta.db_table)} ({columns}) "
            f"SELECT {node.table}.{_qn('public_id')}, %s, %s, %s, %s "
            f"FROM {node.table} WHERE {where}",
            [node.label, rule, now, run_id, *params],
        )
        return int(cursor.rowcount)
    pk = node.model._meta.pk.column
    cursor.execute(f"SELECT {node.table}.{_qn(pk)} FROM {node.table} WHERE {where}", params)
    stones = [
        Tombstone(
            subject_ref=pseudonym(node.model, row[0]),
            model=node.label,
            rule=rule,
            deleted_at=now,
            run_id=run_id,
        )
        for row in cursor.fetchall()
    ]
    Tombstone.objects.bulk_create(stones)
    return len(stones)


def _tombstone_columns() -> str:
    names = ("subject_ref", "model", "rule", "deleted_at", "run")
    return ", ".join(_qn(Tombstone._meta.get_field(n).column) for n in names)  # type: ignore[union-attr]


def write_tombstones(
    model: type[models.Model], refs: Iterable[uuid.UUID], *, rule: str, run: RetentionRun | None
) -> int:
    stones = [
        Tombstone(subject_ref=ref, model=model._meta.label_lower, rule=rule, run=run)
        for ref in refs
    ]
    Tombstone.objects.bulk_create(stones)
    return len(stones)


# --- the audit trail ------------------------------------------------------------------------------
_AUDIT = AuditEntry._meta.db_table
_IP = AuditEntry._meta.get_field("ip_address").column
_ACTOR = AuditEntry._meta.get_field("actor_id").column


def _scrubbable() -> str:
    """An entry holds something of the person: recorded values, or their own IP address."""
    return (
        f"{_qn('changes')} <> '{{}}'::jsonb OR ({_qn(_ACTOR)} IS NULL AND {_qn(_IP)} IS NOT NULL)"
    )


def scrub_audit(cursor: Any, node: Node, roots: Roots, *, by_record: bool = False) -> int:
    """Mask every recorded value (``changes``) of audit entries about the rows of ``node``:
    by pseudonymous id for persons with one, by record otherwise (or when ``by_record``: for
    entries written before the model had a ``public_id``, which carry none). The entries stay.

    An entry without a staff actor about the person was written by a public page (the signup,
    its confirmation, the personal data page, the keep link, the newsletter): its IP address
    is the person's own, so it goes too. A staff member's address stays (it is theirs).

    The trail is append-only at the database (privacy/migrations/0005): the one exception is a
    DELETE in a transaction that set ``serop.audit_purge``, which is what retention is. So each
    entry is deleted and written again, same id and time, with masked values, in one statement.
    """
    where, params = _rows_of(node, roots)
    if node.public_id and not by_record:
        sub = f"SELECT {node.table}.{_qn('public_id')} FROM {node.table} WHERE {where}"
        match = f"{_qn('subject_ref')} IN ({sub})"
    else:
        pk = f"{node.table}.{_qn(node.model._meta.pk.column)}"
        sub = f"SELECT CAST({pk} AS TEXT) FROM {node.table} WHERE {where}"
        match = f"{_qn('object_type')} = %s AND {_qn('object_id')} IN ({sub})"
        params = [node.label, *params]
    if connection.vendor != "postgresql":
        return _scrub_portably(cursor, match, params)
    columns = [f.column for f in AuditEntry._meta.concrete_fields]
    masked = {
        "changes": "(SELECT COALESCE(jsonb_object_agg(k, %s::jsonb), '{}'::jsonb) "
        "FROM jsonb_object_keys(gone.changes) AS k)",
        _IP: f"CASE WHEN gone.{_qn(_ACTOR)} IS NULL THEN NULL ELSE gone.{_qn(_IP)} END",
    }
    values = [masked.get(c, f"gone.{_qn(c)}") for c in columns]
    cursor.execute("SET LOCAL serop.audit_purge = 'on'")
    cursor.execute(
        f"WITH gone AS (DELETE FROM {_qn(_AUDIT)} WHERE {match} AND ({_scrubbable()}) "
        "RETURNING *) "
        f"INSERT INTO {_qn(_AUDIT)} ({', '.join(_qn(c) for c in columns)}) "
        f"SELECT {', '.join(values)} FROM gone",
        [*params, f'["{MASK}", "{MASK}"]'],
    )
    scrubbed = int(cursor.rowcount)
    cursor.execute("SET LOCAL serop.audit_purge = 'off'")
    return scrubbed


def _scrub_portably(cursor: Any, match: str, params: list[Any]) -> int:
    # SQLite (make run): no append-only trigger there, so a plain UPDATE does it.
    import json

    cursor.execute(
        f"SELECT id, changes, {_qn(_ACTOR)}, {_qn(_IP)} FROM {_qn(_AUDIT)} WHERE {match}", params
    )
    rows = [
        (pk, changes, actor is None and ip is not None)
        for pk, changes, actor, ip in cursor.fetchall()
        if (changes and changes != "{}") or (actor is None and ip is not None)
    ]
    for pk, changes, own_ip in rows:
        masked = {key: [MASK, MASK] for key in json.loads(changes or "{}")}
        ip = f", {_qn(_IP)} = NULL" if own_ip else ""
        cursor.execute(
            f"UPDATE {_qn(_AUDIT)} SET changes = %s{ip} WHERE id = %s",
            [json.dumps(masked), pk],
        )
    return len(rows)


def audit_purge(
    model: type[models.Model],
    result: PurgeResult,
    *,
    rule: str,
    run: RetentionRun | None,
    action: str = "purged",
) -> None:
    """One audit entry for the call: counts only, no person named."""
    counts = ", ".join(f"{label}={n}" for label, n in sorted(result.counts.items()))
    detail = f"{action} by rule {rule}" + (f", run {run.pk}" if run else "")
    if result.held:
        detail += f"; {len(result.held)} kept by a legal hold"
    audit(
        Action.PURGE,
        model=model,
        count=result.people,
        detail=f"{detail}; {counts}" if counts else detail,
    )


# --- counting, for dry runs -----------------------------------------------------------------------
def count_cascade(queryset: models.QuerySet) -> dict[str, int]:
    """Rows per model that purging ``queryset``'s rows would delete (each row once)."""
    root = plan(queryset.model)
    roots = Roots.of_queryset(queryset)
    by_model: dict[type[models.Model], list[Node]] = {}
    for node in root.walk():
        by_model.setdefault(node.model, []).append(node)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model, nodes in by_model.items():
            clauses, params = [], []
            for node in nodes:
                where, p = _rows_of(node, roots)
                clauses.append(f"({where})")
                params += p
            table = _qn(model._meta.db_table)
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {' OR '.join(clauses)}", params)
            (n,) = cursor.fetchone()
            if n:
                counts[model._meta.label_lower] = n
    return counts
