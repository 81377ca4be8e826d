"""Webshop orders are person records: an erasure request restricts a private buyer's order (kept
for the Bookkeeping Act) instead of leaving it visible, and the retention job still anonymises
it on its date. Existing orders got a distinct ``public_id`` each from the migration."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from customers import models as km
from privacy import access
from privacy.audit import MASK, Action, audit
from privacy.erasure import erasure_execute, erasure_proposal
from privacy.models import AuditEntry
from privacy.roles import Role
from privacy.subject_requests import subject_request_verify
from retention.anonymise import anonymise_orders
from retention.models import RetentionRun, Tombstone
from tests.factories import WebshopOrderFactory, request_for

PLACED = timezone.make_aware(dt.datetime(2024, 3, 1, 12))
KEPT_UNTIL = dt.date(2029, 12, 31)  # 5 years after the end of the financial year 2024


def order(number, email, **kwargs):
    return WebshopOrderFactory(order_number=number, email=email, placed_at=PLACED, **kwargs)


def staff(role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def dpo():
    return staff(Role.DPO)


@pytest.fixture
def erased(dpo):
    """A private buyer's order restricted by the buyer's erasure request, and a neighbour's."""
    mine, other = order("W-1", "mette@example.dk"), order("W-2", "nabo@example.dk")
    km.OrderLine.objects.create(order=mine, product="Kontrakt", unit_price=Decimal("499.00"))
    request = request_for(mine, actor=dpo)
    subject_request_verify(request=request, method="email_on_file", actor=dpo)
    request.refresh_from_db()
    proposal = erasure_proposal(request)
    erasure_execute(request, confirmed=[d for d in proposal if d.is_root], actor=dpo)
    mine.refresh_from_db()
    return {"order": mine, "other": other, "request": request}


@pytest.mark.django_db
def test_the_erasure_proposal_restricts_an_order_until_the_accounting_date(dpo):
    mine = order("W-1", "mette@example.dk")
    request = request_for(mine, actor=dpo)
    (decided,) = [d for d in erasure_proposal(request) if d.is_root]
    assert (decided.action, decided.until, decided.rule) == (
        "restrict",
        KEPT_UNTIL,
        "accounting_record",
    )


@pytest.mark.django_db
def test_an_order_restricted_by_an_erasure_request_keeps_its_data_under_the_flag(erased):
    mine = erased["order"]
    assert mine.is_restricted and KEPT_UNTIL.isoformat() in mine.restriction_reason
    assert erased["request"].reference in mine.restriction_reason
    # The Bookkeeping Act keeps every field of the order: nothing was emptied.
    assert (mine.email, mine.first_name, mine.street) == (
        "mette@example.dk",
        "Mette",
        "Bredgade 1",
    )
    assert mine.lines.count() == 1


@pytest.mark.django_db
def test_a_restricted_order_is_invisible_to_an_account_manager(client, erased):
    mine, other = erased["order"], erased["other"]
    manager = staff(Role.ACCOUNT_MANAGER)
    client.force_login(manager)
    listed = client.get(reverse("admin:customers_webshoporder_changelist"))
    assert list(listed.context["cl"].result_list) == [other]
    page = client.get(reverse("admin:customers_webshoporder_change", args=[mine.pk]))
    assert page.status_code == 302  # "does not exist", back to the list
    # Its lines go with it (the order's inline): the registry's ``person`` path is the order.
    assert not access.visible_queryset(manager, km.OrderLine.objects.all()).exists()
    names = {n for n, _label in listed.context["action_form"].fields["action"].choices}
    assert not names & {"restrict_processing", "lift_restriction"}

    url = reverse("admin:customers_webshoporder_export")
    fields = client.get(url).context["form"].fields
    data = {name: "on" for name, f in fields.items() if getattr(f, "is_selectable_field", False)}
    response = client.post(url, {"format": "0", "resource": "0", **data})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["W-2"]
    assert "mette@example.dk" not in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_the_dpo_sees_a_restricted_order_and_can_lift_the_restriction(client, erased, dpo):
    mine, other = erased["order"], erased["other"]
    client.force_login(dpo)
    url = reverse("admin:customers_webshoporder_changelist")
    listed = client.get(url)
    assert set(listed.context["cl"].result_list) == {mine, other}
    names = {n for n, _label in listed.context["action_form"].fields["action"].choices}
    assert {"restrict_processing", "lift_restriction"} <= names
    page = client.get(reverse("admin:customers_webshoporder_change", args=[mine.pk]))
    assert page.status_code == 200

    client.post(url, {"action": "lift_restriction", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert not mine.is_restricted


@pytest.mark.django_db
def test_a_restricted_order_is_still_anonymised_on_its_date(erased):
    mine = erased["order"]
    audit(Action.CHANGE, obj=mine, fields=["city"], changes={"city": ("Slagelse", "Sorø")})
    # An entry written before orders had a public_id: by record only.
    AuditEntry.objects.create(
        action=Action.CHANGE,
        object_type="customers.webshoporder",
        object_id=str(mine.pk),
        fields=["street"],
        changes={"street": ["Bredgade 1", "Bredgade 2"]},
    )
    run = RetentionRun.objects.create(rule="accounting_record", as_of=timezone.localdate())

    result = anonymise_orders(km.WebshopOrder, [mine.pk], rule="accounting_record", run=run)

    mine.refresh_from_db()
    assert result.people == 1 and mine.anonymised_at is not None
    assert (mine.first_name, mine.email, mine.street) == ("", "", "")
    # Nothing of the buyer is left to protect: the sale is no longer hidden.
    assert not mine.is_restricted and mine.restriction_reason == "" and mine.restricted_at is None
    stone = Tombstone.objects.get(run=run)
    assert stone.subject_ref == mine.public_id and stone.model == "customers.webshoporder"
    about = AuditEntry.objects.filter(object_type="customers.webshoporder", object_id=str(mine.pk))
    recorded = [e.changes for e in about if e.changes]
    assert recorded and all(v == [MASK, MASK] for c in recorded for v in c.values())


# --- the migration ------------------------------------------------------------------------------
BEFORE = [("customers", "0004_newsletter_issue")]
AFTER = [("customers", "0007_webshoporder_public_id_unique")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_existing_order_its_own_public_id():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old_apps = executor.loader.project_state(BEFORE).apps
        OldOrder = old_apps.get_model("customers", "WebshopOrder")
        for number in ("W-1", "W-2", "W-3"):
            OldOrder.objects.create(
                order_number=number,
                first_name="A",
                last_name="B",
                street="Vej 1",
                postcode="4200",
                city="Slagelse",
                phone="20304050",
                email=f"{number}@example.dk",
                total=Decimal("1.00"),
                placed_at=PLACED,
            )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    ids = list(km.WebshopOrder.objects.values_list("public_id", flat=True))
    assert len(ids) == 3 and None not in ids and len(set(ids)) == 3
    assert not km.WebshopOrder.objects.filter(is_restricted=True).exists()
    # New orders get one of their own.
    assert order("W-4", "w4@example.dk").public_id not in ids
