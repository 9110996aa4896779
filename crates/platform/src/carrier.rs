//! Carriers we hand messages to.
//!
//! `http`: our JSON carrier protocol over outbound HTTP (docs/carriers.md "Submitting"):
//!   POST {carrier_base_url}/messages, `Authorization: Bearer {carrier_api_key}`,
//!   body `{"reference","from","to","text","encoding","segments"}` → 2xx `{"message_id": "…"}`;
//!   with `carrier_batch_size` > 1, POST {carrier_base_url}/messages/batch with
//!   `{"messages": [those objects]}` → 2xx `{"messages": [{"reference","message_id"} or
//!   {"reference","error"}]}`, one entry per message.
//! `vonage`, `sinch`: those carriers' own APIs (see `providers`); their receipts come
//!   back through the adapters of the same name in `domain::carriers::receipt`.
//! `sandbox`: never leaves the process; accepts every message and reports it delivered,
//!   like the test credentials of commercial providers.

use crate::config;
use crate::outbound::{post_all, Answer, FailureKind, OutboundError, Post};
use domain::carriers::adapter::{CarrierProtocol, ConnectionConfig, HttpRequest, SubmitAnswer, SubmitPlan};
use domain::carriers::submit::{verdict_for_answer, verdict_for_no_answer, SubmitVerdict};
use std::time::Duration;

pub const SANDBOX: &str = "sandbox";
pub const HTTP: &str = "http";
pub const VONAGE: &str = "vonage";
pub const SINCH: &str = "sinch";
/// The most messages one `/messages/batch` request carries.
pub const MAX_BATCH: u64 = 500;

pub mod extension;
mod providers;

#[derive(Debug, Clone)]
pub struct CarrierConfig {
    /// The connection's name: what messages record, and the receipts' carrier.
    pub name: String,
    /// The protocol it speaks (`sandbox`, `http`, `vonage`, `sinch`); the default
    /// connection's name is its adapter.
    pub adapter: String,
    pub base_url: String,
    pub api_key: String,
    pub timeout: Duration,
    /// Submit requests in flight at once.
    pub concurrency: usize,
    /// Messages per submit request (`http` only: `/messages/batch` when above 1).
    pub batch_size: usize,
}

impl CarrierConfig {
    /// Reads only the variables the configured carrier uses.
    pub async fn from_variables() -> Self {
        let name = config::get_or("carrier", SANDBOX).await;
        if ![HTTP, VONAGE, SINCH].contains(&name.as_str()) {
            return Self { adapter: name.clone(), name, base_url: String::new(), api_key: String::new(), timeout: Duration::ZERO, concurrency: 1, batch_size: 1 };
        }
        let batch_size = if name == HTTP { config::get_u64("carrier_batch_size", 1).await.clamp(1, MAX_BATCH) as usize } else { 1 };
        Self {
            adapter: name.clone(),
            name,
            base_url: config::get_or("carrier_base_url", "").await,
            api_key: config::get_or("carrier_api_key", "").await,
            timeout: Duration::from_millis(config::get_u64("carrier_timeout_ms", 5_000).await),
            concurrency: config::get_u64("carrier_concurrency", 4).await.clamp(1, 64) as usize,
            batch_size,
        }
    }

    /// Messages one round of delivery takes: a request's worth for each in flight.
    pub fn round_size(&self) -> usize {
        self.concurrency * self.batch_size
    }

    pub fn is_sandbox(&self) -> bool {
        self.adapter == SANDBOX
    }

    /// A managed connection (`store::carriers`) with its opened credentials; timeouts and
    /// concurrency are the default connection's (`carrier_timeout_ms`,
    /// `carrier_concurrency`), and it submits one message per request.
    pub async fn for_connection(name: &str, adapter: &str, base_url: &str, api_key: String) -> Self {
        Self {
            name: name.to_owned(),
            adapter: adapter.to_owned(),
            base_url: base_url.to_owned(),
            api_key,
            timeout: Duration::from_millis(config::get_u64("carrier_timeout_ms", 5_000).await),
            concurrency: config::get_u64("carrier_concurrency", 4).await.clamp(1, 64) as usize,
            batch_size: 1,
        }
    }
}

