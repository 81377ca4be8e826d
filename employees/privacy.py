"""What SEROP holds about its employees (temps and consultants, policy §10), and why.

Employment data rests on the contract (Art. 6(1)(b)), on SEROP's duties as an employer under
tax, bookkeeping and employment law (Art. 6(1)(c)) and on Databeskyttelsesloven §12. An erasure
request does not delete it before its retention ends (Art. 17(3)(b)): it is restricted instead.
"""

from privacy.registry import (
    NOT_PERSONAL,
    NotPersonal,
    PersonalData,
    person_record_fields,
    register,
)
from privacy.taxonomy import Category as C
from privacy.taxonomy import LegalBasis as B
from privacy.taxonomy import Purpose as P
from privacy.taxonomy import Sensitivity, Source, Subject

from .models import AbsenceRecord, Assignment, Employee, PayrollRecord

EMPLOYMENT = "employment_end"
PAYROLL = "payroll"
SYSTEMS = ("microsoft", "simply")  # email and office; hosting (policy §10)
EMPLOYMENT_BASIS = (B.ART6_1B, B.ART6_1C, B.DBL_12)
EMPLOYMENT_PURPOSES = (P.EMPLOYMENT_ADMIN, P.TEMP_STAFFING, P.PERSONNEL)


def employed(
    category: C,
    *,
    purposes: tuple[P, ...] = EMPLOYMENT_PURPOSES,
    basis: tuple[B, ...] = EMPLOYMENT_BASIS,
    retention: str = EMPLOYMENT,
    source: Source = Source.SUBJECT,
    processors: tuple[str, ...] = SYSTEMS,
    sensitivity: Sensitivity | None = None,
    subject: Subject | None = None,
) -> PersonalData:
    """An employment value: kept 5 years after the employment ended (policy §10.7)."""
    return PersonalData(
        category,
        purposes=purposes,
        basis=basis,
        retention=retention,
        source=source,
        processors=processors,
        sensitivity=sensitivity,
        subject=subject,
    )


RECORD_TIMESTAMP = employed(
    C.TECHNICAL, purposes=(P.SECURITY_AUDIT,), basis=(B.ART6_1F,), source=Source.SYSTEM
)


# Identity documents and work permits: the employer must check the right to work
# (Udlændingeloven §59) and keep what it checked.
def right_to_work(sensitivity: Sensitivity | None = None) -> PersonalData:
    return employed(
        C.ID_DOCUMENT,
        purposes=(P.EMPLOYMENT_ADMIN, P.LEGAL_COMPLIANCE),
        basis=(B.ART6_1C, B.DBL_12),
        sensitivity=sensitivity,
    )


# CPR numbers: Databeskyttelsesloven §11, needed for reporting pay to eIndkomst, pension and
# holiday pay (Art. 6(1)(c)).
CPR_PURPOSES = (P.PAYROLL, P.LEGAL_COMPLIANCE)
CPR_BASIS = (B.DBL_11, B.ART6_1C)

