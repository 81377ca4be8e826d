"""Demo employees (policy §10): temps and consultants with CPR numbers, bank accounts,
assignments at customers, 12-60 monthly payslips and absence.

Some employments ended within the last five years (kept for the books), some more than five
years ago (due for deletion: the retention demo), the rest are current.
"""

from datetime import date, timedelta
from decimal import Decimal

from customers.models import Company
from employees.models import AbsenceRecord, Assignment, Employee, PayrollRecord
from serop.choices import EmploymentForm, Gender, Language

from . import danish, pools
from .candidates import Profile
from .context import DemoContext, backdate, number_base

E = Employee
NON_EU = {
    "IN": E.WorkPermit.PAY_LIMIT,
    "PH": E.WorkPermit.POSITIVE_LIST,
    "UA": E.WorkPermit.OTHER,
    "US": E.WorkPermit.FAST_TRACK,
}
NATIONALITIES = ("DK",) * 12 + ("PL", "PL", "RO", "LT", "SE", "DE", "IN", "PH", "UA", "US")


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month up to ``last``'s month."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _employment(ctx: DemoContext, i: int) -> tuple[date, date | None]:
    today = ctx.today
    if i % 8 == 7:  # ended more than five years ago
        end = ctx.date_between(
            today - timedelta(days=8 * 365), today - timedelta(days=5 * 365 + 40)
        )
    elif i % 5 == 3:  # ended within the last five years
        end = ctx.date_between(today - timedelta(days=4 * 365), today - timedelta(days=30))
    else:
        end = None
    months = ctx.rng.randint(13, 72)
    start = (end or today) - timedelta(days=int(months * 30.5))
    return start, end


def _employee(ctx: DemoContext, i: int, number: int, profile: Profile | None) -> Employee:
    person = profile.person if profile else ctx.person()
    start, end = _employment(ctx, i)
    nationality = "DK" if profile else ctx.pick(NATIONALITIES)
    birth = ctx.birth_date(20, 63)
    birth = min(birth, start - timedelta(days=18 * 365 + 5))  # of age when hired
    street, postcode, city = ctx.address()
    if profile:  # what the CV-bank profile says, where it says it
        c = profile.candidate
        birth = c.birth_date or birth
        if c.street:
            street, postcode, city = c.street, c.postcode, c.city
    reg_no, account_no = danish.bank_account(ctx.rng)
    form = ctx.pick(
        (
            EmploymentForm.TEMP,
            EmploymentForm.TEMP,
            EmploymentForm.CONSULTANT,
            EmploymentForm.PERMANENT,
        )
    )
    id_type = ctx.pick(E.IdDocument.values) if nationality == "DK" else E.IdDocument.PASSPORT
    permit = NON_EU.get(nationality, E.WorkPermit.NOT_REQUIRED)
    permit_expires = None
    if permit != E.WorkPermit.NOT_REQUIRED:  # one expires within a month: a reminder to act on
        low, high = (5, 30) if i % 2 else (120, 900)
        permit_expires = ctx.today + timedelta(days=ctx.rng.randint(low, high))
    kin = ctx.person()
    employee = Employee(
        candidate=profile.candidate if profile else None,
        employee_number=f"M{number:05d}",
        first_name=person.first_name,
        last_name=person.last_name,
        email=profile.candidate.email if profile else ctx.email(person, number),
        phone=profile.candidate.phone if profile else ctx.phone(),
        street=street,
        postcode=postcode,
        city=city,
        birth_date=birth,
        gender=Gender.FEMALE if person.female else Gender.MALE,
        language=Language.DANISH if nationality == "DK" or i % 3 else Language.ENGLISH,
        nationality=nationality,
        cpr=danish.cpr_for(birth, ctx.rng, female=person.female),
        id_document_type=id_type,
        id_document_number=f"{ctx.rng.randrange(10**8, 10**9)}",
        id_document_expires=ctx.today + timedelta(days=ctx.rng.randint(60, 3500)),
        work_permit_type=permit,
        work_permit_expires=permit_expires,
        employment_form=form,
        employment_start=start,
        employment_end=end,
        shift_planning_username=""
        if form == EmploymentForm.PERMANENT
        else f"serop.{danish.ascii_slug(person.first_name)}{number}",
        bank_reg_no=reg_no,
        bank_account_no=account_no,
        pension_company=ctx.pick(pools.PENSION_COMPANIES),
        emergency_contact_name=kin.name,
        emergency_contact_phone=ctx.phone(),
    )
    if i == 3:  # asked to be erased; kept for the books, so restricted instead (Art. 17(3)(b))
        employee.is_restricted = True
        employee.restricted_at = ctx.days_ago(3, 40)
        employee.restriction_reason = (
            "Anmodning om sletning. Løn- og ansættelsesdata opbevares efter bogføringsloven; "
            "behandlingen er begrænset (GDPR art. 18)."
        )
    return employee


