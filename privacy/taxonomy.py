"""The fixed vocabulary of the personal-data registry.

Categories, sensitivity levels, purposes, legal bases, sources and data subjects are code with
stable keys: declarations, records of processing and the privacy notice all name them by key.
Labels are translatable; Danish is the default language.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    """How carefully a value must be handled; decides encryption and who may see it."""

    ORDINARY = "ordinary", _("Ordinary")
    # Datatilsynet treats CPR numbers, bank details and payroll as confidential ("fortrolige").
    CONFIDENTIAL = "confidential", _("Confidential")
    SPECIAL = "special", _("Special category (GDPR Art. 9)")
    CRIMINAL = "criminal", _("Criminal offences (GDPR Art. 10)")


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    ADDRESS = "address", _("Address")
    DEMOGRAPHIC = "demographic", _("Birth date, age and gender")
    NATIONAL_ID = "national_id", _("National identification number (CPR)")
    ID_DOCUMENT = "id_document", _("Identity documents and work permits")
    FINANCIAL = "financial", _("Financial data (bank accounts)")
    PAYROLL = "payroll", _("Payroll")
    EMPLOYMENT = "employment", _("Employment and assignments")
    JOB_PREFERENCES = "job_preferences", _("Job-search preferences")
    EDUCATION_SKILLS = "education_skills", _("Education, experience and skills")
    ASSESSMENT = "assessment", _("Assessments, tests and references")
    UNEMPLOYMENT_LEAVE = "unemployment_leave", _("Unemployment, unemployment fund and leave")
    HEALTH_ABSENCE = "health_absence", _("Health and absence")
    NEXT_OF_KIN = "next_of_kin", _("Next of kin")
    PHOTO_VIDEO = "photo_video", _("Photo and video")
    CRIMINAL_RECORD = "criminal_record", _("Criminal record")
    CUSTOMER_RELATIONSHIP = "customer_relationship", _("Customer relationship")
    PURCHASE = "purchase", _("Purchases and payments")
    MARKETING = "marketing", _("Marketing permissions and subscriptions")
    CONSENT = "consent", _("Consent records")
    FREE_TEXT = "free_text", _("Free text")
    UPLOADED_FILE = "uploaded_file", _("Uploaded files")
    TECHNICAL = "technical", _("Technical data and logs")


# The sensitivity a category has unless a declaration says otherwise.
DEFAULT_SENSITIVITY: dict[str, Sensitivity] = {
    Category.NATIONAL_ID: Sensitivity.CONFIDENTIAL,
    Category.FINANCIAL: Sensitivity.CONFIDENTIAL,
    Category.PAYROLL: Sensitivity.CONFIDENTIAL,
    Category.HEALTH_ABSENCE: Sensitivity.SPECIAL,
    Category.CRIMINAL_RECORD: Sensitivity.CRIMINAL,
}


class Purpose(models.TextChoices):
    """Why SEROP processes personal data (policy §6, §7-§10)."""

    RECRUITMENT = "recruitment", _("Recruitment and job placement")
    CV_BANK = "cv_bank", _("Vikar- & CV-bank: matching candidates with future jobs")
    TEMP_STAFFING = "temp_staffing", _("Temp services and lending out employees")
    EMPLOYMENT_ADMIN = "employment_admin", _("Entering, maintaining and ending employment")
    PAYROLL = "payroll", _("Payroll and payroll administration")
    PERSONNEL = "personnel", _("Personnel management, development and training")
    CUSTOMER_CONTRACTS = "customer_contracts", _("Customer contracts and assignments")
    SUBSCRIPTIONS = "subscriptions", _("HR and employment-law subscriptions (Betalingsservice)")
    WEBSHOP = "webshop", _("Webshop sales of contracts and consultant hours")
    BOOKKEEPING = "bookkeeping", _("Bookkeeping and finance")
    NEWSLETTER = "newsletter", _("Newsletter")
    MARKETING_REFERENCES = "marketing_references", _("References and partners in marketing")
    ENQUIRIES = "enquiries", _("Answering enquiries from the website")
    LEGAL_COMPLIANCE = (
        "legal_compliance",
        _("Compliance with employment, collective-agreement, tax and social law"),
    )
    CONSENT_PROOF = "consent_proof", _("Documenting consent (GDPR Art. 7(1))")
    SECURITY_AUDIT = "security_audit", _("Security, internal control and audit")
    DATA_PROTECTION = (
        "data_protection",
        _("Handling data-protection requests, breaches and records (GDPR Art. 12-22, 30, 33-34)"),
    )


class LegalBasis(models.TextChoices):
    ART6_1A = "art6_1a", _("GDPR Art. 6(1)(a): consent")
    ART6_1B = "art6_1b", _("GDPR Art. 6(1)(b): contract, or steps before entering one")
    ART6_1C = "art6_1c", _("GDPR Art. 6(1)(c): legal obligation")
    ART6_1D = "art6_1d", _("GDPR Art. 6(1)(d): vital interests")
    ART6_1E = "art6_1e", _("GDPR Art. 6(1)(e): public interest")
    ART6_1F = "art6_1f", _("GDPR Art. 6(1)(f): legitimate interests")
    ART9_2A = "art9_2a", _("GDPR Art. 9(2)(a): explicit consent")
    ART9_2B = "art9_2b", _("GDPR Art. 9(2)(b): employment and social security law")
    ART9_2F = "art9_2f", _("GDPR Art. 9(2)(f): legal claims")
    DBL_8 = "dbl_8", _("Databeskyttelsesloven §8: criminal offences")
    DBL_11 = "dbl_11", _("Databeskyttelsesloven §11: CPR numbers")
    DBL_12 = "dbl_12", _("Databeskyttelsesloven §12: employment relationships")


class Source(models.TextChoices):
    SUBJECT = "subject", _("The person themselves")
    SEROP = "serop", _("SEROP")
    THIRD_PARTY = "third_party", _("A third party (customer, reference, authority)")
    SYSTEM = "system", _("Recorded by the system")


class Subject(models.TextChoices):
    """Groups of data subjects (policy §7-§10)."""

    CANDIDATE = "candidate", _("Candidate")
    APPLICANT = "applicant", _("Applicant to a job posting")
    EMPLOYEE = "employee", _("Employee (temp or consultant)")
    CUSTOMER_CONTACT = "customer_contact", _("Customer and customer contact")
    WEBSHOP_CUSTOMER = "webshop_customer", _("Webshop customer")
    NEWSLETTER_SUBSCRIBER = "newsletter_subscriber", _("Newsletter subscriber")
    WEBSITE_VISITOR = "website_visitor", _("Website visitor (contact form)")
    REFERENCE_PARTNER = "reference_partner", _("Reference customer or partner")
    RELATED_PERSON = "related_person", _("Next of kin or referee")
    STAFF = "staff", _("SEROP staff")
    REQUESTER = "requester", _("Person using their data-protection rights")
