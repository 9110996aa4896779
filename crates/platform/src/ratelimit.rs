//! Request rate limits per API key and per account (the rules: domain::api::ratelimit): each
//! instance admits from leases it takes from counters shared through the key-value store.

use crate::store::RateLimits;
use domain::api::error::ApiError;
use domain::api::ratelimit::{
    counter_key, granted, is_stale_counter, window_of, Admission, LocalLease, RateLimit,
    DEFAULT_ACCOUNT_PER_SECOND, DEFAULT_KEY_PER_SECOND, RETRY_AFTER_SECONDS,
};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// This instance's leases, by limited subject (`key:…`, `account:…`).
static LEASES: LazyLock<Mutex<HashMap<String, LocalLease>>> = LazyLock::new(|| Mutex::new(HashMap::new()));
/// Subjects kept before old ones are dropped (a lease of a past window is worth nothing).
const MAX_SUBJECTS: usize = 10_000;

/// Admits one request of an API key: under the key's limit and its account's. 429
/// `RateLimited` with `Retry-After` otherwise.
pub async fn admit_key(key_id: &str, account_id: &str, limits: RateLimits) -> Result<(), ApiError> {
    let key_limit = RateLimit::or_default(limits.key, default_limit("default_key_rate_limit", DEFAULT_KEY_PER_SECOND).await);
    admit(&format!("key:{key_id}"), key_limit, "this API key").await?;
    admit_account(account_id, limits).await
}

/// Admits one request on an account (every key and signed-in user of it together).
pub async fn admit_account(account_id: &str, limits: RateLimits) -> Result<(), ApiError> {
    let account_limit =
        RateLimit::or_default(limits.account, default_limit("default_account_rate_limit", DEFAULT_ACCOUNT_PER_SECOND).await);
    admit(&format!("account:{account_id}"), account_limit, "this account").await
}

async fn default_limit(variable: &str, fallback: u32) -> u32 {
    crate::config::get_u64(variable, u64::from(fallback)).await.try_into().unwrap_or(fallback)
}

async fn admit(subject: &str, limit: RateLimit, whose: &str) -> Result<(), ApiError> {
    let window = window_of(crate::ids::now_millis() as i64);
    let decision = with_lease(subject, window, |lease| lease.admit(window, limit));
    let admitted = match decision {
        Admission::Admit => true,
        Admission::Refuse => false,
        Admission::Lease(asked) => match crate::host::kv_increment(&counter_key(subject, window), i64::from(asked)).await {
            Ok(total) => with_lease(subject, window, |lease| lease.leased(window, asked, granted(total, asked, limit))),
            // A key-value outage must not take the API down with it: admit, and say so.
            Err(e) => {
                eprintln!("rate limit of {subject} not counted: {e}");
                true
            }
        },
    };
    if admitted {
        return Ok(());
    }
    Err(ApiError::rate_limited(
        format!("more than {} requests in a second for {whose}; try again in a second", limit.per_second()),
        RETRY_AFTER_SECONDS,
    ))
}

fn with_lease<T>(subject: &str, window: i64, f: impl FnOnce(&mut LocalLease) -> T) -> T {
    let mut leases = LEASES.lock().unwrap_or_else(|e| e.into_inner());
    if leases.len() >= MAX_SUBJECTS && !leases.contains_key(subject) {
        leases.retain(|_, lease| lease.window() == window);
    }
    f(leases.entry(subject.to_owned()).or_default())
}

/// Deletes the shared counters of past windows (the job runner calls it); how many.
pub async fn purge_counters() -> Result<usize, crate::host::HostError> {
    let store = crate::host::KeyValue::open_default().await?;
    let window = window_of(crate::ids::now_millis() as i64);
    let mut purged = 0;
    for key in store.keys().await?.into_iter().filter(|k| is_stale_counter(k, window)) {
        store.delete(&key).await?;
        purged += 1;
    }
    Ok(purged)
}