register(
    Employee,
    subject=Subject.EMPLOYEE,
    fields={
        **person_record_fields(EMPLOYMENT),
        "id": NOT_PERSONAL,
        "candidate": NotPersonal("link to the same person's CV-bank profile"),
        "employee_number": employed(C.IDENTITY, source=Source.SEROP),
        "first_name": employed(C.IDENTITY),
        "last_name": employed(C.IDENTITY),
        "email": employed(C.CONTACT),
        "phone": employed(C.CONTACT),
        "language": employed(C.CONTACT),
        "street": employed(C.ADDRESS),
        "postcode": employed(C.ADDRESS),
        "city": employed(C.ADDRESS),
        "birth_date": employed(C.DEMOGRAPHIC),
        "gender": employed(C.DEMOGRAPHIC),
        # Nationality decides whether a work permit is needed.
        "nationality": right_to_work(),
        "cpr": employed(C.NATIONAL_ID, purposes=CPR_PURPOSES, basis=CPR_BASIS),
        # A keyed hash (HMAC) of the CPR number, not the number: it can only confirm a CPR
        # number already known to whoever holds the key, so it is stored unencrypted to be
        # searchable. It lives and dies with ``cpr``.
        "cpr_index": employed(
            C.TECHNICAL,
            purposes=CPR_PURPOSES,
            basis=CPR_BASIS,
            source=Source.SYSTEM,
            sensitivity=Sensitivity.ORDINARY,
        ),
        "id_document_type": right_to_work(),
        "id_document_number": right_to_work(Sensitivity.CONFIDENTIAL),
        "id_document_expires": right_to_work(),
        "work_permit_type": right_to_work(),
        "work_permit_expires": right_to_work(),
        "employment_form": employed(C.EMPLOYMENT, source=Source.SEROP),
        "employment_start": employed(C.EMPLOYMENT, source=Source.SEROP),
        "employment_end": employed(C.EMPLOYMENT, source=Source.SEROP),
        # The login at LESSOR Workforce, where temps and consultants see their shifts.
        "shift_planning_username": employed(
            C.TECHNICAL,
            purposes=(P.TEMP_STAFFING,),
            basis=(B.ART6_1B,),
            source=Source.SEROP,
            processors=(*SYSTEMS, "lessor"),
        ),
        "bank_reg_no": employed(C.FINANCIAL, purposes=(P.PAYROLL,), basis=(B.ART6_1B,)),
        "bank_account_no": employed(C.FINANCIAL, purposes=(P.PAYROLL,), basis=(B.ART6_1B,)),
        # Names the pension fund that receives the deductions, not an amount: ordinary, and
        # stored in plain text.
        "pension_company": employed(
            C.PAYROLL,
            purposes=(P.PAYROLL,),
            basis=(B.ART6_1B, B.ART6_1C),
            sensitivity=Sensitivity.ORDINARY,
        ),
        # The emergency contact is a person too; reached only if something happens at work.
        "emergency_contact_name": employed(
            C.NEXT_OF_KIN,
            purposes=(P.PERSONNEL,),
            basis=(B.ART6_1F,),
            subject=Subject.RELATED_PERSON,
        ),
        "emergency_contact_phone": employed(
            C.NEXT_OF_KIN,
            purposes=(P.PERSONNEL,),
            basis=(B.ART6_1F,),
            subject=Subject.RELATED_PERSON,
        ),
        "created_at": RECORD_TIMESTAMP,
        "updated_at": RECORD_TIMESTAMP,
    },
)

# Placements at customers (policy §10.2): registered in the customer contracts.
register(
    Assignment,
    subject=Subject.EMPLOYEE,
    person="employee",
    fields={
        "id": NOT_PERSONAL,
        "employee": NOT_PERSONAL,
        **{
            name: employed(
                C.EMPLOYMENT,
                purposes=(P.TEMP_STAFFING, P.CUSTOMER_CONTRACTS, P.PAYROLL),
                source=Source.SEROP,
            )
            for name in (
                "company",
                "title",
                "location",
                "started_on",
                "ended_on",
                "hours_per_week",
            )
        },
    },
)


def paid(sensitivity: Sensitivity | None = None) -> PersonalData:
    """A payslip value: payroll and bookkeeping, kept 5 years after the employment ended."""
    return employed(
        C.PAYROLL,
        purposes=(P.PAYROLL, P.BOOKKEEPING, P.LEGAL_COMPLIANCE),
        basis=(B.ART6_1B, B.ART6_1C),
        retention=PAYROLL,
        source=Source.SEROP,
        sensitivity=sensitivity,
    )


register(
    PayrollRecord,
    subject=Subject.EMPLOYEE,
    person="employee",
    fields={
        "id": NOT_PERSONAL,
        "employee": NOT_PERSONAL,
        # The dates show that a payslip exists, not what it says; they stay unencrypted so that
        # payslips can be found and ordered by period. Every amount is encrypted.
        "period_start": paid(Sensitivity.ORDINARY),
        "period_end": paid(Sensitivity.ORDINARY),
        "paid_on": paid(Sensitivity.ORDINARY),
        **{
            name: paid()
            for name in (
                "hours",
                "gross_pay",
                "am_contribution",
                "a_tax",
                "pension_employee",
                "pension_employer",
                "holiday_pay",
                "net_pay",
            )
        },
    },
)

# Sickness is health data (Art. 9(2)(b), Databeskyttelsesloven §12): needed for sick pay and
# its refund (Sygedagpengeloven) and holiday (Ferieloven). A row may also be a vacation, but
# every row is declared as the worst it can hold. Special category is allowed unencrypted; the
# free-text note, which may name a diagnosis, is encrypted.
ABSENCE_BASIS = (B.ART6_1B, B.ART6_1C, B.ART9_2B, B.DBL_12)
ABSENCE_PURPOSES = (P.PAYROLL, P.PERSONNEL, P.LEGAL_COMPLIANCE)

register(
    AbsenceRecord,
    subject=Subject.EMPLOYEE,
    person="employee",
    fields={
        "id": NOT_PERSONAL,
        "employee": NOT_PERSONAL,
        **{
            name: employed(
                C.HEALTH_ABSENCE,
                purposes=ABSENCE_PURPOSES,
                basis=ABSENCE_BASIS,
                retention=PAYROLL,
            )
            for name in ("kind", "starts_on", "ends_on", "days", "note")
        },
    },
)
