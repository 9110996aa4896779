"""Messaging through the portal: send an SMS through the sandbox carrier with the live
preview and watch it reach Delivered; contacts and groups; the blocklist refusing a send
with the reason in words; the inbox and numbers pages."""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from conftest import PASSWORD, shot


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


def test_send_and_watch_it_delivered(app, page):
    account = app.account("Blomsterhandel AB")
    email = app.user(account, f"send.{time.time_ns()}@example.com")
    log_in(page, email)

    go(page, "Send SMS")
    page.get_by_role("heading", name="Send SMS").wait_for()
    page.get_by_label("From (sender name or number)").fill("Blomster")
    page.get_by_label("To (numbers, one per line or separated by commas)").fill("+46701234567")
    page.get_by_label("Message", exact=True).fill("Hej! Dina blommor är klara att hämtas.")
    # The live preview: UCS-2 is not needed for å/ä/ö (GSM-7), one segment, the price.
    expect(page.get_by_test_id("preview-segments")).to_have_text("1")
    expect(page.get_by_test_id("preview-encoding")).to_have_text("GSM-7")
    expect(page.get_by_test_id("preview-price")).to_contain_text(re.compile(r"\d"))
    price = page.get_by_test_id("preview-price").inner_text()
    # A longer text in UCS-2 takes more segments, and the preview follows the typing.
    page.get_by_label("Message", exact=True).fill("Привет! " * 20)
    expect(page.get_by_test_id("preview-encoding")).to_have_text("UCS-2")
    expect(page.get_by_test_id("preview-segments")).to_have_text("3")
    page.get_by_label("Message", exact=True).fill("Hej! Dina blommor är klara att hämtas.")
    expect(page.get_by_test_id("preview-segments")).to_have_text("1")
    expect(page.get_by_test_id("preview-price")).to_have_text(price)
    shot(page, "send-preview")

    page.get_by_role("button", name="Send", exact=True).click()
    outcome = page.locator("#send-outcome")
    outcome.get_by_role("heading", name="Sent").wait_for()
    expect(outcome.locator("tbody tr")).to_have_count(1)
    expect(outcome.locator("tbody tr").first).to_contain_text("+46701234567")
    expect(outcome.locator("tbody tr").first).to_contain_text(price)
    # Sent: the recipients and the text are cleared (a second click sends nothing), the
    # sender stays and is remembered for the next visit.
    expect(page.get_by_label("To (numbers, one per line or separated by commas)")).to_have_value("")
    expect(page.get_by_label("Message", exact=True)).to_have_value("")
    expect(page.get_by_label("From (sender name or number)")).to_have_value("Blomster")
    shot(page, "send-result")

    outcome.get_by_role("link", name="Open +46701234567").click()
    page.get_by_role("heading", name="SMS to +46701234567").wait_for()
    expect(page.locator("#message-status")).to_have_attribute("data-code", "201", timeout=20_000)
    expect(page.locator("#message-status")).to_have_text("Delivered")
    history = page.locator("#message-history li")
    expect(history.last).to_contain_text("Delivered")
    assert history.count() >= 3
    # Who moved it, in words: never the API's source keys.
    expect(history.first).to_contain_text("your request")
    for raw in [" · api", " · billing", " · router", "(sandbox)", "carrier sandbox"]:
        assert raw not in page.locator("#message").inner_text(), raw
    expect(page.get_by_role("button", name="Cancel this message")).to_have_count(0)
    shot(page, "message")

    go(page, "Messages")
    page.get_by_role("heading", name="Messages").wait_for()
    expect(page.locator("#message-list tbody tr")).to_have_count(1)
    page.get_by_label("Status").select_option("203")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#message-list")).to_contain_text("No messages match.")
    page.get_by_label("Status").select_option("201")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#message-list tbody tr")).to_have_count(1)
    expect(page.locator("#message-list tbody tr").first).to_contain_text("Delivered")
    # Days: the message is in today's, not in yesterday's.
    # (The browser's days are Stockholm's: the page fixture's time zone.)
    now = datetime.now(ZoneInfo("Europe/Stockholm"))
    today, yesterday = now.date().isoformat(), (now - timedelta(days=1)).date().isoformat()
    page.get_by_label("From day").fill(yesterday)
    page.get_by_label("Until day (inclusive)").fill(yesterday)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#message-list")).to_contain_text("No messages match.")
    page.get_by_label("Until day (inclusive)").fill(today)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#message-list tbody tr")).to_have_count(1)
    # Words in the text, any case.
    page.get_by_label("Text contains").fill("BLOMMOR ÄR")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#message-list tbody tr")).to_have_count(1)
    page.get_by_label("Text contains").fill("tulpaner")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#message-list")).to_contain_text("No messages match.")
    page.get_by_label("Text contains").fill("")
    shot(page, "messages")

    # A scheduled send to a national number (a Swedish account's 070…) waits, says when it
    # goes, and can be canceled from its page; its price then reads as refunded.
    go(page, "Send SMS")
    expect(page.get_by_label("From (sender name or number)")).to_have_value("Blomster")
    page.get_by_label("To (numbers, one per line or separated by commas)").fill("070-123 45 67")
    page.get_by_label("Message", exact=True).fill("Påminnelse: hämta dina blommor i morgon.")
    page.get_by_label("Send later").check()
    tomorrow = time.strftime("%Y-%m-%dT10:30", time.localtime(time.time() + 86400))
    page.get_by_label("Send at (date and time)").fill(tomorrow)
    page.get_by_label("Time zone").select_option("Europe/Stockholm")
    page.get_by_role("button", name="Send", exact=True).click()
    outcome = page.locator("#send-outcome")
    outcome.get_by_role("heading", name=re.compile(r"^Scheduled for")).wait_for()
    expect(outcome.locator("tbody tr").first).to_contain_text("Scheduled for")
    assert "Paid for" not in outcome.inner_text()
    outcome.get_by_role("link", name="Open +46701234567").click()
    expect(page.locator("#message-status")).to_have_attribute("data-code", "103")
    expect(page.locator("#message-status")).to_contain_text("Scheduled for")
    page.get_by_role("button", name="Cancel this message").click()
    page.get_by_role("status").get_by_text("The message was canceled and its price refunded.").wait_for()
    expect(page.locator("#message-status")).to_have_attribute("data-code", "203")
    expect(page.locator("#message")).to_contain_text("Refunded (")
    expect(page.get_by_role("button", name="Cancel this message")).to_have_count(0)

    # The same on a phone-sized screen.
    page.set_viewport_size({"width": 375, "height": 800})
    go(page, "Send SMS")
    page.get_by_label("Message", exact=True).fill("Hej")
    page.get_by_label("To (numbers, one per line or separated by commas)").fill("+46701234567, +46731234567")
    expect(page.get_by_test_id("preview-recipients")).to_have_text("2")
    shot(page, "send-preview-phone")
    # On a phone the menu folds behind Menu and lists are cards: nothing is hidden behind a
    # sideways scroll (issue 19 item 3).
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages", exact=True).is_hidden()
    for name in ["Messages", "Accounts", "Contacts"]:
        go(page, name)
        page.get_by_role("heading", name=name, exact=True).wait_for()
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name} is {width} px wide"
    go(page, "Messages")
    first = page.locator("#message-list tbody tr").first
    for label in ["Price", "Status"]:
        cell = first.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (label, box)
    shot(page, "messages-phone")


