"""People and accounts in the portal: giving access from the account overview, the
invitation, access levels enforced in the menu and on the pages, the accounts list, users,
API keys and settings."""

import re
import time

from playwright.sync_api import expect

from conftest import PASSWORD, SCREENSHOTS, shot


def log_in(page, email, name):
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name=f"Welcome, {name}").wait_for()


def menu_link(page, name):
    """A menu link, the menu opened first on a phone (where it folds behind Menu)."""
    menu = page.get_by_role("navigation", name="Main")
    toggle = menu.get_by_role("button", name="Menu")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return menu.get_by_role("link", name=name, exact=True)


def test_an_admin_invites_a_user_whose_level_the_portal_enforces(app, page, chromium):
    stamp = time.time_ns()
    account = app.account("Konsult AB")
    admin = app.user(account, f"admin.{stamp}@example.com", "admin", name="Anna Andersson")
    invitee = f"bertil.{stamp}@example.com"

    log_in(page, admin, "Anna Andersson")
    page.goto(f"/accounts/{account}")
    page.get_by_role("heading", name="Konsult AB").wait_for()
    page.get_by_label("E-mail address").fill(invitee)
    page.get_by_label("Access level", exact=True).select_option("user")
    page.get_by_label("First name").fill("Bertil")
    page.get_by_label("Last name").fill("Berg")
    page.get_by_role("button", name="Give access").click()
    page.get_by_role("status").get_by_text(f"{invitee} is invited").wait_for()
    # Until they accept, the row shows the address only (no name, whoever they are).
    row = page.locator("tr", has_text=invitee)
    expect(row).to_contain_text("Invitation pending")
    expect(row).to_contain_text("(not accepted yet)")
    expect(page.get_by_label(f"Access level for {invitee}")).to_have_value("user")
    shot(page, "account-overview")

    # The invitee sets a password from the e-mailed link and logs in, in a browser of their own.
    context = chromium.new_context(base_url=app.base, viewport={"width": 375, "height": 800})
    errors = []
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.on("pageerror", lambda e: errors.append(str(e)))
    try:
        other.goto(f"/invitation?token={app.emailed_token(invitee)}")
        other.get_by_label("Choose a password").fill(PASSWORD)
        other.get_by_label("The password again").fill(PASSWORD)
        other.get_by_role("button", name="Set password").click()
        other.get_by_role("link", name="Log in now").click()
        log_in(other, invitee, "Bertil Berg")
        expect(menu_link(other, "Send SMS")).to_be_visible()
        expect(other.locator("#signed-in-as")).to_have_text(invitee)
        for hidden in ["Contacts", "Settings", "API keys", "Users"]:
            expect(menu_link(other, hidden)).to_have_count(0)
        other.goto("/settings")
        expect(other.get_by_role("alert")).to_contain_text("This page needs the Admin access level on this account.")
        shot(other, "settings-denied-375")

        # The admin (the page reloaded: they accepted) raises them to manager; after a
        # reload the invitee has Contacts.
        page.reload()
        expect(page.locator("tr", has_text=invitee)).to_contain_text("Bertil Berg")
        page.get_by_label("Access level for Bertil Berg").select_option("manager")
        page.get_by_role("button", name="Change level: Bertil Berg").click()
        page.get_by_role("status").get_by_text("Bertil Berg now has the access level Manager.").wait_for()
        other.goto("/")
        other.get_by_role("heading", name="Welcome, Bertil Berg").wait_for()
        expect(menu_link(other, "Contacts")).to_be_visible()
        expect(menu_link(other, "Settings")).to_have_count(0)
    finally:
        context.close()
    assert not errors, errors

    # The last admin cannot be made less; the portal says why in words.
    page.get_by_label("Access level for Anna Andersson").select_option("user")
    page.get_by_role("button", name="Change level: Anna Andersson").click()
    expect(page.get_by_role("alert")).to_contain_text("at least one admin")

    # Revoking asks first, then the member is gone.
    page.get_by_role("button", name="Revoke access: Bertil Berg").click()
    page.get_by_role("button", name="Yes, revoke access").click()
    page.get_by_role("status").get_by_text("Bertil Berg no longer has access.").wait_for()
    expect(page.locator("tr", has_text=invitee)).to_have_count(0)


