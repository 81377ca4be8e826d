"""Staff login: password and TOTP code, enrolment of a first device, lockout after repeated
failures, idle session expiry, and the audit trail of all of it. Through the real admin login
page with the test client (client.login() cannot be used: axes needs the request)."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy.models import AuditEntry
from serop.two_factor import readable_secret
from tests.serop.test_settings import REQUIRED, ROOT

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
PASSWORD = "staff-password-for-tests-7"


@pytest.fixture
def require_2fa(settings):
    settings.SEROP_REQUIRE_2FA = True


@pytest.fixture
def staff():
    return User.objects.create_user("anna", password=PASSWORD, is_staff=True)


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


def code_at(device, offset_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    accepted = {code_at(device, offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def log_in(client, username="anna", password=PASSWORD, code="", **extra):
    data = {"username": username, "password": password, "otp_token": code, "next": "/admin/"}
    return client.post(reverse("admin:login"), data, **extra)


def reaches_admin(client):
    return client.get(reverse("admin:index")).status_code == 200


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("at", "pk"))


def test_a_staff_user_without_a_second_factor_cannot_reach_the_admin(client, require_2fa, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_right_password_alone_leads_to_enrolment_not_into_the_admin(client, require_2fa, staff):
    response = log_in(client)
    assert response.status_code == 302
    assert response.url == reverse("admin:two_factor_enrol")
    assert not reaches_admin(client)
    assert entries(Action.LOGIN) == []


def test_a_superuser_does_not_bypass_the_second_factor(client, require_2fa):
    boss = User.objects.create_superuser("boss", password=PASSWORD)
    TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    client.force_login(boss)
    assert not reaches_admin(client)
    log_in(client, username="boss", code="")
    assert not reaches_admin(client)


def test_password_and_the_right_code_reach_the_admin_and_the_login_is_audited(
    client, require_2fa, staff, device
):
    response = log_in(client, code=code_at(device), REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert reaches_admin(client)
    [login] = entries(Action.LOGIN)
    assert (login.actor_id, login.actor_username, login.ip_address) == (
        staff.pk,
        "anna",
        "10.0.0.7",
    )
    assert login.at.utcoffset() == timedelta(0)


def test_a_code_is_accepted_with_the_spaces_the_app_shows(client, require_2fa, staff, device):
    code = code_at(device)
    log_in(client, code=f"{code[:3]} {code[3:]}")
    assert reaches_admin(client)


def test_a_wrong_code_is_refused_and_audited(client, require_2fa, staff, device):
    code = wrong_code(device)
    response = log_in(client, code=code, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not reaches_admin(client)
    [failed] = entries(Action.OTP_FAILED)
    assert (failed.actor_username, failed.ip_address) == ("anna", "10.0.0.8")
    assert entries(Action.LOGIN) == []
    assert all(code not in str(row) for row in AuditEntry.objects.values())


def test_a_missing_code_is_refused_like_a_wrong_one(client, require_2fa, staff, device):
    assert log_in(client, code="").status_code == 200
    assert not reaches_admin(client)
    assert len(entries(Action.OTP_FAILED)) == 1


def test_a_wrong_password_with_the_right_code_is_refused(client, require_2fa, staff, device):
    assert log_in(client, password="not-the-password", code=code_at(device)).status_code == 200
    assert not reaches_admin(client)
    assert len(entries(Action.LOGIN_FAILED)) == 1


def test_a_new_device_is_enrolled_end_to_end_and_audited(client, require_2fa, staff):
    log_in(client, REMOTE_ADDR="10.0.0.9")
    page = client.get(reverse("admin:two_factor_enrol"))
    assert page.status_code == 200
    new = TOTPDevice.objects.get(user=staff)
    assert not new.confirmed
    content = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in content
    assert readable_secret(new) in content
    assert "cdn" not in content.lower()

    response = client.post(
        reverse("admin:two_factor_enrol"), {"otp_token": code_at(new)}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    assert response.url == "/admin/"
    new.refresh_from_db()
    assert new.confirmed
    assert reaches_admin(client)
    [enrolled] = entries(Action.OTP_ENROLLED)
    assert (enrolled.actor_id, enrolled.ip_address) == (staff.pk, "10.0.0.9")
    assert enrolled.object_id == str(new.pk)
    assert [e.actor_username for e in entries(Action.LOGIN)] == ["anna"]
    assert all(new.key not in str(row) for row in AuditEntry.objects.values())


def test_a_wrong_code_at_enrolment_is_refused_and_audited(client, require_2fa, staff):
    log_in(client)
    client.get(reverse("admin:two_factor_enrol"))
    new = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("admin:two_factor_enrol"), {"otp_token": wrong_code(new)})
    assert response.status_code == 200
    assert response.context["form"].errors
    new.refresh_from_db()
    assert not new.confirmed
    assert not reaches_admin(client)
    assert [e.detail for e in entries(Action.OTP_FAILED)] == ["wrong code at enrolment"]


def test_the_enrolment_page_needs_the_right_password_first(client, require_2fa, staff):
    response = client.get(reverse("admin:two_factor_enrol"))
    assert response.status_code == 302
    assert response.url == reverse("admin:login")
    assert not TOTPDevice.objects.exists()


def test_a_user_with_a_device_cannot_enrol_another(client, require_2fa, staff, device):
    log_in(client, code=wrong_code(device))
    response = client.get(reverse("admin:two_factor_enrol"))
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_an_enrolment_left_too_long_must_start_again_from_the_password(client, require_2fa, staff):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        log_in(client)
        traveller.shift(timedelta(minutes=11))
        response = client.get(reverse("admin:two_factor_enrol"))
    assert response.status_code == 302
    assert response.url == reverse("admin:login")


def test_five_failed_logins_lock_the_account_and_the_trail_holds_no_password(
    client, require_2fa, staff, device
):
    wrong_passwords = [f"wrong-guess-{n}" for n in range(5)]
    statuses = [log_in(client, password=p).status_code for p in wrong_passwords]
    assert statuses == [200, 200, 200, 200, 429]

    response = log_in(client, code=code_at(device))
    assert response.status_code == 429
    assert not reaches_admin(client)
    assert entries(Action.LOGIN) == []
    assert len(entries(Action.LOGIN_FAILED)) == 6
    locked = entries(Action.LOCKED_OUT)
    assert locked and all(e.detail == "username: anna" for e in locked)
    assert all(e.ip_address == "127.0.0.1" for e in locked)
    for row in AuditEntry.objects.values():
        assert all(secret not in str(row) for secret in [PASSWORD, *wrong_passwords])
    # axes keeps the posted form with each attempt: without the password or the code
    stored = "".join(a.post_data for a in AccessAttempt.objects.all())
    assert PASSWORD not in stored
    assert all(p not in stored for p in wrong_passwords)


def test_wrong_codes_count_towards_the_lockout(client, require_2fa, staff, device):
    code = wrong_code(device)
    statuses = [log_in(client, code=code).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert len(entries(Action.OTP_FAILED)) == 5
    assert len(entries(Action.LOCKED_OUT)) == 1
    # axes keeps the posted form with each attempt: without the code or the password
    stored = "".join(a.post_data for a in AccessAttempt.objects.all())
    assert "otp_token=" in stored
    assert code not in stored
    assert PASSWORD not in stored
    assert log_in(client, code=code_at(device)).status_code == 429
    assert not reaches_admin(client)


def test_the_lockout_ends_after_an_hour(client, staff):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        for _ in range(5):
            log_in(client, password="wrong")
        assert log_in(client).status_code == 429
        traveller.shift(timedelta(minutes=61))
        assert log_in(client).status_code == 302
        assert reaches_admin(client)


def test_the_lockout_is_per_username_and_address(client, staff):
    for _ in range(5):
        log_in(client, password="wrong", REMOTE_ADDR="10.0.0.66")
    assert log_in(client, REMOTE_ADDR="10.0.0.66").status_code == 429
    assert log_in(client, REMOTE_ADDR="10.0.0.10").status_code == 302


def test_a_success_resets_the_failure_count(client, staff):
    for _ in range(4):
        log_in(client, password="wrong")
    log_in(client)
    client.post(reverse("admin:logout"))
    assert log_in(client, password="wrong").status_code == 200
    assert log_in(client).status_code == 302


def test_a_failed_login_records_the_username_only_if_it_names_an_account(client, staff):
    log_in(client, password="wrong")
    log_in(client, username=PASSWORD, password="x")  # the password typed into the wrong field
    details = [e.detail for e in entries(Action.LOGIN_FAILED)]
    assert details == ["username: anna", "username: (no such account)"]
    assert all(PASSWORD not in str(row) for row in AuditEntry.objects.values())


def test_login_and_logout_are_audited_with_the_address(client, require_2fa, staff, device):
    log_in(client, code=code_at(device), REMOTE_ADDR="10.0.0.20")
    response = client.post(reverse("admin:logout"), REMOTE_ADDR="10.0.0.21")
    assert response.status_code == 200
    assert not reaches_admin(client)
    [login] = entries(Action.LOGIN)
    [logout] = entries(Action.LOGOUT)
    assert (login.actor_username, login.ip_address) == ("anna", "10.0.0.20")
    assert (logout.actor_username, logout.ip_address) == ("anna", "10.0.0.21")


def test_without_the_requirement_the_password_alone_suffices(client, settings, staff):
    settings.SEROP_REQUIRE_2FA = False
    assert 'name="otp_token"' not in client.get(reverse("admin:login")).content.decode()
    response = log_in(client)
    assert response.status_code == 302
    assert reaches_admin(client)
    assert len(entries(Action.LOGIN)) == 1


def test_the_login_page_asks_for_the_code_when_it_is_required(client, require_2fa):
    assert 'name="otp_token"' in client.get(reverse("admin:login")).content.decode()


def test_a_session_ends_after_an_hour_without_requests(client, staff):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        log_in(client)
        for _ in range(3):  # every request moves the expiry on
            traveller.shift(timedelta(minutes=50))
            assert reaches_admin(client)
        traveller.shift(timedelta(minutes=61))
        assert not reaches_admin(client)


def settings_in_a_new_process(module, **environ):
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    env.update({**REQUIRED, **environ, "DJANGO_SETTINGS_MODULE": module})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SEROP_REQUIRE_2FA)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("environ", [{}, {"SEROP_REQUIRE_2FA": "false"}])
def test_production_always_requires_the_second_factor(environ):
    assert settings_in_a_new_process("serop.settings.production", **environ) == "True"


@pytest.mark.parametrize(
    ("environ", "expected"), [({}, "False"), ({"SEROP_REQUIRE_2FA": "true"}, "True")]
)
def test_the_demo_relaxes_the_second_factor_unless_told_otherwise(environ, expected):
    assert settings_in_a_new_process("serop.settings.local", **environ) == expected