/// A message to submit: the adapters' own type (WIT `outgoing-message`).
pub use domain::carriers::adapter::OutgoingMessage as Submission;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitResult {
    Accepted { carrier_message_id: String },
    /// The carrier split the message and gave each part its own id, in part order.
    AcceptedInParts { part_ids: Vec<String> },
    /// The carrier surely does not have it (it refused, or the submit never left);
    /// `detail` says how.
    Failed { detail: String },
    /// The carrier may have it: sent, and no usable answer (see `domain::carriers::submit`).
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
    if config.adapter == VONAGE || config.adapter == SINCH {
        let url = providers::url(config);
        let posts: Vec<Post> = submissions.iter().map(|s| providers::post(config, &url, s)).collect();
        return post_all(&posts, config.concurrency).await.into_iter().map(|o| providers::result(&config.adapter, o.result)).collect();
    }
    if let Some(component) = extension::for_adapter(&config.adapter) {
        return submit_through(component, config, submissions).await;
    }
    if config.adapter != HTTP {
        let detail = format!("carrier '{}' is not configured", config.name);
        return submissions.iter().map(|_| SubmitResult::Failed { detail: detail.clone() }).collect();
    }
    if config.batch_size > 1 {
        return submit_batches(config, submissions).await;
    }
    let url = format!("{}/messages", config.base_url.trim_end_matches('/'));
    let posts: Vec<Post> = submissions
        .iter()
        .map(|s| Post {
            url: &url,
            headers: vec![("authorization".to_owned(), format!("Bearer {}", config.api_key))],
            body: http_message(s).to_string(),
            timeout: config.timeout,
        })
        .collect();
    post_all(&posts, config.concurrency).await.into_iter().map(|outcome| submit_result(outcome.result)).collect()
}

