import pytest
from django.contrib.auth.models import Group, User

from privacy.roles import Role

pytestmark = pytest.mark.django_db


def user_in(role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # fresh: no permission cache


def test_every_role_has_its_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_only_payroll_may_touch_payslips():
    assert user_in(Role.PAYROLL).has_perm("employees.change_payrollrecord")
    for role in (Role.RECRUITER, Role.ACCOUNT_MANAGER, Role.OPERATIONS, Role.ADMINISTRATOR):
        assert not user_in(role).has_perm("employees.view_payrollrecord"), role


def test_recruiters_manage_candidates_but_not_employees():
    recruiter = user_in(Role.RECRUITER)
    assert recruiter.has_perm("candidates.change_candidate")
    assert not recruiter.has_perm("candidates.change_activityevent")
    assert not recruiter.has_perm("employees.view_employee")


def test_the_dpo_sees_everything_and_changes_only_the_privacy_records():
    dpo = user_in(Role.DPO)
    assert dpo.has_perm("employees.view_payrollrecord")
    assert not dpo.has_perm("employees.change_payrollrecord")
    assert dpo.has_perm("privacy.change_processor")


def test_operations_edit_schedules_and_see_no_personal_data():
    operations = user_in(Role.OPERATIONS)
    assert operations.has_perm("django_celery_beat.change_periodictask")
    assert not operations.has_perm("candidates.view_candidate")


def test_the_administrator_can_replace_a_lost_device_and_lift_a_lockout():
    administrator = user_in(Role.ADMINISTRATOR)
    assert administrator.has_perm("otp_totp.delete_totpdevice")
    assert administrator.has_perm("axes.delete_accessattempt")
    assert not administrator.has_perm("employees.view_employee")
