"""The Vikar- & CV-bank: candidates, what they tell us, and what we do with it (policy §9)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from privacy.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from privacy.models import PersonRecord
from privacy.person_search import PhoneKey
from serop.choices import EmploymentForm, Gender, Language, PostingChannelKind
from serop.storage import PrivateUploadPath
from serop.validators import validate_phone, validate_postcode

from .activity import ActivityKind


class JobType(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("job type")
        verbose_name_plural = _("job types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Candidate(PersonRecord):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting email confirmation")
        ACTIVE = "active", _("Active")

    class Channel(models.TextChoices):
        CV_BANK_FORM = "cv_bank_form", _("CV-bank form on serop.dk")
        EMAIL = "email", _("Email (unsolicited)")
        JOB_POSTING = "job_posting", _("Application to a job posting")
        STAFF = "staff", _("Registered by SEROP staff")

    class CriminalRecordStatus(models.TextChoices):
        SEEN_CLEAN = "seen_clean", _("Seen, no entries")
        SEEN_ENTRIES = "seen_entries", _("Seen, with entries")

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.CV_BANK_FORM
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_phone])
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    # Voluntary, each behind its own consent (see privacy.py):
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=4, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    # Unemployment, A-kasse and leave (policy §9):
    is_unemployed = models.BooleanField(_("unemployed"), null=True, blank=True)
    unemployment_fund = models.CharField(
        _("unemployment fund (A-kasse)"), max_length=100, blank=True
    )
    leave_note = models.CharField(_("leave"), max_length=300, blank=True)
    # Criminal record: record "seen, result, date, relevance", never the certificate itself.
    criminal_record_status = EncryptedCharField(
        _("criminal record certificate"),
        max_length=20,
        choices=CriminalRecordStatus.choices,
        blank=True,
    )
    criminal_record_seen_on = EncryptedDateField(
        _("criminal record seen on"), null=True, blank=True
    )
    criminal_record_relevance = EncryptedTextField(
        _("relevance of the criminal record"), blank=True
    )
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    # Changes at every sign-in to the personal data page, which makes every earlier sign-in
    # link invalid: the links are single-use without being stored (candidates/public/tokens.py).
    self_service_login_at = models.DateTimeField(
        _("last sign-in to the personal data page"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-last_activity_at"]
        constraints = [
            # Its index also answers every lookup by LOWER(email): no second index for that.
            models.UniqueConstraint(Lower("email"), name="candidate_email_unique_ci"),
        ]
        indexes = [
            # For finding a person's records (privacy/person_search.py).
            models.Index(PhoneKey("phone"), name="candidate_phone_key"),
            models.Index(fields=["birth_date"], name="candidate_birth_date"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class JobPreference(models.Model):
    class Duration(models.TextChoices):
        ANY = "any", _("Any duration")
        SHORT = "short", _("Under 3 months")
        MEDIUM = "medium", _("3 to 12 months")
        LONG = "long", _("Over 12 months")

    class Hours(models.TextChoices):
        ANY = "any", _("Full or part time")
        FULL_TIME = "full_time", _("Full time")
        PART_TIME = "part_time", _("Part time")

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("candidate")
    )
    job_types = models.ManyToManyField(JobType, blank=True, verbose_name=_("job types"))
    areas = models.ManyToManyField(Area, blank=True, verbose_name=_("areas"))
    wants_permanent = models.BooleanField(_("permanent position"), default=False)
    wants_temp = models.BooleanField(_("temp work"), default=False)
    wants_consultant = models.BooleanField(_("consultant"), default=False)
    duration = models.CharField(
        _("duration"), max_length=10, choices=Duration.choices, default=Duration.ANY
    )
    hours = models.CharField(
        _("working hours"), max_length=10, choices=Hours.choices, default=Hours.ANY
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    notes = models.TextField(_("wishes"), blank=True)

    class Meta:
        verbose_name = _("job-search preferences")
        verbose_name_plural = _("job-search preferences")

    def __str__(self) -> str:
        return str(_("Preferences of %(candidate)s") % {"candidate": self.candidate})


class CandidateDocument(models.Model):
    class Kind(models.TextChoices):
        CV = "cv", _("CV")
        APPLICATION = "application", _("Application")
        CERTIFICATE = "certificate", _("Certificate or diploma")
        PHOTO = "photo", _("Passport photo")
        VIDEO = "video", _("Video introduction")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="documents", verbose_name=_("candidate")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=PrivateUploadPath("candidates"), max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("candidate document")
        verbose_name_plural = _("candidate documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class Education(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="educations", verbose_name=_("candidate")
    )
    institution = models.CharField(_("institution"), max_length=200)
    title = models.CharField(_("education"), max_length=200)
    started_on = models.DateField(_("started"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("education")
        verbose_name_plural = _("educations")
        ordering = ["-ended_on"]

    def __str__(self) -> str:
        return self.title


class Experience(models.Model):
    class Kind(models.TextChoices):
        JOB = "job", _("Job")
        INTERNSHIP = "internship", _("Internship")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="experiences", verbose_name=_("candidate")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.JOB)
    employer = models.CharField(_("employer"), max_length=200)
    title = models.CharField(_("job title"), max_length=200)
    started_on = models.DateField(_("started"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("work experience")
        verbose_name_plural = _("work experience")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.title}, {self.employer}"


class LanguageSkill(models.Model):
    class Level(models.TextChoices):
        BASIC = "basic", _("Basic")
        GOOD = "good", _("Good")
        FLUENT = "fluent", _("Fluent")
        NATIVE = "native", _("Native")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="languages", verbose_name=_("candidate")
    )
    language = models.CharField(_("language"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)

    class Meta:
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")

    def __str__(self) -> str:
        return f"{self.language} ({self.get_level_display()})"


class CourseOrTest(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        CERTIFICATION = "certification", _("Certification")
        TEST = "test", _("Test")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="courses", verbose_name=_("candidate")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=200, blank=True)
    via_serop = models.BooleanField(_("through SEROP"), default=False)

    class Meta:
        verbose_name = _("course or test")
        verbose_name_plural = _("courses and tests")
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return self.name


class CandidateReference(models.Model):
    """A referee the candidate names, and what the reference check found."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="references", verbose_name=_("candidate")
    )
    name = models.CharField(_("referee"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    statement = models.TextField(_("reference statement"), blank=True)
    checked_on = models.DateField(_("checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self) -> str:
        return self.name


class NextOfKin(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="next_of_kin", verbose_name=_("candidate")
    )
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("next of kin")
        verbose_name_plural = _("next of kin")

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class StaffNote(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="notes", verbose_name=_("candidate")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(_("Note of %(date)s") % {"date": f"{self.created_at:%Y-%m-%d}"})


class ActivityEvent(models.Model):
    """The profile's history; ``Candidate.last_activity_at`` follows the events that count
    (candidates/activity.py)."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="activities", verbose_name=_("candidate")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class JobPosting(models.Model):
    """A job SEROP posts for a customer (policy §9)."""

    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.PROTECT,
        related_name="job_postings",
        verbose_name=_("customer"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=100, blank=True)
    employment_form = models.CharField(
        _("employment form"), max_length=20, choices=EmploymentForm.choices
    )
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("job posting")
        verbose_name_plural = _("job postings")
        ordering = ["-opened_on"]

    def __str__(self) -> str:
        return self.title


class PostingChannel(models.Model):
    posting = models.ForeignKey(
        JobPosting, on_delete=models.CASCADE, related_name="channels", verbose_name=_("job posting")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=PostingChannelKind.choices)
    url = models.URLField(_("address"), blank=True)
    published_on = models.DateField(_("published"))

    class Meta:
        verbose_name = _("posting channel")
        verbose_name_plural = _("posting channels")
        constraints = [
            models.UniqueConstraint(fields=["posting", "channel"], name="posting_channel_once"),
        ]

    def __str__(self) -> str:
        return self.get_channel_display()


class Application(models.Model):
    """An application to a posting. The applicant need not be in the CV bank: their data lives
    here, under its own retention rule, and ``candidate`` links it when they are."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        SCREENING = "screening", _("Screening")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        REJECTED = "rejected", _("Rejected")
        HIRED = "hired", _("Hired")

    posting = models.ForeignKey(
        JobPosting,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("job posting"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("CV-bank candidate"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=PostingChannelKind.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_phone])
    message = models.TextField(_("message"), blank=True)
    cv = models.FileField(
        _("CV"), upload_to=PrivateUploadPath("applications"), max_length=255, blank=True
    )
    application_letter = models.FileField(
        _("application"), upload_to=PrivateUploadPath("applications"), max_length=255, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-received_at"]
        indexes = [  # for finding a person's records (privacy/person_search.py)
            models.Index(Lower("email"), name="application_email_ci"),
            models.Index(PhoneKey("phone"), name="application_phone_key"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}: {self.posting}"


class Disclosure(models.Model):
    """Each time a candidate's data is sent to a customer: a recipient the candidate has a
    right to know about (GDPR Art. 15(1)(c))."""

    class Method(models.TextChoices):
        EMAIL = "email", _("Email")
        PORTAL = "portal", _("Customer portal")
        PHONE = "phone", _("Phone")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="disclosures", verbose_name=_("candidate")
    )
    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey(
        "customers.ContactPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent to"),
    )
    posting = models.ForeignKey(
        JobPosting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job posting"),
    )
    documents = models.ManyToManyField(
        CandidateDocument, blank=True, related_name="+", verbose_name=_("documents")
    )
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.EMAIL
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("disclosed by"),
    )
    disclosed_at = models.DateTimeField(_("disclosed at"))

    class Meta:
        verbose_name = _("disclosure to a customer")
        verbose_name_plural = _("disclosures to customers")
        ordering = ["-disclosed_at"]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.company} ({self.disclosed_at:%Y-%m-%d})"
