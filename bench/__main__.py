"""``python -m bench [BENCHMARK] [--candidates N ...] [--quick] [--keep] [--reuse]``.

Without a benchmark name, runs every benchmark (``seed``, ``import_candidates``, then
``admin_changelist``, ``person_search``, ``subject_export``, ``purge``, ``signup``). PostgreSQL from
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/serop); the benchmark creates and drops
its own databases
(serop_bench, serop_bench_baseline, serop_bench_template; import_candidates:
serop_bench_import, serop_bench_import_template; admin_changelist: serop_bench_admin_<N>,
serop_bench_admin_template; person_search: serop_bench_person_<N>,
serop_bench_person_template; subject_export: serop_bench_export, serop_bench_export_template; purge:
serop_bench_purge, serop_bench_purge_tpl, serop_bench_purge_template; signup:
serop_bench_signup)
on that server.
"""

import argparse
import sys

from . import (
    admin_changelist,
    import_candidates,
    person_search,
    purge,
    seed,
    signup,
    subject_export,
)

FULL_SIZES = [100_000, 1_000_000]
QUICK_SIZES = [10_000, 100_000]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "benchmark",
        nargs="?",
        choices=[
            "seed",
            "import_candidates",
            "admin_changelist",
            "person_search",
            "subject_export",
            "purge",
            "signup",
        ],
        help="run only this one",
    )
    parser.add_argument(
        "--candidates",
        type=int,
        nargs="+",
        metavar="N",
        help=f"bulk sizes to seed (default {FULL_SIZES}; with --quick {QUICK_SIZES})",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument(
        "--keep", action="store_true", help="keep the last size's seeded database (serop_bench)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="admin_changelist, person_search: keep their databases, and reuse one that holds "
        "N candidates",
    )
    parser.add_argument(
        "--duration",
        type=float,
        help=f"signup: seconds per phase (default {signup.DURATION:.0f}; with --quick 10)",
    )
    args = parser.parse_args(argv)
    sizes = args.candidates or (QUICK_SIZES if args.quick else FULL_SIZES)
    status = 0
    if args.benchmark in (None, "seed"):
        status = seed.run(sizes, keep=args.keep) or status
    if args.benchmark in (None, "import_candidates"):
        rows = import_candidates.QUICK_ROWS if args.quick else import_candidates.FULL_ROWS
        status = import_candidates.run(rows, keep=args.keep) or status
    if args.benchmark in (None, "admin_changelist"):
        admin_sizes = args.candidates or (
            admin_changelist.QUICK_SIZES if args.quick else admin_changelist.SIZES
        )
        status = admin_changelist.run(admin_sizes, reuse=args.reuse, keep=args.keep) or status
    if args.benchmark in (None, "person_search"):
        size = person_search.QUICK_SIZE if args.quick else person_search.SIZE
        size = args.candidates[-1] if args.candidates else size
        status = person_search.run(size, reuse=args.reuse, keep=args.keep) or status
    if args.benchmark in (None, "subject_export"):
        builds = subject_export.QUICK_BUILDS if args.quick else subject_export.BUILDS
        status = subject_export.run(builds, keep=args.keep) or status
    if args.benchmark in (None, "purge"):
        status = purge.run(sizes, keep=args.keep) or status
    if args.benchmark in (None, "signup"):
        duration = args.duration or (10.0 if args.quick else signup.DURATION)
        status = signup.run(duration, keep=args.keep) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
