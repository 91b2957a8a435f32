"""Signing in: passwords with a rate limit, TOTP MFA for staff and responders, password reset
by e-mail, and API tokens (page, CLI, bearer authentication)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dnscert.core import services, token_cli
from dnscert.core.models import ApiToken, AuditEvent
from tests.personas import PASSWORD, login_verified, member, responder, staff, totp_device

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    """The current TOTP code of ``device``, computed from its key like an authenticator app."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


# --- Password sign-in ------------------------------------------------------------------------


def test_it_signs_a_member_in_with_a_password() -> None:
    member(username="alice")
    client = Client()
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("documents")).status_code == 200


def test_it_refuses_a_wrong_password_with_a_form_error() -> None:
    member(username="alice")
    response = sign_in(Client(), "alice", "not the password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in response.wsgi_request.session


def test_it_rate_limits_failures_per_username_and_address() -> None:
    member(username="alice")
    for _attempt in range(10):
        sign_in(Client(REMOTE_ADDR="127.0.0.5"), "alice", "guess")
    locked = sign_in(Client(REMOTE_ADDR="127.0.0.5"), "alice")
    assert locked.status_code == 200
    assert "Too many failed sign-in attempts" in locked.content.decode()
    other_address = sign_in(Client(REMOTE_ADDR="127.0.0.6"), "alice")
    assert other_address.status_code == 302


def test_it_forgets_failures_after_a_successful_sign_in() -> None:
    member(username="alice")
    for _attempt in range(9):
        sign_in(Client(), "alice", "guess")
    assert sign_in(Client(), "alice").status_code == 302
    for _attempt in range(9):
        sign_in(Client(), "alice", "guess")
    assert sign_in(Client(), "alice").status_code == 302


# --- MFA -------------------------------------------------------------------------------------


def test_it_sends_staff_without_a_device_from_the_password_to_mfa_setup() -> None:
    staff(username="sam")
    client = Client()
    response = sign_in(client, "sam", next="/audit/")
    assert response["Location"] == reverse("mfa-verify") + "?next=%2Faudit%2F"
    setup = client.get(response["Location"])
    assert setup["Location"] == reverse("mfa-setup") + "?next=%2Faudit%2F"
    blocked = client.get("/audit/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("mfa-verify"))


def test_it_enrols_a_totp_device_and_gives_backup_codes() -> None:
    user = staff(username="sam")
    client = Client()
    sign_in(client, "sam")
    page = client.get(reverse("mfa-setup"))
    html = page.content.decode()
    assert "<svg" in html
    assert "otpauth://totp/" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("mfa-setup"), {"code": code_for(device), "next": "/audit/"})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/audit/").status_code == 200
    assert AuditEvent.objects.filter(actor=user, changes__mfa="authenticator enrolled").exists()


def test_it_refuses_a_wrong_enrolment_code() -> None:
    staff(username="sam")
    client = Client()
    sign_in(client, "sam")
    client.get(reverse("mfa-setup"))
    response = client.post(reverse("mfa-setup"), {"code": "000000x"})
    assert "not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_it_verifies_staff_with_a_real_totp_code() -> None:
    user = staff(username="sam")
    device = totp_device(user)
    client = Client()
    response = sign_in(client, "sam", next="/audit/")
    verify_url = response["Location"]
    assert client.get("/audit/").status_code == 302
    wrong = client.post(verify_url, {"code": "123456" if code_for(device) != "123456" else "1"})
    assert "not valid" in wrong.content.decode()
    device.throttle_reset()
    verified = client.post(verify_url, {"code": code_for(device), "next": "/audit/"})
    assert verified["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200


def test_it_accepts_a_backup_code_once() -> None:
    user = responder(username="rita")
    totp_device(user)
    codes = services.regenerate_backup_codes(user)
    first, second = Client(), Client()
    sign_in(first, "rita")
    assert first.post(reverse("mfa-verify"), {"code": codes[0]}).status_code == 302
    assert first.get(reverse("documents")).status_code == 200
    sign_in(second, "rita")
    assert second.post(reverse("mfa-verify"), {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_it_asks_a_member_who_enrolled_for_the_code_too() -> None:
    user = member(username="mia")
    device = totp_device(user)
    client = Client()
    response = sign_in(client, "mia")
    assert response["Location"].startswith(reverse("mfa-verify"))
    assert client.get(reverse("documents")).status_code == 302
    client.post(reverse("mfa-verify"), {"code": code_for(device)})
    assert client.get(reverse("documents")).status_code == 200


def test_it_lets_members_skip_mfa() -> None:
    member(username="mia")
    client = Client()
    assert sign_in(client, "mia")["Location"] == reverse("home")
    assert client.get(reverse("api-tokens")).status_code == 200


def test_it_needs_the_second_factor_before_replacing_a_device() -> None:
    user = staff(username="sam")
    totp_device(user)
    client = Client()
    sign_in(client, "sam")
    response = client.get(reverse("mfa-setup"))
    assert response["Location"].startswith(reverse("mfa-verify"))


def test_it_reissues_backup_codes_for_a_verified_user() -> None:
    user = staff()
    old = services.regenerate_backup_codes(user)
    client = login_verified(Client(), user)
    response = client.post(reverse("mfa-setup"), {"action": "backup-codes"})
    assert len(response.context["codes"]) == 10
    assert not set(old) & set(response.context["codes"])


def test_it_refuses_session_api_calls_before_the_second_factor() -> None:
    staff(username="sam")
    client = Client()
    sign_in(client, "sam")
    response = client.get(reverse("me-list"))
    assert response.status_code == 403
    assert "second sign-in factor" in response.json()["detail"]


def test_it_keeps_the_token_page_behind_the_second_factor() -> None:
    staff(username="sam")
    client = Client()
    sign_in(client, "sam")
    response = client.get(reverse("api-tokens"))
    assert response["Location"].startswith(reverse("mfa-verify"))


def test_it_does_not_redirect_outside_the_site_after_mfa() -> None:
    user = staff()
    device = totp_device(user)
    client = Client()
    sign_in(client, user.username)
    response = client.post(
        reverse("mfa-verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


# --- Password reset --------------------------------------------------------------------------


def test_it_resets_a_password_through_the_emailed_link() -> None:
    member(username="alice", email="alice@registry.example")
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "alice@registry.example"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@registry.example"]
    assert "Password reset on" in message.subject
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", message.body)
    assert link is not None, message.body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    new_password = "a brand new long passphrase 7"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert sign_in(Client(), "alice", new_password).status_code == 302
    reused = Client().get(link.group(1), follow=True)
    assert not reused.context["validlink"]


def test_it_sends_no_mail_for_an_unknown_address() -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- API tokens ------------------------------------------------------------------------------


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_it_creates_a_token_on_the_page_and_shows_it_once() -> None:
    user = member()
    client = login_verified(Client(), user)
    response = client.post(reverse("api-tokens"), {"action": "create", "name": "ci", "days": 30})
    raw = response.context["raw_token"]
    assert raw.startswith("dc_")
    assert raw in response.content.decode()
    assert raw not in client.get(reverse("api-tokens")).content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.expires is not None
    assert bearer(raw).get(reverse("me-list")).json()["username"] == user.username


def test_it_revokes_a_token_from_the_page() -> None:
    user = member()
    token, raw = services.issue_api_token(user, user, "laptop")
    client = login_verified(Client(), user)
    client.post(reverse("api-tokens"), {"action": "revoke", "token": token.pk})
    response = bearer(raw).get(reverse("me-list"))
    assert response.status_code == 401
    assert response.json()["detail"] == "API token revoked or expired."


def test_it_does_not_let_users_revoke_tokens_of_others() -> None:
    owner, other = member(), member()
    token, _raw = services.issue_api_token(owner, owner, "laptop")
    client = login_verified(Client(), other)
    response = client.post(reverse("api-tokens"), {"action": "revoke", "token": token.pk})
    assert response.status_code == 404
    token.refresh_from_db()
    assert not token.revoked


def test_it_refuses_an_expired_token() -> None:
    user = member()
    token, raw = services.issue_api_token(user, user, "old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    response = bearer(raw).get(reverse("me-list"))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer", "Authorization header must be 'Bearer <token>'."),
        ("Bearer dc_a dc_b", "Authorization header must be 'Bearer <token>'."),
        ("Bearer dc_unknown", "Unknown API token."),
    ],
)
def test_it_explains_a_malformed_or_unknown_token(header: str, message: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get(reverse("me-list"))
    assert response.status_code == 401
    assert response.json()["detail"] == message


def test_it_lets_staff_tokens_bypass_mfa() -> None:
    user = staff()
    raw = services.issue_api_token(user, user, "siem")[1]
    response = bearer(raw).get(reverse("audit-event-list"))
    assert response.status_code == 200
    me = bearer(raw).get(reverse("me-list")).json()
    assert (me["role"], me["authenticated_by"], me["is_core_staff"]) == ("staff", "token", True)


def test_it_refuses_a_token_of_an_inactive_user() -> None:
    user = member()
    raw = services.issue_api_token(user, user, "x")[1]
    user.is_active = False
    user.save()
    assert bearer(raw).get(reverse("me-list")).status_code == 401


def test_it_issues_a_token_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    user = responder(username="rita")
    assert token_cli.main(["rita", "--name", "monitoring", "--days", "7"]) == 0
    raw = capsys.readouterr().out.strip()
    assert bearer(raw).get(reverse("me-list")).json()["username"] == "rita"
    token = ApiToken.objects.get(user=user)
    assert token.name == "monitoring"
    assert token.expires is not None
    assert timedelta(days=6) < token.expires - timezone.now() <= timedelta(days=7)
    assert AuditEvent.objects.filter(object_type="core.apitoken", via="cli").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ghost", "--name", "x"], "no user named 'ghost'"),
        (["rita", "--name", "x", "--days", "0"], "days: must be between 1 and 3650"),
        (["rita", "--name", "  "], "name: an API token needs a name"),
    ],
)
def test_it_explains_bad_command_line_input(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    responder(username="rita")
    assert token_cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_it_delivers_the_reset_mail_over_real_smtp(smtp_server: Any) -> None:
    member(username="alice", email="alice@registry.example")
    Client().post(reverse("password_reset"), {"email": "alice@registry.example"})
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "alice@registry.example"
    assert "/accounts/password-reset/" in message.get_content()
