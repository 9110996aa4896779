//! Test support: a real `spin up` of the app on a free 127.0.0.1 port with a temporary
//! state dir, a local fake carrier, and small HTTP helpers.

use serde_json::{json, Value};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The `secrets_key` every test app has unless it sets its own (32 bytes, base64).
pub const TEST_SECRETS_KEY: &str = "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=";
pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const CARRIER_KEY: &str = "carrier-api-key";
pub const WEBHOOK_SECRET: &str = "carrier-webhook-secret";
pub const JOBS_TOKEN: &str = "test-jobs-token";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// `$SPIN`, else `spin` on PATH, else ../shared/bin/spin beside the checkout.
pub fn spin_binary() -> PathBuf {
    if let Ok(spin) = std::env::var("SPIN") {
        return PathBuf::from(spin);
    }
    if let Some(found) = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("spin")).find(|p| p.is_file()))
    {
        return found;
    }
    workspace_root().join("../shared/bin/spin")
}

/// The manifest the tests run: `spin.toml` (the WASIp3 build), or what `E2E_MANIFEST`
/// names (`.spin3.toml` for the Spin 3 build, written by scripts/spin3.sh).
pub fn manifest() -> String {
    std::env::var("E2E_MANIFEST").ok().filter(|m| !m.is_empty()).unwrap_or_else(|| "spin.toml".to_owned())
}

