"""Schemathesis hooks for tests/api-schema.sh.

- Carrier webhooks (`/v1/carriers/{carrier}/...`): generated bodies almost never read as a
  carrier's receipt or inbound SMS, so half of them are replaced by a realistic one for the
  carrier in the path (keywords, long-message parts, repeats, unknown numbers, the receipt
  statuses), and four in five are signed like a carrier signs them:
  `X-Signature: t=<now>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` over the exact bytes
  sent. The rest keep the generated signature (forged or malformed: 400/401).
- Stripe's webhook: half the bodies a paid Checkout Session event (for a top-up that does not
  exist), four in five signed like Stripe signs (`Stripe-Signature`, the same scheme).
- Path parameters: generated ids are almost never real, so half of the requests use ids the
  script made first (messages, a contact, a group, an account, an inbound message, a
  callback event, an unsubscribe token), so the handlers behind the 404 run too.
- The portal session (the `session` security scheme: the cookie comes from
  schemathesis.toml): nine in ten state-changing requests carry the session's CSRF token
  (the rest show the 403 CsrfTokenInvalid). The account endpoints take an API key or a
  session; schemathesis always picks the first, the API key, so three in ten of their
  requests go out with the session instead (X-Account-Id the portal account's, or the
  generated one: 404).
- The tester never changes or revokes its own membership: a member path naming the portal
  admin itself (a stateful link can find it) is pointed at nobody instead.
"""

import hashlib
import hmac
import json
import os
import random
import time

import requests
import schemathesis

CARRIER_SECRET = os.environ["SMSEDGE_CARRIER_SECRET"].encode()
STRIPE_SECRET = os.environ["SMSEDGE_STRIPE_WEBHOOK_SECRET"].encode()
# {"<path template>": {"<parameter>": ["value", ...]}}
KNOWN = json.loads(os.environ.get("SMSEDGE_KNOWN_IDS", "{}"))
# The account's reception number, and its sent messages' carrier ids.
RECEPTION = os.environ.get("SMSEDGE_RECEPTION_NUMBER", "+46700000001")
CARRIER_IDS = json.loads(os.environ.get("SMSEDGE_CARRIER_IDS", "[]")) or ["sbx-none"]
# The portal admin's session (setup.py), its account and its own user id.
SESSION = os.environ.get("SMSEDGE_SESSION", "")
CSRF = os.environ.get("SMSEDGE_CSRF_TOKEN", "")
PORTAL_ACCOUNT = os.environ.get("SMSEDGE_PORTAL_ACCOUNT", "")
PORTAL_USER = os.environ.get("SMSEDGE_PORTAL_USER", "")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

SENDERS = ["+46707654321", "+46701234569", "0046707654322", "46707654323", "ACME", "+4670123", ""]
TEXTS = [
    "STOP", "stop.", "STOP ALL", "STOPP", "START", "HELP", "INFO", "HJÄLP", "OFFER", "offer!",
    "SAVE Anna Berg Kunder", "Spara Åsa Öberg Vänner", "SAVE Anna", "SPARA", "hello there",
    "Hej! 😀", "", " ", "x" * 500,
]


def _inbound(carrier):
    r = random.random
    to = random.choice([RECEPTION, RECEPTION.lstrip("+"), "+46700000099", "72345", "not a number"])
    sender = random.choice(SENDERS)
    text = random.choice(TEXTS)
    message_id = f"mo-{random.randint(1, 40)}"
    concat = None
    if r() < 0.3:
        parts = random.choice([2, 3, 1, 0, 300])
        concat = {"reference": random.choice(["r1", "r2", ""]), "part": random.randint(0, 3), "parts": parts}
    if carrier == "vonage":
        body = {"msisdn": sender, "to": to, "messageId": message_id, "text": text, "type": "text"}
        if concat:
            body.update({"concat": "true", "concat-ref": concat["reference"],
                         "concat-part": str(concat["part"]), "concat-total": str(concat["parts"])})
        return body, random.choice(["application/x-www-form-urlencoded", "application/json"])
    if carrier == "sinch":
        return {"type": random.choice(["mo_text", "mo_text", "mo_binary"]), "id": message_id,
                "from": sender, "to": to, "body": text}, "application/json"
    body = {"message_id": message_id, "from": sender, "to": to, "text": text}
    if concat:
        body["concat"] = concat
    return body, "application/json"


