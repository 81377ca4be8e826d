"""Staff roles: each is a Django group of the same name with the model permissions below.

This is the model level (which tables a role may view, add, change, delete). Which *fields* a
role may see follows from the registry's sensitivity (docs/roles.md). The groups are created and
kept in step with this table by ``sync_role_groups``, run from a data migration.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECRUITER = "recruiter", _("Recruiter")
    PAYROLL = "payroll", _("Payroll")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    DPO = "dpo", _("Data protection officer")
    OPERATIONS = "operations", _("Operations")
    ADMINISTRATOR = "administrator", _("Administrator")


ALL = "view add change delete"
VIEW = "view"

# role -> {"app" or "app.model": actions}; a model entry wins over its app's entry.
ROLE_PERMISSIONS: dict[str, dict[str, str]] = {
    Role.RECRUITER: {
        "candidates": ALL,
        "candidates.activityevent": VIEW,
        "customers.company": VIEW,
        "customers.contactperson": VIEW,
        "consents.consenttext": VIEW,
        "consents.consentrecord": VIEW,
    },
    Role.PAYROLL: {
        "employees": ALL,
        "customers.company": VIEW,
    },
    Role.ACCOUNT_MANAGER: {
        "customers": ALL,
        "candidates.jobposting": ALL,
        "candidates.postingchannel": ALL,
        "candidates.disclosure": VIEW,
        "consents.consenttext": VIEW,
        "consents.consentrecord": VIEW,
    },
    Role.DPO: {
        "candidates": VIEW,
        "employees": VIEW,
        "customers": VIEW,
        "consents": "view add change",
        "privacy": ALL,
        "retention": ALL,
        "django_celery_beat": VIEW,
    },
    Role.OPERATIONS: {
        "django_celery_beat": ALL,
        "retention.retentionrun": "view add",  # preview and start retention runs
        "privacy.processor": VIEW,
    },
    Role.ADMINISTRATOR: {
        "auth": ALL,
        "otp_totp": ALL,  # replace a lost second-factor device
        "axes": "view delete",  # lift a lockout
        "django_celery_beat": ALL,
        "privacy.processor": VIEW,
    },
}


# Which sensitive fields a role may see (privacy/access.py), by permission codename of
# privacy.SensitiveData. These are never granted through the model table above.
ROLE_SENSITIVE_PERMISSIONS: dict[str, list[str]] = {
    Role.RECRUITER: ["view_criminal_record"],
    Role.PAYROLL: ["view_confidential", "view_special_category", "reveal_cpr"],
    Role.DPO: [
        "view_confidential",
        "view_special_category",
        "view_criminal_record",
        "reveal_cpr",
        "view_restricted",
    ],
}
SENSITIVE_MODEL = ("privacy", "sensitivedata")


def permissions_for(role: str, permission_model: Any, content_type_model: Any) -> list[Any]:
    """The Permission rows a role's group should hold."""
    wanted: dict[tuple[str, str], set[str]] = {}
    spec = ROLE_PERMISSIONS[role]
    for ct in content_type_model.objects.all():
        actions = spec.get(f"{ct.app_label}.{ct.model}", spec.get(ct.app_label))
        if actions and (ct.app_label, ct.model) != SENSITIVE_MODEL:
            wanted[(ct.app_label, ct.model)] = set(actions.split())
    sensitive = set(ROLE_SENSITIVE_PERMISSIONS.get(role, []))
    result = []
    for p in permission_model.objects.select_related("content_type"):
        key = (p.content_type.app_label, p.content_type.model)
        if key == SENSITIVE_MODEL:
            if p.codename in sensitive:
                result.append(p)
        elif p.codename.split("_", 1)[0] in wanted.get(key, set()):
            result.append(p)
    return result


def sync_role_groups(apps: Any) -> None:
    """Create one group per role and give it exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    for role in Role:
        group, _created = group_model.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(role, permission_model, content_type_model))
