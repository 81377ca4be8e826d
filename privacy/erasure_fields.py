"""Erasure field by field (GDPR Art. 17) inside a record that a law keeps: which fields a law
requires keeping, and what empties the others without breaking their row.

Pure: reads the registry's declarations and the model fields, writes nothing. privacy/erasure.py
decides with it and empties the fields (``privacy.services.record_fields_blank``). Invariants:
- A field is required by law (``required_by_law``) when its declaration names a retention rule of
  ``LEGAL_OBLIGATIONS`` and the basis Art. 6(1)(c); such a field is never erased by a request.
- ``empty_value`` never offers to empty a relation, a file, the key, a value the system keeps
  (not editable, or the person's id and restriction flag) or a required value: the row stays
  valid and its person stays identifiable to the system.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from .models import PersonRecord
from .person_data import Value
from .registry import FieldInfo
from .taxonomy import LegalBasis

# Retention rules that are legal obligations (GDPR Art. 6(1)(c)): an erasure request does not
# shorten them (Art. 17(3)(b)). A field is kept by one when its declaration names the rule and
# the basis Art. 6(1)(c). The text names the law for the person's letter.
LEGAL_OBLIGATIONS: dict[str, Promise] = {
    "employment_end": gettext_lazy("GDPR Art. 17(3)(b): employment, tax and social law"),
    "payroll": gettext_lazy(
        "GDPR Art. 17(3)(b): tax law and the Bookkeeping Act (Bogføringsloven)"
    ),
    "accounting_record": gettext_lazy(
        "GDPR Art. 17(3)(b): Bookkeeping Act (Bogføringsloven): 5 years after the financial year"
    ),
    # The documentation of the person's own requests (GDPR Art. 5(2), 12): never erased by one.
    "subject_request": gettext_lazy(
        "GDPR Art. 17(3)(b) and (e): documentation of how SEROP answered your requests, kept "
        "for the 3-year limitation period"
    ),
}

# A field erased from a row that is otherwise kept: the legal bases it was held on.
FIELD_ERASE_REASON = gettext_lazy(
    "GDPR Art. 17(1): erased at your request; no law requires keeping it (it was held on: {bases})"
)


def required_by_law(info: FieldInfo) -> bool:
    """Whether a law requires keeping the field: its declaration names a retention rule that is
    a legal obligation, with the basis Art. 6(1)(c)."""
    return info.retention in LEGAL_OBLIGATIONS and LegalBasis.ART6_1C in info.data.basis


class _NoEmpty:
    def __repr__(self) -> str:
        return "NO_EMPTY"


NO_EMPTY: Any = _NoEmpty()
# The record's state (the stable pseudonymous id, the restriction flag and its reason) is never
# erased from a row that stays.
PERSON_STATE = frozenset(f.name for f in PersonRecord._meta.fields)


def empty_value(field: Any) -> Any:
    """The value that empties ``field`` without breaking its row, or NO_EMPTY when there is
    none: a relation, a file, the key, a value the system keeps (not editable: timestamps, the
    CPR blind index, the person's id and restriction flag), or a required value. Encrypted text
    stores "" as "" (nothing to decrypt); encrypted numbers and dates store empty as NULL, so
    they need ``null=True``, as any other field does for None."""
    if (
        not isinstance(field, models.Field)
        or not field.concrete
        or field.is_relation
        or field.primary_key
        or isinstance(field, models.FileField)
        or not field.editable
        or field.name in PERSON_STATE
    ):
        return NO_EMPTY
    if field.null:
        return None
    if (
        field.blank
        and field.empty_strings_allowed
        and not field.unique
        and field.get_prep_value("") == ""
    ):
        return ""
    return NO_EMPTY


@dataclass(frozen=True)
class FieldErasure:
    """A field erased now from a row whose other fields are kept, and why."""

    name: str
    reason: Any  # lazy text


def field_erasure(value: Value) -> FieldErasure | None:
    info = value.info
    if value.is_empty or required_by_law(info):
        return None
    if empty_value(info.model._meta.get_field(info.name)) is NO_EMPTY:
        return None
    labels = [LegalBasis(b).label for b in info.data.basis]
    bases = format_lazy("; ".join(["{}"] * len(labels)), *labels)
    return FieldErasure(info.name, format_lazy(FIELD_ERASE_REASON, bases=bases))