/// Whether the tests run the Spin 3 build (spin-sdk 5.2, a fresh instance per request).
pub fn spin3_build() -> bool {
    manifest() != "spin.toml"
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

// Process groups to kill when the test binary exits (statics are never dropped).
static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
static AT_EXIT: Once = Once::new();

extern "C" fn kill_groups() {
    if let Ok(groups) = GROUPS.lock() {
        for pgid in groups.iter() {
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
}

/// A running `spin up` of this repository's app.
pub struct SpinApp {
    pub base: String,
    pub state_dir: PathBuf,
    child: Child,
}

impl SpinApp {
    /// Starts the (already built: `spin build`) app with these variables.
    pub fn start(variables: &[(&str, String)]) -> SpinApp {
        SpinApp::start_in(SpinApp::new_state_dir(), variables)
    }

    /// A fresh, empty state dir (its SQLite file is `sqlite_db.db`).
    pub fn new_state_dir() -> PathBuf {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
        let state_dir = std::env::temp_dir().join(format!("smsedge-e2e-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&state_dir).unwrap();
        state_dir
    }

    /// Starts the app on a state dir prepared beforehand (e.g. a database an older build
    /// wrote, to see it migrated); the dir is removed when the app is dropped.
    pub fn start_in(state_dir: PathBuf, variables: &[(&str, String)]) -> SpinApp {
        SpinApp::start_with_args(state_dir, variables, &[])
    }

    /// As [`SpinApp::start_in`], with more `spin up` arguments (e.g.
    /// `--runtime-config-file runtime-config.production.toml`, relative to the repository).
    pub fn start_with_args(state_dir: PathBuf, variables: &[(&str, String)], args: &[&str]) -> SpinApp {
        AT_EXIT.call_once(|| unsafe {
            libc::atexit(kill_groups);
        });
        let port = free_port();
        let log = std::fs::File::create(state_dir.join("spin.log")).unwrap();
        let mut command = Command::new(spin_binary());
        command
            .current_dir(workspace_root())
            .args(["up", "-f", &manifest(), "--listen", &format!("127.0.0.1:{port}")])
            // As run.sh: an instance lives 10 s past its last request, so delivery after
            // a send's answer finishes (docs/carriers.md "Delivery", bench/after-response/run.sh).
            .args(["--idle-instance-timeout", "10s", "--state-dir"])
            .arg(&state_dir)
            .args(args)
            .env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("SPIN_VARIABLE_JOBS_TOKEN", JOBS_TOKEN)
            // As run.sh (development): callback receivers here live on 127.0.0.1. The
            // tests of the rule itself set it back to "false".
            .env("SPIN_VARIABLE_ALLOW_PRIVATE_ENDPOINTS", "true")
            // Load tests send thousands of requests a second from one key; the tests of
            // the limits themselves set them per account through the operator API.
            .env("SPIN_VARIABLE_DEFAULT_KEY_RATE_LIMIT", "100000")
            .env("SPIN_VARIABLE_DEFAULT_ACCOUNT_RATE_LIMIT", "100000")
            // As run.sh: secrets the platform signs with are sealed at rest (a test may
            // set its own key, or none, through `variables`).
            .env("SPIN_VARIABLE_SECRETS_KEY", TEST_SECRETS_KEY)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0);
        for (name, value) in variables {
            command.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        let child = command.spawn().expect("spawn spin up");
        GROUPS.lock().unwrap().push(child.id() as i32);
        let app = SpinApp { base: format!("http://127.0.0.1:{port}"), state_dir, child };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = ureq::get(&app.url("/v1/health")).timeout(Duration::from_secs(2)).call() {
                if r.status() == 200 {
                    return app;
                }
            }
            thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(app.state_dir.join("spin.log")).unwrap_or_default();
        panic!("spin up did not become healthy within 60 s; its log:\n{log}");
    }

    /// The app with the sandbox carrier (the default).
    pub fn sandbox() -> SpinApp {
        SpinApp::start(&[])
    }

    /// The app routed to `carrier` over our HTTP carrier protocol.
    pub fn with_carrier(carrier: &FakeCarrier, timeout_ms: u64) -> SpinApp {
        SpinApp::start(&[
            ("carrier", "http".into()),
            ("carrier_base_url", carrier.base.clone()),
            ("carrier_api_key", CARRIER_KEY.into()),
            ("carrier_webhook_secret", WEBHOOK_SECRET.into()),
            ("carrier_timeout_ms", timeout_ms.to_string()),
        ])
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn database(&self) -> PathBuf {
        self.state_dir.join("sqlite_db.db")
    }

    /// Opens the app's SQLite file read-only: an independent view of what was stored.
    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(self.database(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
    }

    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        call(method, &self.url(path), Some(ADMIN_TOKEN), body.map(|b| b.to_string()), &[])
    }

    /// Creates an account with an opening balance and credit limit; returns (id, api key).
    pub fn account(&self, currency: &str, balance_minor: i64, credit_limit_minor: i64) -> (String, String) {
        let created = self.admin(
            "POST",
            "/v1/admin/accounts",
            Some(json!({"name": "Test AB", "currency": currency, "initial_balance_minor": balance_minor, "credit_limit_minor": credit_limit_minor})),
        );
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.json["id"].as_str().unwrap().to_owned();
        let key = self.admin("POST", &format!("/v1/admin/accounts/{id}/keys"), Some(json!({"name": "tests"})));
        assert_eq!(key.status, 201, "{}", key.text);
        (id, key.json["key"].as_str().unwrap().to_owned())
    }

    /// As [`SpinApp::account`], also returning the webhook signing secret shown at creation.
    pub fn account_with_secret(&self, currency: &str, balance_minor: i64) -> (String, String, String) {
        let created = self.admin(
            "POST",
            "/v1/admin/accounts",
            Some(json!({"name": "Test AB", "currency": currency, "initial_balance_minor": balance_minor})),
        );
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.json["id"].as_str().unwrap().to_owned();
        let secret = created.json["webhook_secret"].as_str().expect("the secret is shown at creation").to_owned();
        let key = self.admin("POST", &format!("/v1/admin/accounts/{id}/keys"), Some(json!({"name": "tests"})));
        assert_eq!(key.status, 201, "{}", key.text);
        (id, key.json["key"].as_str().unwrap().to_owned(), secret)
    }

    /// One call of the job runner, as cron would make it.
    pub fn run_jobs(&self) -> Reply {
        let reply = call("POST", &self.url("/v1/jobs/run"), Some(JOBS_TOKEN), None, &[]);
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply
    }

    /// Opens the app's SQLite file for writing: only to make time pass in tests (move a
    /// due date into the past), never to stand in for the API.
    pub fn sql_write(&self) -> rusqlite::Connection {
        let db = rusqlite::Connection::open(self.database()).unwrap();
        db.busy_timeout(Duration::from_secs(10)).unwrap();
        db
    }

    pub fn send(&self, key: &str, body: Value) -> Reply {
        call("POST", &self.url("/v1/messages"), Some(key), Some(body.to_string()), &[])
    }

    /// The message as `GET /v1/messages/{id}` shows it once `done` holds, polled for up
    /// to 15 s (a send answers before its delivery; the client polls, as ours would).
    pub fn message_when(&self, key: &str, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.get(key, &format!("/v1/messages/{id}"));
            assert_eq!(got.status, 200, "{}", got.text);
            if done(&got.json) || std::time::Instant::now() > deadline {
                return got.json;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The message once its delivery has had an outcome: past Sending, or Sending with a
    /// submit whose outcome is unknown.
    pub fn settled(&self, key: &str, id: &str) -> Value {
        self.message_when(key, id, |m| {
            let code = m["status"]["code"].as_u64().unwrap_or(0);
            let unknown = m["history"].as_array().is_some_and(|h| h.iter().any(|e| e["source"] == "submit-unknown"));
            !(code == 103 || code == 110) || unknown
        })
    }

    /// The message once the carrier has it (it has a carrier id), polled for up to 30 s.
    /// A submit that timed out under the suite's load (outcome unknown) is resubmitted
    /// 30 s later: this makes that time pass (and runs the job runner) rather than wait.
    pub fn at_carrier(&self, key: &str, id: &str) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let message = self.settled(key, id);
            if !message["carrier_message_id"].is_null() || std::time::Instant::now() > deadline {
                return message;
            }
            self.sql_write()
                .execute("UPDATE messages SET due_at = '2000-01-01T00:00:00.000Z' WHERE id = ? AND due_at IS NOT NULL", [id])
                .unwrap();
            self.run_jobs();
        }
    }

    /// The message once it has a final status (polled for up to 15 s).
    pub fn final_message(&self, key: &str, id: &str) -> Value {
        self.message_when(key, id, |m| m["final"] == true)
    }

    /// Waits (up to 60 s, running the job runner as cron would) until the delivery queue
    /// has nothing waiting or in flight; returns the queue's state. A submit that timed
    /// out under a test's load (outcome unknown) waits 30 s for its resubmit: the test
    /// makes that time pass rather than wait.
    pub fn drain_queue(&self) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let queue = self.admin("GET", "/v1/admin/queue", None).json;
            let busy = ["waiting", "submitting", "lease_expired"].iter().map(|k| queue[k].as_i64().unwrap_or(0)).sum::<i64>();
            let unknown = queue["outcome_unknown"].as_i64().unwrap_or(0);
            if (busy == 0 && unknown == 0) || std::time::Instant::now() > deadline {
                return queue;
            }
            if busy == 0 {
                self.sql_write()
                    .execute(
                        "UPDATE messages SET due_at = '2000-01-01T00:00:00.000Z' WHERE submit_unknown_since IS NOT NULL AND due_at IS NOT NULL",
                        [],
                    )
                    .unwrap();
            }
            self.run_jobs();
            thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn get(&self, key: &str, path: &str) -> Reply {
        call("GET", &self.url(path), Some(key), None, &[])
    }

    /// Posts a receipt body with the given X-Signature header (or none).
    pub fn receipt(&self, body: &str, signature: Option<String>) -> Reply {
        let headers: Vec<(&str, String)> = signature.into_iter().map(|s| ("X-Signature", s)).collect();
        call("POST", &self.url("/v1/carriers/http/receipts"), None, Some(body.to_owned()), &headers)
    }

    /// Asserts the ledger invariant straight from the database: for every account the
    /// stored balance equals the sum of its ledger entries.
    pub fn assert_ledger_balanced(&self) {
        let db = self.sql();
        let mut stmt = db
            .prepare("SELECT a.id, a.balance_minor, COALESCE((SELECT SUM(amount_minor) FROM ledger_entries l WHERE l.account_id = a.id), 0) FROM accounts a")
            .unwrap();
        let rows: Vec<(String, i64, i64)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
        assert!(!rows.is_empty());
        for (id, balance, sum) in rows {
            assert_eq!(balance, sum, "account {id}: balance {balance} but ledger sums to {sum}");
        }
    }
}

impl SpinApp {
    /// Kills `spin up` as a crash would (SIGKILL to its PID's process group: no shutdown,
    /// no flush) and keeps its state dir, which it returns for a restart.
    pub fn crash(mut self) -> PathBuf {
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
        let state_dir = std::mem::take(&mut self.state_dir);
        std::mem::forget(self);
        state_dir
    }
}

impl Drop for SpinApp {
    fn drop(&mut self) {
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
        // E2E_KEEP_STATE=1 keeps the database and the components' logs to look at.
        if std::env::var_os("E2E_KEEP_STATE").is_none() {
            let _ = std::fs::remove_dir_all(&self.state_dir);
        } else {
            eprintln!("state kept: {}", self.state_dir.display());
        }
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub json: Value,
}

pub fn call(method: &str, url: &str, bearer: Option<&str>, body: Option<String>, headers: &[(&str, String)]) -> Reply {
    let authorization = bearer.map(|token| format!("Bearer {token}"));
    let mut all: Vec<(&str, String)> = authorization.into_iter().map(|a| ("Authorization", a)).collect();
    all.extend(headers.iter().cloned());
    let reply = call_full(method, url, body, &all);
    Reply { status: reply.status, text: reply.text, json: reply.json }
}

/// Signs like a carrier does, written here independently of the app's verifier:
/// `t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<body>"))`.
pub fn carrier_signature(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// RFC 3339 UTC, `seconds` from now, from the system clock alone: the tests stay free of
/// the app's own date code. Civil date from days since the epoch (Howard Hinnant's algorithm).
pub fn rfc3339_in(seconds: i64) -> String {
    let at = std::time::SystemTime::now() + Duration::from_secs(seconds as u64);
    let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i64;
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A submit as a fake carrier reads it: its Authorization header and its JSON body (Null
/// when it is not JSON).
fn read_submit(request: &mut tiny_http::Request) -> (String, Value) {
    let mut text = String::new();
    let _ = request.as_reader().read_to_string(&mut text);
    let authorization =
        request.headers().iter().find(|h| h.field.equiv("Authorization")).map(|h| h.value.to_string()).unwrap_or_default();
    (authorization, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// What the fake carrier received.
#[derive(Debug, Clone)]
pub struct Received {
    pub authorization: String,
    pub body: Value,
    pub carrier_message_id: String,
}

/// A local HTTP carrier speaking our carrier protocol. Behaviour by recipient, so that
/// concurrent tests need no shared switches:
/// numbers ending in 0500 get HTTP 500, in 0408 an answer after 3 s (a timeout for an
/// app configured with less), everything else 200 with a fresh upper-case id. Like a
/// carrier that deduplicates by client reference, a repeated `reference` is taken once
/// and answered with the id it got the first time.
pub struct FakeCarrier {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Our reference → the id it was given, for every message taken.
    pub taken: Arc<Mutex<std::collections::HashMap<String, String>>>,
}

impl FakeCarrier {
    pub fn start(workers: usize) -> FakeCarrier {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind fake carrier"));
        let port = server.server_addr().to_ip().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let taken: Arc<Mutex<std::collections::HashMap<String, String>>> = Arc::default();
        let counter = Arc::new(AtomicU64::new(1));
        for _ in 0..workers {
            let (server, received, counter, taken) = (server.clone(), received.clone(), counter.clone(), taken.clone());
            thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    // How many messages it has taken (each reference once), for the
                    // benchmark's delivered count.
                    if request.url() == "/count" {
                        let count = taken.lock().unwrap().len().to_string();
                        let _ = request.respond(tiny_http::Response::from_string(count));
                        continue;
                    }
                    let (authorization, parsed) = read_submit(&mut request);
                    let take = |reference: &str| {
                        taken
                            .lock()
                            .unwrap()
                            .entry(reference.to_owned())
                            .or_insert_with(|| format!("FC-{:08X}", counter.fetch_add(1, Ordering::Relaxed)))
                            .clone()
                    };
                    // Our batch protocol: one entry per message, by reference.
                    if request.url() == "/messages/batch" {
                        let messages = parsed["messages"].as_array().cloned().unwrap_or_default();
                        if messages.iter().any(|m| m["to"].as_str().unwrap_or("").ends_with("0408")) {
                            thread::sleep(Duration::from_secs(3));
                        }
                        let mut entries = Vec::with_capacity(messages.len());
                        for message in messages {
                            let reference = message["reference"].as_str().unwrap_or("").to_owned();
                            let (entry, id) = if message["to"].as_str().unwrap_or("").ends_with("0500") {
                                (json!({"reference": reference, "error": "unroutable number"}), String::new())
                            } else {
                                let id = take(&reference);
                                (json!({"reference": reference, "message_id": id}), id)
                            };
                            entries.push(entry);
                            received.lock().unwrap().push(Received { authorization: authorization.clone(), body: message, carrier_message_id: id });
                        }
                        let response = tiny_http::Response::from_string(json!({"messages": entries}).to_string())
                            .with_header("Content-Type: application/json".parse::<tiny_http::Header>().unwrap());
                        let _ = request.respond(response);
                        continue;
                    }
                    let to = parsed["to"].as_str().unwrap_or("").to_owned();
                    let (status, reply, id) = if request.url() != "/messages" {
                        (404, json!({"error": "no such path"}), String::new())
                    } else if to.ends_with("0500") {
                        (500, json!({"error": "internal carrier error"}), String::new())
                    } else {
                        if to.ends_with("0408") {
                            thread::sleep(Duration::from_secs(3));
                        }
                        let id = take(parsed["reference"].as_str().unwrap_or(""));
                        (200, json!({"message_id": id}), id)
                    };
                    received.lock().unwrap().push(Received { authorization, body: parsed, carrier_message_id: id });
                    let response = tiny_http::Response::from_string(reply.to_string())
                        .with_status_code(status)
                        .with_header("Content-Type: application/json".parse::<tiny_http::Header>().unwrap());
                    let _ = request.respond(response);
                }
            });
        }
        FakeCarrier { base: format!("http://127.0.0.1:{port}"), received, taken }
    }

    /// What the carrier received for the message with our `reference`.
    pub fn find(&self, reference: &str) -> Option<Received> {
        self.received.lock().unwrap().iter().find(|r| r.body["reference"] == reference).cloned()
    }
}

/// A customer's callback endpoint: records every request; answers 503 to the first
/// `failures` requests, then `status` to the rest.
pub struct CallbackReceiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Callback>>>,
}

#[derive(Debug, Clone)]
pub struct Callback {
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub answered: u16,
}

impl Callback {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

impl CallbackReceiver {
    pub fn start(failures: usize, status: u16) -> CallbackReceiver {
        CallbackReceiver::start_answering(failures, status, None)
    }

    /// A receiver that answers 200 with this body of this content type (e.g. TwiML).
    pub fn answering(content_type: &str, body: &str) -> CallbackReceiver {
        CallbackReceiver::start_answering(0, 200, Some((content_type.to_owned(), body.to_owned())))
    }

    fn start_answering(failures: usize, status: u16, answer: Option<(String, String)>) -> CallbackReceiver {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind callback receiver");
        let port = server.server_addr().to_ip().unwrap().port();
        let received: Arc<Mutex<Vec<Callback>>> = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let headers = request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect();
                let mut log = log.lock().unwrap();
                let answered = if log.len() < failures { 503 } else { status };
                log.push(Callback { headers, body, answered });
                drop(log);
                let response = match (&answer, answered) {
                    (Some((content_type, body)), 200) => tiny_http::Response::from_string(body.as_str())
                        .with_header(tiny_http::Header::from_bytes("Content-Type", content_type.as_bytes()).unwrap()),
                    _ => tiny_http::Response::from_string(""),
                };
                let _ = request.respond(response.with_status_code(answered));
            }
        });
        CallbackReceiver { url: format!("http://127.0.0.1:{port}/hooks/sms"), received }
    }

    pub fn calls(&self) -> Vec<Callback> {
        self.received.lock().unwrap().clone()
    }
}

/// Verifies a Standard Webhooks signature as a receiver would, written from the spec
/// (https://www.standardwebhooks.com/) independently of the app's signer: base64
/// HMAC-SHA256 keyed with the base64 part of `whsec_…`, over `id.timestamp.body`.
pub fn standard_webhook_valid(secret: &str, callback: &Callback) -> bool {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let engine = base64::engine::general_purpose::STANDARD;
    let key = engine.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).unwrap();
    let (Some(id), Some(timestamp), Some(signatures)) =
        (callback.header("webhook-id"), callback.header("webhook-timestamp"), callback.header("webhook-signature"))
    else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", callback.body).as_bytes());
    let expected = format!("v1,{}", engine.encode(mac.finalize().into_bytes()));
    let fresh = timestamp.parse::<i64>().is_ok_and(|t| (now() - t).abs() < 300);
    fresh && signatures.split(' ').any(|s| s == expected)
}

/// One app routed to the fake carrier (2 s carrier timeout) and one on the sandbox, for
/// the tests of one binary to share; each test works in its own account.
pub struct Env {
    pub carrier: FakeCarrier,
    pub app: SpinApp,
    pub sandbox: SpinApp,
}

impl Env {
    /// Builds the app and starts both, with `carrier_workers` fake-carrier threads.
    pub fn start(carrier_workers: usize) -> Env {
        build_app();
        let carrier = FakeCarrier::start(carrier_workers);
        let app = SpinApp::with_carrier(&carrier, 2_000);
        let sandbox = SpinApp::sandbox();
        Env { carrier, app, sandbox }
    }
}

/// Builds the app once per test binary (`spin build`; a no-op when up to date).
/// The test binary's one sandbox app (built first), shared by its tests; each test works in
/// accounts of its own.
pub fn shared_sandbox() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::sandbox()
    })
}

pub fn build_app() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        // The Spin 3 build's manifest is written (and built) by scripts/spin3.sh.
        let status = if spin3_build() {
            Command::new("bash").current_dir(workspace_root()).arg("scripts/spin3.sh").status().expect("run scripts/spin3.sh")
        } else {
            Command::new(spin_binary()).current_dir(workspace_root()).args(["build", "-f", &manifest()]).status().expect("run spin build")
        };
        assert!(status.success(), "building {} failed", manifest());
    });
}

