"""The answer to an access and portability request (GDPR Art. 15 and 20): one zip with a PDF
report in the person's language, ``data.json`` with what they provided, and their uploaded files.

The DPO asks for it (``export_generate``); a Celery task builds it (``export_build``) into the
private storage; the person gets a signed, expiring link by email (``export_send_link``) or the
DPO hands the file over. Every build, link and download is audited; the audit trail and the logs
get counts and ids, never a value.
"""

import json
import logging
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .audit import Action, audit, subject_ref_of
from .models import RequestExport, SubjectRequest
from .subject_data import PersonData, collect, confirmed_records
from .subject_requests import require_verified

logger = logging.getLogger(__name__)

# The controller and the supervisory authority (policy §1, §14; ../DATA_INVENTORY.md).
CONTROLLER = {
    "name": "SEROP ApS",
    "cvr": "29135789",
    "address": "Ndr. Stationsvej 18, 2. sal, 4200 Slagelse",
    "phone": "70233838",
    "email": "kontakt@serop.dk",
}
AUTHORITY = {
    "name": "Datatilsynet",
    "address": "Borgergade 28, 5., 1300 København K",
    "phone": "3319 3200",
    "email": "dt@datatilsynet.dk",
}
REPORT_TEMPLATE = "privacy/access_report.html"
DATA_FILE = "data.json"
DATA_FORMAT = "serop-subject-data/1"
LINK_SALT = "privacy.subject_export.download"
Progress = Callable[[int], None]


class ExportStatus:
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class BuiltZip:
    values: int
    files: int
    missing: int  # uploaded files named by a record but not found in the storage
    counts: dict[uuid.UUID | None, int]  # values per person (pseudonymous id), for the audit


class InvalidExportLink(Exception):
    """A download link that is tampered with, expired or for a deleted export. ``language`` is
    the request's, when the link still names an export."""

    def __init__(self, language: str | None = None) -> None:
        super().__init__("invalid export link")
        self.language = language


# --- building -----------------------------------------------------------------------------
def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The report has no external assets; nothing in it may make the renderer fetch a URL.
    raise ValueError("the access report loads no external resources")


def render_report(request: SubjectRequest, data: PersonData) -> bytes:
    """The PDF report, in the request's language."""
    from weasyprint import HTML

    with translation.override(request.language):
        now = timezone.localtime()
        html = render_to_string(
            REPORT_TEMPLATE,
            {
                "request": request,
                "data": data,
                "generated_on": formats.date_format(now, "DATE_FORMAT"),
                "controller": CONTROLLER,
                "authority": AUTHORITY,
                "data_file": DATA_FILE,
            },
        )
        document = HTML(string=html, url_fetcher=_no_fetch)
        whole_font = not _fast_font_subsetting()
        pdf: bytes = document.write_pdf(full_fonts=whole_font, uncompressed_pdf=whole_font)
        return pdf


