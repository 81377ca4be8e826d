"""The file side of import and export (privacy/import_export.py): CSV and XLSX formats that are
safe to open in a spreadsheet, the encrypted waiting room of an uploaded file, the widgets that
normalise phone and CPR numbers, and a bulk instance loader."""

import base64
import re
from datetime import timedelta
from typing import Any
from uuid import uuid4

import tablib
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from import_export import widgets
from import_export.formats import base_formats
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Error
from import_export.tmp_storages import BaseStorage

from serop.validators import normalize_cpr, normalize_phone

from .encryption import decrypt, encrypt

# --- formats: CSV and XLSX, safe to open in a spreadsheet -------------------------------------
# A cell starting with one of these is run as a formula by Excel and LibreOffice ("CSV
# injection"); exported cells get a leading apostrophe, which the import takes off again. Signed
# numbers and phone numbers ("+45 12 34 56 78") are left alone.
_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-][\d\s().,-]*")


def escape_formula(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START) or (
        value[0] in "+-" and not _SIGNED_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and escape_formula(value[1:]) != value[1:]:
        return value[1:]
    return value


def _map_cells(dataset: tablib.Dataset, function: Any) -> tablib.Dataset:
    result = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        result.append([function(cell) for cell in row])
    return result


def _clean_headers(dataset: tablib.Dataset) -> tablib.Dataset:
    if dataset.headers:
        dataset.headers = [h.strip() if isinstance(h, str) else h for h in dataset.headers]
    return dataset


class CSV(base_formats.CSV):
    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        text = in_stream.lstrip("\ufeff")
        # Excel with Danish settings saves CSV with semicolons (the comma is the decimal sign).
        header = text.split("\n", 1)[0]
        kwargs.setdefault("delimiter", ";" if header.count(";") > header.count(",") else ",")
        dataset = _clean_headers(super().create_dataset(text, **kwargs))
        return _map_cells(dataset, unescape_formula) if "'" in text else dataset

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(_map_cells(dataset, escape_formula), **kwargs)


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream: Any) -> tablib.Dataset:
        return _map_cells(_clean_headers(super().create_dataset(in_stream)), unescape_formula)

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(_map_cells(dataset, escape_formula), **kwargs)


FORMATS = [CSV, XLSX]


# --- the uploaded file between preview and confirm -------------------------------------------
class EncryptedTempStorage(BaseStorage):
    """Keeps the uploaded file, encrypted with the field-encryption keys, in private storage
    until the confirm step reads and removes it. A preview nobody confirms leaves its file
    behind: every upload first deletes those older than ``max_age``."""

    folder = "import-export"
    max_age = timedelta(hours=12)
    name: str | None

    def _path(self) -> str:
        return f"{self.folder}/{self.name}"

    def save(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        self.purge_stale()
        self.name = self.name or uuid4().hex
        token = encrypt(base64.b64encode(data).decode("ascii"))
        default_storage.save(self._path(), ContentFile(token.encode("ascii")))

    def read(self) -> bytes | str:
        with default_storage.open(self._path(), "rb") as stored:
            data = base64.b64decode(decrypt(stored.read().decode("ascii")))
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8-sig")

    def remove(self) -> None:
        default_storage.delete(self._path())

    @classmethod
    def purge_stale(cls) -> None:
        cutoff = timezone.now() - cls.max_age
        try:
            _dirs, files = default_storage.listdir(cls.folder)
        except FileNotFoundError:
            return
        for name in files:
            path = f"{cls.folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)


# --- widgets and instance loading ---------------------------------------------------------------
class CharWidget(widgets.CharWidget):
    """Text, stripped of surrounding whitespace as the admin's form fields strip it."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        cleaned = super().clean(value, row, **kwargs)
        return cleaned.strip() if isinstance(cleaned, str) else cleaned


class PhoneWidget(CharWidget):
    """A phone number in its stored form: Danish numbers as 8 digits (serop.validators)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        cleaned = super().clean(value, row, **kwargs)
        return normalize_phone(cleaned) if cleaned else cleaned


class CprWidget(CharWidget):
    """A CPR number as DDMMYY-SSSS, however it was typed (as the employee form stores it)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        cleaned = super().clean(value, row, **kwargs)
        return normalize_cpr(cleaned) if cleaned else cleaned


class PrefetchedInstanceLoader(ModelInstanceLoader):
    """Finds the existing rows a file names in one query per 10,000 keys instead of one query
    per row (django-import-export's CachedInstanceLoader, which this extends): by the single
    import id, ignoring case where the resource says so (the ``Lower(email)`` unique
    constraints), and passing over keys that do not even parse (the row reports those)."""

    chunk = 10_000

    def __init__(self, resource: Any, dataset: tablib.Dataset | None = None) -> None:
        super().__init__(resource, dataset)
        (name,) = resource.get_import_id_fields()
        self.field = resource.fields[name]
        self.case_insensitive = resource.case_insensitive_id
        self.instances: dict[Any, models.Model] = {}
        if dataset is None or self.field.column_name not in (dataset.headers or []):
            return
        keys = list({k for k in map(self.key, dataset[self.field.column_name]) if k is not None})
        attribute = self.field.attribute
        for start in range(0, len(keys), self.chunk):
            queryset = self.get_queryset()
            if self.case_insensitive:
                queryset = queryset.alias(serop_key=Lower(attribute))
            lookup = "serop_key__in" if self.case_insensitive else f"{attribute}__in"
            found = queryset.filter(**{lookup: keys[start : start + self.chunk]})
            self.instances.update({self.stored_key(getattr(o, attribute)): o for o in found})

    def key(self, value: Any) -> Any:
        try:
            cleaned = self.field.widget.clean(value)
        except (ValueError, TypeError, ArithmeticError):
            return None
        if cleaned in (None, ""):
            return None
        return self.stored_key(cleaned)

    def stored_key(self, value: Any) -> Any:
        return str(value).lower() if self.case_insensitive else value

    def get_instance(self, row: Any) -> Any:
        return self.instances.get(self.key(row.get(self.field.column_name)))


class QuietError(Error):
    """An import error without its traceback: the import page shows a traceback to the user,
    and one may quote values from the file."""

    @property
    def traceback(self) -> str:
        return ""
