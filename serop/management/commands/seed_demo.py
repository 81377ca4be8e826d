"""``manage.py seed_demo``: made-up Danish data, small for demos or bulk for benchmarks."""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.models import Candidate
from privacy.roles import Role
from serop.demo.bulk import BulkNotSupported, BulkSize, bulk_seed
from serop.demo.dataset import DemoSize, seed_demo_dataset
from serop.demo.reference import is_demo_login

DEFAULT_PASSWORD = "serop-demo-2026"  # noqa: S105 (a published demo password, by design)


class Command(BaseCommand):
    help = (
        "Fill the database with made-up Danish people (Faker da_DK; e-mail addresses only at "
        "example.com/.net/.org). Writes only new rows; deletes and changes nothing, except "
        "that the demo staff logins get the given password (an existing account with a "
        "role's name that is not a demo login is left alone).\n"
        "\n"
        "Demo mode (no size options): in one transaction, one staff login per role in "
        "privacy/roles.py (username = role, e.g. recruiter, payroll, dpo; staff; in the group "
        "of the same name; administrator is also superuser; all with --password), job types, "
        "areas, version 1 of every consent text (Danish and English), and about 60 candidates "
        "with every kind of profile data, documents (small real PDF/JPEG/GIF files written to "
        "the default storage), history and consent records; 10 job postings with channels "
        "and applications (with files); 12 disclosures of CVs to customers; 25 employees with "
        "CPR numbers, bank accounts, assignments, 12-60 payslips and absence (some employments "
        "ended, some more than five years ago); 15 companies with contacts, Betalingsservice "
        "mandates and subscriptions; 20 webshop orders with lines; 3 references and 3 partners "
        "with logo files; 30 newsletter subscribers with consent records; 15 website "
        "enquiries. Candidates' last activity spreads over ~14 months, so some CV-bank "
        "profiles are past the 12-month clean-up. Runs in seconds on SQLite and PostgreSQL.\n"
        "\n"
        "Bulk mode (--candidates N, --employees M, --customers K; PostgreSQL only, any other "
        "database is refused): N candidates, each with a job preference (1-2 job types, 1 area), "
        "1-2 educations, 1-3 experiences, 1-2 language skills, 1-2 activity events and 3-6 "
        "consent records, plus with --with-files one CV document and file each; M employees, "
        "each with 12 payslips, 0-2 absences and an assignment; K companies with 1-3 "
        "contacts each. Loaded with COPY in batches, one transaction per batch; no demo "
        "logins.\n"
        "\n"
        "Same --seed, same data (apart from random UUIDs and file names). Refuses to run "
        "with the production settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo staff login (default {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if there is already a candidate (make run calls this every time).",
        )
        bulk = parser.add_argument_group("bulk mode (PostgreSQL only)")
        bulk.add_argument("--candidates", type=int, metavar="N", help="Bulk: N candidates.")
        bulk.add_argument("--employees", type=int, metavar="M", help="Bulk: M employees.")
        bulk.add_argument("--customers", type=int, metavar="K", help="Bulk: K companies.")
        bulk.add_argument(
            "--with-files",
            action="store_true",
            help="Bulk: also one CV document per candidate, writing a small PDF each.",
        )
        bulk.add_argument(
            "--batch-size",
            type=int,
            default=20_000,
            help="Bulk: candidates per COPY batch and transaction (default 20000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production"):
            raise CommandError("seed_demo writes made-up people and known passwords: not here.")
        if options["if_empty"] and Candidate.objects.exists():
            self.stdout.write("Candidates exist already: no demo data added (--if-empty).")
            return
        sizes = [options[k] for k in ("candidates", "employees", "customers")]
        if any(s is not None for s in sizes):
            self._bulk(options)
        else:
            self._demo(options)

    def _demo(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        counts = seed_demo_dataset(
            seed=options["seed"], password=options["password"], size=DemoSize()
        )
        self._summary("Demo data", counts, time.monotonic() - started, options["seed"])
        users = User.objects.filter(username__in=Role.values)
        taken = sorted(u.username for u in users if not is_demo_login(u))
        roles = ", ".join(role.value for role in Role if role.value not in taken)
        self.stdout.write(f"Demo staff logins ({roles}), password: {options['password']}")
        if taken:
            self.stdout.write(
                self.style.WARNING(f"Left alone, not demo logins: {', '.join(taken)}")
            )

    def _bulk(self, options: dict[str, Any]) -> None:
        n, m, k = (options[key] or 0 for key in ("candidates", "employees", "customers"))
        if min(n, m, k) < 0:
            raise CommandError("--candidates, --employees and --customers cannot be negative.")
        size = BulkSize(
            candidates=n,
            employees=m,
            customers=k,
            with_files=options["with_files"],
            batch_size=options["batch_size"],
        )
        started = time.monotonic()

        def progress(label: str, done: int, total: int) -> None:
            if options["verbosity"] >= 2 or (options["verbosity"] >= 1 and done == total):
                elapsed = time.monotonic() - started
                self.stderr.write(f"  {label}: {done}/{total} ({elapsed:.1f} s)")

        try:
            counts = bulk_seed(size=size, seed=options["seed"], progress=progress)
        except BulkNotSupported as exc:
            raise CommandError(str(exc)) from exc
        self._summary("Bulk data", counts, time.monotonic() - started, options["seed"])

    def _summary(self, title: str, counts: dict[str, int], seconds: float, seed: int) -> None:
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"{title}: {total} rows in {seconds:.1f} s (seed {seed})")
        )
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count}")