def _fast_font_subsetting() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (libharfbuzz-subset, which the Dockerfile
    installs): milliseconds. Without it (a development machine), WeasyPrint falls back to
    fontTools, which takes about 0.3 s per face on every PDF; the whole face (750 kB) is then
    embedded instead, and the PDF's streams are left for the zip to compress at its fastest
    level (compressing that font at zlib's default level took another 0.1 s)."""
    from weasyprint.text import ffi

    return getattr(ffi, "harfbuzz_subset", None) is not None


def _data_json(request: SubjectRequest, data: PersonData) -> bytes:
    document = {
        "format": DATA_FORMAT,
        "controller": CONTROLLER,
        "request": request.reference,
        "generated_at": timezone.localtime().isoformat(),
        "records": data.provided(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def build_access_zip(
    request_id: int, out: IO[bytes], *, progress: Progress | None = None
) -> BuiltZip:
    """Write the zip for request ``request_id`` into ``out``: the PDF report, ``data.json`` and
    the person's uploaded files under ``files/``. A file missing from storage is left out and
    logged (by record id only)."""
    report = progress or (lambda percent: None)
    request = SubjectRequest.objects.get(pk=request_id)
    people = confirmed_records(request)
    report(5)
    data = collect(people, language=request.language)
    report(35)
    pdf = render_report(request, data)
    report(75)
    missing = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Most uploads (PDF, images, video) are compressed already: stored as they are. The
        # report is deflated at the fastest level (see _fast_font_subsetting).
        archive.writestr(f"{request.reference}.pdf", pdf, compresslevel=1)
        archive.writestr(DATA_FILE, _data_json(request, data))
        for ref in data.files:
            entry = zipfile.ZipInfo(ref.archive_name, time.localtime()[:6])
            entry.external_attr = 0o600 << 16
            try:
                with (
                    default_storage.open(ref.storage_name, "rb") as source,
                    archive.open(entry, "w") as target,
                ):
                    shutil.copyfileobj(source, target, 1024 * 1024)
            except FileNotFoundError:
                missing += 1
                logger.warning("access export %s: a file of %s is missing", request.pk, ref.key)
    report(95)
    counts: dict[uuid.UUID | None, int] = {}
    for person in data.people:
        subject_ref = subject_ref_of(person)
        counts[subject_ref] = counts.get(subject_ref, 0) + data.values_of(person)
    return BuiltZip(data.values, len(data.files) - missing, missing, counts)


# --- the request's export: create, build, fail --------------------------------------------
def export_generate(request: SubjectRequest, actor: Any) -> RequestExport:
    """Create an access export of a verified request with confirmed records, and queue its
    build once the transaction commits. The file is deleted SUBJECT_EXPORT_DAYS days later."""
    require_verified(request)
    if not request.matches.filter(confirmed=True).exists():
        raise ValidationError(_("Confirm the records that belong to the person before exporting."))
    from .export_tasks import generate_access_export

    with transaction.atomic():
        export = RequestExport.objects.create(
            request=request,
            kind=RequestExport.Kind.ACCESS,
            status=ExportStatus.PENDING,
            expires_at=timezone.now() + timedelta(days=settings.SUBJECT_EXPORT_DAYS),
            created_by=actor,
        )
        audit(
            Action.CREATE,
            actor=actor,
            obj=export,
            detail=f"access export requested for {request.reference}",
        )
        transaction.on_commit(lambda: generate_access_export.delay(export.pk))
    return export


def _set_progress(export_id: int, percent: int) -> None:
    # Outside any transaction, so that the admin sees it while the build runs.
    RequestExport.objects.filter(pk=export_id).update(progress=percent)


def export_build(export_id: int) -> RequestExport:
    """Build the zip of an export and store it privately; audit the build once per person.
    Safe to run again (a task redelivered after a crash): a finished export is left alone."""
    export = RequestExport.objects.select_related("request").get(pk=export_id)
    if export.status == ExportStatus.DONE:
        return export
    RequestExport.objects.filter(pk=export_id).update(
        status=ExportStatus.RUNNING, progress=0, error=""
    )
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as out:
        built = build_access_zip(
            export.request_id, out, progress=lambda p: _set_progress(export_id, p)
        )
        out.seek(0)
        stored = ""
        try:
            with transaction.atomic():
                export = RequestExport.objects.select_for_update().get(pk=export_id)
                previous = export.file.name
                export.file.save(f"{export.request.reference}.zip", File(out), save=False)
                stored = export.file.name or ""
                export.status, export.progress = ExportStatus.DONE, 100
                # Not a failure, but the DPO must know before handing the zip over.
                export.error = (
                    f"{built.missing} uploaded file(s) were missing from the storage"
                    if built.missing
                    else ""
                )
                export.save(update_fields=["file", "status", "progress", "error"])
                for ref, count in built.counts.items():
                    audit(
                        Action.EXPORT,
                        actor=export.created_by,
                        obj=export,
                        subject_ref=ref,
                        count=count,
                        detail=f"access export built for {export.request.reference}: "
                        f"{built.values} values, {built.files} files",
                    )
        except BaseException:
            if stored:
                default_storage.delete(stored)
            raise
    if previous and previous != stored:
        default_storage.delete(previous)
    logger.info("access export %s built: %d values, %d files", export_id, built.values, built.files)
    return export


def export_mark_failed(export_id: int, error: BaseException, *, final: bool) -> None:
    """Record a failed build: ``failed`` if no retry is left, else back to ``pending``. Only the
    exception's type and message are kept (never a traceback with local values)."""
    message = f"{type(error).__name__}: {error}"[:500]
    status = ExportStatus.FAILED if final else ExportStatus.PENDING
    RequestExport.objects.filter(pk=export_id).update(status=status, error=message)
    logger.warning(
        "access export %s %s (%s)",
        export_id,
        "failed" if final else "will be retried",
        type(error).__name__,
    )


# --- delivering: the signed link, its email, downloads ------------------------------------
def _subject_refs(request: SubjectRequest) -> list[uuid.UUID | None]:
    refs = list(dict.fromkeys(subject_ref_of(r) for r in confirmed_records(request)))
    return refs or [None]


def _audit_people(
    export: RequestExport, detail: str, *, action: str = Action.EXPORT, **kwargs: Any
) -> None:
    """One entry per person the export is about, so that each of their ids finds it."""
    for ref in _subject_refs(export.request):
        audit(action, obj=export, subject_ref=ref, detail=detail, **kwargs)


def export_link(export: RequestExport, http_request: HttpRequest | None = None) -> str:
    """The person's download link: signed, naming the export and its expiry. Absolute from
    settings.SEROP_PUBLIC_URL, or else from the staff member's own request."""
    if export.expires_at is None:  # only access zips are sent as links, and they expire
        raise ValueError(f"export {export.pk} has no expiry: it is not sent as a link")
    token = signing.TimestampSigner(salt=LINK_SALT).sign_object(
        {"e": export.pk, "x": int(export.expires_at.timestamp())}, compress=True
    )
    path = reverse("privacy:export_download", args=[token])
    if settings.SEROP_PUBLIC_URL:
        return urljoin(settings.SEROP_PUBLIC_URL, path)
    if http_request is not None:
        return http_request.build_absolute_uri(path)
    raise ImproperlyConfigured("Set SEROP_PUBLIC_URL to send download links outside a request")


def export_for_token(token: str) -> RequestExport:
    """The export a download link names, if it is genuine, unexpired and ready."""
    try:
        payload = signing.TimestampSigner(salt=LINK_SALT).unsign_object(token)
        export_id, expires = int(payload["e"]), float(payload["x"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidExportLink() from exc
    export = (
        RequestExport.objects.select_related("request")
        .filter(pk=export_id, kind=RequestExport.Kind.ACCESS)
        .first()
    )
    if export is None:
        raise InvalidExportLink()
    # max_age of the signature runs until the export's expiry (the earlier, if it was moved).
    if time.time() >= expires or export.is_expired():
        raise InvalidExportLink(export.request.language)
    if export.status != ExportStatus.DONE or not export.file:
        raise InvalidExportLink(export.request.language)
    return export


def export_send_link(
    export: RequestExport, actor: Any, http_request: HttpRequest | None = None
) -> None:
    """Email the download link to the requester's address, in the request's language. The zip
    is never attached: it stays in the private storage until the link is used."""
    request = export.request
    require_verified(request)
    if export.status != ExportStatus.DONE or not export.file:
        raise ValidationError(_("The export is not ready yet."))
    if export.is_expired():
        raise ValidationError(_("The export has expired. Generate a new one."))
    if not request.requester_email:
        raise ValidationError(_("The request has no email address to send the link to."))
    link = export_link(export, http_request)
    with translation.override(request.language):
        subject = _("Your personal data from SEROP ApS (%(reference)s)") % {
            "reference": request.reference
        }
        body = render_to_string(
            "privacy/email/export_link.txt",
            {
                "request": request,
                "link": link,
                "expires": formats.date_format(
                    timezone.localtime(export.expires_at), "DATETIME_FORMAT"
                ),
                "controller": CONTROLLER,
            },
        )
    send_mail(subject, body, None, [request.requester_email])
    _audit_people(
        export, f"download link emailed to the requester ({request.reference})", actor=actor
    )


@transaction.atomic
def export_record_download(
    export: RequestExport, *, http_request: HttpRequest, by_staff: bool = False
) -> None:
    """Audit a download; count it if it is the person's (through the link)."""
    if by_staff:
        detail = f"access export downloaded in the admin ({export.request.reference})"
    else:
        RequestExport.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
        detail = f"access export downloaded through the link ({export.request.reference})"
    _audit_people(export, detail, request=http_request)


# --- deleting expired exports -------------------------------------------------------------
# Irreversible. Deletes the stored file and the row of every access export (zip) whose
# expires_at has passed (decision letters have none: they go with their request), in chunks
# of CHUNK, one transaction each: for each export the file is deleted first, then the row,
# with one audit entry per export in the same transaction. A crash after a file is deleted
# leaves its row, which the next run deletes (deleting a missing file is a no-op). Rows are
# taken with SELECT ... FOR UPDATE SKIP LOCKED,
# so two runs at once never handle the same export.
CHUNK = 100


def export_delete_expired(*, now: Any = None) -> int:
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                RequestExport.objects.select_for_update(skip_locked=True)
                .filter(expires_at__lte=now)
                .order_by("pk")[:CHUNK]
            )
            if not batch:
                break
            requests = SubjectRequest.objects.in_bulk({e.request_id for e in batch})
            for export in batch:
                export.request = requests[export.request_id]
                if export.file:
                    export.file.delete(save=False)
                _audit_people(
                    export,
                    f"expired export of {export.request.reference} deleted",
                    action=Action.PURGE,
                )
            RequestExport.objects.filter(pk__in=[e.pk for e in batch]).delete()
            deleted += len(batch)
    logger.info("deleted %d expired request exports", deleted)
    return deleted
