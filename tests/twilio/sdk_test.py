"""The official, unmodified Twilio Python SDK against the app (tests/e2e/tests/twilio.rs
runs this): only the base URL is pointed at the app. Each step asserts what a Twilio
application would rely on — including that the callbacks the app POSTs to a local receiver
pass the SDK's own RequestValidator, and that a TwiML answer to an inbound SMS is sent as a
reply. The script prints one JSON line of what it saw for the Rust test to check against
the database.

Usage: sdk_test.py CONFIG_JSON, with base, account_sid, api_key, key_sid, jobs_token,
webhook_secret (the account's signing secret: the validator's key), number (a reception
number of the account) and carrier_secret (the http carrier's inbound signing secret).
"""
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

config = json.loads(sys.argv[1])
base, account_sid, api_key, key_sid = config["base"], config["account_sid"], config["api_key"], config["key_sid"]


def client(user, password):
    c = Client(user, password, account_sid)
    c.api.base_url = base  # the one change a Twilio application makes
    return c


twilio = client(account_sid, api_key)
seen = {}

# Create: queued (or further), priced, in Twilio's shape.
created = twilio.messages.create(to="+46701234567", from_="ACME", body="Hej från Twilio-SDK:n")
assert created.sid.startswith("SM") and len(created.sid) == 34, created.sid
assert created.account_sid == account_sid
assert created.status in ("queued", "sending", "sent", "delivered"), created.status
assert created.num_segments == "1" and created.direction == "outbound-api"
assert created.price.startswith("-") and created.price_unit == "SEK", (created.price, created.price_unit)
assert isinstance(created.date_created, datetime), created.date_created
seen["created"] = created.sid

# Fetch it back, also with an API key SID and its secret as the credentials.
fetched = twilio.messages(created.sid).fetch()
assert fetched.sid == created.sid and fetched.body == "Hej från Twilio-SDK:n" and fetched.to == "+46701234567"
by_key = client(key_sid, api_key).messages(created.sid).fetch()
assert by_key.sid == created.sid

# List with paging: 7 more, read 5 at a time across pages by the SDK's own paging.
for i in range(7):
    twilio.messages.create(to=f"+4670123456{i}", from_="ACME", body=f"page {i}")
listed = twilio.messages.list(page_size=5, limit=8)
assert len(listed) == 8, len(listed)
assert len({m.sid for m in listed}) == 8, "no message twice across pages"
assert listed[-1].sid == created.sid, "newest first: the first message is the 8th"
page = twilio.messages.page(page_size=5)
assert len(page._payload["messages"]) == 5 and page.next_page_url, page._payload
assert [m.to for m in twilio.messages.list(to="+46701234560")] == ["+46701234560"]
assert len(twilio.messages.list(date_sent_after=datetime.now(timezone.utc) - timedelta(hours=1), limit=20)) == 8
assert twilio.messages.list(date_sent_before=datetime(2020, 1, 1, tzinfo=timezone.utc)) == []
seen["listed"] = [m.sid for m in listed]

# Schedule one and cancel it before it leaves.
send_at = datetime.now(timezone.utc) + timedelta(hours=2)
scheduled = twilio.messages.create(to="+46701234599", from_="ACME", body="later", send_at=send_at, schedule_type="fixed")
assert scheduled.status == "scheduled", scheduled.status
canceled = twilio.messages(scheduled.sid).update(status="canceled")
assert canceled.status == "canceled", canceled.status
seen["canceled"] = scheduled.sid

# Errors come with Twilio's codes.
try:
    twilio.messages.create(to="not a number", from_="ACME", body="x")
    raise AssertionError("an invalid To was accepted")
except TwilioRestException as e:
    assert e.status == 400 and e.code == 21211, (e.status, e.code, e.msg)
try:
    twilio.messages.create(to="+46701234567", from_="ACME", body="x", media_url=["https://example.com/cat.png"])
    raise AssertionError("MediaUrl was accepted")
except TwilioRestException as e:
    assert e.code == 21620, e.code
try:
    client(account_sid, "wrong-key").messages.create(to="+46701234567", from_="ACME", body="x")
    raise AssertionError("a wrong key was accepted")
except TwilioRestException as e:
    assert e.status == 401 and e.code == 20003, (e.status, e.code)
try:
    twilio.messages("SM" + "0" * 32).fetch()
    raise AssertionError("a message that does not exist was found")
except TwilioRestException as e:
    assert e.status == 404 and e.code == 20404, (e.status, e.code)


# ---------------------------------------------------------------- callbacks

