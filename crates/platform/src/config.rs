//! Spin variables. An instance reads each one once: they are fixed while the app runs,
//! and every read is a host call (+102 µs of Spin CPU each in `bench/floor.sh 10 16`,
//! 2026-11-26, when each request read its own).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

static READ: LazyLock<Mutex<HashMap<String, Option<String>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// A variable's value; `None` when it is unset, empty or not given to this component.
pub async fn get(name: &str) -> Option<String> {
    if let Some(value) = READ.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return value.clone();
    }
    let value = crate::host::variable(name).await.ok().filter(|v| !v.is_empty());
    READ.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_owned(), value.clone());
    value
}

/// A variable's value, or `default` when it is unset or empty.
pub async fn get_or(name: &str, default: &str) -> String {
    get(name).await.unwrap_or_else(|| default.to_owned())
}

/// Which destinations customer URLs may have: public ones only, unless the operator sets
/// `allow_private_endpoints = "true"` (development: fakes on loopback; `./run.sh` does).
pub async fn egress_policy() -> domain::callbacks::endpoint::EgressPolicy {
    domain::callbacks::endpoint::EgressPolicy { allow_private: get("allow_private_endpoints").await.as_deref() == Some("true") }
}

/// Whether the app's public address (`public_base_url`) is https: session cookies are
/// then `Secure` and responses carry HSTS, also behind a proxy that terminates TLS.
pub async fn public_base_is_https() -> bool {
    domain::api::headers::is_https(&get_or("public_base_url", "http://127.0.0.1:3000").await)
}

pub async fn get_u64(name: &str, default: u64) -> u64 {
    get(name).await.and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// The key carrier secrets are sealed with (`secrets_key`: 32 bytes, base64), or why
/// there is none.
pub async fn secrets_key() -> Result<domain::carriers::sealed::SecretsKey, domain::carriers::sealed::SealError> {
    domain::carriers::sealed::SecretsKey::parse(&get_or("secrets_key", "").await)
}