def test_the_accounts_list_sorts_searches_and_keeps_a_default(app, page):
    stamp = time.time_ns()
    email = f"lista.{stamp}@example.com"
    first = app.account("Mellan Måleri AB", balance_minor=10_000)
    app.user(first, email, "admin", name="Cecilia Carlsson")
    for name, balance, level in [("Alfa Frakt AB", 5_000, "manager"), ("Zeta Media AB", 30_000, "user")]:
        other = app.account(name, balance_minor=balance)
        made = app.admin("POST", "/v1/admin/users", {"account_id": other, "email": email, "name": "Cecilia Carlsson", "level": level, "language": "en"})
        assert made.status == 201, made.text

    log_in(page, email, "Cecilia Carlsson")
    page.goto("/accounts")
    rows = page.locator("#account-list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Alfa Frakt AB")
    expect(page.locator("tr.default")).to_contain_text("Mellan Måleri AB")
    shot(page, "accounts")

    page.get_by_role("button", name="Name/Note").click()
    expect(rows.nth(0)).to_contain_text("Zeta Media AB")
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Name/Note")
    page.get_by_role("button", name="Balance").click()
    expect(rows.nth(0)).to_contain_text("Alfa Frakt AB")
    expect(rows.nth(2)).to_contain_text("Zeta Media AB")
    page.get_by_role("button", name="Balance").click()
    expect(rows.nth(0)).to_contain_text("Zeta Media AB")
    page.get_by_role("button", name="Access level").click()
    expect(rows.nth(0)).to_contain_text("User")

    page.get_by_label("Search accounts").fill("zeta")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Zeta Media AB")
    page.get_by_role("button", name="Make default: Zeta Media AB").click()
    expect(page.locator("tr.default")).to_contain_text("Zeta Media AB")
    # The search and sort are in the address: a reload keeps them.
    page.reload()
    expect(rows).to_have_count(1)
    page.get_by_label("Search accounts").fill("")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(3)

    # The overview of an account where one is only a user: no editing, no giving access.
    page.get_by_role("link", name="Overview: Zeta Media AB").click()
    page.get_by_role("heading", name="Zeta Media AB").wait_for()
    expect(page.get_by_role("button", name="Give access")).to_have_count(0)
    expect(page.get_by_text("Edit name/note and type")).to_have_count(0)

    # The same list in Swedish.
    page.goto("/accounts")
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("heading", name="Konton").wait_for()
    expect(page.get_by_role("button", name="Saldo")).to_be_visible()
    expect(page.get_by_role("button", name="Behörighet")).to_be_visible()
    expect(page.locator("#account-list")).to_contain_text("Administratör")
    expect(page.locator("#account-list")).to_contain_text("Standardkonto")
    shot(page, "accounts-sv")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "accounts-sv-375")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("heading", name="Accounts").wait_for()


