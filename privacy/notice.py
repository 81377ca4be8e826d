"""The public privacy notice (GDPR Art. 13/14), generated from the registry, the processor
register, the retention rules and the company details, and published in versions.

``render_notice`` renders the notice's body in one language; ``notice_publish`` stores both
languages as a new version and archives the one before (one transaction, audited);
``notice_diff`` is what the DPO reviews before publishing. A field declared in any app's
``privacy.py`` shows up in the next draft without a template change: the templates only loop
over what ``notice_context`` derives from the registry.
"""

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from . import processing_facts as facts
from .audit import Action, audit
from .models import PrivacyNoticeVersion
from .registry import FieldInfo, registry
from .taxonomy import Category, Sensitivity, Source, Subject

BODY_TEMPLATE = "public/privacy/notice_body.html"
LANGUAGES = ("da", "en")

# The groups of people the notice speaks to, in the policy's order (§7-§10). A subject the
# registry declares but no group names gets a section of its own (see ``_groups``).
GROUPS: list[tuple[str, Promise, Promise, list[Subject]]] = [
    (
        "visitors",
        _("Visitors to our website"),
        _(
            "When you write to us through the contact form on our website, or when your "
            "company lets us show its logo and comment as a reference or partner, we process "
            "the following."
        ),
        [Subject.WEBSITE_VISITOR, Subject.REFERENCE_PARTNER],
    ),
    (
        "customers",
        _("Customers"),
        _(
            "SEROP mainly serves business customers. When you or your company buy an HR or "
            "employment-law subscription through Betalingsservice, order in our webshop or "
            "make an agreement with us, we process the following about you as a customer or "
            "contact person."
        ),
        [Subject.CUSTOMER_CONTACT, Subject.WEBSHOP_CUSTOMER],
    ),
    (
        "newsletter",
        _("Newsletter subscribers"),
        _(
            "You receive our newsletter only if you signed up for it yourself and confirmed "
            "your email address. You can unsubscribe at any time from the link in every "
            "newsletter."
        ),
        [Subject.NEWSLETTER_SUBSCRIBER],
    ),
    (
        "candidates",
        _("Candidates and applicants"),
        _(
            "When you sign up for our Vikar- & CV-bank, apply for a job we have posted or send "
            "us an application, we process the following. Much of it is voluntary: you decide "
            "what you give us, and you can see and correct it on your profile."
        ),
        [Subject.CANDIDATE, Subject.APPLICANT],
    ),
    (
        "employees",
        _("Employees (temps and consultants)"),
        _(
            "When you work for SEROP as a temp or consultant, we process, in addition to what "
            "we hold about you as a candidate, the following."
        ),
        [Subject.EMPLOYEE],
    ),
    (
        "related",
        _("Next of kin and referees"),
        _(
            "When a candidate or employee gives us the name of a next of kin or a referee, we "
            "process the following about that person."
        ),
        [Subject.RELATED_PERSON],
    ),
    (
        "requesters",
        _("People who use their data-protection rights"),
        _(
            "When you ask us for access to your data, or to correct, delete or restrict it, or "
            "object to our processing, we keep a record of your request, how we checked who "
            "you are, what we found and how we answered, so that we can document that we "
            "handled it lawfully."
        ),
        [Subject.REQUESTER],
    ),
    (
        "staff",
        _("SEROP's own staff"),
        _("When our staff work in the system, we record the following about them."),
        [Subject.STAFF],
    ),
]

# Field lists add nothing for these categories; the category's name says it.
UNLISTED_FIELDS = {Category.TECHNICAL}
# Self-service pages of the candidates app, in order of preference (the first that exists).
SELF_SERVICE_URLS = ["candidates_public:magic_link", "candidates_public:personal"]


def _label(value: Any) -> str:
    """A taxonomy value's label; a plain string (an undeclared key) shows as itself."""
    return str(getattr(value, "label", value))


@dataclass
class CategoryLine:
    label: str
    fields: list[str]
    confidential: bool
    encrypted: bool


@dataclass
class SubjectSection:
    label: str
    categories: list[CategoryLine] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    processors: list[str] = field(default_factory=list)
    retention: list[str] = field(default_factory=list)
    voluntary: list[str] = field(default_factory=list)


