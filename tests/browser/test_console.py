"""The operator console (issue 18) in the browser: a staff member signs in with two-factor
(set up at the first sign-in, codes computed here by RFC 6238), creates a client, sets a
price, adds a credit note after a confirmation that says what will happen, blocks and
unblocks the client and reads the history in words (English and Swedish); a group that
denies Billing hides Payments and the server refuses it when reached by its address; the
clients list is usable on a 390 px phone. Staff and groups are made with the admin token."""

import json
import re
import time
from pathlib import Path

from conftest import PASSWORD, ROOT, shot, totp

AREAS = ["customers", "carriers", "rate_card", "cdr", "log", "reports", "billing", "numbers", "packages", "settings", "staff"]


def text_of(locator):
    """A locator's text with the no-break spaces of formatted money as plain spaces."""
    return locator.inner_text().replace("\xa0", " ")


def group(app, name, permissions):
    made = app.admin("POST", "/v1/admin/staff-groups", {"name": name, "permissions": permissions})
    assert made.status == 201, made.text
    return made.json["id"]


def staff(app, email, name, groups):
    made = app.admin("POST", "/v1/admin/staff", {"email": email, "name": name, "password": PASSWORD, "groups": groups})
    assert made.status == 201, made.text
    return made.json


def sign_in_first_time(page, email, at="/console"):
    """Signs in with the password and sets up two-factor as the console asks; the TOTP secret."""
    page.goto(at)
    page.wait_for_url(re.compile(r"/console/login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert page.locator("svg.qr").is_visible(), "the QR code of the otpauth link is drawn in the page"
    page.get_by_label("Code from the app").fill(totp(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert len(page.get_by_test_id("recovery-codes").inner_text().split()) == 10
    page.get_by_role("button", name="I have kept them: open the console").click()
    return secret


def test_staff_member_signs_in_and_runs_a_client(app, page):
    everything = group(app, "Console: everything", {area: "allow" for area in AREAS})
    staff(app, "anna.ops@operator.example", "Anna Operator", [everything])

    secret = sign_in_first_time(page, "anna.ops@operator.example")
    page.wait_for_url(re.compile(r"/console/clients$"))
    page.get_by_role("heading", name="Clients", exact=True).wait_for()
    menu = page.get_by_role("navigation", name="Console menu")
    for item in ["Clients", "Packages", "Carriers", "Delivery queue", "E-mail outbox", "Staff", "Permission groups"]:
        assert menu.get_by_role("link", name=item).is_visible(), item
    assert text_of(page.locator("#signed-in-as")) == "Signed in as anna.ops@operator.example"

    # Signing in again asks for the code from the app (the next step: each code works once).
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/console/login"))
    page.get_by_label("E-mail address").fill("anna.ops@operator.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from the app").fill(totp(secret, time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Clients", exact=True).wait_for()

    # A new client.
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Client name").fill("Fjällbutik AB")
    page.get_by_label("Credit limit").fill("100")
    page.get_by_role("button", name="Create the client").click()
    page.get_by_role("heading", name="Fjällbutik AB").wait_for()
    client = page.url.split("/console/clients/")[1].split("?")[0]
    assert text_of(page.locator("#client-credit-limit")) == "SEK 100.00"
    shot(page, "console-client-new")

    # A price for Sweden.
    page.get_by_role("link", name="Destinations").click()
    page.get_by_label("Destination", exact=True).fill("SE")
    page.get_by_label("Price per SMS part (SEK)").fill("0.35")
    page.get_by_role("button", name="Set the price").click()
    page.get_by_text("The price for Sweden (SE) is set: SEK 0.35.").wait_for()
    assert "SEK 0.35" in text_of(page.locator("#price-list"))
    prices = app.admin("GET", f"/v1/admin/accounts/{client}/prices").json["prices"]
    assert [(p["scope"], p["per_segment_minor"]) for p in prices] == [("SE", 35)]

    # A routing pool for Sweden: two carrier connections, the second when the first fails.
    for name in ["nordic-a", "nordic-b"]:
        made = app.admin("POST", "/v1/admin/carriers", {"name": name, "adapter": "http", "base_url": "http://127.0.0.1:9"})
        assert made.status == 201, made.text
    page.get_by_role("link", name="Routing").click()
    page.get_by_label("Destination", exact=True).fill("SE")
    page.get_by_label("How").select_option("failover")
    page.get_by_label("Connection 1", exact=True).select_option("nordic-a")
    page.get_by_label("Connection 2", exact=True).select_option("nordic-b")
    page.get_by_role("button", name="Set the route").click()
    page.get_by_text("The route for Sweden (SE) is set.").wait_for()
    routes = app.admin("GET", f"/v1/admin/accounts/{client}/routes").json["routes"]
    assert [(r["scope"], r["mode"], [c["name"] for c in r["connections"]]) for r in routes] == [("SE", "failover", ["nordic-a", "nordic-b"])]

    # A credit note: the confirmation says what will happen before anything does.
    page.get_by_role("link", name="Payments").click()
    page.get_by_label("What").select_option("credit_note")
    page.get_by_label("Amount (SEK)").fill("250")
    page.get_by_label("Description (shown to the client)").fill("Goodwill for the outage")
    page.get_by_role("button", name="Continue").click()
    question = page.get_by_role("group", name="Add a credit note of SEK 250.00 to Fjällbutik AB?")
    question.wait_for()
    assert "The balance goes from SEK 0.00 to SEK 250.00." in text_of(question)
    assert app.admin("GET", f"/v1/admin/accounts/{client}").json["balance_minor"] == 0, "nothing happens before Yes"
    shot(page, "console-credit-note-confirm")
    page.get_by_role("button", name="Yes, add the credit note").click()
    page.get_by_text("Done: Credit note of SEK 250.00. The balance is now SEK 250.00.").wait_for()
    assert app.admin("GET", f"/v1/admin/accounts/{client}").json["balance_minor"] == 25_000
    log = text_of(page.locator("#payments-log"))
    assert "Credit note" in log and "SEK 250.00" in log and "Goodwill for the outage" in log

    # Block and unblock, each asked first.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Block", exact=True).click()
    page.get_by_role("button", name="Yes, block").click()
    page.get_by_text("Fjällbutik AB is blocked.").wait_for()
    assert text_of(page.locator("#client-status")) == "Blocked"
    assert app.admin("GET", f"/v1/admin/accounts/{client}").json["blocked"] is True
    page.get_by_role("button", name="Unblock", exact=True).click()
    page.get_by_role("button", name="Yes, unblock").click()
    page.get_by_text("Fjällbutik AB is unblocked.").wait_for()
    assert app.admin("GET", f"/v1/admin/accounts/{client}").json["blocked"] is False

    # The profile: a higher credit limit.
    page.get_by_text("Edit profile").click()
    page.get_by_label("Credit limit").fill("500")
    page.get_by_label("Time zone", exact=True).select_option("Europe/Stockholm")
    page.get_by_label("Company name").fill("Fjällbutik Aktiebolag")
    page.get_by_label("Contact e-mail").fill("kassa@fjallbutik.example")
    page.locator("#edit-profile").get_by_role("button", name="Save").click()
    page.get_by_text("The profile is saved.").wait_for()
    assert text_of(page.locator("#client-credit-limit")) == "SEK 500.00"
    assert text_of(page.locator("#client-time-zone")) == "Europe/Stockholm"
    settings = app.admin("GET", f"/v1/admin/accounts/{client}/settings").json
    assert (settings["company"]["name"], settings["contact"]["email"]) == ("Fjällbutik Aktiebolag", "kassa@fjallbutik.example")

    # The history in words, with the staff member's name, no JSON or keys.
    history = page.locator("#history-list")
    history.wait_for()
    text = text_of(history)
    assert "Anna Operator" in text
    assert "250.00" in text
    for raw in ["{", "balance_minor", "account.updated", "balance.credit_note", "prices.set", "staff:"]:
        assert raw not in text, raw
    assert history.locator("li").count() >= 4
    shot(page, "console-history-en")

    # In Swedish: the menu, the skip link and the history are Swedish.
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("navigation", name="Konsolens meny").wait_for()
    assert text_of(page.locator("a.skip")) == "Hoppa till innehållet"
    history = page.locator("#history-list")
    history.wait_for()
    text = text_of(history)
    assert "Kunden spärrades" in text and "Kundens spärr hävdes" in text
    assert "Kreditnota" in text and "250,00 kr" in text
    assert "Anna Operator (personal)" in text
    shot(page, "console-history-sv")

    # The client's own history (the portal) shows the operator, never a staff user's id.
    page.get_by_label("Språk").select_option("en")  # the portal reads the same language choice
    page.context.clear_cookies()
    app.user(client, "fjall.admin@customer.example", level="admin", name="Frida Fjäll")
    page.goto("/login")
    page.get_by_label("E-mail address").fill("fjall.admin@customer.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome, Frida Fjäll").wait_for()
    page.goto("/settings")
    customer_history = page.locator("#history")
    customer_history.get_by_text("smsedge (operator)").first.wait_for()
    assert "staff:" not in text_of(customer_history)


def test_a_group_that_denies_billing_hides_and_refuses_payments(app, page):
    # Allow in one group, Deny in another: Deny wins.
    everything = group(app, "Console: all areas", {area: "allow" for area in AREAS})
    no_billing = group(app, "Console: no billing", {"billing": "deny"})
    staff(app, "bo.support@operator.example", "Bo Support", [everything, no_billing])
    client = app.account(name="Kaffekompaniet AB")

    sign_in_first_time(page, "bo.support@operator.example", at=f"/console/clients/{client}")
    page.wait_for_url(re.compile(r"/console"))
    page.goto(f"/console/clients/{client}")
    page.get_by_role("heading", name="Kaffekompaniet AB").wait_for()
    tabs = page.get_by_role("navigation", name="Client sections")
    assert tabs.get_by_role("link", name="Destinations").is_visible()
    assert tabs.get_by_role("link", name="Payments").count() == 0, "no Payments tab without Billing"

    # Reached by its address, the server refuses it, in words.
    page.goto(f"/console/clients/{client}/payments")
    refusal = page.locator("[data-error=AreaNotPermitted]")
    refusal.wait_for()
    assert "do not give you access to this part of the console" in refusal.inner_text()
    answer = page.request.get(f"/v1/admin/accounts/{client}/payments")
    assert answer.status == 403 and answer.json()["error"]["name"] == "AreaNotPermitted"
    shot(page, "console-billing-denied")


def test_the_clients_list_is_usable_on_a_phone(app, chromium):
    everything = group(app, "Console: phone", {area: "allow" for area in AREAS})
    staff(app, "cia.phone@operator.example", "Cia Phone", [everything])
    for name in ["Norrlands Elektriska Installationsaktiebolag", "Sydkustens Bageri och Konditori AB", "Västkustens Fisk"]:
        app.account(name=name)
    context = chromium.new_context(base_url=app.base, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in_first_time(page, "cia.phone@operator.example")
        page.get_by_role("heading", name="Clients", exact=True).wait_for()
        page.locator("[data-client]").first.wait_for()
        # The menu is folded behind one button.
        toggle = page.get_by_role("button", name="Menu")
        assert toggle.is_visible()
        assert not page.get_by_role("link", name="Permission groups").is_visible()
        # No sideways scrolling of the page; each client is a card with its balance named.
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        card = page.locator("[data-client]").first
        labels = card.locator("td").evaluate_all("cells => cells.map(td => getComputedStyle(td, '::before').content)")
        assert all(f'"{label}"' in labels for label in ["Balance", "Credit limit", "Status", "Created"]), labels
        assert card.locator('td[data-label="Balance"]').is_visible()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        page.get_by_label("Sort").select_option("name:asc")
        page.wait_for_url(re.compile(r"sort=name"))
        shot(page, "console-clients-phone")
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        page.get_by_role("link", name="Permission groups").click()
        page.get_by_role("heading", name="Permission groups").wait_for()
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        shot(page, "console-groups-phone")
        page.goto("/console/reports")
        page.locator("#report-totals").wait_for()
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        assert page.get_by_role("link", name="Download CSV").is_visible()
        shot(page, "console-reports-phone")
    finally:
        context.close()
    assert not errors, errors


def test_every_api_error_name_has_console_words_in_both_languages():
    """Issue 19: every error `name` the API returns is shown in words, English and Swedish."""
    spec = json.loads((ROOT / "api" / "openapi.json").read_text())
    names = set(spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["name"]["enum"])
    source = (Path(ROOT) / "static" / "js" / "console" / "errors.js").read_text()
    worded = {}
    for name, english, swedish in re.findall(r'^  (\w+): \["((?:[^"\\]|\\.)+)", "((?:[^"\\]|\\.)+)"\],$', source, re.M):
        worded[name] = (english, swedish)
    missing = sorted(names - set(worded))
    assert not missing, f"error names without console words: {missing}"
    same = sorted(n for n, (en, sv) in worded.items() if en == sv)
    assert not same, f"Swedish words that are the English ones: {same}"


def test_every_console_page_works(app, page):
    """Each page and client tab opens without an error and does its main thing once."""
    everything = group(app, "Console: tour", {area: "allow" for area in AREAS})
    staff(app, "dag.tour@operator.example", "Dag Tour", [everything])
    client = app.account(name="Rundturen AB")
    sign_in_first_time(page, "dag.tour@operator.example")
    page.get_by_role("heading", name="Clients", exact=True).wait_for()

    # Packages: a new one, then changed.
    page.get_by_role("link", name="Packages").click()
    new = page.locator("#package-new")
    new.get_by_label("Name").fill("1000 SMS i månaden")
    new.get_by_label("Price").fill("99")
    new.get_by_label("SMS included").fill("1000")
    new.get_by_role("button", name="Create the package").click()
    page.get_by_text("1000 SMS i månaden is created.").wait_for()
    assert "1,000 SMS" in text_of(page.locator("#package-list")) or "1000 SMS" in text_of(page.locator("#package-list"))

    loaded = {
        "Carriers": "#carrier-list table, #carrier-list .empty",
        "Delivery queue": "[data-figure=waiting]",
        "E-mail outbox": "#email-list ul, #email-list .empty",
        "Reports": "#report-totals",
    }
    for link, ready in loaded.items():
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_role("heading", name=link, exact=True).wait_for()
        page.locator(ready).first.wait_for()
        assert page.locator("[role=alert]").count() == 0, (link, text_of(page.locator("main")))

    # Reports: the charts and tables are drawn, and the CSV link answers the file.
    page.get_by_role("link", name="Reports", exact=True).click()
    for ready in ["#chart-by-status", "#chart-by-carrier", "#report-money", "#report-destinations"]:
        page.locator(ready).wait_for()
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert "format=csv" in href, href
    csv = page.request.get(href)
    assert csv.status == 200, csv.text()
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text().startswith("date,currency,messages,delivered,failed,pending,other,")

    # Permission groups: a new group that denies Billing.
    page.get_by_role("link", name="Permission groups").click()
    new = page.locator("#group-new")
    new.get_by_label("Group name").fill("Support desk")
    new.get_by_label("Clients: Allow").check()
    new.get_by_label("Billing: Deny").check()
    new.get_by_role("button", name="Create the group").click()
    page.get_by_text("Support desk is created.").wait_for()
    groups = app.admin("GET", "/v1/admin/staff-groups").json["groups"]
    support = next(g for g in groups if g["name"] == "Support desk")
    assert support["permissions"] == {"customers": "allow", "billing": "deny"}

    # Staff: a new member in that group, with an initial password shown once.
    page.get_by_role("link", name="Staff", exact=True).click()
    new = page.locator("#staff-new")
    new.get_by_label("Name").fill("Eva Support")
    new.get_by_label("E-mail address").fill("eva.support@operator.example")
    new.get_by_label("Support desk").check()
    new.get_by_role("button", name="Create the staff member").click()
    assert len(page.get_by_test_id("initial-password").inner_text().strip()) >= 10
    page.locator("#staff-list").get_by_text("Eva Support").wait_for()
    assert "Support desk" in text_of(page.locator("#staff-list"))

    # The client's tabs.
    page.goto(f"/console/clients/{client}/rules")
    page.get_by_label("Kind").select_option("sender")
    page.get_by_label("Name").fill("Brand sender")
    page.get_by_label("Put instead").fill("Rundturen")
    page.get_by_role("button", name="Add the rule").click()
    page.get_by_text("The rule “Brand sender” is added.").wait_for()
    assert "Every sender becomes Rundturen" in text_of(page.locator("#rule-list"))

    page.get_by_role("link", name="SMPP config").click()
    page.get_by_label("Login name (system id)").fill("rundtur1")
    page.get_by_role("button", name="Create the login").click()
    assert len(page.get_by_test_id("smpp-password").inner_text().strip()) == 8

    page.get_by_role("link", name="API config").click()
    page.get_by_label("Name of the key").fill("Webshop")
    page.get_by_label("Allowed IP addresses (optional)").fill("203.0.113.0/24")
    page.get_by_role("button", name="Create key").click()
    assert page.get_by_test_id("new-key").inner_text().startswith("sk_")
    page.locator("#key-list li code", has_text="203.0.113.0/24").wait_for()

    page.get_by_role("link", name="Incoming SMS").click()
    page.get_by_label("Number", exact=True).fill("+46701112233")
    page.get_by_role("button", name="Assign the number").click()
    page.get_by_text("+46701112233 is assigned to the client.").wait_for()

    page.get_by_role("link", name="Routing").click()
    page.get_by_role("heading", name="The client's routes").wait_for()
    page.locator("#route-list table, #route-list .empty").first.wait_for()
    assert page.locator("[role=alert]").count() == 0, text_of(page.locator("main"))

    # The history names each of these changes, in words.
    page.get_by_role("link", name="Overview").click()
    text = text_of(page.locator("#history-list"))
    assert "Dag Tour" in text and "{" not in text
    shot(page, "console-tour-history")


def test_staff_member_adds_numbers_assigns_one_and_releases_it(app, page):
    """The Numbers page: numbers added to the inventory, one assigned to a client picked by
    a search, released back (asked first) and a free one removed; the client's Incoming SMS
    tab offers the free ones; in Swedish and on a phone."""
    numbers_group = group(app, "Console: numbers", {"numbers": "allow", "customers": "allow"})
    staff(app, "nils.numbers@operator.example", "Nils Numbers", [numbers_group])
    client = app.account(name="Nummerbolaget AB")
    sign_in_first_time(page, "nils.numbers@operator.example")
    page.get_by_role("heading", name="Clients", exact=True).wait_for()
    page.get_by_role("navigation", name="Console menu").get_by_role("link", name="Numbers").click()
    page.get_by_role("heading", name="Numbers", exact=True).wait_for()
    page.locator("#inventory-counts .empty, #inventory-counts table").first.wait_for()

    # Three numbers at once, with the same terms.
    new = page.locator("#inventory-new")
    new.get_by_label("Numbers").fill("+46701234501, +46701234502\n46701234503")
    new.get_by_label("Kind").select_option("mobile")
    new.get_by_label("Region (optional)").fill("Stockholm")
    new.get_by_label("Monthly price for customers (optional)").fill("49")
    new.get_by_label("Note (optional)").fill("Telia block")
    new.get_by_role("button", name="Add the numbers").click()
    new.get_by_text("3 numbers are added, free.").wait_for()
    page.locator('#inventory-counts tr[data-count="SE-mobile"] td[data-free="3"]').wait_for()
    held = app.admin("GET", "/v1/admin/number-inventory?country=SE&kind=mobile").json["numbers"]
    assert [(n["number"], n["status"], n["monthly_price_minor"], n["currency"], n["added_by"]) for n in held] == [
        (f"+4670123450{i}", "free", 4900, "SEK", "Nils Numbers") for i in (1, 2, 3)
    ]
    row = page.locator('#inventory-list tr[data-number="+46701234501"]')
    assert "Stockholm" in text_of(row) and "Telia block" in text_of(row) and "SEK 49.00" in text_of(row)
    # The same number again is refused by name, the number shown.
    new.get_by_label("Numbers").fill("+46701234501")
    new.get_by_role("button", name="Add the numbers").click()
    refused = new.locator('[data-error="DuplicateNumber"]')
    refused.wait_for()
    assert "+46701234501" in text_of(refused) and "already held" in text_of(refused)
    shot(page, "console-numbers")

    # Assigned to a client found by a search.
    page.get_by_role("button", name="Assign +46701234501 to a client").click()
    panel = page.get_by_role("group", name="Assign +46701234501 to a client")
    panel.get_by_label("Find a client").fill("Nummerbolaget")
    panel.get_by_role("button", name="Find").click()
    panel.locator(f'option[value="{client}"]').wait_for(state="attached")
    panel.get_by_label("Client", exact=True).select_option(client)
    shot(page, "console-numbers-assign")
    panel.get_by_role("button", name="Assign the number").click()
    page.get_by_text(f"+46701234501 is assigned to Nummerbolaget AB ({client}).").wait_for()
    page.locator('#inventory-list tr[data-number="+46701234501"][data-status="assigned"]').wait_for()
    own = app.admin("GET", f"/v1/admin/accounts/{client}/numbers").json["numbers"]
    assert [(n["number"], n["role"]) for n in own] == [("+46701234501", "primary")]

    # Released, asked first: back in the inventory, free.
    page.get_by_role("button", name="Release +46701234501").click()
    assert app.admin("GET", f"/v1/admin/accounts/{client}/numbers").json["numbers"], "nothing happens before Yes"
    page.get_by_role("button", name="Yes, release").click()
    page.get_by_text("+46701234501 is released and free.").wait_for()
    page.locator('#inventory-list tr[data-number="+46701234501"][data-status="free"]').wait_for()
    assert app.admin("GET", f"/v1/admin/accounts/{client}/numbers").json["numbers"] == []

    # A free number removed, asked first.
    page.get_by_role("button", name="Remove +46701234503").click()
    page.get_by_role("button", name="Yes, remove").click()
    page.get_by_text("+46701234503 is removed from the inventory.").wait_for()
    assert app.admin("GET", "/v1/admin/number-inventory?q=%2B46701234503").json["total"] == 0

    # Filters: the free numbers starting so (the other tests' numbers stay out).
    filters = page.locator("#inventory-filter")
    filters.get_by_label("Status").select_option("free")
    filters.get_by_label("Number starts with").fill("+4670123450")
    filters.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"status=free"))
    page.locator("#inventory-list tr[data-number]").first.wait_for()
    rows = page.locator("#inventory-list tr[data-number]")
    assert [rows.nth(i).get_attribute("data-number") for i in range(rows.count())] == ["+46701234501", "+46701234502"]
    filters.get_by_label("Status").select_option("assigned")
    filters.get_by_role("button", name="Show").click()
    page.locator("#inventory-list .empty").wait_for()

    # The client's Incoming SMS tab offers the free numbers.
    page.goto(f"/console/clients/{client}/incoming")
    page.get_by_label("Free number").select_option("+46701234502")
    page.get_by_role("button", name="Assign the free number").click()
    page.get_by_text("+46701234502 is assigned to the client.").wait_for()
    assert [n["number"] for n in app.admin("GET", f"/v1/admin/accounts/{client}/numbers").json["numbers"]] == ["+46701234502"]

    # In Swedish, and on a phone: cards, no sideways scrolling.
    page.goto("/console/numbers")
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("heading", name="Nummer", exact=True).wait_for()
    page.locator('#inventory-list tr[data-number="+46701234502"]').wait_for()
    text = text_of(page.locator("main"))
    for english in ["Free", "Assigned", "Add the numbers", "Release", "Mobile number"]:
        assert english not in text, english
    assert "Tilldelat" in text and "Ledigt" in text and "Lägg till numren" in text
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator('#inventory-list tr[data-number="+46701234502"] td[data-label="Status"]').wait_for()
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    shot(page, "console-numbers-phone-sv")


def test_a_customer_is_told_the_console_is_for_staff(app, page):
    account = app.account(name="Kundbolaget AB")
    app.user(account, "kund@customer.example", level="admin", name="Karin Kund")
    page.goto("/console/login")
    page.get_by_label("E-mail address").fill("kund@customer.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Not a staff sign-in").wait_for()
    assert page.locator("[data-error=NotStaff]").is_visible()
    assert page.get_by_role("link", name="Customer portal").get_attribute("href") == "/"


def test_a_staff_member_edits_the_company_and_sends_a_test_email(app, chromium):
    """Settings (area settings): the company form saves and reads back, a wrong VAT number is
    named in words, the Stripe secret is never shown again (only its last four characters), a
    test e-mail lands in the outbox, a test SMS is confirmed first; on a 390 px phone, in
    Swedish too."""
    settings_only = group(app, "Console: settings", {"settings": "allow"})
    staff(app, "sam.settings@operator.example", "Sam Settings", [settings_only])
    context = chromium.new_context(base_url=app.base, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in_first_time(page, "sam.settings@operator.example")
        # Settings is their only area: the console opens on its first page (Domains).
        page.wait_for_url(re.compile(r"/console/domains$"))
        # The page is drawn after its address changes: the menu of the page drawn last.
        page.get_by_role("heading", name="Domains", exact=True).wait_for()
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("link", name="Settings", exact=True).click()
        page.get_by_role("heading", name="Settings", exact=True).wait_for()
        page.locator("#company").wait_for()
        company = page.locator("#company")
        company.get_by_label("Company name").fill("Nordsms Återförsäljare AB")
        company.get_by_label("VAT number").fill("not a vat number")
        company.get_by_label("City").fill("Luleå")
        company.get_by_role("button", name="Save").click()
        alert = company.locator("[role=alert]")
        alert.wait_for()
        assert "Some company details are not valid" in text_of(alert) and "vat_number" in text_of(alert), text_of(alert)
        company.get_by_label("VAT number").fill("SE556677889901")
        company.get_by_role("button", name="Save").click()
        company.get_by_text("The company information is saved.").wait_for()
        stored = app.admin("GET", "/v1/admin/settings/company").json
        assert (stored["name"], stored["city"], stored["vat_number"]) == ("Nordsms Återförsäljare AB", "Luleå", "SE556677889901"), stored
        assert stored["default_currency"] == "SEK"

        # The Stripe secret key: write-only, shown by its last four characters only.
        gateway = page.locator("#gateway")
        gateway.get_by_label("Secret key").fill("sk_test_browser_secret_WXYZ")
        gateway.get_by_role("button", name="Save").click()
        gateway.get_by_text("Set, ending …WXYZ").wait_for()
        assert "sk_test_browser_secret" not in page.content()
        assert page.locator("#keys-from").inner_text() == "Card top-ups use the keys set here."
        # Leave the gateway as the other tests expect it (no key from the console).
        app.admin("PUT", "/v1/admin/settings/payment-gateway", {"mode": "test", "secret_key": None})

        tests = page.locator("#tests")
        tests.get_by_label("Send a test e-mail to").fill("sam.inbox@operator.example")
        tests.get_by_role("button", name="Send test e-mail").click()
        tests.get_by_text(re.compile(r"Kept in the e-mail outbox only")).wait_for()
        mail = app.last_email("sam.inbox@operator.example")
        assert mail["subject"] == "Test e-mail from Nordsms Återförsäljare AB", mail
        # The test SMS says first who pays (never a client), then sends once.
        tests.get_by_label("Send a test SMS to (e.g. +46701234567)").fill("+46701234567")
        tests.get_by_role("button", name="Send test SMS").click()
        tests.get_by_text("Send a test SMS to +46701234567?").wait_for()
        assert "never to a client" in text_of(tests)
        tests.get_by_role("button", name="Yes, send it").click()
        result = tests.locator("#test-sms-result")
        result.wait_for()
        assert re.search(r"Sent: message msg_\w+", text_of(result)), text_of(result)
        history = page.locator("#settings-history")
        history.get_by_text("Test SMS sent to +46701234567").wait_for()
        history.get_by_text("Test e-mail sent to sam.inbox@operator.example").wait_for()
        assert "Sam Settings (staff)" in text_of(history)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        shot(page, "console-settings-phone")

        page.get_by_label("Language").select_option("sv")
        page.get_by_role("heading", name="Inställningar", exact=True).wait_for()
        page.locator("#settings-history").get_by_text("Testmejl skickat till sam.inbox@operator.example").wait_for()
        text = text_of(page.locator("main"))
        for swedish in ["Företagsnamn", "Betalningslösning (Stripe)", "Skicka testmejl", "Testmejl skickat till", "Sam Settings (personal)"]:
            assert swedish in text, swedish
        for english in ["Company name", "Payment gateway", "Send test e-mail", "Test e-mail sent"]:
            assert english not in text, english
        shot(page, "console-settings-sv")
        page.get_by_label("Språk").select_option("en")
    finally:
        context.close()
    assert not errors, errors


def test_a_self_signup_on_a_domain_waits_for_approval(app, page, chromium):
    """The operator adds a white-label domain in the console; on it (the portal reached as
    `localhost`, another Host than the console's 127.0.0.1) a customer signs up, confirms
    by the e-mailed link, signs in and is told the account waits for approval, with only the
    domain's areas in the menu; the operator approves in the console and the client is active."""
    everything = group(app, "Console: domains", {area: "allow" for area in AREAS})
    staff(app, "dora.domains@operator.example", "Dora Domains", [everything])
    app.admin("DELETE", "/v1/admin/domains/localhost")
    sign_in_first_time(page, "dora.domains@operator.example", at="/console/domains")
    page.goto("/console/domains")
    page.get_by_role("heading", name="Domains", exact=True).wait_for()
    new = page.locator("#domain-new")
    new.get_by_label("Host name (e.g. sms.example.com)").fill("localhost")
    new.get_by_label("Brand shown on the portal").fill("Nordic Texts")
    new.get_by_label("Customers may sign up on this domain").check()
    new.get_by_label("A new customer's account, once the e-mail is confirmed").select_option("pending")
    for area in ["Dashboard", "Inbox", "Contacts", "Blocklist", "Numbers", "API keys"]:
        new.get_by_label(area, exact=True).uncheck()
    new.get_by_role("button", name="Add the domain").click()
    page.get_by_text("localhost is added.").wait_for()
    row = page.locator("#domain-list tr", has_text="Nordic Texts")
    assert "Open" in row.inner_text() and "Send SMS, Messages, Settings, Billing" in row.inner_text()

    customer = chromium.new_context(base_url=app.base.replace("127.0.0.1", "localhost"), viewport={"width": 390, "height": 844}, is_mobile=True)
    portal = customer.new_page()
    portal.set_default_timeout(10_000)
    portal.goto("/login")
    assert portal.locator("header .brand").inner_text() == "Nordic Texts"
    portal.get_by_role("link", name="New here? Create an account").click()
    portal.get_by_role("heading", name="Create an account").wait_for()
    portal.get_by_label("Company").fill("Sigrid Blommor AB")
    portal.get_by_label("Your name").fill("Sigrid Svensson")
    portal.get_by_label("E-mail address").fill("sigrid@blommor.example")
    portal.get_by_role("button", name="Create the account").click()
    portal.get_by_role("heading", name="Check your e-mail").wait_for()
    shot(portal, "signup-sent")

    portal.goto(f"/invitation?token={app.emailed_token('sigrid@blommor.example')}")
    portal.get_by_label("Choose a password").fill(PASSWORD)
    portal.get_by_label("The password again").fill(PASSWORD)
    portal.get_by_role("button", name="Set password").click()
    portal.get_by_role("link", name="Log in now").click()
    portal.get_by_label("E-mail address").fill("sigrid@blommor.example")
    portal.get_by_label("Password").fill(PASSWORD)
    portal.get_by_role("button", name="Log in").click()
    banner = portal.locator("#approval-banner")
    banner.wait_for()
    assert "waits for approval" in banner.inner_text()
    menu = portal.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="Menu").click()
    assert menu.get_by_role("link", name="Send SMS").is_visible()
    assert menu.get_by_role("link", name="Contacts").count() == 0, "the domain hides Contacts"
    portal.goto("/contacts")
    portal.locator("#not-on-this-site").wait_for()
    shot(portal, "signup-waiting")

    page.goto("/console/clients?status=pending")
    page.get_by_role("link", name="Sigrid Blommor AB").click()
    approval = page.locator("#approval")
    approval.wait_for()
    assert "waits for your approval" in approval.inner_text()
    approval.get_by_role("button", name="Approve").click()
    approval.get_by_role("button", name="Approve").click()
    page.get_by_text("Sigrid Blommor AB is approved.").wait_for()
    assert page.locator("#client-status").inner_text() == "Active"
    portal.goto("/send")
    portal.get_by_role("heading", name="Send SMS").wait_for()
    assert portal.locator("#approval-banner").count() == 0
    customer.close()
    app.admin("DELETE", "/v1/admin/domains/localhost")