def _receipt(carrier):
    message_id = random.choice(CARRIER_IDS + [f"FC-{random.randint(0, 99):08X}", " SBX-X ", "0x1F"])
    if carrier == "vonage":
        body = {"messageId": message_id, "status": random.choice(
            ["delivered", "expired", "accepted", "buffered", "failed", "rejected", "unknown", ""]),
            "err-code": random.choice(["0", "2", "3", "4", "5", "6", "8", "11", "99", ""]),
            "msisdn": "46701234567", "to": "ACME", "price": "0.03330000", "scts": "2601011200"}
        return body, random.choice(["application/x-www-form-urlencoded", "application/json"])
    if carrier == "sinch":
        return {"type": random.choice(["recipient_delivery_report_sms", "delivery_report_sms"]),
                "batch_id": message_id, "recipient": "46701234567", "code": random.choice([0, 401, "x"]),
                "status": random.choice(["Delivered", "Queued", "Dispatched", "Aborted", "Failed", "Nope"]),
                "at": "2026-01-01T12:00:00.000Z"}, "application/json"
    body = {"message_id": message_id, "status": random.choice(
        ["DELIVRD", "UNDELIV", "EXPIRED", "DELETED", "REJECTD", "ENROUTE", "ACCEPTD", "WHAT"])}
    if random.random() < 0.5:
        body["error_code"] = random.choice(["001", "027", "011", "9", 13, None])
    if random.random() < 0.3:
        body["part"], body["parts"] = random.randint(0, 3), random.choice([3, 2, 256])
    return body, "application/json"


def _raw_body(case):
    """The bytes the transport would send for this case."""
    kwargs = case.as_transport_kwargs()
    if "json" in kwargs:
        return json.dumps(kwargs["json"]).encode()
    data = kwargs.get("data")
    if data is None:
        return b""
    if isinstance(data, (dict, list, tuple)):
        data = requests.models.RequestEncodingMixin._encode_params(data)
    if isinstance(data, str):
        data = data.encode()
    return bytes(data)


def _security(case):
    """The names of the security schemes the operation accepts."""
    return {name for requirement in case.operation.definition.raw.get("security", []) for name in requirement}


def _header(case, name):
    return next((k for k in (case.headers or {}) if k.lower() == name.lower()), None)


def _session(case):
    """The portal session on this request: the CSRF token on most state-changing ones, and
    the session instead of the API key on some requests of the account endpoints."""
    schemes = _security(case)
    if "session" not in schemes or not SESSION:
        return
    method = case.operation.method.upper()
    if "apiKey" in schemes:
        if random.random() >= 0.3:
            return
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.cookies = {**(case.cookies or {}), "smsedge_session": SESSION}
        if random.random() < 0.7:
            account = _header(case, "X-Account-Id") or "X-Account-Id"
            case.headers[account] = PORTAL_ACCOUNT
    if (case.cookies or {}).get("smsedge_session") == SESSION and method not in SAFE_METHODS and random.random() < 0.9:
        case.headers = {**(case.headers or {}), _header(case, "X-CSRF-Token") or "X-CSRF-Token": CSRF}


def _idempotency_key(case):
    """Spin itself answers 500 (before the app) to a header value that is not UTF-8, which
    generated keys can be: those become visible-ASCII keys, half of them fresh ones."""
    name = _header(case, "Idempotency-Key")
    if name is None:
        return
    value = case.headers[name]
    if not (isinstance(value, str) and value and all("!" <= c <= "~" for c in value)) or random.random() < 0.5:
        case.headers[name] = f"st-{random.getrandbits(64):016x}"


def _sign(body, secret=CARRIER_SECRET):
    t = int(time.time())
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _stripe(case, kwargs):
    """Stripe's webhook: half the bodies a paid Checkout Session for a top-up that does not
    exist (acknowledged, nothing credited), four in five signed with Stripe-Signature."""
    if random.random() < 0.5:
        case.body = {"id": "evt_api_schema", "type": "checkout.session.completed", "livemode": False,
                     "data": {"object": {"id": "cs_test_x", "payment_status": "paid", "payment_intent": "pi_x",
                                         "amount_total": random.randint(1, 10**6), "currency": "sek",
                                         "metadata": {"topup_id": "pay_nothing"}}}}
        case.media_type = "application/json"
    if random.random() < 0.8:
        body = _raw_body(case)
        kwargs["data"] = body
        case.headers = {**(case.headers or {}), "Stripe-Signature": _sign(body, STRIPE_SECRET)}


@schemathesis.hook
def before_call(context, case, kwargs):
    path = case.operation.path
    # Not in the stateful phase: there an id comes from the response before (a link), and
    # swapping it would report a "created resource not found" that is not.
    stateful = case.meta is not None and str(case.meta.phase.name) == "stateful"
    for name, values in ({} if stateful else KNOWN.get(path, {})).items():
        if values and case.path_parameters and name in case.path_parameters and random.random() < 0.5:
            case.path_parameters[name] = random.choice(values)
    if path == "/v1/accounts/{id}/members/{user_id}" and (case.path_parameters or {}).get("user_id") == PORTAL_USER:
        case.path_parameters["user_id"] = "usr_nobody"
    _session(case)
    _idempotency_key(case)
    if path == "/v1/billing/stripe/webhook":
        return _stripe(case, kwargs)
    if not path.startswith("/v1/carriers/"):
        return
    carrier = (case.path_parameters or {}).get("carrier")
    if carrier in ("http", "vonage", "sinch") and random.random() < 0.5:
        case.body, case.media_type = (_inbound if path.endswith("/inbound") else _receipt)(carrier)
    if random.random() < 0.8:
        body = _raw_body(case)
        kwargs["data"] = body  # send exactly the bytes that were signed
        case.headers = {**(case.headers or {}), "X-Signature": _sign(body)}
