"""Facts about SEROP's processing that both the records of processing (privacy/ropa.py) and the
public privacy notice (privacy/notice.py) state: the controller, the processors each purpose
uses, the other recipients, retention periods in words, the cookies and the security measures
as configured. Everything is read from the registry, the processor register, the retention
rules, the roles and the settings; nothing here is a second hand-kept list of personal data.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from retention.rules import RULES, RetentionRule

from .models import Processor
from .registry import FieldInfo, registry
from .roles import ROLE_PERMISSIONS, ROLE_SENSITIVE_PERMISSIONS, Role
from .taxonomy import Purpose, Sensitivity, Subject

# Recipients other than processors, by the purposes that disclose to them (policy §12). Shown
# for a purpose only while the registry declares fields with that purpose.
RECIPIENTS_BY_PURPOSE: dict[str, list[Promise]] = {
    Purpose.RECRUITMENT: [gettext_lazy("Customers SEROP recruits for (the CV is sent to them)")],
    Purpose.TEMP_STAFFING: [
        gettext_lazy("Customers where the temp or consultant works (assignment details)")
    ],
    Purpose.CUSTOMER_CONTRACTS: [gettext_lazy("The customer party to the contract")],
    Purpose.PAYROLL: [
        gettext_lazy("The Danish Tax Agency (Skattestyrelsen, eIndkomst)"),
        gettext_lazy("Pension companies"),
        gettext_lazy("Banks (salary payments)"),
    ],
    Purpose.EMPLOYMENT_ADMIN: [
        gettext_lazy("SEROP's employers' association (legal advice on the employment)")
    ],
    Purpose.LEGAL_COMPLIANCE: [gettext_lazy("Public authorities, where the law requires it")],
    Purpose.BOOKKEEPING: [gettext_lazy("SEROP's auditor")],
    Purpose.DATA_PROTECTION: [
        gettext_lazy("Datatilsynet, when SEROP notifies a breach or answers a complaint")
    ],
}


@dataclass
class ProcessorFact:
    key: str
    name: str
    service: str
    role: str
    country: str
    transfer: bool
    safeguard: str
    in_register: bool = True


@dataclass
class PurposeFacts:
    """Everything the registry says about one purpose."""

    purpose: Purpose
    fields: list[FieldInfo] = field(default_factory=list)

    @property
    def subjects(self) -> list[Subject]:
        return _ordered({f.subject for f in self.fields}, list(Subject))

    @property
    def categories(self) -> list[Any]:
        return _ordered({f.category for f in self.fields}, _category_order())

    @property
    def bases(self) -> list[Any]:
        return sorted({b for f in self.fields for b in f.data.basis}, key=str)

    @property
    def processor_keys(self) -> list[str]:
        return sorted({p for f in self.fields for p in f.data.processors})

    @property
    def retention_keys(self) -> list[str]:
        return sorted({f.retention for f in self.fields})

    @property
    def sources(self) -> list[Any]:
        return sorted({f.data.source for f in self.fields}, key=str)

    @property
    def sensitive_categories(self) -> list[Any]:
        return _ordered(
            {f.category for f in self.fields if f.sensitivity != Sensitivity.ORDINARY},
            _category_order(),
        )


def _category_order() -> list[Any]:
    from .taxonomy import Category

    return list(Category)


def _ordered(values: set[Any], order: list[Any]) -> list[Any]:
    """``values`` in the order of the enumeration; unknown values last, by key."""
    position = {v: i for i, v in enumerate(order)}
    return sorted(values, key=lambda v: (position.get(v, len(order)), str(v)))


# --- the controller ---------------------------------------------------------------------------
def company() -> dict[str, Any]:
    data = dict(settings.SEROP_COMPANY)
    data["address"] = f"{data['street']}, {data['postcode']} {data['city']}"
    return data


def authority() -> dict[str, Any]:
    return dict(cast(dict[str, Any], settings.SEROP_COMPANY["authority"]))


# --- purposes and processors -------------------------------------------------------------------
def purposes() -> list[PurposeFacts]:
    """One entry per purpose the registry declares fields for, in the taxonomy's order."""
    by_purpose: dict[Purpose, PurposeFacts] = {}
    for info in registry.fields():
        for purpose in info.data.purposes:
            by_purpose.setdefault(purpose, PurposeFacts(purpose)).fields.append(info)
    return [by_purpose[p] for p in _ordered(set(by_purpose), list(Purpose))]


