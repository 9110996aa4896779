//! Carriers we hand messages to.
//!
//! `http`: our JSON carrier protocol over outbound HTTP (see README "Carrier protocol"):
//!   POST {carrier_base_url}/messages, `Authorization: Bearer {carrier_api_key}`,
//!   body `{"reference","from","to","text","encoding","segments"}` → 2xx `{"message_id": "…"}`.
//! `vonage`, `sinch`: those carriers' own APIs (see `providers`); their receipts come
//!   back through the adapters of the same name in `domain::receipt`.
//! `sandbox`: never leaves the process; accepts every message and reports it delivered,
//!   like the test credentials of commercial providers.

use crate::config;
use crate::outbound::{post_all, Answer, FailureKind, OutboundError, Post};
use domain::submit::{verdict_for_answer, verdict_for_no_answer, SubmitVerdict};
use std::time::Duration;

pub const SANDBOX: &str = "sandbox";
pub const HTTP: &str = "http";
pub const VONAGE: &str = "vonage";
pub const SINCH: &str = "sinch";

mod providers;

#[derive(Debug, Clone)]
pub struct CarrierConfig {
    pub name: String,
    pub base_url: String,
    pub api_key: String,
    pub timeout: Duration,
    /// Submits of one batch in flight at once.
    pub concurrency: usize,
}

impl CarrierConfig {
    /// Reads only the variables the configured carrier uses.
    pub async fn from_variables() -> Self {
        let name = config::get_or("carrier", SANDBOX).await;
        if ![HTTP, VONAGE, SINCH].contains(&name.as_str()) {
            return Self { name, base_url: String::new(), api_key: String::new(), timeout: Duration::ZERO, concurrency: 1 };
        }
        Self {
            name,
            base_url: config::get_or("carrier_base_url", "").await,
            api_key: config::get_or("carrier_api_key", "").await,
            timeout: Duration::from_millis(config::get_u64("carrier_timeout_ms", 5_000).await),
            concurrency: config::get_u64("carrier_concurrency", 4).await.clamp(1, 64) as usize,
        }
    }

    pub fn is_sandbox(&self) -> bool {
        self.name == SANDBOX
    }
}

pub struct Submission<'a> {
    pub reference: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub text: &'a str,
    pub encoding: &'a str,
    pub segments: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitResult {
    Accepted { carrier_message_id: String },
    /// The carrier split the message and gave each part its own id, in part order.
    AcceptedInParts { part_ids: Vec<String> },
    /// The carrier surely does not have it (it refused, or the submit never left);
    /// `detail` says how.
    Failed { detail: String },
    /// The carrier may have it: sent, and no usable answer (see `domain::submit`).
    Unknown { detail: String },
}

/// Submits every message, a few at a time for a batch, and returns results in order.
pub async fn submit_all(config: &CarrierConfig, submissions: &[Submission<'_>]) -> Vec<SubmitResult> {
    if config.is_sandbox() {
        return submissions
            .iter()
            .map(|s| SubmitResult::Accepted { carrier_message_id: format!("sbx-{}", s.reference) })
            .collect();
    }
    if config.name == VONAGE || config.name == SINCH {
        let url = providers::url(config);
        let posts: Vec<Post> = submissions.iter().map(|s| providers::post(config, &url, s)).collect();
        return post_all(&posts, config.concurrency).await.into_iter().map(|o| providers::result(&config.name, o.result)).collect();
    }
    if config.name != HTTP {
        let detail = format!("carrier '{}' is not configured", config.name);
        return submissions.iter().map(|_| SubmitResult::Failed { detail: detail.clone() }).collect();
    }
    let url = format!("{}/messages", config.base_url.trim_end_matches('/'));
    let posts: Vec<Post> = submissions
        .iter()
        .map(|s| Post {
            url: &url,
            headers: vec![("authorization".to_owned(), format!("Bearer {}", config.api_key))],
            body: serde_json::json!({
                "reference": s.reference,
                "from": s.from,
                "to": s.to,
                "text": s.text,
                "encoding": s.encoding,
                "segments": s.segments,
            })
            .to_string(),
            timeout: config.timeout,
        })
        .collect();
    post_all(&posts, config.concurrency).await.into_iter().map(|outcome| submit_result(outcome.result)).collect()
}

/// A 2xx answer, or what a transport failure or another status means (`domain::submit`).
fn successful_answer(result: Result<Answer, OutboundError>) -> Result<Answer, SubmitResult> {
    let answer = result.map_err(|e| {
        let detail = format!("carrier {e}");
        match verdict_for_no_answer(e.kind != FailureKind::NotSent) {
            SubmitVerdict::Unknown => SubmitResult::Unknown { detail },
            _ => SubmitResult::Failed { detail },
        }
    })?;
    if !(200..300).contains(&answer.status) {
        let snippet: String = String::from_utf8_lossy(&answer.body).chars().take(200).collect();
        let detail = format!("carrier answered HTTP {}: {snippet}", answer.status);
        return Err(match verdict_for_answer(answer.status, false) {
            SubmitVerdict::Unknown => SubmitResult::Unknown { detail },
            _ => SubmitResult::Failed { detail },
        });
    }
    Ok(answer)
}

fn submit_result(result: Result<Answer, OutboundError>) -> SubmitResult {
    let answer = match successful_answer(result) {
        Ok(answer) => answer,
        Err(failed) => return failed,
    };
    #[derive(serde::Deserialize)]
    struct Accepted {
        message_id: String,
    }
    match serde_json::from_slice::<Accepted>(&answer.body) {
        Ok(a) if !a.message_id.trim().is_empty() => SubmitResult::Accepted { carrier_message_id: a.message_id },
        // It said yes and gave no id: it may well have the message (domain::submit).
        _ => SubmitResult::Unknown { detail: "carrier answered without a message_id".into() },
    }
}
