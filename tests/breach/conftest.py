import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from privacy.breaches import breach_record
from privacy.roles import Role

TZ = timezone.get_default_timezone()


def local(*args):
    """An aware datetime in Europe/Copenhagen."""
    return dt.datetime(*args, tzinfo=TZ)


def staff(role, username=None, email=""):
    user = User.objects.create_user(username or f"u-{role}", email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def record(**values):
    values.setdefault("title", "Lost laptop")
    values.setdefault("description", "A laptop with payroll files was stolen from a car.")
    values.setdefault("aware_at", timezone.now() - dt.timedelta(hours=1))
    return breach_record(**values)


@pytest.fixture
def dpo(client):
    user = staff(Role.DPO, "dpo", email="dpo@serop.dk")
    client.force_login(user)
    return user
