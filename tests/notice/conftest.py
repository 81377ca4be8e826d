import pytest
from django.contrib.auth.models import Group, User

from privacy.roles import Role


def staff(role: str, username: str | None = None) -> User:
    user = User.objects.create_user(username=username or f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def dpo(client):
    user = staff(Role.DPO)
    client.force_login(user)
    return user