@dataclass
class Group:
    key: str
    title: str
    intro: str
    subjects: list[SubjectSection]


def _consent_label(key: str) -> str:
    from consents.purposes import ConsentPurpose

    try:
        return str(ConsentPurpose(key).label)
    except ValueError:
        return key


def _field_label(info: FieldInfo) -> str:
    """The field's name; an uploaded file says which kinds of document it can be, when its
    model has a ``kind`` with choices (a candidate's CV, application, photo...)."""
    label = str(info.label)
    model_field = info.model._meta.get_field(info.name)
    if isinstance(model_field, models.FileField):
        try:
            kind = info.model._meta.get_field("kind")
        except FieldDoesNotExist:
            return label
        choices = getattr(kind, "choices", None) or []
        kinds = [facts.lower_first(str(name)) for _value, name in choices]
        if kinds:
            return f"{label} ({', '.join(kinds)})"
    return label


def _subject_section(subject: Any, infos: list[FieldInfo], names: dict[str, str]) -> SubjectSection:
    section = SubjectSection(_label(subject))
    by_category: dict[Any, list[FieldInfo]] = {}
    for info in infos:
        by_category.setdefault(info.category, []).append(info)
    order = {c: i for i, c in enumerate(Category)}
    for category in sorted(by_category, key=lambda c: (order.get(c, len(order)), str(c))):
        members = by_category[category]
        labels = [] if category in UNLISTED_FIELDS else [_field_label(i) for i in members]
        section.categories.append(
            CategoryLine(
                _label(category),
                list(dict.fromkeys(labels)),
                any(i.sensitivity != Sensitivity.ORDINARY for i in members),
                any(getattr(i.model._meta.get_field(i.name), "encrypted", False) for i in members),
            )
        )
    section.purposes = _unique(_label(p) for i in infos for p in i.data.purposes)
    section.bases = _unique(_label(b) for b in sorted({b for i in infos for b in i.data.basis}))
    sources = {i.data.source for i in infos}
    section.sources = [_label(s) for s in Source if s in sources]
    section.processors = _unique(
        names.get(k, k) for k in sorted({k for i in infos for k in i.data.processors})
    )
    section.retention = [
        facts.retention_fact(key).label for key in sorted({i.retention for i in infos})
    ]
    section.voluntary = _unique(_consent_label(i.data.consent) for i in infos if i.data.consent)
    return section


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values))


def _groups(processor_names: dict[str, str]) -> list[Group]:
    by_subject: dict[Any, list[FieldInfo]] = {}
    for info in registry.fields():
        by_subject.setdefault(info.subject, []).append(info)
    groups = []
    named: set[Any] = set()
    for key, title, intro, subjects in GROUPS:
        named.update(subjects)
        sections = [
            _subject_section(s, by_subject[s], processor_names) for s in subjects if s in by_subject
        ]
        if sections:
            groups.append(Group(key, str(title), str(intro), sections))
    for subject in sorted(set(by_subject) - named, key=str):
        groups.append(
            Group(
                str(subject),
                _label(subject),
                str(_("We process the following about this group of people.")),
                [_subject_section(subject, by_subject[subject], processor_names)],
            )
        )
    return groups


def self_service_url() -> str | None:
    """The candidates' self-service page, if the candidates app provides one."""
    for name in SELF_SERVICE_URLS:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def notice_context(*, version: int | None, published_at: datetime | None) -> dict[str, Any]:
    """Everything the notice says, in the active language."""
    processors = facts.processors()
    for p in processors.values():
        p.service = facts.translated_register_text(p.service)
        p.safeguard = facts.translated_register_text(p.safeguard)
    names = {key: p.name for key, p in processors.items()}
    purposes = [
        {
            "label": _label(p.purpose),
            "bases": [_label(b) for b in p.bases],
            "subjects": [_label(s) for s in p.subjects],
            "recipients": facts.recipients_for(p.purpose),
        }
        for p in facts.purposes()
    ]
    from django.conf import settings

    return {
        "company": facts.company(),
        "authority": facts.authority(),
        "version": version,
        "published_on": (
            formats.date_format(timezone.localtime(published_at), "DATE_FORMAT")
            if published_at
            else None
        ),
        "cookies": facts.cookies(),
        "groups": _groups(names),
        "purposes": purposes,
        "processors": list(processors.values()),
        "transfers": [p for p in processors.values() if p.transfer],
        "other_recipients": _unique(r for p in purposes for r in p["recipients"]),
        "retention": facts.retention_facts(),
        "security": facts.security_measures(),
        "self_service_url": self_service_url(),
        "deletion_notice_days": settings.RETENTION_NOTICE_DAYS,
    }


