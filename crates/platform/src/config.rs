//! Spin variables, read once per request where needed.

use spin_sdk::variables;

/// A variable's value, or `default` when it is unset or empty.
pub fn get_or(name: &str, default: &str) -> String {
    match variables::get(name) {
        Ok(value) if !value.is_empty() => value,
        _ => default.to_owned(),
    }
}

pub fn get_u64(name: &str, default: u64) -> u64 {
    variables::get(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}
