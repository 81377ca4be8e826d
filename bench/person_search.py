"""Benchmark: finding a person's records for a subject request (``privacy.person_search``)
with 1 000 000 candidates.

1. creates ``serop_bench_person_<N>`` for N = 1 000 000 and, as the scale baseline, 10 000
   (``--quick``: 10 000 and 1 000) from a migrated template database and bulk-seeds each with
   ``manage.py seed_demo --candidates N --employees N/100 --customers N/1000`` (employees for
   the CPR lookups), then ``VACUUM ANALYZE``. With ``--reuse`` an existing database of that
   name holding exactly N candidates is kept; it is migrated (new indexes) and analysed again;
2. in a child process per database (Django, ``serop.settings.test`` pointed at it): picks
   LOOKUPS existing people spread over the table (by primary key, no OFFSET) and times
   ``find_person`` for each kind of key, written the way a requester might give it:
   - ``email``: the candidate's address in upper case,
   - ``phone``: the number as "+45 12 34 56 78",
   - ``name``: first name and last name with the birth date (candidates who gave one),
   - ``cpr``: an employee's CPR number (decrypted in the set-up, not in the timing),
   each after WARM_UPS untimed lookups; every lookup must find its person, or the run fails.
   The same child then times a raw SQL fetch of one candidate by primary key on the same
   connection, LOOKUPS times: the floor of one round trip to the database;
3. prints ``RESULT`` lines: median and 95th percentile per kind at N, the queries per lookup,
   each median's ratio to the primary-key fetch, and to the same lookup at 10 000 (the two
   baselines, measured in the same run).

The issue's target (logged on stderr, not asserted): a median under 50 ms for each kind.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import psycopg
from psycopg import sql

from .seed import DEFAULT_DATABASE_URL, ROOT, Server, django_env, log, result

SIZE = 1_000_000
SMALL_SIZE = 10_000  # the scale baseline: the same lookups on a small database
QUICK_SIZE = 10_000
QUICK_SMALL_SIZE = 1_000
DATABASE_PREFIX = "serop_bench_person_"
TEMPLATE_DB = "serop_bench_person_template"
LOOKUPS = 200
WARM_UPS = 5
TARGET_MEDIAN_MS = 50.0
KINDS = ["email", "phone", "name", "cpr"]


def label(n: int) -> str:
    """1000000 -> "1m", 10000 -> "10k": short names for the RESULT lines."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


# --- the child: runs inside Django, against the seeded database ---------------------------
def _spread_ids(model: Any, count: int, rng: random.Random, **filters: Any) -> list[int]:
    """``count`` primary keys of existing rows spread over the table (repeating some when the
    table has fewer rows)."""
    ids = model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True)
    first, last = ids.first(), ids.last()
    assert first is not None and last is not None, f"no {model.__name__} rows to look up"
    found: list[int] = []
    for _ in range(count):
        pk = ids.filter(pk__gte=rng.randint(first, last)).first()
        assert pk is not None
        found.append(pk)
    return found


def child() -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from candidates.models import Candidate
    from employees.models import Employee
    from privacy.person_search import find_person, search_plans

    rng = random.Random(2026)
    search_plans()  # read the registry once, as a running server has

    def rows(model: Any, ids: list[int], *fields: str) -> list[dict[str, Any]]:
        by_pk = {r["pk"]: r for r in model.objects.filter(pk__in=ids).values("pk", *fields)}
        return [by_pk[pk] for pk in ids]

    people = rows(Candidate, _spread_ids(Candidate, LOOKUPS, rng), "email", "phone")
    born = rows(
        Candidate,
        _spread_ids(Candidate, LOOKUPS, rng, birth_date__isnull=False),
        "first_name",
        "last_name",
        "birth_date",
    )
    employee_ids = _spread_ids(Employee, LOOKUPS, rng)
    # Decrypted here, outside the timing.
    cprs = {e.pk: e.cpr for e in Employee.objects.filter(pk__in=employee_ids).only("cpr")}
    employees = [(pk, cprs[pk]) for pk in employee_ids]

    def spaced(phone: str) -> str:
        return "+45 " + " ".join(phone[i : i + 2] for i in range(0, 8, 2))

    lookups: dict[str, list[tuple[Any, dict[str, Any]]]] = {
        "email": [((Candidate, p["pk"]), {"email": p["email"].upper()}) for p in people],
        "phone": [((Candidate, p["pk"]), {"phone": spaced(p["phone"])}) for p in people],
        "name": [
            (
                (Candidate, p["pk"]),
                {
                    "name": f"{p['first_name'].split()[0]} {p['last_name'].split()[-1]}",
                    "birth_date": p["birth_date"],
                },
            )
            for p in born
        ],
        "cpr": [((Employee, pk), {"cpr": cpr}) for pk, cpr in employees],
    }
    samples: dict[str, list[float]] = {}
    queries: dict[str, float] = {}
    found: dict[str, float] = {}
    for kind, cases in lookups.items():
        for _, keys in cases[:WARM_UPS]:
            find_person(**keys)
        timings, counts = [], []
        with CaptureQueriesContext(connection) as captured:
            for (model, pk), keys in cases:
                started = time.perf_counter()
                matches = find_person(**keys)
                timings.append((time.perf_counter() - started) * 1000)
                counts.append(len(matches))
                if not any(m.model is model and m.pk == pk for m in matches):
                    raise RuntimeError(f"{kind}: {model.__name__} {pk} not found by {keys}")
        samples[kind] = timings
        queries[kind] = len(captured) / len(cases)
        found[kind] = statistics.mean(counts)

    baseline = []
    with connection.cursor() as cursor:
        for person in people:
            started = time.perf_counter()
            cursor.execute(
                "SELECT id, first_name, last_name, email FROM candidates_candidate WHERE id = %s",
                [person["pk"]],
            )
            cursor.fetchall()
            baseline.append((time.perf_counter() - started) * 1000)
    return {
        "samples": samples,
        "baseline": baseline,
        "queries": queries,
        "found": found,
        "candidates": Candidate.objects.count(),
        "employees": Employee.objects.count(),
    }