def _payslips(ctx: DemoContext, employee: Employee) -> list[PayrollRecord]:
    last_day = employee.employment_end or ctx.today.replace(day=1) - timedelta(days=1)
    months = month_starts(employee.employment_start, last_day)[-60:]
    rate = Decimal(ctx.rng.randint(150, 235))
    tax_rate = Decimal(ctx.rng.choice(("0.37", "0.38", "0.39", "0.40")))
    slips = []
    for first in months:
        end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        hours = Decimal(ctx.rng.randint(6000, 16033)) / 100
        amounts = danish.payslip_amounts(
            hours, rate, tax_rate=tax_rate, monthly_allowance=Decimal("4300.00")
        )
        slips.append(
            PayrollRecord(
                employee=employee, period_start=first, period_end=end, paid_on=end, **amounts
            )
        )
    return slips


def _absences(ctx: DemoContext, employee: Employee) -> list[AbsenceRecord]:
    last_day = employee.employment_end or ctx.today
    absences = []
    for _ in range(ctx.rng.randint(1, 4)):
        kind = ctx.pick(AbsenceRecord.Kind.values)
        starts = ctx.date_between(employee.employment_start, last_day - timedelta(days=14))
        length = {"vacation": 10, "parental": 60}.get(kind, 3)
        ends = starts + timedelta(days=ctx.rng.randint(0, length))
        note = {"sick": 0, "vacation": 1, "parental": 2, "child_sick": 3}.get(kind, 4)
        absences.append(
            AbsenceRecord(
                employee=employee,
                kind=kind,
                starts_on=starts,
                ends_on=ends,
                days=Decimal((ends - starts).days + 1),
                note=pools.ABSENCE_NOTES[note],
            )
        )
    return absences


def _assignments(
    ctx: DemoContext, employee: Employee, customers: list[Company]
) -> list[Assignment]:
    last_day = employee.employment_end or ctx.today
    assignments = []
    starts = employee.employment_start
    for j in range(ctx.rng.randint(1, 3)):
        company = ctx.pick(customers)
        current = employee.employment_end is None and j == 0
        ended = None if current else ctx.date_between(starts, last_day)
        assignments.append(
            Assignment(
                employee=employee,
                company=company,
                title=ctx.pick(pools.JOB_TYPES),
                location=company.city,
                started_on=starts,
                ended_on=ended,
                hours_per_week=ctx.pick((Decimal("37.0"), Decimal("30.0"), Decimal("20.0"), None)),
            )
        )
        if current:
            break
        starts = ended or starts
    return assignments


def seed_employees(
    ctx: DemoContext, count: int, profiles: list[Profile], companies: list[Company]
) -> None:
    base = number_base(Employee)
    # Hired from the CV bank: active profiles of people old enough for any demo employment.
    oldest_start = ctx.today - timedelta(days=15 * 365 + 18 * 365)
    placed = [
        p
        for p in profiles
        if p.candidate.status == "active"
        and not p.candidate.is_restricted
        and (p.candidate.birth_date is None or p.candidate.birth_date < oldest_start)
    ][: count // 3]
    employees = [
        _employee(ctx, i, base + i + 1, placed[i] if i < len(placed) else None)
        for i in range(count)
    ]
    Employee.objects.bulk_create(employees)
    customers = [c for c in companies if c.customer_since] or companies
    payslips, absences, assignments = [], [], []
    for employee in employees:
        payslips += _payslips(ctx, employee)
        absences += _absences(ctx, employee)
        assignments += _assignments(ctx, employee, customers)
    PayrollRecord.objects.bulk_create(payslips)
    AbsenceRecord.objects.bulk_create(absences)
    Assignment.objects.bulk_create(assignments)
    backdate(
        Employee,
        {
            e.pk: {
                "created_at": ctx.at(e.employment_start - timedelta(days=7)),
                "updated_at": ctx.at(e.employment_end or ctx.today),
            }
            for e in employees
        },
    )
    ctx.count("employees.Employee", len(employees))
    ctx.count("employees.PayrollRecord", len(payslips))
    ctx.count("employees.AbsenceRecord", len(absences))
    ctx.count("employees.Assignment", len(assignments))
