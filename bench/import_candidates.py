"""Benchmark: importing candidates from a CSV file the way the admin's confirm step does.

For N rows (100 000 by default) it
1. creates ``serop_bench_import`` from a migrated template database (with bench/seed.py's
   helpers, in databases of its own),
2. in a child process: writes an N-row CSV, keeps it as the admin keeps an upload between
   preview and confirm (``EncryptedTempStorage``), then times the preview (a dry run, rolled
   back) and the import itself: reading the stored file, parsing it, and
   ``CandidateResource.import_data`` with the admin's arguments, as a recruiter. That is the
   code path of ``process_import`` without the HTTP layer: all or nothing in one transaction,
   ``full_clean`` on every row, existing candidates looked up by email in bulk,
   rows written with ``bulk_create``,
3. recreates ``serop_bench_import`` and, in another child, times the baseline: the same N rows from
   the same file as ``Candidate`` objects saved with a plain ``bulk_create`` (no validation,
   no lookups, no audit),
4. prints ``RESULT`` lines.
"""

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from .seed import DEFAULT_DATABASE_URL, ROOT, Server, django_env, log, result

# Databases of its own (not seed's), so that the two benchmarks never share one.
BENCH_DB = "serop_bench_import"
TEMPLATE_DB = "serop_bench_import_template"

FULL_ROWS = 100_000
QUICK_ROWS = 10_000
FIRST_NAMES = ["Mette", "Søren", "Anne", "Jens", "Ida", "Lars", "Åse", "Mads", "Freja", "Emil"]
LAST_NAMES = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Ærø", "Christensen", "Larsen"]
CITIES = [("4200", "Slagelse"), ("2100", "København Ø"), ("8000", "Aarhus C"), ("5000", "Odense C")]
HEADER = ["email", "first_name", "last_name", "phone", "street", "postcode", "city", "language"]


def candidates_csv(rows: int) -> bytes:
    """N made-up candidates, the same every time, as a UTF-8 CSV with a byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*HEADER, "status"])
    for i in range(rows):
        postcode, city = CITIES[i % len(CITIES)]
        writer.writerow(
            [
                f"kandidat{i}@example.dk",
                FIRST_NAMES[i % len(FIRST_NAMES)],
                f"{LAST_NAMES[i % len(LAST_NAMES)]}{i}",
                f"{20_000_000 + i}",
                f"Algade {1 + i % 99}",
                postcode,
                city,
                "da" if i % 5 else "en",
                "active",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


# --- the child: runs inside Django, against serop_bench ----------------------------------------
def child(mode: str, rows: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import transaction
    from django.utils import timezone

    from candidates.models import Candidate
    from candidates.resources import CandidateResource
    from privacy.import_export import CSV, EncryptedTempStorage
    from privacy.roles import Role

    data = candidates_csv(rows)
    if mode == "baseline":
        started = time.perf_counter()
        parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        now = timezone.now()
        objects = [Candidate(**{k: r[k] for k in HEADER}, last_activity_at=now) for r in parsed]
        with transaction.atomic():
            Candidate.objects.bulk_create(objects, batch_size=2000)
        return {"seconds": time.perf_counter() - started, "count": Candidate.objects.count()}

    recruiter = User.objects.create_user(username="bench-recruiter", is_staff=True)
    recruiter.groups.add(Group.objects.get(name=Role.RECRUITER))
    stored = EncryptedTempStorage(encoding="utf-8-sig", read_mode="r")
    stored.save(data)  # the preview step's upload

    def import_stored_file(dry_run: bool) -> tuple[float, Any]:
        started = time.perf_counter()
        dataset = CSV(encoding="utf-8-sig").create_dataset(stored.read())
        outcome = CandidateResource(user=recruiter).import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            file_name="candidates.csv",
            user=recruiter,
            retain_instance_in_row_result=True,
        )
        return time.perf_counter() - started, outcome

    preview_seconds, preview = import_stored_file(dry_run=True)
    seconds, outcome = import_stored_file(dry_run=False)
    stored.remove()
    failed = outcome.has_errors() or outcome.has_validation_errors() or preview.has_errors()
    return {
        "seconds": seconds,
        "preview_seconds": preview_seconds,
        "count": Candidate.objects.count(),
        "new": outcome.totals["new"],
        "failed": bool(failed),
    }


def env_for(server: Server, media: str, database: str) -> dict[str, str]:
    return django_env(server, media) | {"DATABASE_URL": server.url_for(database)}


def run_child(server: Server, media: str, mode: str, rows: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.import_candidates", "--child", mode, str(rows)]
    env = env_for(server, media, BENCH_DB)
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        output = out.read().decode()
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"the {mode} child failed:\n{output}")
    measured: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return measured | {"wall": wall, "peak_rss_mb": usage.ru_maxrss / 1024}


def run(rows: int = FULL_ROWS, *, keep: bool = False) -> int:
    server = Server(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    media = tempfile.mkdtemp(prefix="serop-bench-media-")
    log(f"Migrating the template database {TEMPLATE_DB}...")
    server.recreate(TEMPLATE_DB)
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks", "-v0"],
        cwd=ROOT,
        env=env_for(server, media, TEMPLATE_DB),
        check=True,
    )
    try:
        log(f"Importing {rows} candidates (preview, then confirm)...")
        server.recreate(BENCH_DB, TEMPLATE_DB)
        imported = run_child(server, media, "import", rows)
        if imported["failed"] or imported["count"] != rows or imported["new"] != rows:
            raise RuntimeError(f"the import did not create {rows} candidates: {imported}")
        log(f"Baseline: plain bulk_create of the same {rows} rows...")
        server.recreate(BENCH_DB, TEMPLATE_DB)
        base = run_child(server, media, "baseline", rows)
        if base["count"] != rows:
            raise RuntimeError(f"the baseline did not create {rows} candidates: {base}")
        result(f"import_candidates_{rows}_seconds", imported["seconds"], "s")
        result(f"import_candidates_{rows}_preview_seconds", imported["preview_seconds"], "s")
        result(f"import_candidates_{rows}_rows_per_second", rows / imported["seconds"], "rows/s")
        result(f"import_candidates_{rows}_peak_rss_mb", imported["peak_rss_mb"], "MB")
        result(f"baseline_bulk_create_{rows}_seconds", base["seconds"], "s")
        ratio = imported["seconds"] / base["seconds"]
        result(f"import_candidates_{rows}_vs_baseline_ratio", ratio, "x", digits=2)
    finally:
        if not keep:
            server.drop(BENCH_DB)
        server.drop(TEMPLATE_DB)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))), flush=True)
    else:
        sys.exit(run(int(sys.argv[1]) if len(sys.argv) > 1 else FULL_ROWS))