// ---------------------------------------------------------------- receipts (three carriers)

pub const VONAGE_KEY: &str = "vonage-key:vonage-secret";
pub const VONAGE_WEBHOOK_SECRET: &str = "vonage-webhook-secret";
pub const SINCH_TOKEN: &str = "sinch-api-token";
pub const SINCH_WEBHOOK_SECRET: &str = "sinch-webhook-secret";

/// Posts a receipt to `/v1/carriers/{carrier}/receipts` with this Content-Type (none
/// when `None`) and X-Signature (none when `None`).
pub fn post_receipt(app: &SpinApp, carrier: &str, content_type: Option<&str>, body: &str, signature: Option<String>) -> Reply {
    let mut request = ureq::post(&app.url(&format!("/v1/carriers/{carrier}/receipts"))).timeout(Duration::from_secs(60));
    if let Some(content_type) = content_type {
        request = request.set("Content-Type", content_type);
    }
    if let Some(signature) = signature {
        request = request.set("X-Signature", &signature);
    }
    let response = match request.send_string(body) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST receipt to {carrier}: {e}"),
    };
    let status = response.status();
    let text = response.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, text, json }
}

/// A receipt the fake carrier posts to the app *before* it answers a submit, signed
/// with `secret`, as a fast carrier can.
#[derive(Debug, Clone)]
pub struct EarlyReceipt {
    pub carrier: String,
    pub secret: String,
    pub content_type: String,
    pub body: String,
}

