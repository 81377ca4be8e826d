"""The candidate list never counts a long list row by row: it counts up to a cap, exactly, and
beyond it takes the planner's estimate (candidates/admin/pagination.py). Timings are in
bench/admin_changelist.py, not here."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.admin.pagination import EstimatedCountPaginator
from candidates.models import Candidate
from privacy.roles import Role
from privacy.services import person_restrict
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:candidates_candidate_changelist")


@pytest.fixture
def recruiter(client):
    user = User.objects.create_user(username="rita", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.RECRUITER))
    client.force_login(user)
    return user


@pytest.fixture
def cap_of_five(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 5)


def analyze_candidates():
    # ANALYZE counts the rows this test's own transaction inserted as live.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE candidates_candidate")


def test_a_short_list_is_counted_exactly_without_its_restricted_rows(client, recruiter):
    hidden, *_ = CandidateFactory.create_batch(3)
    person_restrict(person=hidden, reason="contests accuracy")
    response = client.get(CHANGELIST)
    assert response.context["cl"].result_count == 2


def test_a_short_filtered_or_searched_list_is_counted_exactly(client, recruiter):
    CandidateFactory.create_batch(4)
    pending = CandidateFactory.create_batch(2, status=Candidate.Status.PENDING)
    filtered = client.get(CHANGELIST, {"status__exact": Candidate.Status.PENDING})
    assert filtered.context["cl"].result_count == 2
    searched = client.get(CHANGELIST, {"q": pending[0].email.upper()})
    assert list(searched.context["cl"].result_list) == [pending[0]]
    assert searched.context["cl"].result_count == 1


@pytest.mark.parametrize(
    "params", [{}, {"status__exact": "active"}, {"activity": "active"}], ids=str
)
def test_a_long_list_is_counted_no_further_than_the_cap(client, recruiter, cap_of_five, params):
    CandidateFactory.create_batch(12)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, params)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts)
    assert response.context["cl"].result_count >= 6
    assert len(response.context["cl"].result_list) == 12  # one page of 100 shows them all


def test_beyond_the_cap_the_total_is_the_planners_estimate(cap_of_five):
    CandidateFactory.create_batch(30)
    CandidateFactory.create_batch(10, status=Candidate.Status.PENDING)
    analyze_candidates()
    active = Candidate.objects.filter(status=Candidate.Status.ACTIVE).exclude(is_restricted=True)
    count = EstimatedCountPaginator(active, per_page=10).count
    assert 25 <= count <= 35  # the estimate of 30 rows, far above the cap's 6


def test_a_list_that_is_not_a_queryset_is_counted_exactly(cap_of_five):
    assert EstimatedCountPaginator(list(range(12)), per_page=5).count == 12


def test_the_search_by_email_can_use_the_lower_email_index(recruiter):
    CandidateFactory.create_batch(30)
    analyze_candidates()  # the planner then knows an email matches one row
    request = RequestFactory().get(CHANGELIST)
    request.user = recruiter
    model_admin = admin.site._registry[Candidate]
    found, _ = model_admin.get_search_results(
        request, model_admin.get_queryset(request), "Kandidat1@Example.DK"
    )
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small would be read
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Cond: (lower((email)::text) = " in plan
