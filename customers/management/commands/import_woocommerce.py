"""``manage.py import_woocommerce path.csv [--dry-run]``: the webshop's order export in."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from import_export.results import RowResult

from customers.woocommerce import import_orders
from privacy.import_export import CSV, XLSX


class Command(BaseCommand):
    help = (
        "Import a WooCommerce order export (CSV, or XLSX by its extension) into webshop orders "
        "and their lines: an order is created, or updated by its order number, and its lines "
        "are replaced by those in the file. Only the known columns are read (customers/"
        "woocommerce.py); card data and every other column are ignored and stored nowhere. "
        "All or nothing: if any row is invalid, nothing is saved and the errors are listed "
        "(row number, field and message; the rows themselves are not printed). Deletes no "
        "order. With --dry-run nothing is saved. The import is recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
            raise CommandError(message) from exc
        file_format = XLSX() if path.suffix.lower() == ".xlsx" else CSV(encoding="utf-8-sig")
        result = import_orders(file_format.create_dataset(data), dry_run=options["dry_run"])
        if result.has_errors() or result.has_validation_errors():
            for line in error_lines(result):
                self.stderr.write(line)
            raise CommandError(_("Nothing was imported: the file has errors."))
        totals = result.totals
        message = _("%(new)d new and %(updated)d updated orders.") % {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        }
        if options["dry_run"]:
            message = _("Dry run, nothing saved: %(message)s") % {"message": message}
        self.stdout.write(message)


def error_lines(result: Any) -> list[str]:
    lines = [str(error.error) for error in result.base_errors]
    for number, errors in result.row_errors():
        lines += [_("Row %(row)s: %(error)s") % {"row": number, "error": e.error} for e in errors]
    for row in result.invalid_rows:
        for field, messages in row.error_dict.items():
            for message in messages:
                lines.append(
                    _("Row %(row)s, %(field)s: %(message)s")
                    % {"row": row.number, "field": field, "message": message}
                )
    return lines
