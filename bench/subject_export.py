"""Benchmark: building the access and portability zip of one person (privacy/subject_export.py).

1. creates ``serop_bench_export`` from a migrated template database of its own,
2. in a child process (Django, ``serop.settings.test`` pointed at that database), creates two
   people, each behind a verified access request with the person's record confirmed:
   - a typical candidate: a filled-in profile with job-search preferences, two educations,
     three experiences, three language skills, three courses, a referee, next of kin, three
     staff notes, seven activity events, four consents, a disclosure and two small uploaded
     files (about 150 values);
   - a five-year employee: the employee record, three assignments, 60 payslips and 200
     absence records (about 1 700 values),
3. times ``build_access_zip`` (registry walk, PDF, data.json, files, zip) for each, into
   memory: one warm-up build, then ``BUILDS`` timed ones; the median is the result,
4. measures in the same child the baselines: ``collect`` alone (the database and the
   registry walk, no PDF), and WeasyPrint rendering a one-page document (the renderer's fixed
   cost),
5. prints ``RESULT`` lines.

The issue's targets (logged on stderr, not asserted): typical under 1 s, employee under 5 s.
"""

import datetime as dt
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

from .seed import DEFAULT_DATABASE_URL, ROOT, Server, django_env, log, result

BENCH_DB = "serop_bench_export"
TEMPLATE_DB = "serop_bench_export_template"
BUILDS = 20
QUICK_BUILDS = 5
TARGETS = {"typical": 1.0, "employee": 5.0}


# --- the child: runs inside Django, against serop_bench_export ------------------------------
def _typical_candidate():
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from candidates import models as cm
    from consents.models import ConsentRecord, ConsentText
    from consents.purposes import ConsentPurpose
    from customers.models import Company, ContactPerson

    now = timezone.now()
    candidate = cm.Candidate.objects.create(
        status="active",
        first_name="Mette",
        last_name="Sørensen",
        email="mette.sorensen@example.dk",
        phone="+4520304050",
        street="Algade 12, 1. th.",
        postcode="4200",
        city="Slagelse",
        birth_date=dt.date(1991, 4, 17),
        gender="female",
        is_unemployed=True,
        unemployment_fund="3F A-kasse",
        leave_note="Barsel til marts",
        criminal_record_status="seen_clean",
        criminal_record_seen_on=dt.date(2026, 3, 2),
        criminal_record_relevance="Krævet til job i daginstitution",
        email_confirmed_at=now,
        last_activity_at=now,
    )
    preference = cm.JobPreference.objects.create(
        candidate=candidate,
        wants_temp=True,
        wants_permanent=True,
        duration="long",
        hours="full_time",
        available_from=dt.date(2026, 12, 1),
        notes="Gerne lager og logistik i Vestsjælland.",
    )
    preference.job_types.set(
        [cm.JobType.objects.get_or_create(name=n)[0] for n in ("Lager", "Chauffør")]
    )
    preference.areas.set([cm.Area.objects.get_or_create(name=n)[0] for n in ("Slagelse", "Sorø")])
    documents = [
        cm.CandidateDocument.objects.create(
            candidate=candidate,
            kind=kind,
            file=ContentFile(b"%PDF-1.4 " + b"x" * 20_000, name=name),
            original_name=name,
            content_type="application/pdf",
            size=20_009,
        )
        for kind, name in (("cv", "cv-mette.pdf"), ("application", "ansoegning.pdf"))
    ]
    for i in range(3):
        cm.Experience.objects.create(
            candidate=candidate,
            employer=f"Logistik {i} A/S",
            title="Lagermedarbejder",
            started_on=dt.date(2013 + 3 * i, 1, 1),
            ended_on=dt.date(2015 + 3 * i, 12, 31),
            description="Pluk, pak og truckkørsel.",
        )
        cm.LanguageSkill.objects.create(
            candidate=candidate, language=("dansk", "engelsk", "tysk")[i], level="fluent"
        )
        cm.CourseOrTest.objects.create(
            candidate=candidate,
            kind="certification",
            name=f"Truckcertifikat B{i}",
            provider="AMU Vestsjælland",
            completed_on=dt.date(2014 + i, 5, 1),
            result="Bestået",
        )
        cm.StaffNote.objects.create(candidate=candidate, text=f"Telefonsamtale {i}: motiveret.")
    for i in range(2):
        cm.Education.objects.create(
            candidate=candidate,
            institution=f"Erhvervsskole {i}",
            title=f"Lagerassistent, trin {i + 1}",
            started_on=dt.date(2010 + i, 8, 1),
            ended_on=dt.date(2011 + i, 6, 30),
        )
    cm.CandidateReference.objects.create(
        candidate=candidate,
        name="Jens Holm",
        company="Logistik 1 A/S",
        relation="Tidligere leder",
        phone="+4540506070",
        email="jens.holm@example.dk",
        statement="Stabil og mødefast.",
        checked_on=dt.date(2026, 2, 1),
    )
    cm.NextOfKin.objects.create(
        candidate=candidate, name="Ole Sørensen", relation="Ægtefælle", phone="+4560708090"
    )
    for i in range(7):
        cm.ActivityEvent.objects.create(
            candidate=candidate, kind="profile_updated", occurred_at=now - dt.timedelta(days=i)
        )
    for purpose in (
        ConsentPurpose.CV_BANK,
        ConsentPurpose.CANDIDATE_ADDRESS,
        ConsentPurpose.CANDIDATE_EDUCATION,
        ConsentPurpose.CANDIDATE_CRIMINAL_RECORD,
    ):
        text, _ = ConsentText.objects.get_or_create(
            purpose=purpose,
            version=1,
            defaults={
                "text_da": "Jeg giver samtykke til, at SEROP ApS opbevarer oplysningerne.",
                "text_en": "I consent to SEROP ApS keeping this information.",
                "published_at": now,
            },
        )
        ConsentRecord.objects.create(
            candidate=candidate,
            subject_ref=candidate.public_id,
            text=text,
            given_at=now,
            channel="web_form",
            ip_address="192.0.2.10",
            user_agent="Mozilla/5.0",
        )
    company = Company.objects.create(name="Kunde A/S", customer_number="K-BENCH-1")
    contact = ContactPerson.objects.create(
        company=company, first_name="Karen", last_name="Kunde", email="karen@example.dk"
    )
    disclosure = cm.Disclosure.objects.create(
        candidate=candidate, company=company, contact=contact, disclosed_at=now
    )
    disclosure.documents.set(documents[:1])
    return candidate


