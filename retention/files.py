"""Removing the uploaded files of purged rows from storage.

Irreversible. Invariants:
- A file is removed only after the transaction that deleted its row has committed
  (``transaction.on_commit``). A batch that rolls back leaves every file in place: no row ever
  points to a missing file.
- Each removal is tried ``ATTEMPTS`` times with exponential backoff. A file that is already
  missing counts as removed (the goal, no file, is reached).
- A file that still cannot be removed is reported, never ignored: into the run's ``errors``
  when there is a run, and always to the log. It is then an orphan on disk.
- Orphans also arise when a worker dies between a batch's commit and its file removal. The
  next run of the rule, seeing that the previous one did not end cleanly, sweeps them
  (``sweep_orphans``): files in the rule's upload folders that no row references and that are
  older than the interrupted run, so an upload still in flight is never touched.
"""

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import islice

from django.apps import apps
from django.conf import DEFAULT_STORAGE_ALIAS
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

from serop.storage import PrivateUploadPath

from .models import RetentionRun

logger = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF_SECONDS = 0.2  # then 0.4: a storage hiccup, not an outage, is what retrying is for
MAX_REPORTED = 10  # paths named per failure report; the count is always complete
SWEEP_CHUNK = 1000


@dataclass
class FileReport:
    removed: int = 0
    failed: list[str] = field(default_factory=list)


def _deleter() -> Callable[[str], None]:
    """How to delete one stored file. For the local file system, a plain unlink below the
    storage's folder: FileSystemStorage.delete costs three times the unlink itself, which counts
    at a million files. Any other storage goes through its own ``delete``."""
    storage = storages[DEFAULT_STORAGE_ALIAS]
    if type(storage) is not FileSystemStorage:
        return _storage_delete
    root = os.path.abspath(storage.location)

    def unlink(name: str) -> None:
        path = os.path.normpath(os.path.join(root, name))
        if not path.startswith(root + os.sep):
            raise SuspiciousFileOperation(f"{name!r} is outside the storage folder")
        with suppress(FileNotFoundError):
            os.remove(path)

    return unlink


def _storage_delete(name: str) -> None:
    # Backends other than FileSystemStorage may raise it for a missing file.
    with suppress(FileNotFoundError):
        default_storage.delete(name)


def remove_files(paths: Iterable[str], *, run_id: int | None = None) -> FileReport:
    """Delete ``paths`` from the default storage now, with retries, and report the outcome."""
    report = FileReport()
    delete = _deleter()
    for path in paths:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                delete(path)
            except Exception as exc:  # a storage backend may raise anything
                if attempt < ATTEMPTS:
                    time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
                    continue
                report.failed.append(f"{path} ({type(exc).__name__}: {exc})")
            else:
                report.removed += 1
            break
    _record(report, run_id)
    return report


def _record(report: FileReport, run_id: int | None) -> None:
    message = ""
    if report.failed:
        shown = "; ".join(report.failed[:MAX_REPORTED])
        more = len(report.failed) - MAX_REPORTED
        message = f"{len(report.failed)} file(s) could not be removed from storage: {shown}"
        if more > 0:
            message += f"; and {more} more"
        # File names are server-generated (serop.storage.PrivateUploadPath): no personal data.
        logger.error("retention run %s: %s", run_id, message)
    if run_id is None:
        return
    update: dict[str, object] = {"files_removed": F("files_removed") + report.removed}
    if message:
        update["errors"] = Concat(
            F("errors"), Value(message + "\n"), output_field=models.TextField()
        )
    RetentionRun.objects.filter(pk=run_id).update(**update)


def remove_files_on_commit(paths: Sequence[str], *, run_id: int | None = None) -> None:
    """Remove ``paths`` once the current transaction commits; nothing if it rolls back."""
    if paths:
        transaction.on_commit(partial(remove_files, list(paths), run_id=run_id), robust=True)


# --- orphans ---------------------------------------------------------------------------------
def upload_folder(file_field: models.FileField) -> str | None:
    upload_to = file_field.upload_to
    return upload_to.folder if isinstance(upload_to, PrivateUploadPath) else None


def _file_fields() -> list[models.FileField]:
    return [
        f
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    ]


def _names_in(folder: str) -> Iterator[str]:
    try:
        root = default_storage.path(folder)
    except NotImplementedError:  # a remote storage: no local path to stream from
        try:
            yield from (f"{folder}/{name}" for name in default_storage.listdir(folder)[1])
        except FileNotFoundError:
            return
        return
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                if entry.is_file():
                    yield f"{folder}/{entry.name}"
    except FileNotFoundError:
        return


def _older(name: str, than: datetime) -> bool:
    try:
        return default_storage.get_modified_time(name) < than
    except FileNotFoundError:  # removed meanwhile
        return False


def _chunks(items: Iterator[str], size: int) -> Iterator[list[str]]:
    while chunk := list(islice(items, size)):
        yield chunk


def sweep_orphans(
    model_list: Iterable[type[models.Model]], *, older_than: datetime, run_id: int | None = None
) -> FileReport:
    """Remove files in the upload folders of ``model_list``'s file fields that no row of any
    model references and that were last modified before ``older_than``."""
    folders = {
        folder
        for model in model_list
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField) and (folder := upload_folder(f))
    }
    total = FileReport()
    everyone = _file_fields()
    for folder in sorted(folders):
        readers = [f for f in everyone if upload_folder(f) == folder]
        for chunk in _chunks(_names_in(folder), SWEEP_CHUNK):
            referenced: set[str] = set()
            for f in readers:
                referenced.update(
                    f.model._base_manager.filter(**{f"{f.name}__in": chunk}).values_list(
                        f.name, flat=True
                    )
                )
            orphans = [n for n in chunk if n not in referenced and _older(n, older_than)]
            if orphans:
                report = remove_files(orphans, run_id=run_id)
                total.removed += report.removed
                total.failed += report.failed
    if total.removed or total.failed:
        logger.warning(
            "retention run %s: swept %d orphaned file(s), %d could not be removed",
            run_id,
            total.removed,
            len(total.failed),
        )
    return total