def processors() -> dict[str, ProcessorFact]:
    """The register, keyed by processor key, plus any key a declaration names that the register
    lacks (shown by its key, so a gap is visible instead of silently dropped)."""
    facts = {
        p.key: ProcessorFact(
            p.key,
            p.name,
            p.service,
            p.get_role_display(),
            p.country,
            p.third_country_transfer,
            p.transfer_safeguard,
        )
        for p in Processor.objects.order_by("name")
    }
    for key in sorted(registry.processors() - set(facts)):
        facts[key] = ProcessorFact(key, key, "", "", "", False, "", in_register=False)
    return facts


def lower_first(text: str) -> str:
    """A label inside a sentence: "Personnummer (CPR-nummer)" -> "personnummer (CPR-nummer)";
    an abbreviation ("CV") stays as it is."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# The seeded services and safeguards (privacy/processors.py), marked so that `make messages`
# keeps their Danish translations; text the DPO rewrites in the register shows as written.
SEEDED_REGISTER_TEXTS = (
    gettext_noop("EU-US Data Privacy Framework; standard contractual clauses"),
    gettext_noop("EU Data Boundary; EU-US Data Privacy Framework; standard contractual clauses"),
    gettext_noop(
        "Parent company Paychex (US): EU-US Data Privacy Framework; standard contractual clauses"
    ),
    gettext_noop("Web hosting of www.serop.dk, its forms, the CV bank and the webshop"),
    gettext_noop("Direct debit of HR and employment-law subscriptions"),
    gettext_noop("Payment gateway for webshop card payments (card data never reaches SEROP)"),
    gettext_noop("Webshop software run in SEROP's own website backend (hosted by Simply.com)"),
    gettext_noop("Publishing job postings and receiving applications"),
    gettext_noop("Publishing job postings"),
    gettext_noop("Email and office software; applications and CVs received by email"),
    gettext_noop("Shift planning and the temps' and consultants' workforce login"),
)


def translated_register_text(text: str) -> str:
    """A service or safeguard of the register in the active language: the seeded texts have
    translations; text the DPO has since written shows as written."""
    return _(text) if text else ""


def recipients_for(purpose: Purpose | str) -> list[str]:
    return [str(r) for r in RECIPIENTS_BY_PURPOSE.get(purpose, [])]


# --- retention --------------------------------------------------------------------------------
def period_text(period: relativedelta) -> str:
    """A retention period in words, in the active language ("5 år", "12 months")."""
    # relativedelta normalises 12 months to 1 year; the policy speaks of "12 måneder", so
    # periods under two years are said in months and longer whole years in years.
    parts = []
    months = period.years * 12 + period.months
    if months and (period.months or period.years < 2):
        parts.append(ngettext("%(n)d month", "%(n)d months", months) % {"n": months})
    elif period.years:
        parts.append(ngettext("%(n)d year", "%(n)d years", period.years) % {"n": period.years})
    if period.days:
        parts.append(ngettext("%(n)d day", "%(n)d days", period.days) % {"n": period.days})
    if not parts:
        return _("immediately")
    return _(" and ").join(parts)


@dataclass(frozen=True)
class RetentionFact:
    key: str
    label: str
    period: str
    clock: str
    action: str
    fiscal_year_end: bool

    @property
    def sentence(self) -> str:
        if self.fiscal_year_end:
            text = _("%(period)s after the end of the financial year of %(clock)s")
        else:
            text = _("%(period)s after %(clock)s")
        return capfirst(text % {"period": self.period, "clock": self.clock})


def retention_fact(key: str) -> RetentionFact:
    rule: RetentionRule | None = RULES.get(key)
    if rule is None:  # a declaration naming an unknown rule fails `manage.py check`
        return RetentionFact(key, key, "", "", "", False)
    return RetentionFact(
        key,
        str(rule.label),
        period_text(rule.period),
        str(rule.clock),
        str(rule.action.label),
        rule.counts_from_fiscal_year_end,
    )


def retention_facts() -> list[RetentionFact]:
    """Every rule the registry uses, plus the audit trail's, in the catalogue's order."""
    used = registry.retention_rules() | {"audit_trail"}
    return [retention_fact(key) for key in RULES if key in used] + [
        retention_fact(key) for key in sorted(used - set(RULES))
    ]


# --- cookies ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CookieFact:
    name: str
    purpose: str
    lifetime: str


def _seconds_text(seconds: int | None) -> str:
    if seconds is None:
        return _("until the browser closes")
    days, rest = divmod(int(seconds), 86400)
    if days >= 365 and days % 365 == 0:
        return ngettext("%(n)d year", "%(n)d years", days // 365) % {"n": days // 365}
    if days:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    hours = rest // 3600
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = rest // 60
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _message_cookie_name() -> str | None:
    """The cookie django.contrib.messages keeps a message in until it is shown (after a form is
    sent and the browser redirected), or None when the configured storage uses no cookie
    (``SessionStorage`` keeps messages in the session)."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.utils.module_loading import import_string

    if "django.contrib.messages" not in settings.INSTALLED_APPS:
        return None
    storage = import_string(settings.MESSAGE_STORAGE)
    if issubclass(storage, CookieStorage):
        return storage.cookie_name
    if issubclass(storage, FallbackStorage) and any(
        issubclass(s, CookieStorage) for s in storage.storage_classes
    ):
        return CookieStorage.cookie_name
    return None


