"""The records of processing (privacy/ropa.py) read back from each format, and the command."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from privacy.models import AuditEntry, Processor
from privacy.processing_facts import purposes
from privacy.ropa import ropa_export
from privacy.taxonomy import Purpose

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # lines wrap anywhere in a table cell


def purpose_labels(language: str) -> list[str]:
    with translation.override(language):
        return [" ".join(str(p.purpose.label).split()) for p in purposes()]


def english(label) -> str:
    with translation.override("en"):
        return str(label)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_has_one_row_per_purpose_of_the_registry_with_every_article_30_item():
    rows = csv_rows(ropa_export(fmt="csv", language="en").content)
    assert [row["Purpose of the processing"] for row in rows] == purpose_labels("en")
    assert len(rows) == len(Purpose)  # every purpose of the taxonomy is in use today
    for row in rows:
        assert row["Controller"].startswith("SEROP ApS, CVR 29135789, Ndr. Stationsvej 18")
        assert row["Categories of data subjects"] and row["Categories of personal data"]
        assert (
            row["Legal basis"].startswith("GDPR") or "Databeskyttelsesloven" in row["Legal basis"]
        )
        assert row["Retention and deletion"]


def test_the_csv_names_processors_transfers_with_safeguards_and_retention_per_purpose():
    rows = {
        r["Purpose of the processing"]: r
        for r in csv_rows(ropa_export(fmt="csv", language="en").content)
    }
    recruitment = rows[english(Purpose.RECRUITMENT.label)]
    assert "Jobindex (jobindex.dk) (DK)" in recruitment["Processors"].splitlines()
    assert (
        "LinkedIn (IE): EU-US Data Privacy Framework; standard contractual clauses"
        in recruitment["Transfers to third countries and safeguards"].splitlines()
    )
    assert "6 months after the closing of the job posting" in recruitment["Retention and deletion"]
    assert "12 months after the last registered activity" in recruitment["Retention and deletion"]
    payroll = rows[english(Purpose.PAYROLL.label)]
    encrypted = payroll["Security measures"].splitlines()[0]
    assert encrypted.startswith("Encrypted at rest: ") and "CPR number" in encrypted
    assert "bank account number" in encrypted and "net pay" in encrypted
    assert "5 years after the end of the employment" in payroll["Retention and deletion"]
    newsletter = rows[english(Purpose.NEWSLETTER.label)]
    assert newsletter["Transfers to third countries and safeguards"] == "None"


def test_a_change_in_the_processor_register_shows_in_the_next_record():
    Processor.objects.filter(key="simply").update(
        country="US", third_country_transfer=True, transfer_safeguard="Standard contractual clauses"
    )
    rows = {
        r["Purpose of the processing"]: r
        for r in csv_rows(ropa_export(fmt="csv", language="en").content)
    }
    transfers = rows[english(Purpose.NEWSLETTER.label)][
        "Transfers to third countries and safeguards"
    ]
    assert (
        transfers == "Simply.com (formerly UnoEuro, unoeuro.com) (US): Standard contractual clauses"
    )


def test_the_danish_pdf_reads_back_with_controller_purposes_processors_and_retention():
    text = pdf_text(ropa_export(fmt="pdf", language="da").content)
    assert "Fortegnelse over behandlingsaktiviteter" in text
    assert "SEROP ApS" in text and "29135789" in text and "Peter Serop" in text
    for label in purpose_labels("da"):
        assert label in text
    assert "Moderselskabet Paychex (USA): EU-US Data Privacy Framework" in text
    assert "12 måneder efter den seneste registrerede aktivitet på profilen" in text
    assert "5 år efter ansættelsens ophør" in text
    assert "Krypteret ved lagring: note, CPR-nummer" in text
    assert "Databeskyttelsesrådgiver" in text  # the DPO role, from privacy/roles.py


def test_the_xlsx_has_the_activities_controller_processors_and_security_sheets():
    book = load_workbook(io.BytesIO(ropa_export(fmt="xlsx", language="en").content))
    assert book.sheetnames == ["Activities", "Controller", "Processors", "Security"]
    activities = list(book["Activities"].iter_rows(values_only=True))
    assert activities[0][1] == "Purpose of the processing"
    assert [row[1] for row in activities[1:]] == purpose_labels("en")
    controller = dict(book["Controller"].iter_rows(values_only=True))
    assert controller["CVR number"] == "29135789"
    assert controller["Address"] == "Ndr. Stationsvej 18, 2. sal, 4200 Slagelse"
    processors = {row[0]: row for row in book["Processors"].iter_rows(min_row=2, values_only=True)}
    assert set(processors) == set(Processor.objects.values_list("name", flat=True))
    assert processors["Microsoft (Microsoft 365)"][4:] == (
        "Yes",
        "EU Data Boundary; EU-US Data Privacy Framework; standard contractual clauses",
    )
    security = [row[0] for row in book["Security"].iter_rows(values_only=True)]
    assert any(str(m).startswith("Encryption at rest of confidential fields") for m in security)
    assert "Role: Data protection officer" in security


def test_every_export_is_audited_with_format_and_language():
    ropa_export(fmt="xlsx", language="da")
    entry = AuditEntry.objects.get()
    assert entry.action == "export" and entry.object_type == "privacy.processor"
    assert entry.detail == "records of processing (xlsx, da)"
    assert entry.count == len(purposes())


def test_an_unknown_format_or_language_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        ropa_export(fmt="docx")
    with pytest.raises(ValueError, match="unknown language"):
        ropa_export(fmt="csv", language="de")


@pytest.mark.parametrize("fmt", ["ropa-pdf", "ropa-csv", "ropa-xlsx"])
def test_the_command_writes_each_format_to_the_output_file(tmp_path, fmt):
    target = tmp_path / f"ropa.{fmt.split('-')[1]}"
    out = io.StringIO()
    call_command("privacy_inventory", "--format", fmt, "--output", str(target), stdout=out)
    content = target.read_bytes()
    assert f"to {target}" in out.getvalue()
    if fmt == "ropa-pdf":
        assert "Fortegnelse over behandlingsaktiviteter" in pdf_text(content)
    elif fmt == "ropa-csv":
        assert csv_rows(content)[0]["Dataansvarlig"].startswith("SEROP ApS")
    else:
        assert load_workbook(io.BytesIO(content)).sheetnames[0] == "Behandlingsaktiviteter"
    assert AuditEntry.objects.filter(action="export", actor_id=None).count() == 1


def test_the_command_speaks_english_when_asked(tmp_path):
    target = tmp_path / "ropa.csv"
    call_command(
        "privacy_inventory",
        "--format",
        "ropa-csv",
        "--language",
        "en",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    assert "Purpose of the processing" in csv_rows(target.read_bytes())[0]


def test_the_command_prints_the_csv_without_output_and_refuses_a_missing_folder(tmp_path):
    out = io.StringIO()
    call_command("privacy_inventory", "--format", "ropa-csv", stdout=out)
    assert out.getvalue().startswith("Dataansvarlig,Formålet med behandlingen")
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "privacy_inventory", "--format", "ropa-pdf", "--output", str(tmp_path / "no" / "x.pdf")
        )


@pytest.mark.parametrize(
    ("required", "login"), [(True, "two-factor login"), (False, "password login")]
)
def test_each_activity_states_the_login_as_configured(settings, required, login):
    settings.SEROP_REQUIRE_2FA = required
    rows = csv_rows(ropa_export(fmt="csv", language="en").content)
    for row in rows:
        last = row["Security measures"].splitlines()[-1]
        assert last == f"Role-based access, audit trail, {login} (see Security)"