def test_users_keys_and_settings_for_an_admin(app, page):
    stamp = time.time_ns()
    account = app.account("Verktyg AB")
    admin = app.user(account, f"verktyg.{stamp}@example.com", "admin", name="David Dahl")
    colleague = app.user(account, f"kollega.{stamp}@example.com", "user", name="Eva Ek")

    log_in(page, admin, "David Dahl")
    page.goto("/profile")
    page.get_by_role("heading", name="User information").wait_for()
    page.get_by_label("Mobile phone number").fill("+46701234567")
    page.get_by_role("button", name="Save").first.click()
    page.get_by_role("status").get_by_text("Saved.").wait_for()
    expect(page.locator("#phone")).to_contain_text("Not confirmed")
    # The phone is confirmed with the code the SMS (through the sandbox carrier) carries.
    page.get_by_role("button", name="Send code by SMS").click()
    page.get_by_role("status").get_by_text("A code was sent to +46701234567").wait_for()
    key = app.admin("POST", f"/v1/admin/accounts/{account}/keys", {"name": "test"}).json["key"]
    texts = [m["text"] for m in app.call("GET", "/v1/messages?to=%2B46701234567", token=key).json["messages"]]
    code = re.search(r"\b\d{6}\b", texts[0]).group(0)
    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Check code").click()
    page.get_by_role("status").get_by_text("Your phone number is confirmed.").wait_for()
    expect(page.locator("#phone")).to_contain_text("Confirmed ✓")
    # The password policy's failures are listed in words.
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Change password").click()
    alert = page.locator("#password").get_by_role("alert")
    expect(alert).to_contain_text("at least 10 characters")
    expect(alert).to_contain_text("at least one digit")
    shot(page, "profile")

    page.goto("/users")
    page.get_by_role("link", name="Eva Ek", exact=True).wait_for()
    expect(page.locator("#signed-in-as")).to_have_text(admin)
    # Seed 001 "Add a new user", from the Users page itself.
    newcomer = f"fia.{stamp}@example.com"
    panel = page.locator("#give-access")
    expect(panel.get_by_role("heading", name="Give a user access")).to_be_visible()
    panel.get_by_label("E-mail address").fill(newcomer)
    panel.get_by_label("First name").fill("Fia")
    panel.get_by_label("Last name").fill("Fors")
    panel.get_by_role("button", name="Give access").click()
    panel.get_by_role("status").get_by_text(f"{newcomer} is invited").wait_for()
    assert "token=" in app.last_email(newcomer)["body"], "the newcomer got the invitation's link"
    shot(page, "users")
    page.get_by_role("link", name="Overview: Eva Ek").click()
    page.get_by_role("heading", name="Eva Ek").wait_for()
    expect(page.get_by_role("table")).to_contain_text("Verktyg AB")
    expect(page.get_by_text(colleague)).to_be_visible()
    shot(page, "user-overview")

    # An API key: made with chosen scopes and an allowlist, shown once, then revoked.
    page.goto("/keys")
    page.get_by_label("Name of the key").fill("Lager")
    page.get_by_label("Account settings, billing and history (account)").uncheck()
    page.get_by_label("Allowed IP addresses (optional)").fill("203.0.113.0/24")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_test_id("new-key").inner_text()
    assert key.startswith("sk_")
    row = page.locator("tr", has_text="Lager")
    expect(row).to_contain_text("203.0.113.0/24")
    expect(row).not_to_contain_text("account")
    shot(page, "keys")
    # The key is real, and its allowlist keeps this machine out.
    used = app.call("GET", "/v1/contacts", token=key)
    assert used.status == 403 and used.json["error"]["name"] == "IpNotAllowed", used.text
    page.get_by_role("button", name="Revoke: Lager").click()
    page.get_by_role("button", name="Yes, revoke the key").click()
    page.get_by_role("status").get_by_text("Lager is revoked.").wait_for()
    expect(page.locator("tr", has_text="Lager")).to_contain_text("Revoked")

    # Settings: a bad field is said in words, a good one saved and seen in the history.
    page.goto("/settings")
    page.get_by_label("Company name").fill("Verktyg i Norr AB")
    page.get_by_label("Country (two letters, e.g. SE)").fill("Sverige")
    page.locator("#company").get_by_role("button", name="Save").click()
    expect(page.locator("#company").get_by_role("alert")).to_contain_text("company.country")
    page.get_by_label("Country (two letters, e.g. SE)").fill("SE")
    page.locator("#company").get_by_role("button", name="Save").click()
    page.locator("#company").get_by_role("status").get_by_text("Saved.").wait_for()
    page.get_by_label("Stop by link: add a link to stop further SMS").check()
    page.locator("#stop").get_by_role("button", name="Save").click()
    page.locator("#stop").get_by_role("status").get_by_text("Saved.").wait_for()
    expect(page.get_by_label("Currency", exact=True)).to_have_attribute("readonly", "")
    expect(page.locator("#currency-hint")).to_contain_text("cannot change any more")
    page.get_by_role("button", name="Make a new signing secret").click()
    assert page.get_by_test_id("webhook-secret").inner_text().startswith("whsec_")
    page.get_by_label("System ID (1–15 characters)").fill(f"vt{stamp % 10**9}")
    page.get_by_role("button", name="Create credential").click()
    assert len(page.get_by_test_id("smpp-password").inner_text()) == 8
    # Revoking asks first; Cancel brings the button back with the focus on it.
    system_id = f"vt{stamp % 10**9}"
    page.get_by_role("button", name=f"Revoke: {system_id}").click()
    question = page.get_by_role("group", name=f"Revoke {system_id}? Its connections stop working.")
    expect(question.get_by_role("button", name="Yes, revoke it")).to_be_focused()
    question.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name=f"Revoke: {system_id}")).to_be_focused()
    page.get_by_role("button", name=f"Revoke: {system_id}").click()
    page.get_by_role("button", name="Yes, revoke it").click()
    page.locator("#smpp").get_by_role("status").get_by_text(f"{system_id} is revoked.").wait_for()
    expect(page.locator("#smpp tbody tr", has_text=system_id)).to_contain_text("Revoked")
    page.reload()
    expect(page.get_by_label("Company name")).to_have_value("Verktyg i Norr AB")
    expect(page.get_by_label("Stop by link: add a link to stop further SMS")).to_be_checked()
    history = page.locator("#history")
    expect(history).to_contain_text("Settings changed")
    expect(history).to_contain_text("SMPP credential made")
    expect(history).to_contain_text("David Dahl")
    shot(page, "settings")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "settings-375")
    assert (SCREENSHOTS / "settings-375.png").exists()


