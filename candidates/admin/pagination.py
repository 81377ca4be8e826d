"""A changelist paginator that does not count a large table on every page load."""

import json
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``exact_up_to`` rows; beyond that, takes PostgreSQL's estimate.

    Django's changelist asks the paginator for ``count`` on every page load, and a plain
    ``COUNT(*)`` reads every row the list selects: the whole table when it is unfiltered
    (restricted rows excluded, as ``PersonalDataAdmin`` does for all but the DPO, still leaves
    nearly all of it), most of it under a broad filter such as "status: active". So the count
    stops at ``exact_up_to + 1`` rows (``COUNT(*)`` over a ``LIMIT`` subquery): a list that
    short gets its exact total, whatever filters and searches made it. A longer one gets the
    planner's estimate of its rows (``EXPLAIN``, from the statistics that (auto)analyze keeps),
    never less than the rows just counted. Such a total can be a little off, so the last
    page can come out short or empty; nobody pages through ten thousand rows, they narrow the
    list instead. Other databases than PostgreSQL are counted exactly.
    """

    exact_up_to = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        # The order does not change a count; without it the database can stop at any rows.
        unordered = queryset.order_by()
        counted = unordered[: self.exact_up_to + 1].count()
        if counted <= self.exact_up_to:
            return counted
        return max(counted, planner_estimate(unordered))


def planner_estimate(queryset: QuerySet[Any]) -> int:
    """The rows PostgreSQL's planner expects ``queryset`` to return, without running it."""
    query, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {query}", params)
        row: Any = cursor.fetchone()
    plan = json.loads(row[0]) if isinstance(row[0], str | bytes) else row[0]
    return int(plan[0]["Plan"]["Plan Rows"])
