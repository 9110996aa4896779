//! End-to-end: `spin up` killed (SIGKILL, by its PID) in the middle of a load of sends,
//! restarted on the same state dir, the job runner left to work. Money exactly once,
//! delivery at least once, nothing stranded.

use e2e::*;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const SENDS_PER_CLIENT: usize = 60;

/// One logical send as a client keeps it: its key and body, and the answer it finally got.
struct Outcome {
    key: String,
    body: String,
    status: u16,
    answer: Value,
}

/// POSTs until the app answers (it may be down or restarting), same key every time.
fn send_until_answered(base: &Arc<Mutex<String>>, api_key: &str, body: &str, idempotency_key: &str, retried: &AtomicUsize) -> (u16, Value) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let url = format!("{}/v1/messages", base.lock().unwrap());
        let reply = ureq::post(&url)
            .timeout(Duration::from_secs(10))
            .set("Authorization", &format!("Bearer {api_key}"))
            .set("Idempotency-Key", idempotency_key)
            .set("Content-Type", "application/json")
            .send_string(body);
        match reply {
            Ok(r) | Err(ureq::Error::Status(_, r)) => {
                let status = r.status();
                return (status, r.into_json().unwrap_or(Value::Null));
            }
            // The app is down (killed) or not yet back: retry the same request.
            Err(_) => {
                retried.fetch_add(1, Ordering::Relaxed);
                assert!(Instant::now() < deadline, "the app never came back");
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

#[test]
fn a_crash_mid_load_charges_once_strands_nothing_and_the_carrier_deduplicates() {
    build_app();
    let carrier = FakeCarrier::start(16);
    let variables = [
        ("carrier", "http".to_owned()),
        ("carrier_base_url", carrier.base.clone()),
        ("carrier_api_key", CARRIER_KEY.to_owned()),
        ("carrier_webhook_secret", WEBHOOK_SECRET.to_owned()),
        ("carrier_timeout_ms", "2000".to_owned()),
    ];
    let first = SpinApp::start_in(SpinApp::new_state_dir(), &variables);
    let (account, api_key) = first.account("SEK", 10_000_000, 0);
    let base = Arc::new(Mutex::new(first.base.clone()));

    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let accepted = Arc::new(AtomicUsize::new(0));
    let retried = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (base, api_key, outcomes, accepted, retried) =
                (base.clone(), api_key.clone(), outcomes.clone(), accepted.clone(), retried.clone());
            thread::spawn(move || {
                for n in 0..SENDS_PER_CLIENT {
                    // Numbers ending in 1: clear of the fake carrier's failure suffixes.
                    let to = format!("+4670{:06}1", client * 1_000 + n);
                    let body = json!({"from": "ACME", "to": to, "text": format!("crash test {client}/{n}")}).to_string();
                    let key = format!("crash-{client}-{n}");
                    let (status, answer) = send_until_answered(&base, &api_key, &body, &key, &retried);
                    if status == 201 {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    outcomes.lock().unwrap().push(Outcome { key, body, status, answer });
                }
            })
        })
        .collect();

    // Kill it by its PID once the load is well under way.
    let deadline = Instant::now() + Duration::from_secs(60);
    while accepted.load(Ordering::Relaxed) < CLIENTS * SENDS_PER_CLIENT / 4 {
        assert!(Instant::now() < deadline, "the load never got going");
        thread::sleep(Duration::from_millis(5));
    }
    let killed_at = accepted.load(Ordering::Relaxed);
    let state_dir = first.crash();
    let second = SpinApp::start_in(state_dir, &variables);
    *base.lock().unwrap() = second.base.clone();
    for client in clients {
        client.join().unwrap();
    }
    let app = &second;
    // (A submit that timed out under this load is resubmitted: drain_queue makes its 30 s pass.)
    let queue = app.drain_queue();
    let unknown: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM message_events WHERE source = 'submit-unknown'", [], |r| r.get(0))
        .unwrap();

    let outcomes = outcomes.lock().unwrap();
    assert_eq!(outcomes.len(), CLIENTS * SENDS_PER_CLIENT);
    let refused: Vec<_> = outcomes.iter().filter(|o| o.status != 201).map(|o| (o.status, o.answer.to_string())).collect();
    assert!(refused.is_empty(), "every send was answered 201 in the end: {refused:?}");
    assert!(killed_at < CLIENTS * SENDS_PER_CLIENT, "the crash came mid-load");
    assert!(retried.load(Ordering::Relaxed) > 0, "some requests were cut by the crash and retried");

    // Money exactly once: one message and one debit per logical send, whatever the retries.
    let answered_ids: HashSet<String> = outcomes.iter().map(|o| o.answer["messages"][0]["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(answered_ids.len(), outcomes.len(), "each send has its own message");
    let db = app.sql();
    let stored: HashMap<String, (i64, Option<String>)> = db
        .prepare("SELECT id, status, carrier_message_id FROM messages WHERE account_id = ?")
        .unwrap()
        .query_map([&account], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored.keys().cloned().collect::<HashSet<_>>(), answered_ids, "stored = answered: no extra, none lost");
    let debits: i64 = db
        .query_row("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ? AND kind = 'debit'", [&account], |r| r.get(0))
        .unwrap();
    assert_eq!(debits as usize, outcomes.len(), "one debit per send");
    assert_eq!(app.account_balance(&account), 10_000_000 - 35 * outcomes.len() as i64);
    app.assert_ledger_balanced();

    // Nothing stranded: every message reached the carrier and has its id; the queue is empty.
    for key in ["waiting", "submitting", "lease_expired", "outcome_unknown"] {
        assert_eq!(queue[key], 0, "{key}: {queue}");
    }
    let stranded: Vec<_> = stored.iter().filter(|(_, (status, carrier_id))| *status != 111 || carrier_id.is_none()).collect();
    assert!(stranded.is_empty(), "{} not at the carrier, e.g. {:?}", stranded.len(), stranded.first());

    // The carrier saw every reference, only ours, and a repeat only under the same reference
    // (so it took each message once): the id it gave is the one we stored.
    let taken = carrier.taken.lock().unwrap().clone();
    for (id, (_, carrier_id)) in &stored {
        let given = taken.get(id).unwrap_or_else(|| panic!("the carrier never saw {id}"));
        assert_eq!(carrier_id.as_deref(), Some(given.to_lowercase().as_str()));
    }
    let submits = carrier.received.lock().unwrap().len();
    let references: HashSet<String> = carrier.received.lock().unwrap().iter().map(|r| r.body["reference"].as_str().unwrap().to_owned()).collect();
    eprintln!(
        "crash after {killed_at} accepted sends; {} requests retried; {submits} submits for {} messages; {unknown} unknown outcomes resubmitted",
        retried.load(Ordering::Relaxed),
        references.len()
    );
    assert!(references.is_subset(&answered_ids), "no submit under a reference we did not answer");

    // A client that retries after all gets the first answer again, and nothing more happens.
    for outcome in outcomes.iter().step_by(47) {
        let again = call_full(
            "POST",
            &app.url("/v1/messages"),
            Some(outcome.body.clone()),
            &[("Authorization", format!("Bearer {api_key}")), ("Idempotency-Key", outcome.key.clone())],
        );
        assert_eq!((again.status, again.header("idempotent-replayed")), (201, Some("true")), "{}", again.text);
        assert_eq!(again.json, outcome.answer);
    }
    assert_eq!(app.account_balance(&account), 10_000_000 - 35 * outcomes.len() as i64);
}