# --- the parent ----------------------------------------------------------------------------
def candidate_count(server: Server, database: str) -> int | None:
    try:
        with psycopg.connect(server.dsn(database)) as conn:
            row = conn.execute("SELECT count(*) FROM candidates_candidate").fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else None


def _manage(server: Server, media: str, database: str, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args, "--skip-checks", "-v0"],
        cwd=ROOT,
        env=django_env(server, media) | {"DATABASE_URL": server.url_for(database)},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _analyze(server: Server, database: str) -> None:
    started = time.perf_counter()
    with psycopg.connect(server.dsn(database), autocommit=True) as conn:
        conn.execute(sql.SQL("VACUUM ANALYZE"))
    log(f"  vacuumed and analysed in {time.perf_counter() - started:.0f} s")


def prepare(server: Server, media: str, sizes: list[int], *, reuse: bool) -> None:
    """Seed ``serop_bench_person_<N>`` for each size, or keep it with ``--reuse``."""
    template_ready = False
    for n in sizes:
        database = f"{DATABASE_PREFIX}{n}"
        if reuse and candidate_count(server, database) == n:
            log(f"Reusing {database} (--reuse): migrating (new indexes) and analysing...")
            _manage(server, media, database, "migrate", "--noinput")
            _analyze(server, database)
            continue
        if not template_ready:
            log(f"Migrating the template database {TEMPLATE_DB}...")
            server.recreate(TEMPLATE_DB)
            _manage(server, media, TEMPLATE_DB, "migrate", "--noinput")
            template_ready = True
        employees, customers = n // 100, max(1, n // 1000)
        log(f"Seeding {database}: {n} candidates, {employees} employees, {customers} customers...")
        server.recreate(database, TEMPLATE_DB)
        started = time.perf_counter()
        _manage(
            server,
            media,
            database,
            "seed_demo",
            f"--candidates={n}",
            f"--employees={employees}",
            f"--customers={customers}",
            "--seed=2026",
        )
        log(f"  seeded in {time.perf_counter() - started:.0f} s; VACUUM ANALYZE...")
        _analyze(server, database)
    server.drop(TEMPLATE_DB)


def measure(server: Server, media: str, database: str) -> dict[str, Any]:
    env = django_env(server, media) | {"DATABASE_URL": server.url_for(database)}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.person_search", "--child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise RuntimeError(f"the child failed on {database}:\n{completed.stderr}")
    measured: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return measured


def run(n: int = SIZE, *, reuse: bool = False, keep: bool = False) -> int:
    small = SMALL_SIZE if n > SMALL_SIZE else QUICK_SMALL_SIZE
    server = Server(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    media = tempfile.mkdtemp(prefix="serop-bench-media-")
    databases = {size: f"{DATABASE_PREFIX}{size}" for size in (small, n)}
    try:
        prepare(server, media, [small, n], reuse=reuse)
        measured = {}
        for size, database in databases.items():
            log(f"Timing find_person on {database} ({WARM_UPS} + {LOOKUPS} lookups per kind)...")
            measured[size] = measure(server, media, database)
            if measured[size]["candidates"] != size:
                raise RuntimeError(f"{database} holds {measured[size]['candidates']} candidates")
            log(f"  matches per lookup: {measured[size]['found']}")
        large = measured[n]
        base = statistics.median(large["baseline"])
        result("person_search_baseline_pk_fetch_median_ms", base, "ms", 3)
        missed = []
        for kind in KINDS:
            samples = large["samples"][kind]
            median = statistics.median(samples)
            small_median = statistics.median(measured[small]["samples"][kind])
            result(f"person_search_{kind}_median_ms", median, "ms", 2)
            result(f"person_search_{kind}_p95_ms", p95(samples), "ms", 2)
            result(f"person_search_{kind}_queries_per_lookup", large["queries"][kind], "queries")
            result(f"person_search_{kind}_vs_pk_fetch_ratio", median / base, "x", 1)
            result(f"person_search_{kind}_{label(small)}_median_ms", small_median, "ms", 2)
            result(
                f"person_search_{kind}_ratio_{label(n)}_vs_{label(small)}",
                median / small_median,
                "x",
                2,
            )
            if median >= TARGET_MEDIAN_MS:
                missed.append(kind)
        if missed:
            log(f"Target missed (median < {TARGET_MEDIAN_MS:.0f} ms): {missed}")
        else:
            log(f"Target met: every median < {TARGET_MEDIAN_MS:.0f} ms at {n} candidates.")
    finally:
        server.drop(TEMPLATE_DB)
        shutil.rmtree(media, ignore_errors=True)
        if not (keep or reuse):
            for database in databases.values():
                server.drop(database)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.person_search")
    parser.add_argument("--candidates", type=int, default=SIZE, metavar="N")
    parser.add_argument("--reuse", action="store_true", help="keep a database of N candidates")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    args = parser.parse_args(argv)
    return run(args.candidates, reuse=args.reuse, keep=args.keep)


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        print(json.dumps(child()), flush=True)
    else:
        sys.exit(main())
