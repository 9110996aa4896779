//! Test support: a real `spin up` of the app on a free 127.0.0.1 port with a temporary
//! state dir, a local fake carrier, and small HTTP helpers.

use serde_json::{json, Value};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const CARRIER_KEY: &str = "carrier-api-key";
pub const WEBHOOK_SECRET: &str = "carrier-webhook-secret";

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
        AT_EXIT.call_once(|| unsafe {
            libc::atexit(kill_groups);
        });
        let port = free_port();
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
        let state_dir = std::env::temp_dir().join(format!("smsedge-e2e-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&state_dir).unwrap();
        let log = std::fs::File::create(state_dir.join("spin.log")).unwrap();
        let mut command = Command::new(spin_binary());
        command
            .current_dir(workspace_root())
            .args(["up", "--listen", &format!("127.0.0.1:{port}"), "--state-dir"])
            .arg(&state_dir)
            .env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
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

    pub fn send(&self, key: &str, body: Value) -> Reply {
        call("POST", &self.url("/v1/messages"), Some(key), Some(body.to_string()), &[])
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

impl Drop for SpinApp {
    fn drop(&mut self) {
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub json: Value,
}

pub fn call(method: &str, url: &str, bearer: Option<&str>, body: Option<String>, headers: &[(&str, String)]) -> Reply {
    let mut request = ureq::request(method, url).timeout(Duration::from_secs(60));
    if let Some(token) = bearer {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let result = match body {
        Some(body) => request.set("Content-Type", "application/json").send_string(&body),
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let text = response.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, text, json }
}

/// Signs like a carrier does, written here independently of the app's verifier:
/// `t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<body>"))`.
pub fn carrier_signature(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
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
/// app configured with less), everything else 200 with a fresh upper-case id.
pub struct FakeCarrier {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl FakeCarrier {
    pub fn start(workers: usize) -> FakeCarrier {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind fake carrier"));
        let port = server.server_addr().to_ip().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicU64::new(1));
        for _ in 0..workers {
            let (server, received, counter) = (server.clone(), received.clone(), counter.clone());
            thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let authorization = request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.to_string())
                        .unwrap_or_default();
                    let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    let to = parsed["to"].as_str().unwrap_or("").to_owned();
                    let (status, reply, id) = if request.url() != "/messages" {
                        (404, json!({"error": "no such path"}), String::new())
                    } else if to.ends_with("0500") {
                        (500, json!({"error": "internal carrier error"}), String::new())
                    } else {
                        if to.ends_with("0408") {
                            thread::sleep(Duration::from_secs(3));
                        }
                        let id = format!("FC-{:08X}", counter.fetch_add(1, Ordering::Relaxed));
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
        FakeCarrier { base: format!("http://127.0.0.1:{port}"), received }
    }

    /// What the carrier received for the message with our `reference`.
    pub fn find(&self, reference: &str) -> Option<Received> {
        self.received.lock().unwrap().iter().find(|r| r.body["reference"] == reference).cloned()
    }
}

/// Builds the app once per test binary (`spin build`; a no-op when up to date).
pub fn build_app() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let status = Command::new(spin_binary())
            .current_dir(workspace_root())
            .arg("build")
            .status()
            .expect("run spin build");
        assert!(status.success(), "spin build failed");
    });
}
