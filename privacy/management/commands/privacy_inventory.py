import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from privacy.inventory import flat_rows, inventory
from privacy.ropa import LANGUAGES, ropa_export

ROPA_FORMATS = {"ropa-pdf": "pdf", "ropa-csv": "csv", "ropa-xlsx": "xlsx"}


class Command(BaseCommand):
    help = (
        "Print the personal-data registry: every declared personal-data field with its "
        "category, sensitivity, purposes, legal basis, source, retention rule and processors "
        "(with the processor register's details); or, with --format ropa-pdf|ropa-csv|ropa-xlsx, "
        "the records of processing activities (GDPR Art. 30) generated from it, written to "
        "--output or standard output. Reads only; changes nothing but the audit trail, which "
        "records each records-of-processing export."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["json", "csv", *ROPA_FORMATS], default="json")
        parser.add_argument(
            "--output", help="write to this file instead of standard output (ropa formats)"
        )
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            default="da",
            help="language of the records of processing (default: Danish)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt in ROPA_FORMATS:
            self._ropa(ROPA_FORMATS[fmt], options["language"], options.get("output"))
            return
        if fmt == "json":
            self.stdout.write(json.dumps(inventory(), indent=2, ensure_ascii=False))
            return
        rows = flat_rows()
        writer = csv.DictWriter(self.stdout, fieldnames=list(rows[0]) if rows else ["field"])
        writer.writeheader()
        writer.writerows(rows)

    def _ropa(self, fmt: str, language: str, output: str | None) -> None:
        export = ropa_export(fmt=fmt, language=language)
        if not output:
            if fmt == "csv":
                self.stdout.write(export.content.decode("utf-8-sig"), ending="")
            elif sys.stdout.isatty():
                raise CommandError(
                    f"A {fmt.upper()} file does not belong on a terminal: add --output FILE."
                )
            else:
                sys.stdout.buffer.write(export.content)
                sys.stdout.buffer.flush()
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        path.write_bytes(export.content)
        self.stdout.write(f"Wrote the records of processing ({fmt}, {language}) to {path}.")
