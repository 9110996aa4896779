"""Makes what the schema tester needs through the app's own API, and prints it as shell
`export` lines for tests/api-schema.sh: an account with plenty of money and its API key, a
reception number, status callbacks (to 127.0.0.1:9, where nothing listens, so deliveries
fail and retry), sent and scheduled messages, an inbound SMS, a contact in a group, a custom
keyword, an unsubscribe token, callback events, an SMPP credential, and a second account for the operator API
to change (block, credit, keys) without locking the first one out.

    python3 tests/api-schema/setup.py http://127.0.0.1:PORT
Reads SMSEDGE_ADMIN_TOKEN, SMSEDGE_JOBS_TOKEN and SMSEDGE_CARRIER_SECRET.
"""

import datetime
import hashlib
import hmac
import json
import os
import re
import shlex
import sys
import time
import urllib.error
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

    known = {
        "/v1/messages/{id}": {"id": [sent, linked, *scheduled]},
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
    }
    exports = {
        "SMSEDGE_API_KEY": key,
        "SMSEDGE_RECEPTION_NUMBER": RECEPTION,
        "SMSEDGE_CARRIER_IDS": json.dumps([f"sbx-{sent}", f"sbx-{linked}"]),
        "SMSEDGE_KNOWN_IDS": json.dumps(known),
    }
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")


main()
