"""The records of processing activities (GDPR Art. 30(1)), generated from the registry, the
processor register, the retention rules, the roles and the settings: one activity per purpose.

``ropa_export`` is the one entry point (the admin and ``manage.py privacy_inventory`` call it):
it renders PDF, CSV or XLSX in Danish or English and writes an audit entry.
"""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import processing_facts as facts
from .audit import Action, audit
from .models import Processor
from .taxonomy import Sensitivity

TEMPLATE = "privacy/ropa.html"
FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
LANGUAGES = ("da", "en")

# Column keys and headings of the CSV and the XLSX activities sheet (Art. 30(1)(a)-(g)).
COLUMNS = [
    ("controller", gettext_lazy("Controller")),
    ("purpose", gettext_lazy("Purpose of the processing")),
    ("subjects", gettext_lazy("Categories of data subjects")),
    ("categories", gettext_lazy("Categories of personal data")),
    ("bases", gettext_lazy("Legal basis")),
    ("sources", gettext_lazy("Where the data comes from")),
    ("processors", gettext_lazy("Processors")),
    ("recipients", gettext_lazy("Other recipients")),
    ("transfers", gettext_lazy("Transfers to third countries and safeguards")),
    ("retention", gettext_lazy("Retention and deletion")),
    ("security", gettext_lazy("Security measures")),
]


@dataclass
class Activity:
    purpose: str
    subjects: list[str]
    categories: list[str]
    bases: list[str]
    sources: list[str]
    processors: list[str]
    recipients: list[str]
    transfers: list[str]
    retention: list[str]
    security: list[str]

    def cells(self) -> dict[str, str]:
        """One text per column; lists become one line per item."""
        result = {}
        for key, _label in COLUMNS[1:]:
            value = getattr(self, key)
            result[key] = value if isinstance(value, str) else "\n".join(value)
        return result


@dataclass
class Records:
    controller: dict[str, Any]
    generated_on: str
    language: str
    activities: list[Activity] = field(default_factory=list)
    processors: list[facts.ProcessorFact] = field(default_factory=list)
    security: list[str] = field(default_factory=list)
    roles: list[facts.RoleFact] = field(default_factory=list)
    encrypted: dict[str, list[str]] = field(default_factory=dict)
    retention: list[facts.RetentionFact] = field(default_factory=list)

    @property
    def controller_line(self) -> str:
        c = self.controller
        return _("%(name)s, CVR %(cvr)s, %(address)s, %(phone)s, %(email)s") % c


def _category_text(category: Any, sensitivity: set[Any]) -> str:
    label = str(category.label)
    if Sensitivity.SPECIAL in sensitivity:
        return _("%(label)s (special category, Art. 9)") % {"label": label}
    if Sensitivity.CRIMINAL in sensitivity:
        return _("%(label)s (criminal offences, Art. 10)") % {"label": label}
    if Sensitivity.CONFIDENTIAL in sensitivity:
        return _("%(label)s (confidential)") % {"label": label}
    return label


def _activity(purpose: facts.PurposeFacts, processors: dict[str, facts.ProcessorFact]) -> Activity:
    sensitivities: dict[Any, set[Any]] = {}
    for info in purpose.fields:
        sensitivities.setdefault(info.category, set()).add(info.sensitivity)
    used = [processors[key] for key in purpose.processor_keys if key in processors]
    transfers = [
        _("%(name)s (%(country)s): %(safeguard)s")
        % {
            "name": p.name,
            "country": p.country,
            "safeguard": p.safeguard or _("no safeguard recorded"),
        }
        for p in used
        if p.transfer
    ]
    encrypted = [
        str(info.label)
        for info in purpose.fields
        if getattr(info.model._meta.get_field(info.name), "encrypted", False)
    ]
    security = []
    if encrypted:
        security.append(
            _("Encrypted at rest: %(fields)s") % {"fields": ", ".join(dict.fromkeys(encrypted))}
        )
    if purpose.sensitive_categories:
        security.append(
            _("Sensitive categories visible only to the roles that need them: %(categories)s")
            % {"categories": ", ".join(str(c.label) for c in purpose.sensitive_categories)}
        )
    # As configured: the second factor only where settings require it (not in `make run`).
    if settings.SEROP_REQUIRE_2FA:
        security.append(_("Role-based access, audit trail, two-factor login (see Security)"))
    else:
        security.append(_("Role-based access, audit trail, password login (see Security)"))
    return Activity(
        purpose=str(purpose.purpose.label),
        subjects=[str(s.label) for s in purpose.subjects],
        categories=[_category_text(c, sensitivities[c]) for c in purpose.categories],
        bases=[str(b.label) for b in purpose.bases],
        sources=[str(s.label) for s in purpose.sources],
        processors=[
            f"{p.name} ({p.country})" if p.country else p.name
            for p in (processors[key] for key in purpose.processor_keys if key in processors)
        ],
        recipients=facts.recipients_for(purpose.purpose),
        transfers=transfers or [_("None")],
        retention=[
            f"{r.label}: {r.sentence}"
            for r in (facts.retention_fact(key) for key in purpose.retention_keys)
        ],
        security=security,
    )


