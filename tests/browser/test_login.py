"""Signing in through the portal: password, then the authenticator's code."""

import time

from conftest import PASSWORD, shot, totp


def test_log_in_with_two_factor(app, page):
    account = app.account("Verkstad AB")
    email = app.user(account, f"tfa.{time.time_ns()}@example.com")

    # Turn 2FA on in the profile page.
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome, Anna Andersson").wait_for()
    shot(page, "start")

    page.goto("/profile")
    page.get_by_role("heading", name="Two-factor authentication").wait_for()
    page.get_by_label("Password for two-factor").fill(PASSWORD)
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    used = totp(secret)
    page.get_by_label("Code from the app").fill(used)
    page.get_by_role("button", name="Confirm").click()
    codes = page.get_by_test_id("recovery-codes").inner_text()
    assert len(codes.split()) == 10
    shot(page, "profile-2fa-on")

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()

    # A wrong password is said in words; the right one asks for the code.
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("Wrong password 1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("alert").get_by_text("wrong").wait_for()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Two-factor authentication").wait_for()
    shot(page, "login-2fa")
    # The code that confirmed 2FA is used up: a code is good once, so wait for the next one.
    while totp(secret) == used:
        time.sleep(1)
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Welcome, Anna Andersson").wait_for()