/// How the fake carrier answers the submit for one recipient.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The ids to answer with (vonage: one per part); generated when empty.
    pub ids: Vec<String>,
    pub receipt_first: Option<EarlyReceipt>,
}

/// What the fake carrier got, in any of the three protocols.
#[derive(Debug, Clone)]
pub struct Submit {
    pub path: String,
    pub authorization: String,
    pub body: Value,
    /// Our message id (`reference`, `client-ref` or `client_reference`).
    pub reference: String,
    /// The ids it answered with.
    pub ids: Vec<String>,
    /// The app's answer to the early receipt, if one was sent.
    pub early_reply: Option<Value>,
}

/// A local carrier speaking all three submit protocols the app knows: ours
/// (`POST /messages`), Vonage's (`POST /sms/json`, one id per part) and Sinch's
/// (`POST /batches`). Answers follow a [`Plan`] set per recipient, so concurrent tests
/// need no shared switches; without one, fresh upper-case ids.
pub struct ProtocolCarrier {
    pub base: String,
    submits: Arc<Mutex<Vec<Submit>>>,
    plans: Arc<Mutex<std::collections::HashMap<String, Plan>>>,
    app_base: Arc<Mutex<Option<String>>>,
}

impl ProtocolCarrier {
    pub fn start(workers: usize) -> ProtocolCarrier {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind protocol carrier"));
        let port = server.server_addr().to_ip().unwrap().port();
        let carrier = ProtocolCarrier {
            base: format!("http://127.0.0.1:{port}"),
            submits: Arc::default(),
            plans: Arc::default(),
            app_base: Arc::default(),
        };
        let counter = Arc::new(AtomicU64::new(1));
        for _ in 0..workers {
            let (server, counter) = (server.clone(), counter.clone());
            let (submits, plans, app_base) = (carrier.submits.clone(), carrier.plans.clone(), carrier.app_base.clone());
            thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let (authorization, body) = read_submit(&mut request);
                    let path = request.url().to_owned();
                    let (to, reference) = match path.as_str() {
                        "/messages" => (body["to"].as_str(), body["reference"].as_str()),
                        "/sms/json" => (body["to"].as_str(), body["client-ref"].as_str()),
                        "/batches" => (body["to"][0].as_str(), body["client_reference"].as_str()),
                        _ => (None, None),
                    };
                    let (Some(to), Some(reference)) = (to.map(str::to_owned), reference.map(str::to_owned)) else {
                        let _ = request.respond(tiny_http::Response::from_string("{}").with_status_code(404));
                        continue;
                    };
                    let to = to.as_str();
                    let plan = plans.lock().unwrap().get(to.trim_start_matches('+')).cloned().unwrap_or_default();
                    let ids = if !plan.ids.is_empty() {
                        plan.ids.clone()
                    } else {
                        let parts = if path == "/sms/json" { vonage_parts(&body) } else { 1 };
                        (0..parts).map(|_| format!("PC{:014X}", counter.fetch_add(1, Ordering::Relaxed))).collect()
                    };
                    let early_reply = plan.receipt_first.as_ref().map(|early| {
                        let app = app_base.lock().unwrap().clone().expect("attach the app before planning an early receipt");
                        let url = format!("{app}/v1/carriers/{}/receipts", early.carrier);
                        let signature = carrier_signature(&early.secret, now(), &early.body);
                        let reply = ureq::post(&url)
                            .set("Content-Type", &early.content_type)
                            .set("X-Signature", &signature)
                            .send_string(&early.body);
                        match reply {
                            Ok(r) | Err(ureq::Error::Status(_, r)) => r.into_json::<Value>().unwrap_or(Value::Null),
                            Err(e) => json!({"error": e.to_string()}),
                        }
                    });
                    let (status, reply) = match path.as_str() {
                        "/messages" => (200, json!({"message_id": ids[0]})),
                        "/sms/json" => (
                            200,
                            json!({
                                "message-count": ids.len().to_string(),
                                "messages": ids.iter().map(|id| json!({"to": to, "message-id": id, "status": "0"})).collect::<Vec<_>>(),
                            }),
                        ),
                        _ => (201, json!({"id": ids[0], "to": [to], "from": body["from"], "canceled": false})),
                    };
                    submits.lock().unwrap().push(Submit {
                        path,
                        authorization,
                        body,
                        reference,
                        ids,
                        early_reply,
                    });
                    let response = tiny_http::Response::from_string(reply.to_string())
                        .with_status_code(status)
                        .with_header("Content-Type: application/json".parse::<tiny_http::Header>().unwrap());
                    let _ = request.respond(response);
                }
            });
        }
        carrier
    }

    /// Tells the carrier where to post early receipts.
    pub fn attach(&self, app: &SpinApp) {
        *self.app_base.lock().unwrap() = Some(app.base.clone());
    }

    /// How to answer the submit to `to` (E.164, with or without '+').
    pub fn plan(&self, to: &str, plan: Plan) {
        self.plans.lock().unwrap().insert(to.trim_start_matches('+').to_owned(), plan);
    }

    /// What the carrier got for our message `reference`.
    pub fn find(&self, reference: &str) -> Option<Submit> {
        self.submits.lock().unwrap().iter().find(|s| s.reference == reference).cloned()
    }
}