def test_password_reset_and_a_new_email_address(app, page):
    stamp = time.time_ns()
    account = app.account("Bageri AB")
    email = app.user(account, f"bageri.{stamp}@example.com", "admin", name="Frida Falk")

    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    # The login page has an "E-mail address" too: wait for the reset page to replace it.
    page.get_by_role("heading", name="Reset your password").wait_for()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("status").get_by_text("a link is on its way").wait_for()
    page.goto(f"/reset?token={app.emailed_token(email)}")
    page.get_by_label("New password", exact=True).fill("Nytt lösenord 42")
    page.get_by_label("New password again").fill("Nytt lösenord 42")
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_role("status").get_by_text("Your password is changed").wait_for()
    # The link works once.
    page.reload()
    page.get_by_label("New password", exact=True).fill("Nytt lösenord 43")
    page.get_by_label("New password again").fill("Nytt lösenord 43")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("alert")).to_contain_text("The link is unknown, used or expired")

    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("Nytt lösenord 42")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome, Frida Falk").wait_for()

    # A new address: the link goes to it, and opening it moves the user there.
    moved = f"frida.{stamp}@example.com"
    page.goto("/profile")
    page.get_by_label("New e-mail address").fill(moved)
    page.get_by_label("Your password").fill("Nytt lösenord 42")
    page.get_by_role("button", name="Change e-mail address").click()
    page.get_by_role("status").get_by_text(f"Check your inbox: we sent a link to {moved}").wait_for()
    page.goto(f"/confirm-email?token={app.emailed_token(moved)}")
    page.get_by_role("status").get_by_text(f"{moved} is confirmed").wait_for()
    page.goto("/profile")
    expect(page.locator("#email")).to_contain_text(f"You log in with {moved}")
    expect(page.locator("#email")).to_contain_text("Confirmed ✓")


def test_someone_with_a_user_accepts_an_invitation_signed_in_as_themselves(app, page):
    stamp = time.time_ns()
    inviting = app.account("Inbjudan AB")
    admin = app.user(inviting, f"inviter.{stamp}@example.com", "admin", name="Ida Inviter")
    guest = app.user(app.account("Egen AB"), f"guest.{stamp}@example.com", "admin", name="Gustav Gäst")

    # The admin invites someone who (as it happens) has a user: the page shows no name.
    log_in(page, admin, "Ida Inviter")
    page.goto(f"/accounts/{inviting}")
    page.get_by_label("E-mail address").fill(guest)
    page.get_by_role("button", name="Give access").click()
    page.get_by_role("status").get_by_text(f"{guest} is invited").wait_for()
    expect(page.locator("tr", has_text=guest)).to_contain_text("(not accepted yet)")
    expect(page.locator("tr", has_text=guest)).not_to_contain_text("Gustav")
    page.get_by_role("button", name="Log out").click()

    # The link asks them to log in first; after logging in they are back, and accept.
    page.goto(f"/invitation?token={app.emailed_token(guest)}")
    page.get_by_role("link", name="Log in first, then accept").click()
    page.get_by_label("E-mail address").fill(guest)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Accept the invitation").click()
    page.get_by_role("status").get_by_text("You have accepted the invitation.").wait_for()
    shot(page, "invitation-accepted")
    page.get_by_role("link", name="Go to your accounts").click()
    expect(page.locator("#account-list")).to_contain_text("Inbjudan AB")
