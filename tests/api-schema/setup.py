"""Makes what the schema tester needs through the app's own API, and prints it as shell
`export` lines for tests/api-schema.sh: an account with plenty of money and its API key, a
reception number, status callbacks (to 127.0.0.1:9, where nothing listens, so deliveries
fail and retry), sent and scheduled messages, an inbound SMS, a contact in a group, a custom
keyword, an unsubscribe token, callback events, an SMPP credential, and a second account for the operator API
to change (block, credit, keys) without locking the first one out.

For the portal (session) operations: a third account with a portal user who is its admin,
made the way a person gets in (the operator creates the user, the invitation link from the
e-mail outbox sets the password, POST /v1/auth/login), whose session cookie and CSRF token
the tester sends; another member (invited, pending) and an API key of that account to point
the member and key paths at. The portal user is no member of the first account, so nothing
the tester does through the session reaches the first account or its API key.

    python3 tests/api-schema/setup.py http://127.0.0.1:PORT
Reads SMSEDGE_ADMIN_TOKEN, SMSEDGE_JOBS_TOKEN and SMSEDGE_CARRIER_SECRET.
"""

import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import shlex
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1]
ADMIN = os.environ["SMSEDGE_ADMIN_TOKEN"]
JOBS = os.environ["SMSEDGE_JOBS_TOKEN"]
CARRIER_SECRET = os.environ["SMSEDGE_CARRIER_SECRET"]
RECEPTION = "+46700000001"


def call(method, path, token=None, body=None, headers=None):
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        sys.exit(f"setup: {method} {path} answered {e.code}: {e.read().decode(errors='replace')}")