/// Parts Vonage would split a text into: 160/153 GSM-7 characters, 70/67 for unicode.
fn vonage_parts(body: &Value) -> usize {
    let length = body["text"].as_str().unwrap_or("").chars().count();
    let (single, multi) = if body["type"] == "unicode" { (70, 67) } else { (160, 153) };
    if length <= single { 1 } else { length.div_ceil(multi) }
}

impl SpinApp {
    /// The app routed to `carrier` speaking `protocol` ("http", "vonage" or "sinch"), with
    /// that carrier's receipt secret set and the others' left unset.
    pub fn with_protocol(carrier: &ProtocolCarrier, protocol: &str) -> SpinApp {
        let (key, secret_variable, secret) = match protocol {
            "vonage" => (VONAGE_KEY, "vonage_webhook_secret", VONAGE_WEBHOOK_SECRET),
            "sinch" => (SINCH_TOKEN, "sinch_webhook_secret", SINCH_WEBHOOK_SECRET),
            _ => (CARRIER_KEY, "carrier_webhook_secret", WEBHOOK_SECRET),
        };
        let app = SpinApp::start(&[
            ("carrier", protocol.into()),
            ("carrier_base_url", carrier.base.clone()),
            ("carrier_api_key", key.into()),
            (secret_variable, secret.into()),
            ("carrier_timeout_ms", "5000".into()),
        ]);
        carrier.attach(&app);
        app
    }
}

