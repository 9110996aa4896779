//! The one seam between this application and Spin: SQLite, key-value, variables,
//! outbound HTTP and the HTTP entry point. Nothing else in the workspace calls spin-sdk
//! (components name it only in `platform::http_entry!`).
//!
//! Two builds come from the same source, chosen by the target:
//!
//! - **wasm32-wasip2** (the default, `spin build`): spin-sdk 6, WASIp3. Spin 4 reuses an
//!   instance for many requests (up to 16 at once), so what is opened here (SQLite
//!   connections, the key-value store, variables) is kept per instance. See `wasip3.rs`.
//! - **wasm32-wasip1** (the Spin 3 build, `scripts/spin3.sh`): spin-sdk 5.2, WASIp2 with a
//!   fresh instance per request, for hosts that run Spin 3. See `spin3.rs`.
//!
//! Native builds (unit tests, the route-table test) compile the WASIp3 side; its host
//! calls are never made there.

#[cfg(not(target_env = "p1"))]
mod wasip3;
#[cfg(not(target_env = "p1"))]
pub use wasip3::*;

#[cfg(target_env = "p1")]
mod spin3;
#[cfg(target_env = "p1")]
pub use spin3::*;

use std::sync::Arc;

/// A value bound to or read from SQLite.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// One row of a result, its values in the statement's column order.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    pub values: Vec<Value>,
}

impl Row {
    pub fn new(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The value of the column named `name` (as the statement names it: `AS` wins).
    pub fn column(&self, name: &str) -> Option<&Value> {
        let index = self.columns.iter().position(|c| c == name)?;
        self.values.get(index)
    }
}

/// A statement's result: its rows, all read.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub rows: Vec<Row>,
}

/// A host call that failed, in words (for the log; callers map it to their errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError(pub String);

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostError {}

/// An outbound HTTP request (carrier submits, callbacks, Stripe, e-mail).
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    pub method: http::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Connect and first-byte timeout (and between bytes, where the build has it).
    pub timeout: std::time::Duration,
}

/// What came back: a status and up to [`MAX_ANSWER_BYTES`] of body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundAnswer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What became of one outbound request, and how long it took.
#[derive(Debug, Clone)]
pub struct OutboundOutcome {
    /// `Err`: no answer (a network error or a timeout).
    pub result: Result<OutboundAnswer, OutboundError>,
    pub elapsed: std::time::Duration,
}

/// An outbound request that got no answer: how far it got, and what the host said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundError {
    pub kind: FailureKind,
    pub detail: String,
}

/// How far a request without an answer got. The difference matters to money: a carrier
/// submit that was never sent surely did not reach the carrier; one that timed out or was
/// cut after sending may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// It never left: a bad URL, DNS, a refused or timed-out connection, TLS, a denial.
    NotSent,
    /// Sent (or being sent), and no answer came in time.
    TimedOut,
    /// Sent (or being sent), and the connection broke or the answer made no sense.
    Interrupted,
}

impl OutboundError {
    pub fn not_sent(detail: impl Into<String>) -> OutboundError {
        OutboundError { kind: FailureKind::NotSent, detail: detail.into() }
    }

    /// From a wasi:http `error-code` as its Debug form names it (the same variant names
    /// in WASIp2 and WASIp3): the codes raised before any byte of the request could go.
    pub fn from_wasi_error_code(debug: String) -> OutboundError {
        const NOT_SENT: [&str; 16] = [
            "DnsTimeout", "DnsError", "DestinationNotFound", "DestinationUnavailable", "DestinationIpProhibited",
            "DestinationIpUnroutable", "ConnectionRefused", "ConnectionTimeout", "ConnectionLimitReached",
            "TlsProtocolError", "TlsCertificateError", "TlsAlertReceived", "HttpRequestDenied", "HttpRequestUriInvalid",
            "HttpRequestMethodInvalid", "ConfigurationError",
        ];
        const TIMED_OUT: [&str; 3] = ["HttpResponseTimeout", "ConnectionReadTimeout", "ConnectionWriteTimeout"];
        let variant = debug.split(['(', ' ', '{']).next().unwrap_or("").rsplit("::").next().unwrap_or("");
        let kind = if NOT_SENT.contains(&variant) {
            FailureKind::NotSent
        } else if TIMED_OUT.contains(&variant) {
            FailureKind::TimedOut
        } else {
            FailureKind::Interrupted
        };
        OutboundError { kind, detail: debug }
    }
}

impl OutboundError {
    /// Refused by the runtime before connecting: every address the name resolved to is
    /// on a network the runtime configuration blocks (`[outbound_networking]
    /// block_networks`).
    pub fn is_prohibited_destination(&self) -> bool {
        self.kind == FailureKind::NotSent && self.detail.contains("DestinationIpProhibited")
    }
}

impl std::fmt::Display for OutboundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            _ if self.is_prohibited_destination() => {
                write!(f, "the address is on a network this platform does not call (runtime block_networks): {}", self.detail)
            }
            FailureKind::NotSent => write!(f, "unreachable: {}", self.detail),
            FailureKind::TimedOut => write!(f, "no answer in time: {}", self.detail),
            FailureKind::Interrupted => write!(f, "interrupted: {}", self.detail),
        }
    }
}

/// The most of an answer's body that is kept (carriers' and Stripe's answers are small).
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// An outbound request's headers as sent: the given ones, `content-length` always (a
/// receiver need not read chunked bodies: Python's http.server reads none without it).
pub(crate) fn headers_with_length(request: &OutboundRequest) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> =
        request.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("content-length")).cloned().collect();
    headers.push(("content-length".to_owned(), request.body.len().to_string()));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_by_column_name() {
        let row = Row::new(Arc::from(vec!["id".to_owned(), "n".to_owned()]), vec![Value::Text("a".into()), Value::Integer(2)]);
        assert_eq!(row.column("n"), Some(&Value::Integer(2)));
        assert_eq!(row.column("missing"), None);
    }

    #[test]
    fn a_failure_says_whether_the_request_may_have_arrived() {
        let kind = |debug: &str| OutboundError::from_wasi_error_code(debug.to_owned()).kind;
        assert_eq!(kind("ConnectionRefused"), FailureKind::NotSent);
        assert_eq!(kind("ErrorCode::DnsError(DnsErrorPayload { rcode: None, info-code: None })"), FailureKind::NotSent);
        assert_eq!(kind("ConnectionTimeout"), FailureKind::NotSent);
        assert_eq!(kind("HttpResponseTimeout"), FailureKind::TimedOut);
        assert_eq!(kind("ConnectionTerminated"), FailureKind::Interrupted);
        assert_eq!(kind("InternalError(Some(\"x\"))"), FailureKind::Interrupted);
    }

    #[test]
    fn every_outbound_request_states_its_length_once() {
        let request = OutboundRequest {
            method: http::Method::POST,
            url: "http://example.test/".into(),
            headers: vec![("Content-Length".into(), "999".into()), ("x".into(), "y".into())],
            body: b"{\"a\":1}".to_vec(),
            timeout: std::time::Duration::from_secs(1),
        };
        let headers = headers_with_length(&request);
        let lengths: Vec<_> = headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("content-length")).collect();
        assert_eq!(lengths, [&("content-length".to_owned(), "7".to_owned())]);
    }
}
