"""Billing through the portal: an invoice the operator issued is downloaded as its
printable HTML document; the dashboard's charts render from the account's messages and
usage; a package is bought; usage shows and downloads as CSV."""

import sqlite3
import time
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from conftest import PASSWORD, shot

SE = "+46701234567"
NO = "+4791234567"
DK = "+4520123456"
FI = "+358401234567"


def last_month():
    now = datetime.now(timezone.utc)
    return f"{now.year - 1:04d}-12" if now.month == 1 else f"{now.year:04d}-{now.month - 1:02d}"


def backdate(app, account, period):
    """Time travel, as the e2e invoice test does: moves the account's messages and ledger
    entries to the 15th of `period` (the ledger's immutability trigger is lifted for this
    one transaction and put back as it was)."""
    at = f"{period}-15T12:00:00.000Z"
    db = sqlite3.connect(app.state / ".spin" / "sqlite_db.db", timeout=10, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        trigger = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ledger_entries_are_immutable'").fetchone()[0]
        db.execute("DROP TRIGGER ledger_entries_are_immutable")
        db.execute("UPDATE ledger_entries SET created_at = ? WHERE account_id = ?", (at, account))
        db.execute("UPDATE messages SET created_at = ? WHERE account_id = ?", (at, account))
        db.execute(trigger)
        db.execute("COMMIT")
    finally:
        db.close()


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome, Anna Andersson").wait_for()


def go(page, name):
    """Follows a menu link; on a phone the menu first opens behind its Menu button."""
    menu = page.get_by_role("navigation", name="Main")
    toggle = menu.get_by_role("button", name="Menu")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    menu.get_by_role("link", name=name, exact=True).click()


def test_invoice_download_and_dashboard_charts(app, page, tmp_path):
    account = app.account("Café Sol AB", balance_minor=50_000)
    email = app.user(account, f"billing.{time.time_ns()}@example.com")
    made = app.admin("POST", f"/v1/admin/accounts/{account}/keys", {"name": "tests"})
    assert made.status == 201, made.text
    key = made.json["key"]

    def send(to, text):
        reply = app.call("POST", "/v1/messages", {"from": "CafeSol", "to": to, "text": text}, token=key)
        assert reply.status == 201, reply.text

    # Last month's messages, and its invoice issued by the operator.
    send(SE, "Faktura 1")
    send(NO, "Faktura 2")
    period = last_month()
    backdate(app, account, period)
    issued = app.admin("POST", f"/v1/admin/accounts/{account}/invoices", {"period": period})
    assert issued.status == 201, issued.text
    number = issued.json["number"]

    # This month's, for the dashboard.
    for to in (SE, SE, SE, DK, FI):
        send(to, "Hej från Café Sol!")
    package = app.admin("POST", "/v1/admin/packages", {"name": "SMS 100", "cost_minor": 3_000, "currency": "SEK", "sms_credits": 100, "frequency": "once"})
    assert package.status == 201, package.text

    log_in(page, email)
    go(page, "Dashboard")
    page.get_by_role("heading", name="Dashboard: Café Sol AB").wait_for()
    expect(page.locator("#figure-sms-credits strong")).to_have_text("0")
    expect(page.locator("#figure-balance strong")).to_contain_text("SEK")
    per_day = page.locator("#chart-per-day")
    expect(per_day.locator("svg[role=img]")).to_have_attribute("aria-label", "Messages per day by status")
    expect(per_day.locator("svg rect").first).to_be_visible()
    # The screen-reader table has today's 5 messages, as delivered.
    expect(per_day.locator("table tbody tr").last).to_contain_text("5")
    expect(page.locator("#chart-spend svg rect").first).to_be_visible()
    destinations = page.locator("#chart-destinations")
    expect(destinations.locator("table tbody tr")).to_have_count(3)
    expect(destinations.locator("table tbody tr").first).to_contain_text("SE")
    expect(destinations.locator("table tbody tr").first).to_contain_text("3")
    shot(page, "dashboard")

    go(page, "Billing")
    page.get_by_role("heading", name="Billing").wait_for()
    invoices = page.locator("#billing-invoices")
    expect(invoices.locator("tbody tr")).to_have_count(1)
    expect(invoices.locator("tbody tr").first).to_contain_text(number)
    expect(invoices.locator("tbody tr").first).to_contain_text(period)
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download {number}").click()
    saved = tmp_path / "invoice.html"
    download.value.save_as(saved)
    html = saved.read_text()
    assert number in html
    assert "Café Sol AB" in html or "Caf&eacute; Sol AB" in html or "Caf&#233; Sol AB" in html
    assert download.value.suggested_filename == f"{number}.html"

    # Usage over yesterday to tomorrow (this month's five, whatever the time zone; the
    # default 30 days would also hold last month's two early in a month) and its CSV.
    usage = page.locator("#billing-usage")
    # The default report (30 days by day) lists the days with messages only, and says so.
    expect(usage).to_contain_text("Days without messages are left out.")
    assert usage.locator("tbody tr").count() <= 3
    today = datetime.now(timezone.utc).date()
    page.get_by_label("From").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("To", exact=True).fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("Group by").select_option("destination")
    page.get_by_role("button", name="Show usage").click()
    expect(usage.locator("tbody tr")).to_have_count(3)
    expect(usage.locator("tfoot td").first).to_have_text("5")
    with page.expect_download() as csv:
        page.get_by_role("button", name="Download CSV").click()
    saved_csv = tmp_path / "usage.csv"
    csv.value.save_as(saved_csv)
    lines = saved_csv.read_text().strip().splitlines()
    assert len(lines) == 4, lines
    assert "SE" in saved_csv.read_text()

    # The account's own prices, in its currency, with what is coming (issue 19).
    assert app.admin("PUT", f"/v1/admin/accounts/{account}/prices", {"scope": "NO", "per_segment_minor": 52}).status in (200, 201)
    soon = (datetime.now(timezone.utc) + timedelta(days=10)).strftime("%Y-%m-%dT00:00:00Z")
    assert app.admin("PUT", f"/v1/admin/accounts/{account}/prices", {"scope": "NO", "per_segment_minor": 48, "effective_from": soon}).status in (200, 201)
    page.reload()
    prices = page.locator("#billing-prices")
    expect(prices.locator("tbody tr", has_text="Norway (NO)").first).to_contain_text("0.52")
    expect(prices).to_contain_text("Coming price changes")
    expect(prices).to_contain_text("0.48")

    # A package bought from the balance gives its credits, after a question that says what
    # will happen (issue 19 defect 1): nothing is charged before Yes, and Cancel buys nothing.
    before = app.admin("GET", f"/v1/admin/accounts/{account}").json["balance_minor"]
    page.get_by_role("button", name="Buy SMS 100").click()
    question = page.locator("#billing-confirm [role=group]")
    question.wait_for()
    words = question.inner_text().replace("\xa0", " ")
    assert "Buy SMS 100 for" in words and "Your balance goes from" in words and "100 SMS" in words, words
    assert app.admin("GET", f"/v1/admin/accounts/{account}").json["balance_minor"] == before, "nothing before Yes"
    question.get_by_role("button", name="Cancel").click()
    assert page.locator("#billing-confirm [role=group]").count() == 0
    page.get_by_role("button", name="Buy SMS 100").click()
    page.get_by_role("button", name="Yes, buy it").click()
    page.get_by_role("status").get_by_text("SMS 100 bought.").wait_for()
    expect(page.locator("#billing-balance")).to_contain_text("100")
    purchases = [e for e in app.admin("GET", f"/v1/admin/accounts/{account}/ledger").json["entries"] if e["kind"] == "package_purchase"]
    assert len(purchases) == 1, purchases
    shot(page, "billing")

    # A top-up is refused in words when Stripe is not configured (the test app has no key).
    page.get_by_label("Amount (SEK)").fill("200")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("alert").wait_for()
    assert "stripe" not in page.get_by_role("alert").inner_text().lower(), "no operator configuration shown to a customer"

    page.set_viewport_size({"width": 375, "height": 800})
    go(page, "Dashboard")
    expect(page.locator("#chart-destinations svg rect").first).to_be_visible()
    shot(page, "dashboard-phone")