// ---------------------------------------------------------------- contact book

impl SpinApp {
    /// Any API-key call: `method` on `path` with an optional JSON body.
    pub fn api(&self, key: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
        call(method, &self.url(path), Some(key), body.map(|b| b.to_string()), &[])
    }

    /// The account's ledger entries straight from the database: (kind, amount, reference), oldest first.
    pub fn ledger_rows(&self, account: &str) -> Vec<(String, i64, String)> {
        let db = self.sql();
        let mut stmt = db
            .prepare("SELECT kind, amount_minor, reference FROM ledger_entries WHERE account_id = ? ORDER BY id")
            .unwrap();
        stmt.query_map([account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    }
}

// ---------------------------------------------------------------- portal users and sessions

/// A signed-in portal user, as a browser holds them: the session cookie, the CSRF token
/// sent back on state-changing requests, the known-device cookie a full sign-in sets, and
/// optionally the account picked by `X-Account-Id` (else the user's default account).
#[derive(Debug, Clone)]
pub struct Browser {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
    pub account: Option<String>,
    /// `smsedge_device=…`, sent with every request as a browser would.
    pub device: Option<String>,
}

/// A reply with its headers (`Set-Cookie`, `Retry-After`).
#[derive(Debug)]
pub struct FullReply {
    pub status: u16,
    pub text: String,
    pub json: Value,
    pub headers: Vec<(String, String)>,
}

impl FullReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The `Set-Cookie` header that sets cookie `name`, whole.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        let prefix = format!("{name}=");
        self.headers.iter().find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with(&prefix)).map(|(_, v)| v.as_str())
    }
}

