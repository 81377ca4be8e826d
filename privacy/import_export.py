"""Import and export of personal data (django-import-export), with the same rules as the admin.

- Field access: a resource drops every field its user may not see (``access.hidden_fields``,
  derived from the registry), on export and on import alike. A file that carries such a column
  is refused, not silently half-imported.
- Audit: every export writes one EXPORT entry and every confirmed import one IMPORT entry
  (model, row count, field names; never values), in the import's own transaction.
- All or nothing: an import runs in one transaction, and any invalid row rolls it all back.
- Validation: each row goes through the model's ``full_clean``, so the validators of the forms
  (CPR, CVR, phone, postcode, bank numbers) run with their messages in the active language.
- Formats: CSV and XLSX only; formulae in exported cells are neutralised (CSV injection), and
  the uploaded file waits for the confirm step encrypted, not as plaintext in /tmp.

Without a user (a management command, a benchmark) a resource sees only ordinary fields.
"""

import contextlib
import copy
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import tablib
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.results import Error, RowResult

from serop.validators import validate_cpr, validate_phone

from . import access
from .audit import Action, audit
from .fields import EncryptedDateField, EncryptedDecimalField, is_encrypted
from .import_formats import (
    CSV,
    FORMATS,
    XLSX,
    CharWidget,
    CprWidget,
    EncryptedTempStorage,
    PhoneWidget,
    PrefetchedInstanceLoader,
    QuietError,
    escape_formula,
    unescape_formula,
)

__all__ = [
    "CSV",
    "FORMATS",
    "XLSX",
    "EncryptedTempStorage",
    "PersonalDataImportExportMixin",
    "PersonalDataResource",
    "bound_request",
    "escape_formula",
    "unescape_formula",
]

# The request of the admin view being served. django-import-export instantiates resources
# without arguments in places no hook reaches (the export form's list of fields); there the
# resource finds its user here, as employees/admin.py's display methods find theirs.
_current_request: ContextVar[HttpRequest | None] = ContextVar("import_export_request", default=None)


@contextlib.contextmanager
def bound_request(request: HttpRequest) -> Iterator[None]:
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


