"""Row generators for the bulk seed: tuples in COPY column order, made fast.

Speed comes from doing per row only what must differ per row: names, streets, dates and
texts are picked by index from pools built once (``int(random() * n)`` is the cheapest pick in
CPython), timestamps are glued from precomputed day and time strings, and values are handed to
COPY as text. Faker is never called per row. Each generator yields rows for a range of
reserved ids and needs only a per-batch amount of memory.
"""

import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import TypeVar

from candidates.activity import ActivityKind
from privacy.encryption import encrypt

from . import danish, pools
from .pools import Pools

DAYS_BACK = 7000  # ~19 years of day strings: employments, educations, signups
CANDIDATE_ACTIVITY_DAYS = 425  # last activity over ~14 months: some past the 12-month clean-up
T = TypeVar("T")
ACTIVITY_KINDS = (
    ActivityKind.PROFILE_UPDATED,
    ActivityKind.SELF_SERVICE_LOGIN,
    ActivityKind.KEPT_PROFILE,
    ActivityKind.APPLIED,
    ActivityKind.CONTACT_WITH_STAFF,
    ActivityKind.CONSENT_CHANGED,
)


class RowBase:
    """Pools and pickers shared by the row generators."""

    def __init__(self, *, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        p = Pools.build(seed)
        self.female = [(n, danish.ascii_slug(n)) for n in p.female_first_names]
        self.male = [(n, danish.ascii_slug(n)) for n in p.male_first_names]
        self.last = [(n, danish.ascii_slug(n)) for n in p.last_names]
        self.streets, self.jobs, self.companies = p.streets, p.jobs, p.companies
        self.postcodes = [(pc, city) for pc, city, _ in danish.POSTCODES]
        self.days = [(today - timedelta(days=k + 1)).isoformat() for k in range(DAYS_BACK)]
        self.times = [
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(0, 86400, 10)
        ]
        self.births = [
            (today - timedelta(days=d)).isoformat() for d in range(18 * 365, 64 * 365, 3)
        ]
        self.today = today

    # --- small pickers (used where a row needs several of the same kind) ---------------
    def pick(self, values: Sequence[T]) -> T:
        return values[int(self.rng.random() * len(values))]

    def stamp(self, days_ago: int) -> str:
        return f"{self.days[days_ago]} {self.times[int(self.rng.random() * 8640)]}+00"

    def phone(self) -> str:
        r = self.rng.random
        prefixes = danish.MOBILE_PREFIXES
        return f"{prefixes[int(r() * len(prefixes))]}{int(r() * 1_000_000):06d}"

    def person(self) -> tuple[str, str, str, bool]:
        """(first name, last name, e-mail local part without number, female)."""
        female = self.rng.random() < 0.5
        first, first_slug = self.pick(self.female if female else self.male)
        last, last_slug = self.pick(self.last)
        return first, last, f"{first_slug}.{last_slug}", female


class CandidateRows(RowBase):
    """Candidates and their child rows."""

    def candidates(self, first_id: int, count: int, infos: list) -> Iterator[tuple]:
        """Candidate rows. Appends to ``infos``, for the child rows, one tuple per candidate:
        (id, public_id, created, last_activity, confirmed, has_address, has_birth, criminal)."""
        r = self.rng.random
        days, times, births = self.days, self.times, self.births
        female_names, male_names, last_names = self.female, self.male, self.last
        n_female, n_male, n_last = len(female_names), len(male_names), len(last_names)
        streets, n_streets = self.streets, len(self.streets)
        postcodes, n_postcodes = self.postcodes, len(self.postcodes)
        funds, domains = pools.UNEMPLOYMENT_FUNDS, danish.EMAIL_DOMAINS
        prefixes, n_prefixes = danish.MOBILE_PREFIXES, len(danish.MOBILE_PREFIXES)
        channels = ("cv_bank_form", "cv_bank_form", "cv_bank_form", "email", "job_posting", "staff")
        n_channels, n_domains, n_births = len(channels), len(domains), len(births)
        uuid4, append = uuid.uuid4, infos.append
        for cid in range(first_id, first_id + count):
            female = r() < 0.5
            if female:
                first, first_slug = female_names[int(r() * n_female)]
            else:
                first, first_slug = male_names[int(r() * n_male)]
            last, last_slug = last_names[int(r() * n_last)]
            public_id = str(uuid4())
            last_day = int(r() * CANDIDATE_ACTIVITY_DAYS)
            pending = r() < 0.1
            created_day = last_day if pending else last_day + 1 + int(r() * 1095)
            minute = int(r() * 8000)
            created = f"{days[created_day]} {times[minute]}+00"
            if pending:
                last_activity, confirmed = created, None
            else:
                last_activity = f"{days[last_day]} {times[int(r() * 8640)]}+00"
                confirmed = f"{days[created_day]} {times[minute + 1 + int(r() * 600)]}+00"
            has_address = r() < 0.6
            if has_address:
                street = f"{streets[int(r() * n_streets)]} {1 + int(r() * 140)}"
                postcode, city = postcodes[int(r() * n_postcodes)]
            else:
                street = postcode = city = ""
            has_birth = r() < 0.5
            birth = births[int(r() * n_births)] if has_birth else None
            gender = ("female" if female else "male") if has_birth else ""
            u = r()
            unemployed = "t" if u < 0.3 else "f" if u < 0.8 else None
            fund = funds[int(r() * len(funds))] if u < 0.3 else ""
            criminal = not pending and r() < 0.02
            crim: tuple[str, str | None, str]
            if criminal:  # a small share: real Fernet tokens, as the ORM would write them
                crim = (
                    encrypt("seen_clean"),
                    encrypt(days[last_day][:10]),
                    encrypt(pools.CRIMINAL_RECORD_RELEVANCE[0]),
                )
            else:
                crim = ("", None, "")
            yield (
                cid,
                public_id,
                "f",
                None,
                "",
                "pending" if pending else "active",
                channels[int(r() * n_channels)],
                first,
                last,
                f"{first_slug}.{last_slug}.{cid}@{domains[int(r() * n_domains)]}",
                f"{prefixes[int(r() * n_prefixes)]}{int(r() * 1_000_000):06d}",
                "en" if r() < 0.08 else "da",
                street,
                postcode,
                city,
                birth,
                gender,
                unemployed,
                fund,
                "",
                *crim,
                confirmed,
                created,
                last_activity,
                last_activity,
            )
            append(
                (
                    cid,
                    public_id,
                    created,
                    last_activity,
                    confirmed is not None,
                    has_address,
                    has_birth,
                    criminal,
                )
            )

    def preferences(self, infos: list, id_offset: int) -> Iterator[tuple]:
        r = self.rng.random
        durations = ("any", "any", "short", "medium", "long")
        hours = ("any", "any", "full_time", "part_time")
        notes = pools.PREFERENCE_NOTES
        future = [(self.today + timedelta(days=d)).isoformat() for d in range(1, 90)]
        for info in infos:
            cid = info[0]
            yield (
                cid + id_offset,
                cid,
                "t" if r() < 0.5 else "f",
                "t" if r() < 0.8 else "f",
                "t" if r() < 0.2 else "f",
                durations[int(r() * len(durations))],
                hours[int(r() * len(hours))],
                future[int(r() * len(future))] if r() < 0.4 else None,
                notes[int(r() * len(notes))] if r() < 0.3 else "",
            )

    def preference_links(
        self, infos: list, id_offset: int, targets: list[int], max_links: int
    ) -> Iterator[tuple]:
        """m2m rows (jobpreference_id, target_id): 1 to ``max_links`` distinct targets each."""
        r, n = self.rng.random, len(targets)
        for info in infos:
            pid = info[0] + id_offset
            first = int(r() * n)
            yield pid, targets[first]
            if max_links > 1 and r() < 0.5:
                yield pid, targets[(first + 1 + int(r() * (n - 1))) % n]

    def educations(self, infos: list) -> Iterator[tuple]:
        r, educations, days = self.rng.random, pools.EDUCATIONS, self.days
        for info in infos:
            for _ in range(1 + (r() < 0.3)):
                institution, title = educations[int(r() * len(educations))]
                ended = 400 + int(r() * 5000)
                yield info[0], institution, title, days[ended + 700 + int(r() * 300)], days[ended]

    def experiences(self, infos: list) -> Iterator[tuple]:
        r, days = self.rng.random, self.days
        employers, jobs = self.companies, self.jobs
        texts = pools.EXPERIENCE_DESCRIPTIONS
        for info in infos:
            for j in range(1 + int(r() * 3)):
                start = 100 + int(r() * 4000)
                ended = None if j == 0 and r() < 0.3 else days[int(r() * start)]
                yield (
                    info[0],
                    "internship" if j == 2 else "job",
                    employers[int(r() * len(employers))],
                    jobs[int(r() * len(jobs))],
                    days[start],
                    ended,
                    texts[int(r() * len(texts))],
                )

    def languages(self, infos: list) -> Iterator[tuple]:
        r, others, levels = self.rng.random, pools.LANGUAGES[1:], ("basic", "good", "fluent")
        for info in infos:
            yield info[0], "Dansk", "native"
            if r() < 0.5:
                yield info[0], others[int(r() * len(others))], levels[int(r() * len(levels))]

    def activities(self, infos: list) -> Iterator[tuple]:
        """Signup at creation; for confirmed profiles, the latest activity at
        ``last_activity_at`` (the retention clock must agree with the history)."""
        r = self.rng.random
        for cid, _, created, last_activity, confirmed, *_ in infos:
            yield cid, "signup", created, None
            if confirmed:
                yield cid, ACTIVITY_KINDS[int(r() * len(ACTIVITY_KINDS))], last_activity, None

    def consents(self, infos: list, text_ids: dict[str, int]) -> Iterator[tuple]:
        """Consent records for what each profile holds: the CV bank, education and languages
        always; address, birth date and criminal record where the profile has them."""
        r, agents = self.rng.random, pools.USER_AGENTS
        always = [text_ids[p] for p in ("cv_bank", "candidate_education", "candidate_languages")]
        address, birth = text_ids["candidate_address"], text_ids["candidate_birth_date"]
        criminal_text = text_ids["candidate_criminal_record"]
        prefixes = danish.IPV4_PREFIXES
        for cid, public_id, created, _, _, has_address, has_birth, criminal in infos:
            ip = f"{prefixes[int(r() * len(prefixes))]}{1 + int(r() * 254)}"
            agent = agents[int(r() * len(agents))]
            texts = [*always]
            if has_address:
                texts.append(address)
            if has_birth:
                texts.append(birth)
            if criminal:
                texts.append(criminal_text)
            for text_id in texts:
                yield public_id, created, "web_form", ip, agent, None, "", cid, None, text_id

    def documents(self, infos: list, store: Callable[[str, bytes], str]) -> Iterator[tuple]:
        """One CV per candidate, a small real PDF written through ``store``."""
        from . import files

        for cid, _, created, *_ in infos:
            content = files.pdf(["Curriculum vitae", f"Kandidat {cid}"])
            name = store("CV.pdf", content)
            yield cid, "cv", name, "CV.pdf", "application/pdf", len(content), created
