"""Re-encrypt every encrypted value under the primary (first) key of FIELD_ENCRYPTION_KEYS.

Invariants: each chunk of rows is re-encrypted in its own transaction, so a crash leaves every
row readable (old rows under an old key, which is still configured; new rows under the new
one) and a rerun finishes the job. Plaintext never leaves the process and is never logged.
Remove an old key from FIELD_ENCRYPTION_KEYS only after this command has finished.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from privacy.encryption import rotate
from privacy.fields import is_encrypted

CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column of every model under the first key in "
        "FIELD_ENCRYPTION_KEYS, in chunks of rows, one transaction each. Deletes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            columns = [str(f.column) for f in model._meta.concrete_fields if is_encrypted(f)]
            if not columns:
                continue
            count = self._rotate_model(model, columns)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted."))

    def _rotate_model(self, model: Any, columns: list[str]) -> int:
        # Raw SQL: the tokens are rotated as they are (MultiFernet.rotate), without building
        # model instances or running field conversions on a whole table.
        qn = connection.ops.quote_name
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        cols = ", ".join(qn(c) for c in columns)
        assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
        done, last_pk = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = "" if last_pk is None else f"WHERE {pk} > %s"
                params: list[Any] = [] if last_pk is None else [last_pk]
                lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
                cursor.execute(
                    f"SELECT {pk}, {cols} FROM {table} {where} "  # noqa: S608 (quoted names)
                    f"ORDER BY {pk} LIMIT {CHUNK}{lock}",
                    params,
                )
                rows = cursor.fetchall()
                if not rows:
                    return done
                updates = [[rotate(v) if v else v for v in row[1:]] + [row[0]] for row in rows]
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                    updates,
                )
                done += len(rows)
                last_pk = rows[-1][0]
