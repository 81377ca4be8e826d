"""Which personal-data fields a staff member may see, derived from the registry's sensitivity.

Nothing here lists fields: a field declared confidential in a ``privacy.py`` is hidden from
every role without ``privacy.view_confidential``, wherever it appears (forms, lists, search,
filters, exports). Roles get the permissions in privacy/roles.py.
"""

from typing import Any

from django.db import models

from .registry import registry
from .taxonomy import Sensitivity

PERMISSION_FOR: dict[str, str] = {
    Sensitivity.CONFIDENTIAL: "privacy.view_confidential",
    Sensitivity.SPECIAL: "privacy.view_special_category",
    Sensitivity.CRIMINAL: "privacy.view_criminal_record",
}
REVEAL_CPR = "privacy.reveal_cpr"
VIEW_RESTRICTED = "privacy.view_restricted"


def may_see(user: Any, sensitivity: str) -> bool:
    permission = PERMISSION_FOR.get(sensitivity)
    return permission is None or bool(user.has_perm(permission))


def hidden_fields(user: Any, model: type[models.Model]) -> set[str]:
    """Names of the fields of ``model`` that ``user`` may not see."""
    return {
        info.name for info in registry.fields(model=model) if not may_see(user, info.sensitivity)
    }


def may_see_field(user: Any, model: type[models.Model], name: str) -> bool:
    info = registry.field(model, name)
    return info is None or may_see(user, info.sensitivity)


def may_see_restricted(user: Any) -> bool:
    return bool(user.has_perm(VIEW_RESTRICTED))


def restriction_filter(model: type[models.Model]) -> models.Q | None:
    """The condition that selects restricted rows of ``model``: the row's own flag, or the flag
    of the person it belongs to (the registry's ``person`` path). None if it has none."""
    entry = registry.entry(model)
    if entry is None:
        return None
    prefix = f"{entry.person}__" if entry.person else ""
    try:
        target = model
        for part in entry.person.split("__") if entry.person else []:
            target = target._meta.get_field(part).related_model  # type: ignore[assignment]
        target._meta.get_field("is_restricted")
    except Exception:
        return None
    return models.Q(**{f"{prefix}is_restricted": True})


def visible_queryset(user: Any, queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` without restricted records, unless the user may see them."""
    if may_see_restricted(user):
        return queryset
    condition = restriction_filter(queryset.model)
    return queryset.exclude(condition) if condition is not None else queryset


def field_path_visible(user: Any, model: type[models.Model], path: str) -> bool:
    """Whether every field along a lookup path (``candidate__email``, ``=email``) is visible."""
    path = path.lstrip("=^@")
    current: Any = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:
            return True
        if not may_see_field(user, current, part):
            return False
        if not field.is_relation or field.related_model is None:
            return True
        current = field.related_model
    return True
