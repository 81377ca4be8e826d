"""Benchmark: the candidate changelist in the admin with 10 000 and 1 000 000 candidates.

For each size N it
1. creates ``serop_bench_admin_<N>`` from a migrated template database and bulk-seeds it with
   ``manage.py seed_demo --candidates N`` (no employees or companies: the list does not show
   them), then ``VACUUM ANALYZE``: the planner's statistics and estimates are those a live
   database has after autovacuum, and autovacuum does not start in the middle of a timing.
   With ``--reuse`` an existing database holding exactly N candidates is kept as it is;
2. starts one child process per size (Django, ``serop.settings.test`` pointed at that
   database, so ``SEROP_REQUIRE_2FA`` is off), which logs a staff user of the ``recruiter``
   group in with the test client's ``force_login`` and times ``GET`` of the changelist through
   the whole Django stack (middleware, admin, templates), one request when asked. For each
   case below: 3 warm-up requests, then 30 timed ones, the sizes taking turns request by
   request, so that load elsewhere on the machine falls on both sizes alike,
3. prints ``RESULT`` lines: median and 95th percentile per case and size, and the ratio of the
   largest size's median to the smallest's (the baseline measured in the same run).

The cases: the first page; a search by an existing candidate's email (``?q=``); the filter
``status = active`` (90 % of the rows); the last-activity filter "active in the last 12
months" (~85 % of the rows).

The issue's targets (logged on stderr, not asserted): a median under 300 ms at 1 000 000
candidates, and at most twice the median at 10 000.
"""

import json
import os
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

SIZES = [10_000, 1_000_000]
QUICK_SIZES = [1_000, 100_000]
DATABASE_PREFIX = "serop_bench_admin_"
TEMPLATE_DB = "serop_bench_admin_template"
WARM_UPS = 3
REQUESTS = 30
TARGET_MEDIAN_MS = 300.0
TARGET_RATIO = 2.0
CASES = ["first_page", "search_email", "filter_status", "filter_activity"]


def label(n: int) -> str:
    """1000000 -> "1m", 10000 -> "10k": short names for the RESULT lines."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


# --- the child: runs inside Django, against one seeded database ----------------------------
def child() -> None:
    """Answers each case name read from stdin with one request's time and rows shown."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    from candidates.models import Candidate
    from privacy.roles import Role

    recruiter, _ = User.objects.get_or_create(
        username="bench-recruiter", defaults={"is_staff": True}
    )
    recruiter.groups.add(Group.objects.get(name=Role.RECRUITER))
    client = Client()
    client.force_login(recruiter)

    # A candidate from the middle of the table, found by primary key (no OFFSET).
    ids = Candidate.objects.order_by("pk").values_list("pk", flat=True)
    first, last = ids.first(), ids.last()
    assert first is not None and last is not None, "the database holds no candidates"
    middle = Candidate.objects.filter(pk__gte=(first + last) // 2).order_by("pk").first()
    assert middle is not None
    url = reverse("admin:candidates_candidate_changelist")
    queries: dict[str, dict[str, str]] = {
        "first_page": {},
        "search_email": {"q": middle.email},
        "filter_status": {"status__exact": Candidate.Status.ACTIVE},
        "filter_activity": {"activity": "active"},
    }
    print(json.dumps({"candidates": Candidate.objects.count()}), flush=True)
    for line in sys.stdin:
        case = line.strip()
        started = time.perf_counter()
        response = client.get(url, queries[case])
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{case}: HTTP {response.status_code} for {queries[case]}")
        # One row per candidate shown: its name is the link to the change page.
        content = response.content.decode()
        rows = content.count('class="field-name"')
        if case == "search_email" and (rows != 1 or middle.email not in content):
            raise RuntimeError(f"the search for {middle.email} did not find exactly that one")
        print(json.dumps({"ms": elapsed * 1000, "rows": rows}), flush=True)


# --- the parent ----------------------------------------------------------------------------
def candidate_count(server: Server, database: str) -> int | None:
    """Candidates in ``database``, or None if it does not exist (or is not migrated)."""
    try:
        with psycopg.connect(server.dsn(database)) as conn:
            row = conn.execute("SELECT count(*) FROM candidates_candidate").fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else None


def migrate_template(server: Server, media: str) -> None:
    log(f"Migrating the template database {TEMPLATE_DB}...")
    server.recreate(TEMPLATE_DB)
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks", "-v0"],
        cwd=ROOT,
        env=django_env(server, media) | {"DATABASE_URL": server.url_for(TEMPLATE_DB)},
        check=True,
    )