# --- resources ------------------------------------------------------------------------------
class PersonalDataResource(resources.ModelResource):
    """Base of every resource of a model that holds personal data."""

    #: Exported, never imported: clocks, timestamps and other values the system owns.
    export_only: tuple[str, ...] = ()
    #: Whether the import id matches regardless of case (unique on ``Lower(...)``).
    case_insensitive_id = False
    #: ``full_clean`` checks uniqueness with a query per unique field per row. Resources whose
    #: only user-supplied unique value is the import id (found by the instance loader, and
    #: checked for duplicates within the file) switch it off for speed.
    per_row_unique_checks = True
    #: Above this many rows the import keeps no per-row diff: it costs more than the import
    #: itself, and nobody reads a preview that long. The preview then lists new and updated rows.
    diff_row_limit = 1000

    class Meta:
        use_transactions = True
        clean_model_instances = True
        instance_loader_class = PrefetchedInstanceLoader

    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, "CharField": CharWidget}

    def __init__(self, *, user: Any = None, request: HttpRequest | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        request = request or _current_request.get()
        if user is None and request is not None:
            user = getattr(request, "user", None)
        self.request, self.user = request, user
        # Per instance: django-import-export writes into _meta during an import.
        self._meta: Any = copy.copy(self._meta)
        self.hidden = self.hidden_for(self.viewer)
        self.refused_columns: list[str] = []
        self.imported_fields: list[str] = []
        self._seen_ids: set[tuple[Any, ...]] = set()
        for name in list(self.fields):
            if not self._visible(name, self.fields[name]):
                del self.fields[name]
            elif name in self.export_only:
                self.fields[name].readonly = True

    @property
    def viewer(self) -> Any:
        return self.user if self.user is not None else AnonymousUser()

    def hidden_for(self, user: Any) -> set[str]:
        """Names of the model fields this user may neither export nor import."""
        return access.hidden_fields(user, self._meta.model)

    def _visible(self, name: str, field: Any) -> bool:
        model = self._meta.model
        attnames = {f.attname: f.name for f in model._meta.concrete_fields}
        head, *rest = (field.attribute or name).split("__")
        path = "__".join([attnames.get(head, head), *rest])
        if path.split("__")[0] in self.hidden or not access.field_path_visible(
            self.viewer, model, path
        ):
            return False
        widget = field.widget
        if isinstance(widget, widgets.ForeignKeyWidget) and widget.field != "pk":
            return access.field_path_visible(self.viewer, widget.model, widget.field)
        return True

    def get_export_order(self) -> tuple[str, ...]:
        return tuple(n for n in super().get_export_order() if n in self.fields)

    def get_import_order(self) -> tuple[str, ...]:
        return tuple(n for n in super().get_import_order() if n in self.fields)

    @classmethod
    def get_error_result_class(cls) -> type[Error]:
        return QuietError

    @classmethod
    def widget_from_django_field(cls, f: Any, default: Any = widgets.Widget) -> Any:
        validators = getattr(f, "validators", [])
        if validate_cpr in validators:
            return CprWidget
        if validate_phone in validators:
            return PhoneWidget
        if is_encrypted(f):  # an encrypted column's Python type, not its database type
            if isinstance(f, EncryptedDateField):
                return widgets.DateWidget
            if isinstance(f, EncryptedDecimalField):
                return widgets.DecimalWidget
            return CharWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name: str, django_field: Any) -> dict[str, Any]:
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if kwargs.get("allow_blank") and django_field.null:
            kwargs["allow_blank"] = False  # an empty cell is NULL, e.g. a unique CVR number
        return kwargs

    # --- export ---------------------------------------------------------------------------
    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        related = [
            f.attribute
            for f in self.fields.values()
            if isinstance(f.widget, widgets.ForeignKeyWidget) and f.attribute
            if not f.attribute.endswith("_id")
        ]
        queryset = access.visible_queryset(self.viewer, queryset)
        return queryset.select_related(*related) if related else queryset

    def after_export(self, queryset: Any, dataset: tablib.Dataset, **kwargs: Any) -> None:
        super().after_export(queryset, dataset, **kwargs)
        exported = self.get_export_fields(kwargs.get("export_fields"))
        audit(
            Action.EXPORT,
            actor=self.user,
            request=self.request,
            model=self._meta.model,
            count=len(dataset),
            fields=[self.get_field_name(f) for f in exported],
        )

    # --- import ---------------------------------------------------------------------------
    def import_data(
        self,
        dataset: tablib.Dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        **kwargs: Any,
    ) -> Any:
        # All or nothing, whatever the caller asks for: one transaction, rolled back on any
        # error or invalid row (the admin's confirm step does not ask for the latter).
        if len(dataset) > self.diff_row_limit:
            self._meta.skip_diff = True
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self._seen_ids = set()
        # Columns of fields this user may not see: removed at once (so that no page shows
        # their values back) and the import refused in after_import.
        hidden = {f.column_name for name, f in type(self).fields.items() if name not in self.fields}
        self.refused_columns = [h for h in (dataset.headers or []) if h in hidden]
        for header in self.refused_columns:
            del dataset[header]
        self.imported_fields = self.imported_field_names(dataset)

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        # Not ModelResource.after_import: it resets the id sequence, which only a file with new
        # primary keys would need (none of these resources accepts one), and which could move
        # the sequence backwards under concurrent inserts.
        if self.refused_columns:
            raise PermissionError(
                gettext("The file has columns you may not import: %(columns)s.")
                % {"columns": ", ".join(self.refused_columns)}
            )
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        new = result.totals[RowResult.IMPORT_TYPE_NEW]
        updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
        audit(
            Action.IMPORT,
            actor=self.user if self.user is not None else kwargs.get("user"),
            request=self.request,
            model=self._meta.model,
            count=new + updated,
            fields=self.imported_fields,
            detail=f"new={new} updated={updated}",
        )

    def imported_field_names(self, dataset: tablib.Dataset) -> list[str]:
        headers = set(dataset.headers or [])
        return [
            name
            for name, f in self.fields.items()
            if not f.readonly and f.attribute and f.column_name in headers
        ]

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        super().before_import_row(row, **kwargs)
        id_fields = [self.fields[n] for n in self.get_import_id_fields() if n in self.fields]
        try:
            key = tuple(f.clean(row) for f in id_fields)
        except (ValueError, KeyError):
            return  # reported by the field itself
        if not key or any(v in (None, "") for v in key):
            return
        if self.case_insensitive_id:
            key = tuple(str(v).lower() for v in key)
        if key in self._seen_ids:
            raise ValidationError(
                {id_fields[0].attribute: _("The same value appears in an earlier row of the file.")}
            )
        self._seen_ids.add(key)

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if not new and getattr(instance, "is_restricted", False):
            raise ValidationError(
                _(
                    "This person's record is restricted (GDPR Art. 18): it cannot be changed "
                    "by an import."
                )
            )

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        check = self.per_row_unique_checks and validate_unique
        try:
            instance.full_clean(exclude=errors, validate_unique=check, validate_constraints=check)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


# --- the admin ----------------------------------------------------------------------------------
class PersonalDataImportExportMixin(ImportExportMixin):
    """Import and export in the admin, for a ``PersonalDataAdmin`` (list this mixin first).

    Export needs the model's view permission, import its add and change permissions; what is
    exported or imported is then limited to the fields the user may see.
    """

    tmp_storage_class = EncryptedTempStorage
    # The audit trail records each import (one IMPORT entry); Django's LogEntry would copy the
    # name of every imported person into a table no retention rule covers.
    skip_admin_log = True
    to_encoding = "utf-8-sig"  # with a byte order mark, Excel reads æ, ø and å right
    import_resource_classes: list[type[PersonalDataResource]] = []  # default: resource_classes
    export_resource_classes: list[type[PersonalDataResource]] = []

    def get_import_formats(self) -> list[Any]:
        return list(FORMATS)

    def get_export_formats(self) -> list[Any]:
        return list(FORMATS)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return bool(self.has_add_permission(request) and self.has_change_permission(request))

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(self.has_view_or_change_permission(request))

    def get_resource_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return {**kwargs, "user": request.user, "request": request}

    def get_import_resource_classes(self, request: HttpRequest) -> Any:
        return self.import_resource_classes or super().get_import_resource_classes(request)

    def get_export_resource_classes(self, request: HttpRequest) -> Any:
        return self.export_resource_classes or super().get_export_resource_classes(request)

    def import_action(self, request: HttpRequest, **kwargs: Any) -> Any:
        with bound_request(request):
            return super().import_action(request, **kwargs)

    def process_import(self, request: HttpRequest, **kwargs: Any) -> Any:
        with bound_request(request):
            return super().process_import(request, **kwargs)

    def export_action(self, request: HttpRequest) -> Any:
        with bound_request(request):
            return super().export_action(request)