def test_contacts_groups_and_the_blocklist(app, page):
    account = app.account("Frisör Lind AB")
    email = app.user(account, f"contacts.{time.time_ns()}@example.com")
    made = app.admin("POST", "/v1/admin/numbers", {"number": "+46766860001", "account_id": account, "role": "primary"})
    assert made.status in (200, 201), made.text
    log_in(page, email)

    # A contact, then a group with the contact in it.
    go(page, "Contacts")
    page.get_by_role("heading", name="Contacts", exact=True).wait_for()
    page.get_by_text("Add a contact").click()
    page.get_by_label("Phone number").fill("+46 70 123 45 99")
    page.get_by_label("First name").fill("Åsa")
    page.get_by_label("Last name").fill("Öberg")
    page.get_by_role("button", name="Add contact").click()
    page.get_by_role("status").get_by_text("Contact Åsa Öberg added.").wait_for()
    expect(page.locator("#contact-list tbody tr")).to_have_count(1)
    expect(page.locator("#contact-list tbody tr").first).to_contain_text("+46701234599")

    # Edit it, and a bad number is said in words.
    page.get_by_role("button", name="Edit Åsa Öberg").click()
    page.locator("#e-note").fill("Kommer varje fredag")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_role("status").get_by_text("Contact Åsa Öberg saved.").wait_for()
    expect(page.locator("#contact-list")).to_contain_text("Kommer varje fredag")
    # (A Swedish account reads national numbers: 070-123 45 99 would be +46701234599.)
    page.get_by_label("Phone number").fill("0701")
    page.get_by_role("button", name="Add contact").click()
    page.get_by_role("alert").get_by_text("not a valid number in SE").first.wait_for()

    page.get_by_text("Create a group").click()
    page.get_by_label("Group name").fill("Stamkunder")
    page.get_by_role("button", name="Create group").click()
    page.get_by_role("status").get_by_text("Group Stamkunder created.").wait_for()
    page.get_by_label("Search names or numbers").fill("åsa")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#contact-list tbody tr")).to_have_count(1)
    shot(page, "contacts")

    page.get_by_role("link", name="Stamkunder").click()
    page.get_by_role("heading", name="Group: Stamkunder").wait_for()
    expect(page.locator("#member-count")).to_have_text("0 member(s)")
    page.get_by_label("Contact", exact=True).select_option(label="Åsa Öberg (+46701234599)")
    page.get_by_role("button", name="Add to group").click()
    page.get_by_role("status").get_by_text("1 added").wait_for()
    expect(page.locator("#member-list tbody tr")).to_have_count(1)
    expect(page.locator("#member-count")).to_have_text("1 member(s)")
    shot(page, "group")

    # The group is a recipient on the send page.
    go(page, "Send SMS")
    page.get_by_label("Stamkunder (1)").check()
    page.get_by_label("From (sender name or number)").fill("Lind")
    page.get_by_label("Message", exact=True).fill("Välkommen tillbaka!")
    expect(page.get_by_test_id("preview-recipients")).to_have_text("1")

    # Block a number; a send to it is refused and says why.
    go(page, "Blocklist")
    page.get_by_role("heading", name="Blocklist", exact=True).wait_for()
    page.get_by_label("Phone number").fill("+46709876543")
    page.get_by_role("button", name="Block number").click()
    page.get_by_role("status").get_by_text("+46709876543 is now blocked.").wait_for()
    row = page.locator("#blocklist tbody tr").first
    expect(row).to_contain_text("+46709876543")
    # Blocked by hand in the portal: the block names the person, not "the API".
    expect(row).to_contain_text("Blocked by Anna Andersson")
    expect(row).not_to_contain_text("user:")
    shot(page, "blocklist")

    go(page, "Send SMS")
    page.get_by_label("From (sender name or number)").fill("Lind")
    page.get_by_label("To (numbers, one per line or separated by commas)").fill("+46709876543")
    page.get_by_label("Message", exact=True).fill("Erbjudande!")
    # The preview already says so …
    expect(page.locator("#send-preview [role=alert]")).to_contain_text("blocklist")
    # … and so does the send.
    page.get_by_role("button", name="Send", exact=True).click()
    refused = page.locator("form .form-status [role=alert]")
    expect(refused).to_contain_text("blocklist")
    expect(refused).to_contain_text("blocked by Anna Andersson")
    # With another recipient the send goes, and the blocked one is shown refused with why.
    page.get_by_label("To (numbers, one per line or separated by commas)").fill("+46709876543\n+46701234567")
    expect(page.get_by_test_id("preview-recipients")).to_have_text("1")
    expect(page.locator("#send-preview .warning")).to_contain_text("+46709876543")
    page.get_by_role("button", name="Send", exact=True).click()
    outcome = page.locator("#send-outcome")
    outcome.get_by_role("heading", name="Sent").wait_for()
    blocked_row = outcome.locator("tbody tr", has_text="+46709876543")
    expect(blocked_row).to_contain_text("Recipient refused")
    expect(blocked_row).to_contain_text("on the blocklist (blocked by Anna Andersson")
    expect(blocked_row).not_to_contain_text("user:")
    shot(page, "send-refused")

    # A contact whose number is on the blocklist is marked so on the Contacts page.
    go(page, "Blocklist")
    page.get_by_label("Phone number").fill("+46701234599")
    page.get_by_role("button", name="Block number").click()
    page.get_by_role("status").get_by_text("+46701234599 is now blocked.").wait_for()
    go(page, "Contacts")
    marked = page.locator("tr", has_text="Åsa Öberg")
    expect(marked).to_contain_text("Opted out (blocklist)")

    # Lift the block; the history keeps both.
    go(page, "Blocklist")
    page.get_by_role("button", name="Unblock +46709876543").click()
    page.get_by_role("status").get_by_text("+46709876543 is no longer blocked.").wait_for()
    page.get_by_label("Show lifted blocks too (history)").check()
    expect(page.locator("#blocklist tbody tr", has_text="+46709876543").first).to_contain_text("Lifted")
    page.get_by_label("Number to look up").fill("+46709876543")
    page.get_by_role("button", name="Show history").click()
    expect(page.locator("#number-history")).to_contain_text("+46709876543 is not blocked now.")

    # Numbers: the primary reception number and a keyword.
    go(page, "Numbers")
    page.get_by_role("heading", name="Numbers", exact=True).wait_for()
    expect(page.locator("#numbers tbody tr").first).to_contain_text("+46766860001")
    expect(page.locator("#numbers tbody tr").first).to_contain_text("Primary")
    page.get_by_label("Keyword", exact=True).fill("erbjudande")
    page.get_by_label("Reply SMS (optional)").fill("Tack! 10 % rabatt i dag.")
    page.get_by_role("button", name="Save keyword").click()
    page.get_by_role("status").get_by_text("Keyword ERBJUDANDE saved.").wait_for()
    expect(page.locator("#keywords tbody tr")).to_have_count(1)
    page.get_by_label("Keyword", exact=True).fill("STOP")
    page.get_by_label("Reply SMS (optional)").fill("x")
    page.get_by_role("button", name="Save keyword").click()
    page.get_by_role("alert").wait_for()
    shot(page, "numbers")

    go(page, "Inbox")
    page.get_by_role("heading", name="Inbox").wait_for()
    page.get_by_label("What happened").select_option("opt_out")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#inbox-list")).to_contain_text("No received messages match.")
    shot(page, "inbox")

    # Swedish, for the seeds' users.
    page.locator("#language-switcher").select_option("sv")
    page.get_by_role("heading", name="Inkorg").wait_for()
    go(page, "Spärrlista")
    page.get_by_role("heading", name="Spärrlista", exact=True).wait_for()
    page.get_by_label("Visa även hävda spärrar (historik)").check()
    lifted = page.locator("#blocklist tbody tr", has_text="+46709876543").first
    expect(lifted).to_contain_text("Spärrat av Anna Andersson")
    expect(lifted).to_contain_text("av Anna Andersson")
    shot(page, "blocklist-sv")


