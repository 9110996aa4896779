//! End-to-end: many requests at once into the same instances. Spin 4 reuses a WASIp3
//! instance for up to 16 requests at a time (its defaults here), so these check that
//! requests sharing an instance never share a transaction: money moves exactly once per
//! accepted message and the balance stays the sum of the ledger.

use e2e::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// Sends at 35 öre each (the default SE price): 2,000 at once against room for exactly
/// 1,500. Every request is a real debit through the carrier path (stored, debited,
/// submitted to the fake carrier, its answer recorded), spread by Spin over however many
/// instances it runs, 16 requests at a time in each.
#[test]
fn two_thousand_concurrent_debits_accept_exactly_what_the_balance_allows() {
    const REQUESTS: usize = 2_000;
    const ROOM: i64 = 1_500;
    const CLIENTS: usize = 128;
    let env = Env::start(32);
    let app = &env.app;
    let (account, key) = app.account("SEK", ROOM * 35, 0);

    let next = Arc::new(AtomicUsize::new(0));
    let statuses = Arc::new(Mutex::new(Vec::with_capacity(REQUESTS)));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (url, key, next, statuses) = (app.url("/v1/messages"), key.clone(), next.clone(), statuses.clone());
            thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= REQUESTS {
                    return;
                }
                // Numbers ending in 1: the fake carrier fails those ending in 0500 and 0408.
                let body = json!({"from": "ACME", "to": format!("+4670{:07}", 3_000_001 + i * 10), "text": "race"});
                let reply = call("POST", &url, Some(&key), Some(body.to_string()), &[]);
                statuses.lock().unwrap().push((reply.status, reply.json["error"]["name"].as_str().map(str::to_owned)));
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }

    let statuses = statuses.lock().unwrap();
    let accepted = statuses.iter().filter(|(s, _)| *s == 201).count() as i64;
    let refused = statuses.iter().filter(|(s, name)| *s == 402 && name.as_deref() == Some("InsufficientFunds")).count() as i64;
    let other: Vec<_> = statuses.iter().filter(|(s, _)| *s != 201 && *s != 402).collect();
    assert!(other.is_empty(), "every request is accepted or refused for funds: {other:?}");
    // Accepted means paid for and queued; delivery follows from the queue.
    app.drain_queue();
    let db = app.sql();
    let unsubmitted: Vec<(i64, Option<String>)> = db
        .prepare("SELECT status, status_detail FROM messages WHERE account_id = ? AND status != 111")
        .unwrap()
        .query_map([&account], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(unsubmitted.is_empty(), "every accepted message reached the carrier: {unsubmitted:?}");
    assert_eq!((accepted, refused), (ROOM, REQUESTS as i64 - ROOM));

    let view = app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json;
    assert_eq!(view["balance_minor"], 0, "{view}");
    assert_eq!(view["ledger_sum_minor"], 0, "{view}");
    let (messages, debits, submitted): (i64, i64, i64) = db
        .query_row(
            "SELECT (SELECT COUNT(*) FROM messages WHERE account_id = ?1), \
                    (SELECT COUNT(*) FROM ledger_entries WHERE account_id = ?1 AND amount_minor < 0), \
                    (SELECT COUNT(*) FROM messages WHERE account_id = ?1 AND status = 111 AND carrier_message_id IS NOT NULL)",
            [&account],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((messages, debits, submitted), (ROOM, ROOM, ROOM), "one stored message, one debit and one submit per acceptance");
    assert_eq!(env.carrier.received.lock().unwrap().len() as i64, ROOM, "the carrier got each accepted message once");
    app.assert_ledger_balanced();
}
