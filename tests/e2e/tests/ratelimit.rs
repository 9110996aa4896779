//! End-to-end: request rate limits per API key and per account, set per client by the
//! operator, shared by every instance of the app (429 RateLimited with Retry-After).

use e2e::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn set_limits(app: &SpinApp, account: &str, limits: serde_json::Value) {
    let patched = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(limits.clone()));
    assert_eq!(patched.status, 200, "{}", patched.text);
    for (name, value) in limits.as_object().unwrap() {
        assert_eq!(&patched.json["rate_limits"][if name == "rate_limit_per_second" { "account" } else { "key" }], value, "{}", patched.text);
    }
}

/// `threads` clients, each making requests as fast as it can for `for_how_long`;
/// (admitted, refused, one-second windows the load touched) — and every refusal is
/// checked to be a proper 429.
fn hammer(app: &SpinApp, keys: &[String], threads: usize, for_how_long: Duration) -> (usize, usize, u64) {
    let first_window = unix_seconds();
    let (admitted, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let url = app.url("/v1/messages?limit=1");
    let until = Instant::now() + for_how_long;
    let workers: Vec<_> = (0..threads)
        .map(|i| {
            let (admitted, refused, url, key) = (admitted.clone(), refused.clone(), url.clone(), keys[i % keys.len()].clone());
            thread::spawn(move || {
                while Instant::now() < until {
                    let reply = call_with_headers("GET", &url, Some(&key), None, &[]);
                    match reply.0.status {
                        200 => admitted.fetch_add(1, Ordering::Relaxed),
                        429 => {
                            assert_eq!(reply.0.json["error"]["name"], "RateLimited", "{}", reply.0.text);
                            assert_eq!(reply.1.as_deref(), Some("1"), "Retry-After: 1");
                            refused.fetch_add(1, Ordering::Relaxed)
                        }
                        other => panic!("{other}: {}", reply.0.text),
                    };
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let windows = unix_seconds() - first_window + 1;
    (admitted.load(Ordering::Relaxed), refused.load(Ordering::Relaxed), windows)
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// A call, with the answer's Retry-After header.
fn call_with_headers(method: &str, url: &str, bearer: Option<&str>, body: Option<String>, headers: &[(&str, String)]) -> (Reply, Option<String>) {
    let mut request = ureq::request(method, url).timeout(Duration::from_secs(30));
    if let Some(token) = bearer {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match body {
        Some(body) => request.set("Content-Type", "application/json").send_string(&body),
        None => request.call(),
    };
    let response = match response {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let retry_after = response.header("retry-after").map(str::to_owned);
    let status = response.status();
    let text = response.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (Reply { status, text, json }, retry_after)
}

#[test]
fn a_key_over_its_limit_gets_429_with_retry_after_and_is_served_again_next_second() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    set_limits(app, &account, json!({"key_rate_limit_per_second": 5, "rate_limit_per_second": 1000}));
    let (admitted, refused, windows) = hammer(app, &[key.clone()], 16, Duration::from_millis(1500));
    assert!(refused > 0, "over the limit is refused");
    let most = 5 * windows as usize;
    assert!((5..=most).contains(&admitted), "at most 5 per window ({windows} windows), across every instance: {admitted}");
    // Not a lock-out: the next second serves again.
    thread::sleep(Duration::from_millis(1100));
    assert_eq!(app.get(&key, "/v1/messages?limit=1").status, 200);
}

#[test]
fn the_account_limit_holds_across_its_keys_and_other_accounts_are_untouched() {
    let app = app();
    let (account, first) = app.account("SEK", 10_000, 0);
    let second = app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(json!({"name": "second"})));
    let second = second.json["key"].as_str().unwrap().to_owned();
    set_limits(app, &account, json!({"rate_limit_per_second": 8, "key_rate_limit_per_second": 1000}));
    let (_, neighbour) = app.account("SEK", 10_000, 0);

    let busy = thread::spawn({
        let keys = vec![first, second];
        move || hammer(app, &keys, 16, Duration::from_millis(1500))
    });
    // Meanwhile another account is served as usual (default limits).
    let mut neighbour_statuses = Vec::new();
    for _ in 0..20 {
        neighbour_statuses.push(app.get(&neighbour, "/v1/messages?limit=1").status);
    }
    let (admitted, refused, windows) = busy.join().unwrap();
    assert!(refused > 0);
    let most = 8 * windows as usize;
    assert!((8..=most).contains(&admitted), "both keys together stay under the account's 8/s ({windows} windows): {admitted}");
    assert!(neighbour_statuses.iter().all(|s| *s == 200), "{neighbour_statuses:?}");
}

#[test]
fn limits_are_validated_and_null_restores_the_default() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    for bad in [json!({"rate_limit_per_second": 0}), json!({"key_rate_limit_per_second": 100_001}), json!({"rate_limit_per_second": "fast"})] {
        let refused = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(bad.clone()));
        assert_eq!(refused.status, 400, "{bad}: {}", refused.text);
    }
    set_limits(app, &account, json!({"rate_limit_per_second": 50}));
    let reset = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"rate_limit_per_second": null})));
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(reset.json["rate_limits"], json!({"account": null, "key": null}));
}