/// Submits one message per request through an adapter's interface (wit/carrier-adapter.wit):
/// it builds each request and reads each 2xx answer; transport failures and other
/// statuses mean what they mean for every carrier (`successful_answer`).
async fn submit_through(protocol: &dyn CarrierProtocol, config: &CarrierConfig, submissions: &[Submission<'_>]) -> Vec<SubmitResult> {
    let connection = ConnectionConfig { base_url: &config.base_url, credentials: &config.api_key };
    let plans: Vec<Result<HttpRequest, SubmitResult>> = submissions
        .iter()
        .map(|s| {
            match protocol.build_submit(connection, *s) {
                SubmitPlan::Request(request) => sendable(request),
                SubmitPlan::Settled(answer) => Err(from_answer(answer)),
            }
        })
        .collect();
    let requests: Vec<&HttpRequest> = plans.iter().filter_map(|p| p.as_ref().ok()).collect();
    let posts: Vec<Post> = requests
        .iter()
        .map(|r| Post { url: &r.url, headers: r.headers.clone(), body: String::from_utf8_lossy(&r.body).into_owned(), timeout: config.timeout })
        .collect();
    let mut outcomes = post_all(&posts, config.concurrency).await.into_iter();
    plans
        .into_iter()
        .map(|plan| match plan {
            Err(settled) => settled,
            Ok(_) => match outcomes.next().map(|o| successful_answer(o.result)) {
                Some(Ok(answer)) => from_answer(protocol.read_submit_answer(answer.status, &answer.body)),
                Some(Err(result)) => result,
                None => SubmitResult::Failed { detail: "no submit was made".into() },
            },
        })
        .collect()
}

/// A request the outbound path can make: a POST with a UTF-8 body (what every carrier
/// API we know takes); anything else fails the message for sure.
fn sendable(request: HttpRequest) -> Result<HttpRequest, SubmitResult> {
    if !request.method.eq_ignore_ascii_case("POST") {
        return Err(SubmitResult::Failed { detail: format!("the adapter asked for {} {}: only POST submits are made", request.method, request.url) });
    }
    if std::str::from_utf8(&request.body).is_err() {
        return Err(SubmitResult::Failed { detail: "the adapter's submit body is not UTF-8".into() });
    }
    Ok(request)
}

/// An adapter's reading of an answer as the platform's result.
fn from_answer(answer: SubmitAnswer) -> SubmitResult {
    match answer {
        SubmitAnswer::Accepted(mut ids) => {
            ids.retain(|id| !id.trim().is_empty());
            match ids.len() {
                // It said yes and gave no id: it may well have the message.
                0 => SubmitResult::Unknown { detail: "the carrier accepted without an id".into() },
                1 => SubmitResult::Accepted { carrier_message_id: ids.remove(0) },
                _ => SubmitResult::AcceptedInParts { part_ids: ids },
            }
        }
        SubmitAnswer::Failed(detail) => SubmitResult::Failed { detail },
        SubmitAnswer::Unknown(detail) => SubmitResult::Unknown { detail },
    }
}

/// A message as our `http` protocol submits it.
fn http_message(s: &Submission) -> serde_json::Value {
    serde_json::json!({
        "reference": s.reference,
        "from": s.sender,
        "to": s.recipient,
        "text": s.text,
        "encoding": s.encoding,
        "segments": s.segments,
    })
}

/// `http` with batches: `carrier_batch_size` messages per `POST /messages/batch`,
/// `carrier_concurrency` requests in flight; each message's result from its entry (by
/// our reference), or the whole request's when it got no usable answer.
async fn submit_batches(config: &CarrierConfig, submissions: &[Submission<'_>]) -> Vec<SubmitResult> {
    let url = format!("{}/messages/batch", config.base_url.trim_end_matches('/'));
    let batches: Vec<&[Submission]> = submissions.chunks(config.batch_size).collect();
    let posts: Vec<Post> = batches
        .iter()
        .map(|batch| Post {
            url: &url,
            headers: vec![("authorization".to_owned(), format!("Bearer {}", config.api_key))],
            body: serde_json::json!({"messages": batch.iter().map(http_message).collect::<Vec<_>>()}).to_string(),
            timeout: config.timeout,
        })
        .collect();
    let outcomes = post_all(&posts, config.concurrency).await;
    batches.iter().zip(outcomes).flat_map(|(batch, outcome)| batch_results(batch, outcome.result)).collect()
}

/// The result of each message of a batch, in the batch's order.
fn batch_results(batch: &[Submission], result: Result<Answer, OutboundError>) -> Vec<SubmitResult> {
    let answer = match successful_answer(result) {
        Ok(answer) => answer,
        Err(whole) => return batch.iter().map(|_| whole.clone()).collect(),
    };
    #[derive(serde::Deserialize)]
    struct Entry {
        reference: String,
        message_id: Option<String>,
        error: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Answered {
        messages: Vec<Entry>,
    }
    let entries: std::collections::HashMap<String, Entry> = match serde_json::from_slice::<Answered>(&answer.body) {
        Ok(answered) => answered.messages.into_iter().map(|e| (e.reference.clone(), e)).collect(),
        Err(_) => Default::default(),
    };
    batch
        .iter()
        .map(|s| match entries.get(s.reference) {
            Some(Entry { message_id: Some(id), .. }) if !id.trim().is_empty() => SubmitResult::Accepted { carrier_message_id: id.clone() },
            Some(Entry { error: Some(error), .. }) => SubmitResult::Failed { detail: format!("carrier refused the message: {error}") },
            // It said yes to the request and nothing about this message: it may have it.
            _ => SubmitResult::Unknown { detail: "carrier's batch answer has no entry for the message".into() },
        })
        .collect()
}

/// A 2xx answer, or what a transport failure or another status means (`domain::carriers::submit`).
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
        // It said yes and gave no id: it may well have the message (domain::carriers::submit).
        _ => SubmitResult::Unknown { detail: "carrier answered without a message_id".into() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(reference: &str) -> Submission<'_> {
        Submission { reference, sender: "ACME", recipient: "+46701234567", text: "hi", encoding: "GSM-7", segments: 1 }
    }

    #[test]
    fn a_batch_answer_is_read_per_message_by_reference() {
        let batch = [submission("m1"), submission("m2"), submission("m3")];
        let body = r#"{"messages":[{"reference":"m2","error":"bad number"},{"reference":"m1","message_id":"C1"}]}"#;
        let results = batch_results(&batch, Ok(Answer { status: 200, body: body.as_bytes().to_vec() }));
        assert_eq!(results[0], SubmitResult::Accepted { carrier_message_id: "C1".into() });
        assert!(matches!(&results[1], SubmitResult::Failed { detail } if detail.contains("bad number")));
        assert!(matches!(results[2], SubmitResult::Unknown { .. }), "no entry: it may have it");
    }

    #[test]
    fn a_batch_without_an_answer_shares_the_request_verdict() {
        let batch = [submission("m1"), submission("m2")];
        let refused = batch_results(&batch, Err(OutboundError::not_sent("ConnectionRefused")));
        assert!(refused.iter().all(|r| matches!(r, SubmitResult::Failed { .. })));
        let timed_out = OutboundError { kind: FailureKind::TimedOut, detail: "HttpResponseTimeout".into() };
        assert!(batch_results(&batch, Err(timed_out)).iter().all(|r| matches!(r, SubmitResult::Unknown { .. })));
        let bad_gateway = batch_results(&batch, Ok(Answer { status: 502, body: vec![] }));
        assert!(bad_gateway.iter().all(|r| matches!(r, SubmitResult::Unknown { .. })));
    }
}
