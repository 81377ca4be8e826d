"""Lookups by email address on the public paths are answered by the ``Lower("email")``
indexes. ``email__iexact`` compiles to UPPER(email) = UPPER(...) on PostgreSQL, which none of
them matches: at a million candidates every magic-link request and known-address signup would
read the whole table. The queries are captured from the real code paths and explained with
sequential scans priced out, so a plan without the index means no index can answer them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.public.signup import _existing
from candidates.public.tasks import send_login_link
from consents.purposes import ConsentPurpose
from consents.texts import in_force
from customers.newsletter import subscriber_signup
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def email_lookup_plans(run) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run()
    lookups = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and '"email")' in q["sql"]
    ]
    assert lookups, [q["sql"] for q in captured.captured_queries]
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in lookups:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def test_the_signup_finds_a_known_address_through_the_index():
    CandidateFactory(email="mette@example.dk")
    (plan,) = email_lookup_plans(lambda: _existing("METTE@example.dk"))
    assert "candidate_email_unique_ci" in plan, plan
    assert _existing("METTE@example.dk") is not None


def test_the_sign_in_link_task_finds_the_address_through_the_index():
    CandidateFactory(email="mette@example.dk")
    (plan,) = email_lookup_plans(lambda: send_login_link.run("Mette@Example.dk "))
    assert "candidate_email_unique_ci" in plan, plan
    assert send_login_link.run("Mette@Example.dk ") is True


def test_the_newsletter_signup_finds_the_address_through_the_index(rf):
    text = in_force([ConsentPurpose.NEWSLETTER])[ConsentPurpose.NEWSLETTER]
    request = rf.post("/")
    plans = email_lookup_plans(
        lambda: subscriber_signup(
            email="Mette@Example.dk", language="da", text_id=text.pk, request=request
        )
    )
    assert any("subscriber_email_unique_ci" in plan for plan in plans), plans