def test_a_customer_gets_a_new_number_and_releases_it(app, page):
    """Seed 002 "Get a new number" (issue 19): search the free numbers, take the first as the
    primary after a question, need a number subscription for a second (said in words), buy
    one, take it, and release it again."""
    stamp = time.time_ns() % 10**6
    first, second = f"+4631{stamp:06d}0", f"+4631{stamp:06d}1"
    added = app.admin("POST", "/v1/admin/number-inventory", {"numbers": [first, second], "kind": "landline", "area_code": "31", "monthly_price_minor": 9900, "currency": "SEK"})
    assert added.status == 201, added.text
    account = app.account("Göteborgs Cykel AB")
    email = app.user(account, f"numbers.{time.time_ns()}@example.com")
    log_in(page, email)

    go(page, "Numbers")
    panel = page.locator("#get-number")
    panel.get_by_role("heading", name="Get a new number").wait_for()
    expect(panel.get_by_label("Country (two letters, e.g. SE)")).to_have_value("SE")
    panel.get_by_label("Area code").fill("31")
    panel.get_by_role("button", name="Search").click()
    row = page.locator("#free-numbers tbody tr", has_text=first)
    expect(row).to_contain_text("99")
    row.get_by_role("button", name=f"Take {first}").click()
    question = page.locator("#take-confirm [role=group]")
    expect(question).to_contain_text("It becomes your primary number")
    question.get_by_role("button", name="Yes, take it").click()
    page.get_by_role("status").get_by_text(f"{first} is yours.").wait_for()
    expect(page.locator("#numbers tbody tr", has_text=first)).to_contain_text("Primary")

    # A second number needs room in a number subscription: the question says so, and the
    # refusal is in words.
    page.locator("#free-numbers tbody tr", has_text=second).get_by_role("button", name=f"Take {second}").click()
    expect(page.locator("#take-confirm [role=group]")).to_contain_text("no room for another number")
    page.get_by_role("button", name="Yes, take it").click()
    expect(page.locator("[data-error=NumberSubscriptionRequired]")).to_be_visible()
    package = app.admin("POST", "/v1/admin/packages", {"name": f"Extra number {stamp}", "cost_minor": 4900, "currency": "SEK", "numbers": 1, "frequency": "monthly"})
    key = app.admin("POST", f"/v1/admin/accounts/{account}/keys", {"name": "buy"}).json["key"]
    assert app.call("POST", f"/v1/billing/packages/{package.json['id']}/purchase", token=key).status == 201
    page.reload()
    page.locator("#get-number").get_by_label("Area code").fill("31")
    page.locator("#get-number").get_by_role("button", name="Search").click()
    expect(page.locator("#number-room")).to_contain_text("0 of 1")
    page.locator("#free-numbers tbody tr", has_text=second).get_by_role("button", name=f"Take {second}").click()
    expect(page.locator("#take-confirm [role=group]")).to_contain_text("one of your 1 extra-number places")
    page.get_by_role("button", name="Yes, take it").click()
    page.get_by_role("status").get_by_text(f"{second} is yours.").wait_for()
    expect(page.locator("#numbers tbody tr", has_text=second)).to_contain_text("Secondary")
    shot(page, "numbers-taken")

    # Released after a question: free again.
    page.get_by_role("button", name=f"Release {second}").click()
    page.get_by_role("button", name="Release", exact=True).click()
    page.get_by_role("status").get_by_text(f"{second} is released.").wait_for()
    expect(page.locator("#numbers tbody tr", has_text=second)).to_have_count(0)
    expect(page.locator("#free-numbers tbody tr", has_text=second)).to_have_count(1)