def cookies() -> list[CookieFact]:
    """Every cookie the system sets (session, CSRF, language, and the messages cookie unless
    messages are kept in the session), as configured."""
    staff_idle = _seconds_text(settings.SESSION_COOKIE_AGE)
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        staff_life = _("%(idle)s without activity, and when the browser closes") % {
            "idle": staff_idle
        }
    else:
        staff_life = staff_idle
    # The personal data page sets its own expiry on the session (candidates/public/session.py):
    # a cookie that lasts that long after the last request, browser closed or not.
    self_service_minutes = getattr(settings, "SELF_SERVICE_SESSION_MINUTES", None)
    if self_service_minutes:
        session_life = _("Staff: %(staff)s. The personal data page: %(idle)s without activity") % {
            "staff": staff_life,
            "idle": _seconds_text(int(self_service_minutes) * 60),
        }
    else:
        session_life = staff_life
    result = [
        CookieFact(
            settings.SESSION_COOKIE_NAME,
            _("Keeps you logged in (staff and the self-service page); set only when you log in"),
            session_life,
        ),
        CookieFact(
            settings.CSRF_COOKIE_NAME,
            _("Protects forms, the language switch among them, against cross-site request forgery"),
            _seconds_text(settings.CSRF_COOKIE_AGE),
        ),
        CookieFact(
            settings.LANGUAGE_COOKIE_NAME,
            _("Remembers the language you chose; set only when you switch language"),
            _seconds_text(settings.LANGUAGE_COOKIE_AGE),
        ),
    ]
    message_cookie = _message_cookie_name()
    if message_cookie:
        result.append(
            CookieFact(
                message_cookie,
                _(
                    'Carries a confirmation (such as "Your changes have been saved") to the '
                    "next page after you send a form while logged in; removed when it is shown"
                ),
                _("until it is shown, at most until the browser closes"),
            )
        )
    return result