def _five_year_employee():
    from customers.models import Company
    from employees import models as em

    employee = em.Employee.objects.create(
        employee_number="E-BENCH-1",
        first_name="Lars",
        last_name="Hansen",
        email="lars.hansen@example.dk",
        phone="+4540506070",
        street="Bredgade 1",
        postcode="4200",
        city="Slagelse",
        birth_date=dt.date(1985, 6, 1),
        gender="male",
        nationality="DK",
        cpr="010685-1235",
        id_document_type="passport",
        id_document_number="P1234567",
        id_document_expires=dt.date(2030, 1, 1),
        employment_form="temp",
        employment_start=dt.date(2021, 12, 1),
        shift_planning_username="lars.hansen",
        bank_reg_no="1234",
        bank_account_no="0012345678",
        pension_company="PensionDanmark",
        emergency_contact_name="Anne Hansen",
        emergency_contact_phone="+4511223344",
    )
    company = Company.objects.create(name="Lagerkunde A/S", customer_number="K-BENCH-2")
    for i in range(3):
        em.Assignment.objects.create(
            employee=employee,
            company=company,
            title="Lagermedarbejder",
            location="Slagelse",
            started_on=dt.date(2022 + i, 1, 1),
            ended_on=dt.date(2022 + i, 12, 31),
            hours_per_week=Decimal("37.0"),
        )
    payslips = []
    for i in range(60):
        start = dt.date(2021 + (11 + i) // 12, (11 + i) % 12 + 1, 1)
        payslips.append(
            em.PayrollRecord(
                employee=employee,
                period_start=start,
                period_end=start + dt.timedelta(days=27),
                paid_on=start + dt.timedelta(days=27),
                hours=Decimal("160.33"),
                gross_pay=Decimal("32000.00") + i,
                am_contribution=Decimal("2560.00"),
                a_tax=Decimal("9100.00"),
                pension_employee=Decimal("1280.00"),
                pension_employer=Decimal("2560.00"),
                holiday_pay=Decimal("3960.00"),
                net_pay=Decimal("19060.00") + i,
            )
        )
    em.PayrollRecord.objects.bulk_create(payslips)
    kinds = ["sick", "vacation", "child_sick", "leave"]
    em.AbsenceRecord.objects.bulk_create(
        em.AbsenceRecord(
            employee=employee,
            kind=kinds[i % 4],
            starts_on=dt.date(2022, 1, 3) + dt.timedelta(days=7 * i),
            ends_on=dt.date(2022, 1, 4) + dt.timedelta(days=7 * i),
            days=Decimal("1.0"),
            note="Influenza" if i % 4 == 0 else "",
        )
        for i in range(200)
    )
    return employee


def _request_for(person: Any, dpo: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from privacy.models import RequestMatch
    from privacy.subject_requests import subject_request_receive, subject_request_verify

    request = subject_request_receive(
        kind="access",
        channel="email",
        requester_name=f"{person.first_name} {person.last_name}",
        requester_email=person.email,
        actor=dpo,
    )
    RequestMatch.objects.create(
        request=request,
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        label=str(person),
        confirmed=True,
    )
    subject_request_verify(request=request, method="id_document", actor=dpo)
    return request


def _median(builds: int, run: Any) -> tuple[float, Any]:
    run()  # warm-up: font discovery, template loading, imports
    seconds, last = [], None
    for _ in range(builds):
        started = time.perf_counter()
        last = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), last


def child(builds: int) -> dict[str, Any]:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # WeasyPrint's progress and fontTools' subsetting chatter
    from django.contrib.auth.models import User
    from weasyprint import HTML

    from privacy.subject_data import collect, confirmed_records
    from privacy.subject_export import build_access_zip

    dpo = User.objects.create_user(username="bench-dpo", is_staff=True)
    people = {"typical": _typical_candidate(), "employee": _five_year_employee()}
    measured: dict[str, Any] = {}
    for name, person in people.items():
        request = _request_for(person, dpo)
        roots = confirmed_records(request)

        def build(request_id: int = request.pk) -> Any:
            out = io.BytesIO()
            built = build_access_zip(request_id, out)
            return built, len(out.getvalue())

        median, (built, size) = _median(builds, build)
        collect_median, _ = _median(builds, lambda roots=roots: collect(roots))
        measured[name] = {
            "median": median,
            "collect_median": collect_median,
            "values": built.values,
            "files": built.files,
            "zip_kb": size / 1024,
        }
    page = (
        "<html><body style='font-family: DejaVu Sans'><h1>SEROP</h1><p>Én side.</p></body></html>"
    )
    measured["one_page_median"], _ = _median(builds, lambda: HTML(string=page).write_pdf())
    return measured


# --- the parent ----------------------------------------------------------------------------
def run(builds: int = BUILDS, *, keep: bool = False) -> int:
    server = Server(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    media = tempfile.mkdtemp(prefix="serop-bench-media-")
    env = django_env(server, media)
    try:
        log(f"Migrating the template database {TEMPLATE_DB}...")
        server.recreate(TEMPLATE_DB)
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "migrate",
                "--noinput",
                "--skip-checks",
                "-v0",
            ],
            cwd=ROOT,
            env=env | {"DATABASE_URL": server.url_for(TEMPLATE_DB)},
            check=True,
        )
        server.recreate(BENCH_DB, TEMPLATE_DB)
        log(f"Building each person's zip {builds} times (after one warm-up)...")
        completed = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.subject_export", "--child", str(builds)],
            cwd=ROOT,
            env=env | {"DATABASE_URL": server.url_for(BENCH_DB)},
            check=True,
            capture_output=True,
            text=True,
        )
        measured = json.loads(completed.stdout.strip().splitlines()[-1])
    finally:
        if not keep:
            server.drop(BENCH_DB)
        server.drop(TEMPLATE_DB)
        shutil.rmtree(media, ignore_errors=True)
    for name in ("typical", "employee"):
        m = measured[name]
        result(f"subject_export_{name}_median_s", m["median"], "s", digits=3)
        result(f"subject_export_{name}_values", m["values"], "values")
        result(f"subject_export_{name}_zip_kb", m["zip_kb"], "kB")
        result(f"baseline_collect_{name}_median_s", m["collect_median"], "s", digits=3)
        verdict = "meets" if m["median"] < TARGETS[name] else "MISSES"
        log(f"{name}: median {m['median']:.3f} s {verdict} the target of {TARGETS[name]} s")
    result("baseline_weasyprint_one_page_median_s", measured["one_page_median"], "s", digits=3)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))), flush=True)
    else:
        sys.exit(run(int(sys.argv[1]) if len(sys.argv) > 1 else BUILDS))