def call_full(method, path, body=None, headers=None):
    """The status, the headers and the JSON body (None when empty) of a request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, response.headers, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        sys.exit(f"setup: {method} {path} answered {e.code}: {e.read().decode(errors='replace')}")


def emailed_token(address):
    """The `token=` of the link in the newest e-mail to `address` (the development outbox)."""
    newest = call("GET", f"/v1/admin/emails?to={urllib.parse.quote(address)}&limit=1", ADMIN)["emails"][0]
    return re.search(r"token=([A-Za-z0-9_-]+)", newest["body"]).group(1)


def portal_user(account):
    """A signed-in admin of `account`: its user id, session cookie value and CSRF token. The
    password is random, so no example in the document is ever the right one."""
    email = "portal-admin@api-schema.test"
    password = f"Schema-{secrets.token_hex(8)}-A1"
    user = call("POST", "/v1/admin/users", ADMIN,
                {"account_id": account, "email": email, "name": "Portal Admin", "level": "admin", "language": "en"})
    status, _, _ = call_full("POST", "/v1/invitations/accept", {"token": emailed_token(email), "password": password})
    assert status == 204, status
    status, headers, session = call_full("POST", "/v1/auth/login", {"email": email, "password": password})
    assert status == 200 and not session["two_factor_required"], session
    cookie = next(c for c in headers.get_all("set-cookie") if c.startswith("smsedge_session="))
    return user["user_id"], cookie.split(";")[0].split("=", 1)[1], session["csrf_token"]


def twilio_sid(our_id, letters):
    """Twilio's SID of one of our ids: its letters, four zeros, the id's 28 hex digits."""
    return letters + "0000" + our_id.split("_", 1)[1]


def main():
    account = call("POST", "/v1/admin/accounts", ADMIN,
                   {"name": "Schema AB", "currency": "SEK", "initial_balance_minor": 100_000_000_000})["id"]
    key = call("POST", f"/v1/admin/accounts/{account}/keys", ADMIN, {"name": "api-schema"})["key"]
    call("POST", "/v1/admin/numbers", ADMIN, {"number": RECEPTION, "account_id": account, "role": "primary"})
    call("PATCH", "/v1/account/settings", key, {"status_callback": "http://127.0.0.1:9/status",
                                                 "inbound_webhook": "http://127.0.0.1:9/inbound", "languages": ["sv"]})
    sent = call("POST", "/v1/messages", key, {"from": "ACME", "to": "+46701234567", "text": "hello"})["messages"][0]["id"]
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = [m["id"] for m in call("POST", "/v1/messages", key, {
        "from": "ACME", "to": ["+46701234568", "+46701234578"], "text": "later", "send_at": later})["messages"]]
    contact = call("POST", "/v1/contacts", key, {"number": "+46701234569", "first_name": "Anna", "last_name": "Berg"})["id"]
    group = call("POST", "/v1/groups", key, {"name": "Kunder"})["id"]
    call("POST", f"/v1/groups/{group}/members", key, {"contact_ids": [contact]})
    call("PUT", "/v1/keywords/OFFER", key, {"reply": "10% off today", "forward_url": "http://127.0.0.1:9/offer"})

    # An inbound SMS, signed as the http carrier signs it.
    body = json.dumps({"message_id": "setup-1", "from": "+46701234567", "to": RECEPTION, "text": "Hej"}).encode()
    t = int(time.time())
    signature = f"t={t},v1=" + hmac.new(CARRIER_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    inbound = call("POST", "/v1/carriers/http/inbound", body=body, headers={"x-signature": signature})["inbound_id"]

    # An unsubscribe token: the link stop_by_link appends to every SMS.
    call("PATCH", "/v1/account/settings", key, {"stop_by_link": True})
    linked = call("POST", "/v1/messages", key, {"from": "ACME", "to": "+46701234570", "text": "offer"})["messages"][0]["id"]
    text = call("GET", f"/v1/messages/{linked}", key)["text"]
    token = re.search(r"/u/(\S+)", text).group(1)
    call("PATCH", "/v1/account/settings", key, {"stop_by_link": False})

    # One round of the job runner: the callbacks are tried (and fail: nothing listens).
    call("POST", "/v1/jobs/run", JOBS)
    events = [d["event_id"] for d in call("GET", "/v1/callbacks?limit=5", key)["deliveries"]]

    other = call("POST", "/v1/admin/accounts", ADMIN,
                 {"name": "Other AB", "currency": "EUR", "initial_balance_minor": 1000})["id"]

    # An SMPP credential of the account, for the operations on one.
    smpp = call("POST", "/v1/account/smpp", key, {"system_id": "schema01", "allowed_ips": ["203.0.113.0/24"]})["id"]

    # The portal: an account of its own, its admin signed in, a pending member and an API key.
    portal = call("POST", "/v1/admin/accounts", ADMIN,
                  {"name": "Portal AB", "currency": "SEK", "initial_balance_minor": 100_000_000})["id"]
    portal_admin, session, csrf = portal_user(portal)
    browser = {"cookie": f"smsedge_session={session}", "x-csrf-token": csrf}
    _, _, invited = call_full("POST", f"/v1/accounts/{portal}/members",
                              {"email": "invited@api-schema.test", "level": "user", "name": "Invited Person"}, browser)
    _, _, portal_key = call_full("POST", f"/v1/accounts/{portal}/keys", {"name": "portal"}, browser)

    known = {
        "/v1/messages/{id}": {"id": [sent, linked, *scheduled]},
        # Twilio's API: the account's SID (ours, mapped: docs/twilio.md) and its messages'.
        "/2010-04-01/Accounts/{AccountSid}/Messages.json": {"AccountSid": [twilio_sid(account, "AC")]},
        "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json": {
            "AccountSid": [twilio_sid(account, "AC")], "Sid": [twilio_sid(m, "SM") for m in (sent, linked, *scheduled)]},
        "/v1/callbacks/{event_id}/replay": {"event_id": events},
        "/v1/inbox/{id}": {"id": [inbound]},
        "/v1/keywords/{word}": {"word": ["OFFER", "offer"]},
        "/v1/contacts/{id}": {"id": [contact]},
        "/v1/groups/{id}": {"id": [group]},
        "/v1/groups/{id}/members": {"id": [group]},
        "/v1/groups/{id}/members/{contact_id}": {"id": [group], "contact_id": [contact]},
        "/u/{token}": {"token": [token]},
        "/v1/account/smpp/{id}": {"id": [smpp]},
        "/v1/admin/smpp/{id}": {"id": [smpp]},
        **{path: {"id": [other]} for path in (
            "/v1/admin/accounts/{id}", "/v1/admin/accounts/{id}/ledger", "/v1/admin/accounts/{id}/credits",
            "/v1/admin/accounts/{id}/keys", "/v1/admin/accounts/{id}/numbers", "/v1/admin/accounts/{id}/smpp")},
        **{path: {"id": [portal]} for path in (
            "/v1/accounts/{id}", "/v1/accounts/{id}/members", "/v1/accounts/{id}/keys")},
        # Never the portal admin's own id here (hooks.py also keeps the stateful phase from
        # changing or revoking the tester's own access).
        "/v1/accounts/{id}/members/{user_id}": {"id": [portal], "user_id": [invited["user_id"]]},
        "/v1/accounts/{id}/keys/{key_id}": {"id": [portal], "key_id": [portal_key["id"]]},
        "/v1/users/{id}": {"id": [portal_admin, invited["user_id"]]},
    }
    exports = {
        "SMSEDGE_API_KEY": key,
        "SMSEDGE_TWILIO_SID": twilio_sid(account, "AC"),
        "SMSEDGE_RECEPTION_NUMBER": RECEPTION,
        "SMSEDGE_CARRIER_IDS": json.dumps([f"sbx-{sent}", f"sbx-{linked}"]),
        "SMSEDGE_KNOWN_IDS": json.dumps(known),
        "SMSEDGE_SESSION": session,
        "SMSEDGE_CSRF_TOKEN": csrf,
        "SMSEDGE_PORTAL_ACCOUNT": portal,
        "SMSEDGE_PORTAL_USER": portal_admin,
    }
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")


main()