# --- security measures ---------------------------------------------------------------------------
def encrypted_fields() -> list[FieldInfo]:
    """The registry's personal-data fields whose model field encrypts at rest."""
    return [
        info
        for info in registry.fields()
        if getattr(info.model._meta.get_field(info.name), "encrypted", False)
    ]


def encrypted_by_category() -> dict[Any, list[str]]:
    result: dict[Any, list[str]] = defaultdict(list)
    for info in encrypted_fields():
        label = str(info.label)
        if label not in result[info.category]:
            result[info.category].append(label)
    return {c: result[c] for c in _ordered(set(result), _category_order())}


@dataclass(frozen=True)
class RoleFact:
    label: str
    areas: list[str]
    sensitive: list[str]


_SENSITIVE_LABELS = {
    "view_confidential": gettext_lazy("confidential data (CPR, bank, payroll)"),
    "view_special_category": gettext_lazy("health data"),
    "view_criminal_record": gettext_lazy("criminal-record data"),
    "reveal_cpr": gettext_lazy("whole CPR numbers (each reveal is logged)"),
    "view_restricted": gettext_lazy("restricted records (GDPR Art. 18)"),
}


def roles() -> list[RoleFact]:
    from django.apps import apps

    facts = []
    for role in Role:
        areas = []
        for target in ROLE_PERMISSIONS.get(role, {}):
            app_label, _dot, model_name = target.partition(".")
            try:
                config = apps.get_app_config(app_label)
                label = (
                    str(config.get_model(model_name)._meta.verbose_name_plural)
                    if model_name
                    else str(config.verbose_name)
                )
            except LookupError:
                label = target
            areas.append(label)
        sensitive = [str(_SENSITIVE_LABELS[c]) for c in ROLE_SENSITIVE_PERMISSIONS.get(role, [])]
        facts.append(RoleFact(str(role.label), areas, sensitive))
    return facts


def security_measures() -> list[str]:
    """The technical and organisational measures (GDPR Art. 32) as configured, in words."""
    encrypted = encrypted_by_category()
    measures = []
    if encrypted:
        categories = ", ".join(lower_first(str(c.label)) for c in encrypted)
        measures.append(
            _("Encryption at rest of confidential fields (%(categories)s)")
            % {"categories": categories}
        )
    measures.append(
        _(
            "Role-based access control: each staff role sees only its own areas, and "
            "confidential, health and criminal-record data only the roles that need them"
        )
    )
    if settings.SEROP_REQUIRE_2FA:
        measures.append(_("Staff log in with a password and a second factor (TOTP code)"))
    else:
        measures.append(_("Staff log in with a password (second factor not required here)"))
    measures.append(
        _("Accounts are locked for %(hours)s after %(count)d failed logins")
        % {
            "hours": _seconds_text(int(settings.AXES_COOLOFF_TIME * 3600)),
            "count": settings.AXES_FAILURE_LIMIT,
        }
    )
    measures.append(
        _("Staff sessions end after %(idle)s without activity")
        % {"idle": _seconds_text(settings.SESSION_COOKIE_AGE)}
    )
    measures.append(
        _(
            "An append-only audit trail of every view, change, export, disclosure and login, "
            "kept for %(period)s"
        )
        % {"period": period_text(RULES["audit_trail"].period)}
    )
    measures.append(
        _(
            "Restriction of processing (GDPR Art. 18): restricted records are hidden from all but "
            "the data protection officer"
        )
    )
    if settings.SESSION_COOKIE_SECURE and getattr(settings, "SECURE_SSL_REDIRECT", False):
        measures.append(_("Encrypted connections (HTTPS) only"))
    measures.append(
        _(
            "Automatic deletion or anonymisation when the retention periods expire, except "
            "where a legal hold applies"
        )
    )
    return measures
