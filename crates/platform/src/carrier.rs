//! Carriers we hand messages to.
//!
//! `http`: our JSON carrier protocol over outbound HTTP (see README "Carrier protocol"):
//!   POST {carrier_base_url}/messages, `Authorization: Bearer {carrier_api_key}`,
//!   body `{"reference","from","to","text","encoding","segments"}` → 2xx `{"message_id": "…"}`.
//! `sandbox`: never leaves the process; accepts every message and reports it delivered,
//!   like the test credentials of commercial providers.

use crate::config;
use std::time::Duration;
use wasi::http::outgoing_handler::{self, FutureIncomingResponse};
use wasi::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};
use wasi::io::streams::StreamError;

pub const SANDBOX: &str = "sandbox";
pub const HTTP: &str = "http";

#[derive(Debug, Clone)]
pub struct CarrierConfig {
    pub name: String,
    pub base_url: String,
    pub api_key: String,
    pub timeout: Duration,
}

impl CarrierConfig {
    /// Reads only the variables the configured carrier uses: every variable read is a
    /// host call (about 40 µs of CPU each, measured by bench/floor.sh), on the send path.
    pub fn from_variables() -> Self {
        let name = config::get_or("carrier", SANDBOX);
        if name != HTTP {
            return Self { name, base_url: String::new(), api_key: String::new(), timeout: Duration::ZERO };
        }
        Self {
            name,
            base_url: config::get_or("carrier_base_url", ""),
            api_key: config::get_or("carrier_api_key", ""),
            timeout: Duration::from_millis(config::get_u64("carrier_timeout_ms", 5_000)),
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
    /// The carrier refused or could not be reached; `detail` says how.
    Failed { detail: String },
}

/// Submits every message, up to `concurrency` at a time, and returns results in order.
pub fn submit_all(config: &CarrierConfig, submissions: &[Submission]) -> Vec<SubmitResult> {
    if config.is_sandbox() {
        return submissions
            .iter()
            .map(|s| SubmitResult::Accepted { carrier_message_id: format!("sbx-{}", s.reference) })
            .collect();
    }
    if config.name != HTTP {
        let detail = format!("carrier '{}' is not configured", config.name);
        return submissions.iter().map(|_| SubmitResult::Failed { detail: detail.clone() }).collect();
    }
    // Submits in flight at once; only a batch needs to know.
    let concurrency =
        if submissions.len() > 1 { config::get_u64("carrier_concurrency", 4).clamp(1, 64) as usize } else { 1 };
    let mut results: Vec<Option<SubmitResult>> = vec![None; submissions.len()];
    let mut in_flight: Vec<(usize, FutureIncomingResponse)> = Vec::new();
    let mut next = 0;
    while next < submissions.len() || !in_flight.is_empty() {
        while next < submissions.len() && in_flight.len() < concurrency {
            match start(config, &submissions[next]) {
                Ok(future) => in_flight.push((next, future)),
                Err(detail) => results[next] = Some(SubmitResult::Failed { detail }),
            }
            next += 1;
        }
        if in_flight.is_empty() {
            continue;
        }
        let pollables: Vec<_> = in_flight.iter().map(|(_, f)| f.subscribe()).collect();
        let ready = wasi::io::poll::poll(&pollables.iter().collect::<Vec<_>>());
        drop(pollables);
        let mut ready: Vec<usize> = ready.into_iter().map(|i| i as usize).collect();
        ready.sort_unstable_by(|a, b| b.cmp(a));
        for position in ready {
            let (index, future) = in_flight.swap_remove(position);
            results[index] = Some(finish(future));
        }
    }
    results.into_iter().map(|r| r.unwrap_or(SubmitResult::Failed { detail: "not submitted".into() })).collect()
}

fn start(config: &CarrierConfig, submission: &Submission) -> Result<FutureIncomingResponse, String> {
    let uri: http::Uri = format!("{}/messages", config.base_url.trim_end_matches('/'))
        .parse()
        .map_err(|e| format!("carrier_base_url is not a URL: {e}"))?;
    let body = serde_json::json!({
        "reference": submission.reference,
        "from": submission.from,
        "to": submission.to,
        "text": submission.text,
        "encoding": submission.encoding,
        "segments": submission.segments,
    })
    .to_string();
    let headers = Fields::from_list(&[
        ("content-type".to_owned(), b"application/json".to_vec()),
        ("authorization".to_owned(), format!("Bearer {}", config.api_key).into_bytes()),
    ])
    .map_err(|e| format!("bad header: {e:?}"))?;
    let request = OutgoingRequest::new(headers);
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        other => return Err(format!("unsupported scheme {other:?}")),
    };
    let _ = request.set_method(&Method::Post);
    let _ = request.set_scheme(Some(&scheme));
    let _ = request.set_authority(uri.authority().map(|a| a.as_str()));
    let _ = request.set_path_with_query(uri.path_and_query().map(|p| p.as_str()));
    let outgoing_body = request.body().map_err(|_| "request body unavailable".to_owned())?;

    let options = RequestOptions::new();
    let nanos = config.timeout.as_nanos() as u64;
    let _ = options.set_connect_timeout(Some(nanos));
    let _ = options.set_first_byte_timeout(Some(nanos));
    let _ = options.set_between_bytes_timeout(Some(nanos));

    let future = outgoing_handler::handle(request, Some(options)).map_err(|e| format!("{e:?}"))?;
    {
        let stream = outgoing_body.write().map_err(|_| "request body unavailable".to_owned())?;
        // blocking_write_and_flush takes at most 4096 bytes per call.
        for chunk in body.as_bytes().chunks(4096) {
            stream.blocking_write_and_flush(chunk).map_err(|e| format!("sending the request failed: {e:?}"))?;
        }
    }
    OutgoingBody::finish(outgoing_body, None).map_err(|e| format!("{e:?}"))?;
    Ok(future)
}

fn finish(future: FutureIncomingResponse) -> SubmitResult {
    let response = match future.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return SubmitResult::Failed { detail: format!("carrier unreachable: {code:?}") },
        _ => return SubmitResult::Failed { detail: "carrier response unavailable".into() },
    };
    let status = response.status();
    let body = read_body(response).unwrap_or_default();
    if !(200..300).contains(&status) {
        let snippet: String = String::from_utf8_lossy(&body).chars().take(200).collect();
        return SubmitResult::Failed { detail: format!("carrier answered HTTP {status}: {snippet}") };
    }
    #[derive(serde::Deserialize)]
    struct Accepted {
        message_id: String,
    }
    match serde_json::from_slice::<Accepted>(&body) {
        Ok(a) if !a.message_id.trim().is_empty() => SubmitResult::Accepted { carrier_message_id: a.message_id },
        _ => SubmitResult::Failed { detail: "carrier answered without a message_id".into() },
    }
}

fn read_body(response: wasi::http::types::IncomingResponse) -> Result<Vec<u8>, String> {
    let body = response.consume().map_err(|_| "no body".to_owned())?;
    let stream = body.stream().map_err(|_| "no body stream".to_owned())?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(e) => return Err(format!("{e:?}")),
        }
        if bytes.len() > 1024 * 1024 {
            break;
        }
    }
    Ok(bytes)
}