def seed(server: Server, media: str, database: str, n: int) -> None:
    log(f"Seeding {database} with {n} candidates...")
    server.recreate(database, TEMPLATE_DB)
    started = time.perf_counter()
    command = [sys.executable, str(ROOT / "manage.py"), "seed_demo", f"--candidates={n}"]
    subprocess.run(  # noqa: S603
        [*command, "--employees=0", "--customers=0", "--seed=2026", "--skip-checks", "-v0"],
        cwd=ROOT,
        env=django_env(server, media) | {"DATABASE_URL": server.url_for(database)},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"  seeded in {time.perf_counter() - started:.0f} s; VACUUM ANALYZE...")
    started = time.perf_counter()
    with psycopg.connect(server.dsn(database), autocommit=True) as conn:
        conn.execute(sql.SQL("VACUUM ANALYZE"))
    log(f"  vacuumed and analyzed in {time.perf_counter() - started:.0f} s")


class Child:
    """A child process (``child()``) timing the changelist on one database."""

    def __init__(self, server: Server, media: str, database: str) -> None:
        self.database = database
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.admin_changelist", "--child"],
            cwd=ROOT,
            env=django_env(server, media) | {"DATABASE_URL": server.url_for(database)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.candidates: int = self._answer()["candidates"]

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the child on {self.database} failed (its error is above)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def get(self, case: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{case}\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def measure(children: dict[int, Child]) -> tuple[dict, dict]:
    """Per size and case: the timed requests' milliseconds, and the rows the page showed."""
    for n, process in children.items():
        if process.candidates != n:
            raise RuntimeError(f"{process.database} holds {process.candidates} candidates")
    samples: dict[int, dict[str, list[float]]] = {n: {c: [] for c in CASES} for n in children}
    rows: dict[int, dict[str, int]] = {n: {} for n in children}
    log(f"Timing the changelist ({WARM_UPS} + {REQUESTS} requests per case and size)...")
    for case in CASES:
        for i in range(WARM_UPS + REQUESTS):
            for n, process in children.items():
                answer = process.get(case)
                rows[n][case] = answer["rows"]
                if i >= WARM_UPS:
                    samples[n][case].append(answer["ms"])
    return samples, rows


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def run(sizes: list[int] | None = None, *, reuse: bool = False, keep: bool = False) -> int:
    sizes = sorted(sizes or SIZES)
    server = Server(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    media = tempfile.mkdtemp(prefix="serop-bench-media-")
    databases = [f"{DATABASE_PREFIX}{n}" for n in sizes]
    try:
        stale = [
            (n, database)
            for n, database in zip(sizes, databases, strict=True)
            if not (reuse and candidate_count(server, database) == n)
        ]
        if len(stale) < len(sizes):
            log(f"Reusing {sorted(set(databases) - {d for _, d in stale})} (--reuse).")
        if stale:
            migrate_template(server, media)
            for n, database in stale:
                seed(server, media, database, n)
            server.drop(TEMPLATE_DB)
        children: dict[int, Child] = {}
        try:
            for n, database in zip(sizes, databases, strict=True):
                children[n] = Child(server, media, database)
            samples, rows = measure(children)
        finally:
            for process in children.values():
                process.close()
        log(f"  rows shown per case: {rows}")
        medians: dict[int, dict[str, float]] = {}
        for n in sizes:
            medians[n] = {}
            for case in CASES:
                medians[n][case] = statistics.median(samples[n][case])
                result(f"admin_changelist_{case}_{label(n)}_median_ms", medians[n][case], "ms")
                result(f"admin_changelist_{case}_{label(n)}_p95_ms", p95(samples[n][case]), "ms")
        small, large = sizes[0], sizes[-1]
        missed = []
        for case in CASES:
            ratio = medians[large][case] / medians[small][case]
            result(f"admin_changelist_{case}_ratio_{label(large)}_vs_{label(small)}", ratio, "x", 2)
            if medians[large][case] >= TARGET_MEDIAN_MS or ratio > TARGET_RATIO:
                missed.append(case)
        if missed:
            log(f"Targets missed (median < {TARGET_MEDIAN_MS:.0f} ms, ratio <= 2): {missed}")
        else:
            log(f"Targets met: every median < {TARGET_MEDIAN_MS:.0f} ms and ratio <= 2.")
    finally:
        server.drop(TEMPLATE_DB)
        shutil.rmtree(media, ignore_errors=True)
        if not (keep or reuse):
            for database in databases:
                server.drop(database)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        sys.exit(run([int(a) for a in sys.argv[1:]] or None))
