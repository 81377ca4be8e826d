"""Benchmark: bulk seeding (``manage.py seed_demo --candidates N ...``) on PostgreSQL.

For each size N it
1. creates ``serop_bench`` from a migrated template database,
2. runs the seed in a child process, timing it and reading the child's peak RSS (``wait4``),
3. counts the rows the seed wrote, table by table,
4. recreates ``serop_bench`` and loads the same number of rows into the same tables with a
   plain COPY of constant data (psycopg only: no Django, no generation): the baseline, i.e.
   what the database alone needs for those rows,
5. prints ``RESULT`` lines.

Constant data cannot be entirely constant: primary keys, unique columns and foreign keys vary
with the row number (and nullable columns are NULL), which the baseline derives from the
database's own catalogue, so it follows the models without being told.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "serop_bench"
BASELINE_DB = "serop_bench_baseline"
TEMPLATE_DB = "serop_bench_template"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/serop"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def result(name: str, value: float | int, unit: str, digits: int = 1) -> None:
    text = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    print(f"RESULT {name}={text} {unit}", flush=True)


# --- databases ----------------------------------------------------------------------------
class Server:
    def __init__(self, database_url: str) -> None:
        self.url = urlsplit(database_url.replace("postgresql://", "postgres://", 1))

    def url_for(self, name: str) -> str:
        return urlunsplit(self.url._replace(path=f"/{name}"))

    def dsn(self, name: str) -> str:
        return self.url_for(name).replace("postgres://", "postgresql://", 1)

    def admin(self, *statements: sql.Composed) -> None:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def recreate(self, name: str, template: str | None = None) -> None:
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        self.admin(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)), create)

    def drop(self, name: str) -> None:
        self.admin(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    def row_counts(self, name: str) -> dict[str, int]:
        with psycopg.connect(self.dsn(name)) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            return {
                t: conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
                ).fetchone()[0]  # type: ignore[index]
                for t in tables
            }


def django_env(server: Server, media: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "serop.settings.test",
        "DATABASE_URL": server.url_for(BENCH_DB),
        "PRIVATE_MEDIA_ROOT": media,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def manage(server: Server, media: str, *args: str) -> tuple[float, float, str]:
    """Run ``manage.py`` against the bench database; return (seconds, peak RSS in MB, output).

    System checks are skipped: they belong to ``make test``, not to a timing.
    """
    command = [sys.executable, str(ROOT / "manage.py"), *args, "--skip-checks"]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=django_env(server, media), stdout=out)  # noqa: S603
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode()
    if child.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({child.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, output  # Linux reports ru_maxrss in KiB


# --- the baseline: constant rows, plain COPY -----------------------------------------------
@dataclass
class Column:
    name: str
    type: str
    nullable: bool
    max_length: int | None


def _catalogue(conn: psycopg.Connection, table: str) -> tuple[list[Column], dict, list]:
    columns = [
        Column(*r)
        for r in conn.execute(
            "SELECT column_name, data_type, is_nullable = 'YES', character_maximum_length "
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
            "ORDER BY ordinal_position",
            [table],
        )
    ]
    foreign = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
            [table],
        )
    }
    names = {c.name for c in columns}
    unique = []
    for (definition,) in conn.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND indisunique AND NOT indisprimary",
        [table],
    ):
        inside = definition[definition.index("(") :]
        unique.append([w for w in re.findall(r"\w+", inside) if w in names])
    return columns, foreign, unique


def _constant(column: Column) -> str:
    kind = column.type
    if kind in ("integer", "bigint", "smallint", "numeric"):
        return "1"
    if kind == "boolean":
        return "f"
    if kind == "date":
        return "2024-01-01"
    if kind.startswith("timestamp"):
        return "2024-01-01 12:00:00+00"
    if kind == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    if kind == "inet":
        return "192.0.2.1"
    if kind.startswith("json"):
        return "[]"
    if kind == "text":  # free text and Fernet tokens (about 100 characters)
        return "x" * 100
    return "x" * min(column.max_length or 16, 16)


def _varying(column: Column) -> str:
    """A format field giving a value unique per row ``{i}``."""
    if column.type == "uuid":
        return "00000000-0000-4000-8000-{i:012x}"
    if column.type in ("integer", "bigint", "smallint", "numeric"):
        return "{n}"
    return "u{i}@example.com" if (column.max_length or 99) >= 24 else "{i}"


def baseline_template(
    conn: psycopg.Connection, table: str, counts: dict[str, int]
) -> tuple[str, list[str], dict[str, str], list[list[str]]]:
    """A ``str.format`` template of one COPY text line for ``table`` (constants, except keys,
    unique columns and foreign keys, which are functions of the row number), its columns, its
    foreign keys and its unique column groups."""
    columns, foreign, unique = _catalogue(conn, table)
    fields: dict[str, str] = {}
    for column in columns:
        parent = foreign.get(column.name)
        if parent and not counts.get(parent) and column.nullable:
            fields[column.name] = "\\N"  # a parent we did not load
        elif parent and not counts.get(parent):
            # A required parent that the migrations created (the consent texts): its first row.
            row = conn.execute(
                sql.SQL("SELECT min(id) FROM {}").format(sql.Identifier(parent))
            ).fetchone()
            if row is None or row[0] is None:
                raise RuntimeError(f"{table}.{column.name} needs a row of {parent}: none exists")
            fields[column.name] = str(row[0])
        elif parent:
            fields[column.name] = f"{{p_{column.name}}}"
        elif column.name == "id":
            fields[column.name] = "{n}"
        elif column.nullable:
            fields[column.name] = "\\N"
        else:
            fields[column.name] = _constant(column)
    for group in unique:
        plain = [c for c in group if c not in foreign]
        for column in columns:
            if column.name in plain:
                fields[column.name] = _varying(column)
    line = "\t".join(fields[c.name] for c in columns) + "\n"
    return line, [c.name for c in columns], foreign, unique


def _parent_values(name: str, foreign: dict, unique: list, counts: dict[str, int]):
    """How foreign key ``name`` picks its parent for row i: round-robin, or, in a unique group
    of foreign keys (a many-to-many table), mixed-radix so that every pair is different."""
    size = counts[foreign[name]]
    for group in unique:
        keys = [c for c in group if c in foreign]
        if name in keys and len(keys) == len(group) and len(keys) > 1:
            stride = 1
            for earlier in keys[: keys.index(name)]:
                stride *= counts[foreign[earlier]]
            return lambda i: 1 + (i // stride) % size
    return lambda i: 1 + i % size


def load_order(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    parents = {t: set(_catalogue(conn, t)[1].values()) & set(tables) - {t} for t in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise RuntimeError(f"cyclic foreign keys among {sorted(set(tables) - set(ordered))}")
        ordered.extend(sorted(ready))
    return ordered


def baseline(server: Server, database: str, counts: dict[str, int]) -> float:
    """COPY ``counts[table]`` constant rows into each table; return the seconds it took."""
    with psycopg.connect(server.dsn(database), autocommit=True) as conn:
        plans = []
        for table in load_order(conn, list(counts)):
            line, names, foreign, unique = baseline_template(conn, table, counts)
            parents = {
                f"p_{c}": _parent_values(c, foreign, unique, counts)
                for c in names
                if c in foreign and counts.get(foreign[c])
            }
            plans.append((table, names, line, parents))
        started = time.perf_counter()
        for table, names, line, parents in plans:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
            )
            with conn.cursor().copy(statement) as copy:
                block: list[str] = []
                for i in range(counts[table]):
                    keys = {k: f(i) for k, f in parents.items()}
                    block.append(line.format(i=i, n=i + 1, **keys))
                    if len(block) == 10_000:
                        copy.write("".join(block))
                        block = []
                copy.write("".join(block))
        return time.perf_counter() - started


# --- the benchmark ------------------------------------------------------------------------
def run(sizes: list[int], *, keep: bool = False) -> int:
    server = Server(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    media = tempfile.mkdtemp(prefix="serop-bench-media-")
    peaks = {}
    try:
        log(f"Migrating the template database {TEMPLATE_DB}...")
        server.recreate(TEMPLATE_DB)
        env = django_env(server, media) | {"DATABASE_URL": server.url_for(TEMPLATE_DB)}
        migrate = [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks"]
        subprocess.run([*migrate, "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        template_counts = server.row_counts(TEMPLATE_DB)
        for n in sizes:
            employees, customers = n // 100, max(1, n // 1000)
            log(f"Seeding {n} candidates, {employees} employees, {customers} customers...")
            server.recreate(BENCH_DB, TEMPLATE_DB)
            seconds, peak, output = manage(
                server,
                media,
                "seed_demo",
                f"--candidates={n}",
                f"--employees={employees}",
                f"--customers={customers}",
                "--seed=2026",
            )
            log(output.strip())
            counts = {
                t: c - template_counts.get(t, 0) for t, c in server.row_counts(BENCH_DB).items()
            }
            counts = {t: c for t, c in counts.items() if c > 0}
            rows = sum(counts.values())
            if not (keep and n == sizes[-1]):
                server.drop(BENCH_DB)  # room on disk for the baseline
            log(f"Baseline: plain COPY of {rows} constant rows into {len(counts)} tables...")
            server.recreate(BASELINE_DB, TEMPLATE_DB)
            try:
                base = baseline(server, BASELINE_DB, counts)
            finally:
                server.drop(BASELINE_DB)
            peaks[n] = peak
            loaded = re.search(r"rows in ([\d.]+) s", output)
            result(f"seed_candidates_{n}_seconds", seconds, "s")
            if loaded:  # the same run, without starting Python and Django
                result(f"seed_{n}_load_seconds", float(loaded.group(1)), "s")
            result(f"seed_{n}_rows", rows, "rows")
            result(f"seed_{n}_rows_per_second", rows / seconds, "rows/s")
            result(f"seed_{n}_peak_rss_mb", peak, "MB")
            result(f"baseline_copy_{n}_seconds", base, "s")
            result(f"seed_{n}_vs_baseline_ratio", seconds / base, "x", digits=2)
        if len(peaks) > 1:
            small, large = min(peaks), max(peaks)
            growth = peaks[large] / peaks[small]
            result(f"seed_peak_rss_growth_{small}_to_{large}", growth, "x", digits=2)
    finally:
        if not keep:
            server.drop(BENCH_DB)
        server.drop(TEMPLATE_DB)
        shutil.rmtree(media, ignore_errors=True)
    return 0
