//! Random identifiers. Time-ordered prefix so ids sort by creation, random suffix so
//! they cannot be guessed.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the host provides randomness");
    bytes
}

/// `msg_018c3f2a9b1d4e...`: 12 hex digits of milliseconds, then 16 random hex digits.
pub fn new_id(prefix: &str) -> String {
    let millis = now_millis();
    format!("{prefix}_{:012x}{}", millis & 0xffff_ffff_ffff, hex::encode(random_bytes::<8>()))
}

pub fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

pub fn now_seconds() -> i64 {
    (now_millis() / 1000) as i64
}

pub fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
