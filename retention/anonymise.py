"""Anonymising: the record stays, the person leaves it.

Irreversible. Invariants (as in retention/purge.py):
- One transaction per call; the rows are rewritten with set-based updates, no model instance is
  loaded per row.
- A legal hold in force on the person or the record keeps the row as it is.
- Each anonymised person leaves a tombstone; audit entries about them keep the pseudonymous id
  and lose their recorded values; one audit entry records the call with counts only.
- Rows already anonymised are skipped: a second call does nothing.

What stays:
- a newsletter subscriber who unsubscribed: the row, its status and date, and ``email_digest``,
  a keyed hash (privacy.encryption.blind_index) of the address. That is the proof of the opt-out:
  a new signup with the same address is recognised as previously unsubscribed, and the address
  itself is gone.
- a webshop order past its bookkeeping period: what was sold, when, for how much; nothing of
  who bought it. A restricted order (an erasure request restricts it until this date) is
  anonymised like any other, and its restriction ends with it: the row no longer holds anything
  of the person, and what remains is sales data. Its tombstone names the order's ``public_id``;
  audit entries about it are scrubbed by that id and by record (entries written before orders
  had a ``public_id`` carry none).
"""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from customers.models import NewsletterSubscriber, WebshopOrder
from privacy.encryption import blind_index

from .models import RetentionRun
from .purge import (
    SQLITE_CHUNK,
    Holds,
    PurgeResult,
    Roots,
    audit_purge,
    held_roots,
    plan,
    scrub_audit,
    write_tombstones,
)


def email_digest(email: str) -> str:
    """The keyed hash kept of an unsubscribed address."""
    return blind_index(email.strip().lower())


def previously_unsubscribed(email: str) -> bool:
    """Whether ``email`` once unsubscribed from the newsletter (for a new signup to show)."""
    return NewsletterSubscriber.objects.filter(
        status=NewsletterSubscriber.Status.UNSUBSCRIBED, email_digest=email_digest(email)
    ).exists()


def placeholder_email(public_id: Any) -> str:
    # Unique per row (the address column is unique, case-insensitively) and pseudonymous.
    return f"{public_id}@unsubscribed.invalid"


def _chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
    size = len(ids) if connection.vendor == "postgresql" else SQLITE_CHUNK
    for start in range(0, len(ids), max(size, 1)):
        yield ids[start : start + size]


def _unheld(model: type[models.Model], ids: Sequence[Any], result: PurgeResult) -> list[Any]:
    held = held_roots(plan(model), ids, Holds.in_force())
    result.held = [pk for pk in ids if pk in held]
    return [pk for pk in ids if pk not in held]


def _scrub(model: type[models.Model], ids: Sequence[Any], *, by_record: bool = False) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            scrub_audit(cursor, plan(model), Roots.of_ids(chunk))
            if by_record:
                scrub_audit(cursor, plan(model), Roots.of_ids(chunk), by_record=True)


def anonymise_subscribers(
    model: type[models.Model], ids: Iterable[Any], *, rule: str, run: RetentionRun | None = None
) -> PurgeResult:
    """Replace unsubscribed subscribers' addresses by the keyed hash that proves the opt-out."""
    result = PurgeResult()
    with transaction.atomic():
        ids = _unheld(model, list(dict.fromkeys(ids)), result)
        rows = list(
            NewsletterSubscriber._base_manager.select_for_update()
            .filter(pk__in=ids, status=NewsletterSubscriber.Status.UNSUBSCRIBED, email_digest="")
            .values_list("pk", "public_id", "email")
        )
        if rows:
            _scrub(model, [pk for pk, _, _ in rows])
            NewsletterSubscriber._base_manager.bulk_update(
                [
                    NewsletterSubscriber(
                        pk=pk, email=placeholder_email(ref), email_digest=email_digest(email)
                    )
                    for pk, ref, email in rows
                ],
                ["email", "email_digest"],
                batch_size=SQLITE_CHUNK,
            )
            result.people = len(rows)
            result.counts[model._meta.label_lower] = len(rows)
            result.tombstones = write_tombstones(
                model, (ref for _, ref, _ in rows), rule=rule, run=run
            )
        if result.people or result.held:
            audit_purge(model, result, rule=rule, run=run, action="anonymised")
    return result


# Everything on an order that tells who bought it. Kept: order number, status, lines, totals,
# currency, gateway name, country (sales statistics) and the time of the order.
ORDER_BUYER_BLANKS: dict[str, Any] = {
    "first_name": "",
    "last_name": "",
    "company_name": "",
    "street": "",
    "postcode": "",
    "city": "",
    "phone": "",
    "email": "",
    "gateway_transaction_ref": "",
    "company": None,
}
# The restriction (GDPR Art. 18) protected the buyer's data; once they are out of the order, it
# ends, and its reason (which may be the DPO's free text about the person) goes with it.
ORDER_UNRESTRICTED: dict[str, Any] = {
    "is_restricted": False,
    "restricted_at": None,
    "restriction_reason": "",
}


def anonymise_orders(
    model: type[models.Model], ids: Iterable[Any], *, rule: str, run: RetentionRun | None = None
) -> PurgeResult:
    """Take the buyer out of webshop orders whose bookkeeping period has ended."""
    result = PurgeResult()
    with transaction.atomic():
        ids = _unheld(model, list(dict.fromkeys(ids)), result)
        rows = list(
            WebshopOrder._base_manager.select_for_update()
            .filter(pk__in=ids, anonymised_at__isnull=True)
            .values_list("pk", "public_id")
        )
        if rows:
            pks = [pk for pk, _ in rows]
            _scrub(model, pks, by_record=True)
            updated = WebshopOrder._base_manager.filter(pk__in=pks).update(
                **ORDER_BUYER_BLANKS, **ORDER_UNRESTRICTED, anonymised_at=timezone.now()
            )
            result.people = updated
            result.counts[model._meta.label_lower] = updated
            result.tombstones = write_tombstones(
                model, (ref for _, ref in rows), rule=rule, run=run
            )
        if result.people or result.held:
            audit_purge(model, result, rule=rule, run=run, action="anonymised")
    return result
