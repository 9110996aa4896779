"""The official, unmodified Twilio Python SDK against the app (tests/e2e/tests/twilio.rs
runs this): only the base URL is pointed at the app. Each step asserts what a Twilio
application would rely on; the script prints one JSON line of what it saw for the Rust
test to check against the database. Usage: sdk_test.py BASE_URL ACCOUNT_SID API_KEY KEY_SID
"""
import json
import sys
from datetime import datetime, timedelta, timezone

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

base, account_sid, api_key, key_sid = sys.argv[1:5]


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

print(json.dumps(seen))
