"""What every part of the demo seed shares: the random generator, the value pools, "now", the
staff logins and the lookup rows; plus small helpers to make people, times and numbers."""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Case, Max, Value, When

from candidates.models import Area, JobType
from consents.models import ConsentText

from . import danish
from .pools import Pools

T = TypeVar("T")


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    female: bool

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class PendingConsent:
    """A consent a demo person gave (and maybe withdrew), written by ``consents``."""

    purpose: str
    given_at: datetime
    candidate: Any = None
    subscriber: Any = None
    withdrawn_at: datetime | None = None


@dataclass
class DemoContext:
    rng: random.Random
    pools: Pools
    now: datetime
    users: dict[str, User]
    job_types: list[JobType]
    areas: list[Area]
    consent_texts: dict[str, ConsentText]
    consents: list[PendingConsent] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.now.date()

    # --- picking ---------------------------------------------------------------------------
    def pick(self, values: Sequence[T]) -> T:
        return self.rng.choice(values)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def person(self) -> Person:
        female = self.chance(0.5)
        names = self.pools.female_first_names if female else self.pools.male_first_names
        return Person(self.pick(names), self.pick(self.pools.last_names), female)

    def email(self, person: Person, number: int) -> str:
        local = f"{danish.ascii_slug(person.first_name)}.{danish.ascii_slug(person.last_name)}"
        return f"{local}{number}@{self.pick(danish.EMAIL_DOMAINS)}"

    def phone(self, *, landline: bool = False) -> str:
        return danish.phone(self.rng, landline=landline)

    def address(self) -> tuple[str, str, str]:
        """(street and number, postcode, city)."""
        postcode, city, _ = self.pick(danish.POSTCODES)
        return f"{self.pick(self.pools.streets)} {self.rng.randint(1, 140)}", postcode, city

    # --- time ------------------------------------------------------------------------------
    def days_ago(self, low: float, high: float) -> datetime:
        """An aware moment between ``high`` and ``low`` days before now."""
        return self.now - timedelta(days=self.rng.uniform(low, high))

    def between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    def date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def at(self, day: date, hours: float = 9) -> datetime:
        """``hours`` into ``day`` (UTC), but never later than now."""
        return min(datetime.combine(day, time(), UTC) + timedelta(hours=hours), self.now)

    def birth_date(self, youngest: int = 18, oldest: int = 64) -> date:
        return self.today - timedelta(days=self.rng.randint(youngest * 365 + 5, oldest * 365))

    def count(self, label: str, n: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + n


def number_base(model: type[models.Model]) -> int:
    """The highest primary key so far: demo numbers (e-mail suffixes, employee and customer
    numbers) count on from it, so a second demo seed never collides with the first."""
    return model._default_manager.aggregate(m=Max("pk"))["m"] or 0


def backdate(model: type[models.Model], values: dict[int, dict[str, Any]]) -> None:
    """Set ``auto_now``/``auto_now_add`` fields to past moments, which ``bulk_create`` cannot:
    one UPDATE per field with a CASE over the primary keys."""
    if not values:
        return
    names = {name for row in values.values() for name in row}
    for name in sorted(names):
        pks = [pk for pk, row in values.items() if name in row]
        whens = [When(pk=pk, then=Value(values[pk][name])) for pk in pks]
        output = model._meta.get_field(name)
        model._default_manager.filter(pk__in=pks).update(
            **{name: Case(*whens, output_field=output)}  # type: ignore[arg-type]
        )
