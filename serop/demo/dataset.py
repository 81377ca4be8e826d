"""The demo data set behind ``manage.py seed_demo``: every model of the data-subject apps,
every field filled somewhere, in one transaction, written directly with the ORM (no services:
this is made-up history, not things happening now: the few audit entries are made up too)."""

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import accountability, candidates, consents, customers, employees, postings, reference
from .context import DemoContext
from .pools import Pools


@dataclass(frozen=True)
class DemoSize:
    candidates: int = 60
    employees: int = 25
    companies: int = 15
    postings: int = 10
    disclosures: int = 12
    orders: int = 20
    subscribers: int = 30
    enquiries: int = 15


def seed_demo_dataset(*, seed: int, password: str, size: DemoSize | None = None) -> dict[str, int]:
    """Write the demo data set; return how many rows of each model it wrote."""
    size = size or DemoSize()
    with transaction.atomic():
        users = reference.ensure_staff_users(password)
        ctx = DemoContext(
            rng=random.Random(seed),
            pools=Pools.build(seed),
            now=timezone.now(),
            users=users,
            job_types=reference.ensure_job_types(),
            areas=reference.ensure_areas(),
            consent_texts=reference.ensure_consent_texts(),
        )
        ctx.count("auth.User (demo staff)", sum(map(reference.is_demo_login, users.values())))
        ctx.count("consents.ConsentText", len(ctx.consent_texts))
        companies = customers.seed_companies(ctx, size.companies)
        customers.seed_subscriptions(ctx, companies)
        customers.seed_webshop(ctx, companies, size.orders)
        customers.seed_marketing(ctx, companies)
        customers.seed_subscribers(ctx, size.subscribers)
        customers.seed_enquiries(ctx, size.enquiries)
        profiles = candidates.seed_candidates(ctx, size.candidates)
        jobs = postings.seed_postings(ctx, companies, profiles, size.postings)
        postings.seed_disclosures(ctx, profiles, jobs, size.disclosures)
        employees.seed_employees(ctx, size.employees, profiles, companies)
        consents.seed_consent_records(ctx)
        accountability.seed_accountability(ctx, [p.candidate for p in profiles])
    return dict(sorted(ctx.counts.items()))