# A Twilio application's webhook endpoint: records every POST as it arrived; answers an
# inbound SMS with TwiML, anything else with an empty 200.
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks for writing!</Message></Response>'
received = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        headers = {name.lower(): value for name, value in self.headers.items()}
        received.append({"path": self.path, "headers": headers, "body": body})
        answer = TWIML.encode() if self.path.startswith("/inbound") else b""
        self.send_response(200)
        self.send_header("Content-Type", "text/xml" if answer else "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
receiver = f"http://127.0.0.1:{server.server_address[1]}"
validator = RequestValidator(config["webhook_secret"])


def run_jobs_until(done, what):
    """Runs the app's job runner (which delivers callbacks) until `done()`, for 30 s at most."""
    deadline = time.time() + 30
    while not done():
        assert time.time() < deadline, f"no {what} within 30 s; received: {received}"
        request = urllib.request.Request(
            f"{base}/v1/jobs/run", method="POST", headers={"Authorization": f"Bearer {config['jobs_token']}"}
        )
        urllib.request.urlopen(request, timeout=60).read()
        time.sleep(0.2)


def validated(callback):
    """The callback's parameters, once the SDK's RequestValidator has accepted its
    X-Twilio-Signature for the URL it was POSTed to (as a Flask app rebuilds it)."""
    url = "http://" + callback["headers"]["host"] + callback["path"]
    params = dict(parse_qsl(callback["body"], keep_blank_values=True))
    signature = callback["headers"].get("x-twilio-signature", "")
    assert callback["headers"]["content-type"] == "application/x-www-form-urlencoded", callback["headers"]
    assert validator.validate(url, params, signature), f"RequestValidator refused {callback}"
    # The same request with one parameter changed is refused: the signature covers it.
    assert not validator.validate(url, {**params, "To": "+46700000000"}, signature)
    assert not RequestValidator("not-the-secret").validate(url, params, signature)
    return params


# Status callbacks: form-encoded in Twilio's words, signed for RequestValidator.
tracked = twilio.messages.create(
    to="+46701234501", from_="ACME", body="with a status callback", status_callback=f"{receiver}/status?app=sdk"
)
status_calls = lambda: [c for c in received if c["path"] == "/status?app=sdk"]
run_jobs_until(lambda: any("MessageStatus=delivered" in c["body"] for c in status_calls()), "delivered status callback")
statuses = []
for callback in status_calls():
    params = validated(callback)
    assert params["MessageSid"] == tracked.sid and params["SmsSid"] == tracked.sid, params
    assert params["AccountSid"] == account_sid and params["ApiVersion"] == "2010-04-01", params
    assert params["To"] == "+46701234501" and params["From"] == "ACME", params
    assert params["MessageStatus"] == params["SmsStatus"], params
    assert "ErrorCode" not in params, params
    statuses.append(params["MessageStatus"])
assert statuses[0] == "queued" and statuses[-1] == "delivered", statuses
assert all(s in ("queued", "sending", "sent", "delivered") for s in statuses), statuses
assert all(a != b for a, b in zip(statuses, statuses[1:])), f"each status once: {statuses}"
seen["tracked"] = tracked.sid
seen["statuses"] = statuses

# Inbound SMS in Twilio's format, and a TwiML reply: the account chooses the format, an
# SMS arrives from a carrier, the webhook answers TwiML, and the reply goes out.
settings = urllib.request.Request(
    f"{base}/v1/account/settings",
    method="PATCH",
    data=json.dumps({"inbound_webhook": f"{receiver}/inbound", "inbound_format": "twilio"}).encode(),
    headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
)
assert json.loads(urllib.request.urlopen(settings).read())["inbound_format"] == "twilio"
phone = "+46701234502"
sms = json.dumps({"message_id": "sdk-inbound-1", "from": phone, "to": config["number"], "text": "Hello there"})
stamp = int(time.time())
mac = hmac.new(config["carrier_secret"].encode(), f"{stamp}.{sms}".encode(), hashlib.sha256).hexdigest()
inbound = urllib.request.Request(
    f"{base}/v1/carriers/http/inbound",
    method="POST",
    data=sms.encode(),
    headers={"Content-Type": "application/json", "X-Signature": f"t={stamp},v1={mac}"},
)
assert json.loads(urllib.request.urlopen(inbound).read())["outcome"] == "processed"
inbound_calls = lambda: [c for c in received if c["path"] == "/inbound"]
run_jobs_until(lambda: inbound_calls(), "inbound webhook")
params = validated(inbound_calls()[0])
assert params["MessageSid"].startswith("SM") and len(params["MessageSid"]) == 34, params
assert params["SmsSid"] == params["MessageSid"] and params["AccountSid"] == account_sid, params
assert (params["From"], params["To"], params["Body"]) == (phone, config["number"], "Hello there"), params
assert (params["NumMedia"], params["NumSegments"], params["ApiVersion"]) == ("0", "1", "2010-04-01"), params
seen["inbound"] = params["MessageSid"]

# The TwiML's <Message> went back to the phone, priced, through the send path (once the
# runner has read the answer: it sends the replies after the webhook has answered).
run_jobs_until(lambda: twilio.messages.list(to=phone), "TwiML reply")
replies = twilio.messages.list(to=phone)
assert len(replies) == 1, [(r.sid, r.body) for r in replies]
reply = replies[0]
assert reply.body == "Thanks for writing!" and reply.direction == "outbound-api", (reply.body, reply.direction)
assert reply.from_.lstrip("+") == config["number"].lstrip("+"), reply.from_
assert reply.price.startswith("-") and reply.status in ("queued", "sending", "sent", "delivered"), (reply.price, reply.status)
seen["reply"] = reply.sid

server.shutdown()
print(json.dumps(seen))