pub fn call_full(method: &str, url: &str, body: Option<String>, headers: &[(&str, String)]) -> FullReply {
    call_typed(method, url, body.map(|b| ("application/json", b)), headers)
}

/// As [`call_full`], with the body sent as this content type (`""`: no Content-Type).
pub fn call_typed(method: &str, url: &str, body: Option<(&str, String)>, headers: &[(&str, String)]) -> FullReply {
    let mut request = ureq::request(method, url).timeout(Duration::from_secs(60));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let result = match body {
        Some(("", body)) => request.send_string(&body),
        Some((content_type, body)) => request.set("Content-Type", content_type).send_string(&body),
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .flat_map(|name| response.all(&name).into_iter().map(move |v| (name.clone(), v.to_owned())).collect::<Vec<_>>())
        .collect();
    let text = response.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    FullReply { status, text, json, headers }
}

/// The password every test user gets unless a test says otherwise (meets seed 001's policy).
pub const PASSWORD: &str = "Correct horse 1";

impl Browser {
    /// `method` on `path` as this browser: cookie, CSRF token and account header.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let reply = self.call_full(method, path, body);
        Reply { status: reply.status, text: reply.text, json: reply.json }
    }

    pub fn call_full(&self, method: &str, path: &str, body: Option<Value>) -> FullReply {
        let cookies = match &self.device {
            Some(device) => format!("{}; {device}", self.cookie),
            None => self.cookie.clone(),
        };
        let mut headers = vec![("Cookie", cookies), ("X-CSRF-Token", self.csrf.clone())];
        if let Some(account) = &self.account {
            headers.push(("X-Account-Id", account.clone()));
        }
        call_full(method, &format!("{}{path}", self.base), body.map(|b| b.to_string()), &headers)
    }

    /// The same session acting on another account.
    pub fn on(&self, account: &str) -> Browser {
        Browser { account: Some(account.to_owned()), ..self.clone() }
    }

    /// Turns two-factor on (password, then a code from the secret): the secret and the
    /// recovery codes.
    pub fn turn_on_two_factor(&self) -> (String, Vec<String>) {
        let begun = self.call("POST", "/v1/me/2fa", Some(json!({"password": PASSWORD})));
        assert_eq!(begun.status, 201, "{}", begun.text);
        let secret = begun.json["secret"].as_str().unwrap().to_owned();
        let confirmed = self.call("POST", "/v1/me/2fa/confirm", Some(json!({"code": totp_code(&secret, now() as u64)})));
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        let recovery = confirmed.json["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        (secret, recovery)
    }

    /// The same session without its CSRF token (what a forged cross-site request has).
    pub fn without_csrf(&self) -> Browser {
        Browser { csrf: String::new(), ..self.clone() }
    }
}

/// The `name=value` of a `Set-Cookie` header.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or("").trim().to_owned()
}

impl SpinApp {
    /// Signs in with e-mail and password from a new browser: the raw reply, and the
    /// browser when it carried a session cookie.
    pub fn login(&self, email: &str, password: &str) -> (FullReply, Option<Browser>) {
        self.login_on(None, email, password)
    }

