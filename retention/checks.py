"""``manage.py check`` for the retention settings. A period override or a financial-year rule
that names no rule (a typo) would be ignored without a word, and a singular relativedelta
keyword (``month`` instead of ``months``) sets a date rather than adding to it: either way data
would be kept for a period nobody chose. Both stop start-up instead."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

PERIOD_KEYWORDS = frozenset({"years", "months", "weeks", "days"})


def retention_setting_errors(periods: Any, fiscal_year_rules: Any) -> list[Error]:
    from .rules import RULES

    errors = []
    if not isinstance(periods, dict):
        periods = {}
        errors.append(Error("RETENTION_PERIODS must be a JSON object", id="retention.E001"))
    for key, period in periods.items():
        if key not in RULES:
            errors.append(
                Error(
                    f"RETENTION_PERIODS names an unknown retention rule: {key!r}",
                    hint=f"Known rules: {', '.join(RULES)}.",
                    id="retention.E002",
                )
            )
        if not isinstance(period, dict) or not period:
            errors.append(
                Error(
                    f'RETENTION_PERIODS[{key!r}] must be an object such as {{"months": 12}}',
                    id="retention.E003",
                )
            )
            continue
        for word, amount in period.items():
            if word not in PERIOD_KEYWORDS:
                errors.append(
                    Error(
                        f"RETENTION_PERIODS[{key!r}] uses {word!r}",
                        hint=f"Use only {', '.join(sorted(PERIOD_KEYWORDS))}.",
                        id="retention.E003",
                    )
                )
            elif type(amount) is not int or amount < 0:
                errors.append(
                    Error(
                        f"RETENTION_PERIODS[{key!r}][{word!r}] must be a whole number >= 0",
                        id="retention.E003",
                    )
                )
    for key in fiscal_year_rules or ():
        if key not in RULES:
            errors.append(
                Error(
                    f"RETENTION_FISCAL_YEAR_RULES names an unknown retention rule: {key!r}",
                    hint=f"Known rules: {', '.join(RULES)}.",
                    id="retention.E004",
                )
            )
    return errors


@register("retention")
def check_retention_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return retention_setting_errors(
        getattr(settings, "RETENTION_PERIODS", {}),
        getattr(settings, "RETENTION_FISCAL_YEAR_RULES", []),
    )
