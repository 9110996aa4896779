// The official, unmodified Twilio Node SDK (package.json pins it; .ci/run installs it with
// `npm ci`) against the app: only the client's base URL is pointed at the app. Create,
// fetch, list with paging, cancel a scheduled message, Twilio's error codes, and a status
// callback the app POSTed to a local receiver accepted by the SDK's validateRequest.
// tests/e2e/tests/twilio.rs runs it: `node sdk_test.mjs CONFIG_JSON` (as sdk_test.py's),
// and reads the JSON line it prints last.
import assert from "node:assert/strict";
import http from "node:http";
import twilio from "twilio";

const config = JSON.parse(process.argv[2]);
const { base, account_sid: accountSid, api_key: apiKey, key_sid: keySid } = config;

function client(user, password) {
  const c = twilio(user, password, { accountSid });
  c.api.baseUrl = base; // the one change a Twilio application makes
  return c;
}

const sms = client(accountSid, apiKey);
const seen = {};

// Create: queued (or further), priced, in Twilio's shape.
const created = await sms.messages.create({ to: "+46701234567", from: "ACME", body: "Hej från Node" });
assert.match(created.sid, /^SM[0-9a-f]{32}$/);
assert.equal(created.accountSid, accountSid);
assert.ok(["queued", "sending", "sent", "delivered"].includes(created.status), created.status);
assert.equal(created.numSegments, "1");
assert.ok(created.price.startsWith("-") && created.priceUnit === "SEK", `${created.price} ${created.priceUnit}`);
assert.ok(created.dateCreated instanceof Date && !isNaN(created.dateCreated), String(created.dateCreated));
seen.created = created.sid;

// Fetch, also with an API key SID and its secret.
const fetched = await sms.messages(created.sid).fetch();
assert.equal(fetched.body, "Hej från Node");
assert.equal((await client(keySid, apiKey).messages(created.sid).fetch()).sid, created.sid);

// List with paging: 4 more, read 2 at a time by the SDK's own paging (next_page_uri).
for (let i = 0; i < 4; i++) {
  await sms.messages.create({ to: `+4670123457${i}`, from: "ACME", body: `node page ${i}` });
}
const listed = await sms.messages.list({ pageSize: 2, limit: 5 });
assert.equal(listed.length, 5);
assert.equal(new Set(listed.map((m) => m.sid)).size, 5, "no message twice across pages");
assert.equal(listed[4].sid, created.sid, "newest first");
const page = await sms.messages.page({ pageSize: 2 });
assert.equal(page.instances.length, 2);
assert.ok(page.nextPageUrl, "a next page");
const next = await page.nextPage();
assert.equal(next.instances.length, 2);
assert.notDeepEqual(next.instances.map((m) => m.sid), page.instances.map((m) => m.sid));
assert.deepEqual((await sms.messages.list({ to: "+46701234570" })).map((m) => m.to), ["+46701234570"]);
seen.listed = listed.map((m) => m.sid);

// Schedule one and cancel it before it leaves.
const sendAt = new Date(Date.now() + 2 * 3600 * 1000);
const scheduled = await sms.messages.create({ to: "+46701234598", from: "ACME", body: "later", sendAt, scheduleType: "fixed" });
assert.equal(scheduled.status, "scheduled");
const canceled = await sms.messages(scheduled.sid).update({ status: "canceled" });
assert.equal(canceled.status, "canceled");
seen.canceled = scheduled.sid;

// Errors come with Twilio's codes (RestException).
async function refused(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("accepted");
}
let error = await refused(sms.messages.create({ to: "not a number", from: "ACME", body: "x" }));
assert.deepEqual([error.status, error.code], [400, 21211], error.message);
error = await refused(sms.messages.create({ to: "+46701234567", from: "ACME", body: "x", mediaUrl: ["https://example.com/cat.png"] }));
assert.equal(error.code, 21620, error.message);
error = await refused(client(accountSid, "wrong-key").messages.create({ to: "+46701234567", from: "ACME", body: "x" }));
assert.deepEqual([error.status, error.code], [401, 20003]);
error = await refused(sms.messages("SM" + "0".repeat(32)).fetch());
assert.deepEqual([error.status, error.code], [404, 20404]);

// A status callback, validated by the SDK: a local endpoint records what the app POSTs.
const received = [];
const server = http.createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    received.push({ url: `http://${request.headers.host}${request.url}`, headers: request.headers, body });
    response.end();
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const callbackUrl = `http://127.0.0.1:${server.address().port}/twilio/status`;
const tracked = await sms.messages.create({ to: "+46701234503", from: "ACME", body: "tracked", statusCallback: callbackUrl });
const deadline = Date.now() + 30_000;
while (!received.some((c) => c.body.includes("MessageStatus=delivered"))) {
  assert.ok(Date.now() < deadline, `no delivered callback within 30 s: ${JSON.stringify(received)}`);
  const run = await fetch(`${base}/v1/jobs/run`, { method: "POST", headers: { Authorization: `Bearer ${config.jobs_token}` } });
  assert.equal(run.status, 200);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const statuses = [];
for (const callback of received) {
  const params = Object.fromEntries(new URLSearchParams(callback.body));
  const signature = callback.headers["x-twilio-signature"];
  assert.ok(twilio.validateRequest(config.webhook_secret, signature, callback.url, params), `refused: ${JSON.stringify(callback)}`);
  assert.ok(!twilio.validateRequest(config.webhook_secret, signature, callback.url, { ...params, MessageStatus: "failed" }));
  assert.ok(!twilio.validateRequest("not-the-secret", signature, callback.url, params));
  assert.equal(params.MessageSid, tracked.sid);
  assert.equal(params.AccountSid, accountSid);
  statuses.push(params.MessageStatus);
}
assert.equal(statuses[0], "queued");
assert.equal(statuses.at(-1), "delivered");
seen.tracked = tracked.sid;
seen.statuses = statuses;
server.close();

console.log(JSON.stringify(seen));