    /// Signs in from a browser holding this known-device cookie (`smsedge_device=…`), if any.
    pub fn login_on(&self, device: Option<&str>, email: &str, password: &str) -> (FullReply, Option<Browser>) {
        let cookies: Vec<(&str, String)> = device.map(|d| ("Cookie", d.to_owned())).into_iter().collect();
        let reply = call_full("POST", &self.url("/v1/auth/login"), Some(json!({"email": email, "password": password}).to_string()), &cookies);
        let browser = reply.set_cookie("smsedge_session").map(|c| Browser {
            base: self.base.clone(),
            cookie: cookie_pair(c),
            csrf: reply.json["csrf_token"].as_str().unwrap_or_default().to_owned(),
            account: None,
            device: reply.set_cookie("smsedge_device").map(cookie_pair).or_else(|| device.map(str::to_owned)),
        });
        (reply, browser)
    }

    /// The newest e-mail to `to` in the development outbox.
    pub fn last_email(&self, to: &str) -> Value {
        let reply = self.admin("GET", &format!("/v1/admin/emails?to={}", to.replace('+', "%2B")), None);
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json["emails"][0].clone()
    }

    /// The `token=` of the link in the newest e-mail to `to`.
    pub fn emailed_token(&self, to: &str) -> String {
        let email = self.last_email(to);
        let body = email["body"].as_str().unwrap_or_else(|| panic!("no e-mail to {to}"));
        let start = body.find("token=").unwrap_or_else(|| panic!("no link in: {body}")) + "token=".len();
        body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
    }

    /// A new user with `level` on `account`, made by the operator (seed 001): invited by
    /// e-mail, password set from the invitation, signed in.
    pub fn member(&self, account: &str, email: &str, level: &str) -> Browser {
        let made = self.admin(
            "POST",
            "/v1/admin/users",
            Some(json!({"account_id": account, "email": email, "name": "Test Person", "level": level, "language": "en"})),
        );
        assert_eq!(made.status, 201, "{}", made.text);
        let token = self.emailed_token(email);
        let accepted = call("POST", &self.url("/v1/invitations/accept"), None, Some(json!({"token": token, "password": PASSWORD}).to_string()), &[]);
        assert_eq!(accepted.status, 204, "{}", accepted.text);
        let (reply, browser) = self.login(email, PASSWORD);
        assert_eq!(reply.status, 200, "{}", reply.text);
        browser.unwrap()
    }
}

/// An RFC 6238 code (HMAC-SHA1, 6 digits, 30 s) from a base32 secret, written here from
/// the RFCs, independently of the app's TOTP crate.
pub fn totp_code(secret_base32: &str, unix: u64) -> String {
    use hmac::{Hmac, Mac};
    let mut bits = 0u32;
    let mut value = 0u64;
    let mut key = Vec::new();
    for c in secret_base32.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let v = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".find(c.to_ascii_uppercase()).expect("base32") as u64;
        value = (value << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            key.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
    mac.update(&(unix / 30).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let number = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", number % 1_000_000)
}

impl SpinApp {
    /// An account's balance as the operator API shows it.
    pub fn account_balance(&self, account: &str) -> i64 {
        let reply = self.admin("GET", &format!("/v1/admin/accounts/{account}"), None);
        reply.json["balance_minor"].as_i64().unwrap_or_else(|| panic!("{}", reply.text))
    }
}

// ---------------------------------------------------------------- operator staff (issue 18)

/// Every area of the operator API (domain::identity::staff::Area), as the API names them.
pub const AREAS: [&str; 11] = ["customers", "carriers", "rate_card", "cdr", "log", "reports", "billing", "numbers", "packages", "settings", "staff"];

impl SpinApp {
    /// A permission group made with the admin token (`permissions`: `{area: "allow" | "deny"}`): its id.
    pub fn staff_group(&self, name: &str, permissions: Value) -> String {
        let made = self.admin("POST", "/v1/admin/staff-groups", Some(json!({"name": name, "permissions": permissions})));
        assert_eq!(made.status, 201, "{}", made.text);
        made.json["id"].as_str().unwrap().to_owned()
    }

    /// A group that allows every area: its id.
    pub fn everything_group(&self, name: &str) -> String {
        let all: serde_json::Map<String, Value> = AREAS.iter().map(|a| ((*a).to_owned(), json!("allow"))).collect();
        self.staff_group(name, Value::Object(all))
    }

    /// A staff member made with the admin token (password [`PASSWORD`]), in these groups:
    /// their user id.
    pub fn staff_member(&self, email: &str, name: &str, groups: &[&str]) -> String {
        let made = self.admin("POST", "/v1/admin/staff", Some(json!({"email": email, "name": name, "password": PASSWORD, "groups": groups})));
        assert_eq!(made.status, 201, "{}", made.text);
        assert!(made.json.get("initial_password").is_none(), "a password was given: {}", made.text);
        made.json["user_id"].as_str().unwrap().to_owned()
    }

    /// A staff member in these groups, signed in (the portal's login) with two-factor
    /// turned on the portal's way: (browser, user id, TOTP secret).
    pub fn signed_in_staff(&self, email: &str, name: &str, groups: &[&str]) -> (Browser, String, String) {
        let user_id = self.staff_member(email, name, groups);
        let (reply, browser) = self.login(email, PASSWORD);
        assert_eq!(reply.status, 200, "{}", reply.text);
        let browser = browser.unwrap();
        let (secret, _) = browser.turn_on_two_factor();
        (browser, user_id, secret)
    }
}
