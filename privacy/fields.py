"""Model fields that keep confidential values encrypted at rest (see ``encryption``).

The column holds a Fernet token; Python code only ever sees the plaintext. Because tokens are
randomised, an encrypted column cannot be searched or sorted: the only lookup allowed is
``isnull``. Values that must be found (CPR numbers) get a ``BlindIndexField`` beside them.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .encryption import blind_index, decrypt, encrypt

_ALLOWED_LOOKUPS = {"isnull"}


class EncryptedTextField(models.TextField):
    """Free text, encrypted. Empty strings are stored as empty strings (no secret in them)."""

    encrypted = True
    description = _("Encrypted text")

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in _ALLOWED_LOOKUPS:
            return None  # Django raises FieldError: unsupported lookup
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, value: str) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        return encrypt(self.plaintext(self.to_python(value)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return self.from_plaintext(decrypt(value))

    def to_python(self, value: Any) -> Any:
        if value is None:
            return value
        return str(value)


class EncryptedCharField(EncryptedTextField):
    """A short encrypted string, validated for length on its plaintext."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {"form_class": forms.CharField, "max_length": self.max_length}
        defaults.update(kwargs)
        defaults.pop("widget", None)
        return models.Field.formfield(self, **defaults)


class EncryptedDecimalField(EncryptedTextField):
    """A Decimal amount (payroll), encrypted."""

    description = _("Encrypted decimal number")

    def __init__(
        self, *args: Any, max_digits: int = 12, decimal_places: int = 2, **kwargs: Any
    ) -> None:
        self.max_digits, self.decimal_places = max_digits, decimal_places
        super().__init__(*args, **kwargs)
        self.validators.append(validators.DecimalValidator(max_digits, decimal_places))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(max_digits=self.max_digits, decimal_places=self.decimal_places)
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number."), code="invalid") from exc

    def plaintext(self, value: Any) -> str:
        return format(value, "f")

    def from_plaintext(self, value: str) -> Any:
        return Decimal(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        return encrypt(self.plaintext(self.to_python(value)))

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {
            "form_class": forms.DecimalField,
            "max_digits": self.max_digits,
            "decimal_places": self.decimal_places,
        }
        defaults.update(kwargs)
        defaults.pop("widget", None)
        return models.Field.formfield(self, **defaults)


def is_encrypted(field: Any) -> bool:
    return bool(getattr(field, "encrypted", False))


class BlindIndexField(models.CharField):
    """HMAC of another field's normalized plaintext, so that exact matches can be found without
    decrypting every row. Derived at save time from ``source``; never edited by hand."""

    def __init__(
        self,
        *args: Any,
        source: str = "",
        normalizer: Callable[[str], str] | str = "",
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if isinstance(self.normalizer, str):
            kwargs["normalizer"] = self.normalizer
        for key, default in (("max_length", 64), ("editable", False), ("db_index", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def _normalize(self, value: str) -> str:
        normalizer = self.normalizer
        if isinstance(normalizer, str):
            from django.utils.module_loading import import_string

            normalizer = import_string(normalizer) if normalizer else (lambda v: v)
        return normalizer(value)

    def index_of(self, plaintext: str) -> str:
        return blind_index(self._normalize(plaintext))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        source_value = getattr(model_instance, self.source)
        value = self.index_of(source_value) if source_value else ""
        setattr(model_instance, self.attname, value)
        return value


class BlindIndexedQuerySet(models.QuerySet):
    """A QuerySet whose ``update()`` keeps every ``BlindIndexField`` in step with its source,
    as ``save()`` does: ``update(cpr=...)`` sets ``cpr_index`` too. A source updated with an
    expression (an F() or a function) cannot be indexed in Python and is refused."""

    def update(self, **kwargs: Any) -> int:
        for field in self.model._meta.concrete_fields:
            if not isinstance(field, BlindIndexField) or field.source not in kwargs:
                continue
            if field.name in kwargs or field.attname in kwargs:
                raise TypeError(f"{field.name} is derived from {field.source}: update only that")
            value = kwargs[field.source]
            if hasattr(value, "resolve_expression"):
                raise TypeError(
                    f"{self.model.__name__}.{field.source} cannot be updated with an expression: "
                    f"its blind index {field.name} is computed from the value; save each row"
                )
            kwargs[field.attname] = field.index_of(value) if value else ""
        return super().update(**kwargs)


class EncryptedDateField(EncryptedTextField):
    """A date, encrypted (e.g. when a criminal record certificate was seen)."""

    description = _("Encrypted date")

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValidationError(_("Enter a valid date."), code="invalid") from exc

    def plaintext(self, value: Any) -> str:
        return value.isoformat()

    def from_plaintext(self, value: str) -> Any:
        return date.fromisoformat(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        return encrypt(self.plaintext(self.to_python(value)))

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {"form_class": forms.DateField}
        defaults.update(kwargs)
        defaults.pop("widget", None)
        return models.Field.formfield(self, **defaults)