def build_records(language: str) -> Records:
    """The whole record in ``language`` (strings are rendered now, in that language)."""
    with translation.override(language):
        processors = facts.processors()
        records = Records(
            controller=facts.company(),
            generated_on=formats.date_format(timezone.localdate(), "DATE_FORMAT"),
            language=language,
            processors=list(processors.values()),
            security=facts.security_measures(),
            roles=facts.roles(),
            encrypted={str(c.label): labels for c, labels in facts.encrypted_by_category().items()},
            retention=facts.retention_facts(),
        )
        records.activities = [_activity(p, processors) for p in facts.purposes()]
        for p in records.processors:
            p.service = facts.translated_register_text(p.service)
            p.safeguard = facts.translated_register_text(p.safeguard)
        return records


# --- the three formats ---------------------------------------------------------------------------
def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The record has no external assets; nothing in it may make the renderer fetch a URL.
    raise ValueError("the records of processing load no external resources")


def render_pdf(records: Records) -> bytes:
    from weasyprint import HTML

    from .subject_export import _fast_font_subsetting

    with translation.override(records.language):
        html = render_to_string(TEMPLATE, {"records": records, "columns": COLUMNS})
        whole_font = not _fast_font_subsetting()
        pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf(full_fonts=whole_font)
        return pdf


def _rows(records: Records) -> list[list[str]]:
    with translation.override(records.language):
        header = [str(label) for _key, label in COLUMNS]
    rows = [header]
    for activity in records.activities:
        cells = activity.cells()
        rows.append([records.controller_line] + [cells[key] for key, _label in COLUMNS[1:]])
    return rows


def render_csv(records: Records) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(_rows(records))
    # With a byte-order mark, so Excel opens the Danish letters correctly.
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(records: Records) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    with translation.override(records.language):
        book = Workbook()
        sheet = book.active
        sheet.title = _("Activities")[:31]
        for row in _rows(records):
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 40
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

        controller = book.create_sheet(_("Controller")[:31])
        c = records.controller
        for label, value in [
            (_("Name"), c["name"]),
            (_("CVR number"), c["cvr"]),
            (_("Address"), c["address"]),
            (_("Phone"), c["phone"]),
            (_("Email"), c["email"]),
            (_("Contact person"), c["contact_person"]),
            (_("Generated on"), records.generated_on),
        ]:
            controller.append([str(label), str(value)])

        register = book.create_sheet(_("Processors")[:31])
        register.append(
            [
                _("Name"),
                _("Service"),
                _("Role"),
                _("Country"),
                _("Transfer outside the EU/EEA"),
                _("Safeguard"),
            ]
        )
        for p in records.processors:
            register.append(
                [
                    p.name,
                    p.service,
                    p.role,
                    p.country,
                    _("Yes") if p.transfer else _("No"),
                    p.safeguard,
                ]
            )

        security = book.create_sheet(_("Security")[:31])
        for measure in records.security:
            security.append([measure])
        for role in records.roles:
            security.append([_("Role: %(role)s") % {"role": role.label}, ", ".join(role.areas)])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


RENDERERS = {"pdf": render_pdf, "csv": render_csv, "xlsx": render_xlsx}


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str


def ropa_export(
    *,
    fmt: str,
    language: str = "da",
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Export:
    """The records of processing as ``fmt`` (pdf, csv, xlsx) in ``language``; audited."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    records = build_records(language)
    content = RENDERERS[fmt](records)
    content_type, extension = FORMATS[fmt]
    audit(
        Action.EXPORT,
        actor=actor,
        request=request,
        model=Processor,
        count=len(records.activities),
        detail=f"records of processing ({fmt}, {language})",
    )
    filename = (
        f"serop-records-of-processing-{timezone.localdate().isoformat()}-{language}.{extension}"
    )
    return Export(content, filename, content_type)
