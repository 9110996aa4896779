//! Carriers we hand messages to: every connection's adapter (`domain::carriers::builtin`,
//! or the adapter component in `extension`) builds its requests and reads its answers;
//! this module makes the requests, a few at a time, and reads what transport failures
//! and statuses mean (`domain::carriers::submit`) the same way for every carrier.

use crate::config;
use crate::outbound::{post_all, Answer, FailureKind, OutboundError, Post};
use domain::carriers::builtin::built_in;
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

/// The adapter a connection names: a built-in one, or the installed adapter component.
pub fn protocol(adapter: &str) -> Option<&'static dyn CarrierProtocol> {
    built_in(adapter).or_else(|| extension::for_adapter(adapter).map(|e| e as &'static dyn CarrierProtocol))
}

/// Submits every message through its connection's adapter, a few requests at a time
/// (and several messages per request where the adapter takes batches and the connection
/// asks for them), and returns results in order.
pub async fn submit_all(config: &CarrierConfig, submissions: &[Submission<'_>]) -> Vec<SubmitResult> {
    let Some(protocol) = protocol(&config.adapter) else {
        let detail = format!("carrier '{}' is not configured", config.name);
        return submissions.iter().map(|_| SubmitResult::Failed { detail: detail.clone() }).collect();
    };
    let connection = ConnectionConfig { base_url: &config.base_url, credentials: &config.api_key };
    if config.batch_size > 1 && submissions.len() > 1 {
        let batches: Vec<&[Submission]> = submissions.chunks(config.batch_size).collect();
        // None: the adapter takes no batches, and submits one message per request below.
        let requests: Option<Vec<HttpRequest>> = batches.iter().map(|batch| protocol.build_batch_submit(connection, batch)).collect();
        if let Some(requests) = requests {
            let answers = exchange(requests.into_iter().map(sendable).collect(), config).await;
            // Each message's result from the adapter's reading of its entry, or the whole
            // request's when it got no usable answer.
            return batches
                .iter()
                .zip(answers)
                .flat_map(|(batch, answer)| match answer {
                    Ok(answer) => {
                        let references: Vec<&str> = batch.iter().map(|s| s.reference).collect();
                        protocol.read_batch_answer(answer.status, &answer.body, &references).into_iter().map(from_answer).collect::<Vec<_>>()
                    }
                    Err(whole) => batch.iter().map(|_| whole.clone()).collect(),
                })
                .collect();
        }
    }
    let plans = submissions
        .iter()
        .map(|s| match protocol.build_submit(connection, *s) {
            SubmitPlan::Request(request) => sendable(request),
            SubmitPlan::Settled(answer) => Err(from_answer(answer)),
        })
        .collect();
    exchange(plans, config)
        .await
        .into_iter()
        .map(|answer| match answer {
            Ok(answer) => from_answer(protocol.read_submit_answer(answer.status, &answer.body)),
            Err(result) => result,
        })
        .collect()
}

/// Makes every request, `config.concurrency` at a time, and gives each its 2xx answer or
/// what its failure means for every carrier (`successful_answer`); a request that could not
/// be made keeps the result it has.
async fn exchange(mut requests: Vec<Result<HttpRequest, SubmitResult>>, config: &CarrierConfig) -> Vec<Result<Answer, SubmitResult>> {
    let posts: Vec<Post> = requests.iter_mut().filter_map(|r| r.as_mut().ok()).map(|r| as_post(r, config.timeout)).collect();
    let mut outcomes = post_all(&posts, config.concurrency).await.into_iter();
    drop(posts);
    requests
        .into_iter()
        .map(|request| match request {
            Err(result) => Err(result),
            Ok(_) => match outcomes.next() {
                Some(outcome) => successful_answer(outcome.result),
                None => Err(SubmitResult::Failed { detail: "no submit was made".into() }),
            },
        })
        .collect()
}

/// A built request as the outbound path sends it (its parts moved, not copied).
fn as_post(request: &mut HttpRequest, timeout: Duration) -> Post<'_> {
    let HttpRequest { url, headers, body, .. } = request;
    Post { url, headers: std::mem::take(headers), body: String::from_utf8(std::mem::take(body)).unwrap_or_default(), timeout }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbound::Answer;

    #[test]
    fn a_request_without_a_usable_answer_has_one_verdict_for_every_carrier() {
        let refused = successful_answer(Err(OutboundError::not_sent("ConnectionRefused"))).unwrap_err();
        assert!(matches!(refused, SubmitResult::Failed { .. }), "never sent: surely not taken");
        let timed_out = OutboundError { kind: FailureKind::TimedOut, detail: "HttpResponseTimeout".into() };
        assert!(matches!(successful_answer(Err(timed_out)).unwrap_err(), SubmitResult::Unknown { .. }), "sent: it may have it");
        assert!(matches!(successful_answer(Ok(Answer { status: 502, body: vec![] })).unwrap_err(), SubmitResult::Unknown { .. }));
        assert!(matches!(successful_answer(Ok(Answer { status: 400, body: b"no".to_vec() })).unwrap_err(), SubmitResult::Failed { .. }));
        assert!(successful_answer(Ok(Answer { status: 201, body: vec![] })).is_ok());
    }

    #[test]
    fn an_adapters_answer_becomes_a_result() {
        assert_eq!(from_answer(SubmitAnswer::Accepted(vec!["C1".into()])), SubmitResult::Accepted { carrier_message_id: "C1".into() });
        assert_eq!(from_answer(SubmitAnswer::Accepted(vec!["A".into(), "B".into()])), SubmitResult::AcceptedInParts { part_ids: vec!["A".into(), "B".into()] });
        assert!(matches!(from_answer(SubmitAnswer::Accepted(vec![" ".into()])), SubmitResult::Unknown { .. }), "yes without an id");
        assert!(sendable(HttpRequest { method: "GET".into(), url: "https://x".into(), headers: vec![], body: vec![] }).is_err());
        assert!(sendable(HttpRequest { method: "POST".into(), url: "https://x".into(), headers: vec![], body: vec![0xff] }).is_err());
    }

    #[test]
    fn every_built_in_adapter_is_found_by_name() {
        for name in [SANDBOX, HTTP, VONAGE, SINCH] {
            assert_eq!(protocol(name).map(|p| p.name()), Some(name));
        }
        assert!(protocol("textmesh").is_none(), "no adapter component in a native build");
    }
}