def render_notice(
    language: str, *, version: int | None = None, published_at: datetime | None = None
) -> str:
    """The notice's body (HTML) in ``language``: a draft when ``version`` is None."""
    with translation.override(language):
        return render_to_string(
            BODY_TEMPLATE, notice_context(version=version, published_at=published_at)
        )


# --- versions -------------------------------------------------------------------------------------
def current_version() -> PrivacyNoticeVersion | None:
    return PrivacyNoticeVersion.objects.filter(is_current=True).first()


def next_version_number() -> int:
    last = PrivacyNoticeVersion.objects.order_by("-version").values_list("version", flat=True)
    return (last.first() or 0) + 1


def draft_contents(*, at: datetime | None = None) -> dict[str, str]:
    """The next version as it would be published now, in every language."""
    at = at or timezone.now()
    number = next_version_number()
    return {lang: render_notice(lang, version=number, published_at=at) for lang in LANGUAGES}


def digest(contents: dict[str, str]) -> str:
    """A fingerprint of a draft: publishing checks the DPO reviewed exactly this text."""
    text = "\0".join("\n".join(notice_lines(contents[lang])) for lang in LANGUAGES)
    return hashlib.sha256(text.encode()).hexdigest()


class DraftChanged(Exception):
    """The registry or the register changed between the DPO's review and publishing."""


def notice_publish(
    *, actor: Any, request: Any = None, expected_digest: str | None = None
) -> PrivacyNoticeVersion:
    """Publish the current draft as the next version; the version before is archived with
    today's date. Refuses (``DraftChanged``) if ``expected_digest`` no longer matches."""
    with transaction.atomic():
        previous = PrivacyNoticeVersion.objects.select_for_update().filter(is_current=True).first()
        now = timezone.now()
        contents = draft_contents(at=now)
        if expected_digest is not None and digest(contents) != expected_digest:
            raise DraftChanged
        if previous is not None:
            previous.is_current = False
            previous.archived_at = now
            previous.save(update_fields=["is_current", "archived_at"])
        version = PrivacyNoticeVersion.objects.create(
            version=next_version_number(),
            content_da=contents["da"],
            content_en=contents["en"],
            published_at=now,
            published_by=actor,
        )
        audit(
            Action.CREATE,
            actor=actor,
            request=request,
            obj=version,
            detail=f"privacy notice version {version.version} published"
            + (f"; version {previous.version} archived" if previous else ""),
        )
    return version


# --- comparing versions ---------------------------------------------------------------------------
_VERSION_LINE = re.compile(r'<p class="notice-version">.*?</p>', re.S)
_BLOCK = re.compile(r"</?(?:h[1-6]|p|li|tr|dt|dd|section|div|ul|ol|table)\b[^>]*>", re.I)


def notice_lines(html: str) -> list[str]:
    """The notice as lines of plain text, one per heading, paragraph, item or table row."""
    text = _BLOCK.sub("\n", html)
    text = re.sub(r"</t[dh]>", " | ", text)
    lines = (" ".join(unescape(strip_tags(line)).split()) for line in text.splitlines())
    return [line.strip(" |") for line in lines if line.strip(" |")]


def notice_diff(old_html: str, new_html: str, *, old_label: str, new_label: str) -> str:
    """An HTML table of the changes between two renderings (difflib), only changed parts."""
    return difflib.HtmlDiff(wrapcolumn=70).make_table(
        notice_lines(old_html),
        notice_lines(new_html),
        fromdesc=old_label,
        todesc=new_label,
        context=True,
        numlines=2,
    )


def has_changes(old_html: str, new_html: str) -> bool:
    """Whether two renderings differ in more than their version number and date."""
    return notice_lines(_VERSION_LINE.sub("", old_html)) != notice_lines(
        _VERSION_LINE.sub("", new_html)
    )
