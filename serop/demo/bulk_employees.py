"""Row generators for the bulk seed's companies and employees (see ``bulk_rows``)."""

import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal

from privacy.encryption import blind_index, encrypt
from serop.validators import normalize_cpr

from . import danish, pools
from .bulk_rows import RowBase

PAYSLIP_AMOUNTS = (
    "hours",
    "gross_pay",
    "am_contribution",
    "a_tax",
    "pension_employee",
    "pension_employer",
    "holiday_pay",
    "net_pay",
)


class EmployeeRows(RowBase):
    """Companies with their contacts, and employees with payslips, absence and assignments."""

    def companies_rows(self, first_id: int, count: int) -> Iterator[tuple]:
        """Companies with unique CVR numbers made from their ids (bodies 2000000 + id, for ids
        below 7 000 000; the demo seed uses 9000000 up, the test factories 1000000 up). Where
        modulus 11 leaves no check digit for an id, the company is a prospect without CVR."""
        r, days = self.rng.random, self.days
        for cid in range(first_id, first_id + count):
            name = self.pick(self.companies)
            postcode, city = self.pick(self.postcodes)
            cvr = danish.cvr_from_body(2_000_000 + cid % 7_000_000)
            status = "prospect" if cvr is None else "ended" if r() < 0.1 else "active"
            since = 60 + int(r() * 4000)
            yield (
                cid,
                name,
                cvr,
                f"B{cid:07d}",
                f"{self.pick(self.streets)} {1 + int(r() * 200)}",
                postcode,
                city,
                self.phone(),
                f"kontakt@firma{cid}.example.com",
                status,
                None if cvr is None else days[since],
                days[int(r() * since)] if status == "ended" else None,
                self.stamp(since),
                self.stamp(0),
            )

    def contacts(self, first_id: int, count: int) -> Iterator[tuple]:
        titles = ("Direktør", "HR-chef", "Driftsleder", "Bogholder", "Indkøber")
        for company_id in range(first_id, first_id + count):
            for j in range(1 + int(self.rng.random() * 3)):
                first, last, local, _ = self.person()
                yield (
                    str(uuid.uuid4()),
                    "f",
                    None,
                    "",
                    company_id,
                    first,
                    last,
                    self.pick(titles),
                    f"{local}@firma{company_id}.example.com",
                    self.phone(),
                    "t" if j == 0 else "f",
                )

    # --- employees -------------------------------------------------------------------------
    def employees(
        self, first_id: int, count: int, candidate_ids: range, spans: list
    ) -> Iterator[tuple]:
        """Employee rows with encrypted CPR (and its blind index), ID document and bank
        account. Appends (id, start days ago, end days ago or None) to ``spans``."""
        r = self.rng
        for k, eid in enumerate(range(first_id, first_id + count)):
            first, last, local, female = self.person()
            end = None
            if r.random() < 0.3:
                end = 30 + int(r.random() * 2900)  # some ended more than five years ago
            start = (end or 0) + 380 + int(r.random() * 3000)
            birth = self.today - timedelta(days=start + 18 * 365 + int(r.random() * 40 * 365))
            cpr = danish.cpr_for(birth, r, female=female)
            reg_no, account_no = danish.bank_account(r)
            postcode, city = self.pick(self.postcodes)
            linked = 2 * k < len(candidate_ids)
            spans.append((eid, start, end))
            yield (
                eid,
                str(uuid.uuid4()),
                "f",
                None,
                "",
                candidate_ids[2 * k] if linked else None,
                f"B{eid:07d}",
                first,
                last,
                f"{local}.{eid}@{self.pick(danish.EMAIL_DOMAINS)}",
                self.phone(),
                f"{self.pick(self.streets)} {1 + int(r.random() * 140)}",
                postcode,
                city,
                birth.isoformat(),
                "female" if female else "male",
                "da",
                "DK",
                encrypt(cpr),
                blind_index(normalize_cpr(cpr)),
                "passport",
                encrypt(f"{r.randrange(10**8, 10**9)}"),
                (self.today + timedelta(days=400 + int(r.random() * 3000))).isoformat(),
                "not_required",
                None,
                "temp",
                self.days[start],
                self.days[end] if end else None,
                f"serop.b{eid}",
                encrypt(reg_no),
                encrypt(account_no),
                self.pick(pools.PENSION_COMPANIES),
                "",
                "",
                self.stamp(start),
                self.stamp(end or 0),
            )

    def payslips(self, spans: list, months: int = 12) -> Iterator[tuple]:
        """The last ``months`` monthly payslips of each employment, amounts encrypted."""
        r = self.rng
        allowance = Decimal("4300.00")
        for eid, start, end in spans:
            last_day = self.today - timedelta(days=end or 1)
            first_day = self.today - timedelta(days=start)
            rate = Decimal(150 + int(r.random() * 85))
            month = last_day.replace(day=1)
            for _ in range(months):
                if month < first_day.replace(day=1):
                    break
                period_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                hours = Decimal(6000 + int(r.random() * 10033)) / 100
                amounts = danish.payslip_amounts(
                    hours, rate, tax_rate=Decimal("0.38"), monthly_allowance=allowance
                )
                yield (
                    eid,
                    month.isoformat(),
                    period_end.isoformat(),
                    period_end.isoformat(),
                    *(encrypt(format(amounts[k], "f")) for k in PAYSLIP_AMOUNTS),
                )
                month = (month - timedelta(days=1)).replace(day=1)

    def absences(self, spans: list) -> Iterator[tuple]:
        r, days = self.rng.random, self.days
        kinds = ("sick", "sick", "vacation", "child_sick", "leave")
        for eid, start, end in spans:
            for _ in range(int(r() * 3)):
                begins = (end or 0) + 10 + int(r() * (start - (end or 0) - 10))
                length = 1 + int(r() * 5)
                yield (
                    eid,
                    kinds[int(r() * len(kinds))],
                    days[begins],
                    days[max(begins - length + 1, 0)],
                    f"{length}.0",
                    "",
                )

    def assignments(self, spans: list, company_ids: Sequence[int]) -> Iterator[tuple]:
        if not company_ids:
            return
        r, days = self.rng.random, self.days
        for eid, start, end in spans:
            yield (
                eid,
                company_ids[int(r() * len(company_ids))],
                self.pick(pools.JOB_TYPES),
                "",
                days[start],
                days[end] if end else None,
                "37.0",
            )
