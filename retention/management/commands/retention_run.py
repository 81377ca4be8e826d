from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention import engine
from retention.models import RetentionRun
from retention.tasks import dispatch_batches

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Apply the retention rules (retention/rules.py) now: DELETE, for good, every row whose "
        "retention period has expired and that no active rule or legal hold still covers, with "
        "everything that cascades from it and its uploaded files; anonymise instead where the "
        "rule says so (unsubscribed newsletter addresses, old webshop orders). Each person "
        "leaves a tombstone; each run is recorded. --dry-run only counts. The run happens in "
        "this process; with --fan-out its batches are also queued on the Celery broker, and "
        "the workers process them alongside this process, which waits for the last one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rule",
            action="append",
            dest="rules",
            metavar="NAME",
            help="Only this rule (repeatable). Default: every rule.",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="Apply the rules as on this date (YYYY-MM-DD). Default: today.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count and list what would go; change nothing."
        )
        parser.add_argument("--batch-size", type=int, help="Rows per transaction.")
        parser.add_argument(
            "--fan-out",
            action="store_true",
            help="Also queue the batches on the Celery broker for the workers to share.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rules = options["rules"] or engine.runnable_rules()
        try:
            keys = list(dict.fromkeys(engine.job_for(rule).key for rule in rules))
        except engine.UnknownRule as exc:
            raise CommandError(
                f"Unknown rule {exc}; known: {', '.join(engine.runnable_rules())}"
            ) from exc
        self._tty = getattr(self.stdout, "isatty", lambda: False)()
        problems = []
        for key in keys:
            try:
                outcome = engine.run_rule(
                    key,
                    as_of=options["as_of"],
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                    triggered_by="manage.py retention_run",
                    progress=self._progress,
                    dispatch=dispatch_batches if options["fan_out"] else None,
                )
            except Exception as exc:
                self._end_bar()
                run = RetentionRun.objects.filter(rule=key).order_by("-started_at").first()
                if run is not None:
                    self._summary(run)
                problems.append(f"{key}: {type(exc).__name__}")
                continue
            self._end_bar()
            self._summary(outcome.run, outcome.samples)
            if outcome.run.status != RetentionRun.Status.DONE:
                problems.append(f"{key}: {outcome.run.status}")
        if problems:
            raise CommandError("Not every rule ran to its end: " + "; ".join(problems))

    # --- output ------------------------------------------------------------------------------
    _bar_open = False

    def _progress(self, run: RetentionRun) -> None:
        total = max(run.expected, run.processed, 1)
        done = min(run.processed, total)
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        line = f"{run.rule:<28} [{bar}] {done}/{run.expected}"
        if self._tty:
            self.stdout.write("\r" + line, ending="")
            self.stdout.flush()
            self._bar_open = True
        elif done in (0, total) or run.processed >= run.expected:
            self.stdout.write(line)

    def _end_bar(self) -> None:
        if self._bar_open:
            self.stdout.write("")
            self._bar_open = False

    def _summary(self, run: RetentionRun, samples: dict[str, list[str]] | None = None) -> None:
        style = {
            RetentionRun.Status.DONE: self.style.SUCCESS,
            RetentionRun.Status.FAILED: self.style.ERROR,
            RetentionRun.Status.REFUSED: self.style.WARNING,
        }.get(RetentionRun.Status(run.status), str)
        duration = run.duration_seconds
        head = (
            f"{run.rule} as of {run.as_of}{' (dry run)' if run.dry_run else ''}: "
            f"{run.get_status_display()}, {run.processed} of {run.expected} processed, "
            f"{run.files_removed} files removed"
            + (f", {duration:.1f} s" if duration is not None else "")
            + f" (run {run.pk})"
        )
        self.stdout.write(style(head))
        for label, n in sorted(run.counts.items()):
            self.stdout.write(f"    {label}: {n}")
        for label, ids in sorted((samples or {}).items()):
            self.stdout.write(f"    e.g. {label}: {', '.join(ids)}")
        for line in run.errors.strip().splitlines():
            self.stdout.write(self.style.ERROR(f"    {line}"))
        self.stdout.flush()
