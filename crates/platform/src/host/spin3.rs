//! The host adapter on spin-sdk 5.2 (WASIp2, wasm32-wasip1), for Spin 3 hosts. Each
//! request gets a fresh instance, so nothing is shared between requests and host calls
//! may block: the async functions here complete without yielding, except the outbound
//! HTTP poll, which waits on every request in flight at once.

use super::{headers_with_length, FailureKind, HostError, OutboundAnswer, OutboundError, OutboundOutcome, OutboundRequest, Row, Rows, Value, MAX_ANSWER_BYTES};
use bytes::Bytes;
use spin_sdk::sqlite;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- SQLite

pub struct SqlConnection(sqlite::Connection);

// The Spin 3 build is single-threaded wasm32-wasip1 (no `atomics`): no value ever moves to
// or is shared with another thread, which is what these promise.
unsafe impl Send for SqlConnection {}
unsafe impl Sync for SqlConnection {}

impl SqlConnection {
    pub async fn open_default() -> Result<SqlConnection, HostError> {
        sqlite::Connection::open_default().map(SqlConnection).map_err(|e| HostError(format!("opening the database: {e:?}")))
    }

    pub async fn execute(&self, sql: &str, params: Vec<Value>) -> Result<Rows, HostError> {
        let params: Vec<sqlite::Value> = params.into_iter().map(to_sqlite).collect();
        let result = self.0.execute(sql, &params).map_err(|e| HostError(format!("{e:?}")))?;
        let columns: Arc<[String]> = Arc::from(result.columns);
        Ok(Rows { rows: result.rows.into_iter().map(|r| Row::new(columns.clone(), r.values.into_iter().map(from_sqlite).collect())).collect() })
    }
}

fn to_sqlite(value: Value) -> sqlite::Value {
    match value {
        Value::Null => sqlite::Value::Null,
        Value::Integer(i) => sqlite::Value::Integer(i),
        Value::Real(r) => sqlite::Value::Real(r),
        Value::Text(t) => sqlite::Value::Text(t),
        Value::Blob(b) => sqlite::Value::Blob(b),
    }
}

fn from_sqlite(value: sqlite::Value) -> Value {
    match value {
        sqlite::Value::Null => Value::Null,
        sqlite::Value::Integer(i) => Value::Integer(i),
        sqlite::Value::Real(r) => Value::Real(r),
        sqlite::Value::Text(t) => Value::Text(t),
        sqlite::Value::Blob(b) => Value::Blob(b),
    }
}

// ---------------------------------------------------------------- key-value

pub struct KeyValue(spin_sdk::key_value::Store);

// As for SqlConnection: one thread only.
unsafe impl Send for KeyValue {}
unsafe impl Sync for KeyValue {}

static KEY_VALUE: Mutex<Option<Arc<KeyValue>>> = Mutex::new(None);

impl KeyValue {
    pub async fn open_default() -> Result<Arc<KeyValue>, HostError> {
        let mut slot = KEY_VALUE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(store) = slot.clone() {
            return Ok(store);
        }
        let opened = spin_sdk::key_value::Store::open_default().map_err(|e| HostError(format!("key-value store: {e:?}")))?;
        Ok(slot.insert(Arc::new(KeyValue(opened))).clone())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, HostError> {
        self.0.get(key).map_err(|e| HostError(format!("key-value get: {e:?}")))
    }

    pub async fn set(&self, key: &str, value: &[u8]) -> Result<(), HostError> {
        self.0.set(key, value).map_err(|e| HostError(format!("key-value set: {e:?}")))
    }

    pub async fn delete(&self, key: &str) -> Result<(), HostError> {
        self.0.delete(key).map_err(|e| HostError(format!("key-value delete: {e:?}")))
    }

    /// Every key of the store.
    pub async fn keys(&self) -> Result<Vec<String>, HostError> {
        self.0.get_keys().map_err(|e| HostError(format!("key-value keys: {e:?}")))
    }
}

// ---------------------------------------------------------------- variables

pub async fn variable(name: &str) -> Result<String, HostError> {
    spin_sdk::variables::get(name).map_err(|e| HostError(format!("variable {name}: {e:?}")))
}

// ---------------------------------------------------------------- outbound HTTP

use wasi::http::outgoing_handler::{self, FutureIncomingResponse};
use wasi::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};
use wasi::io::streams::StreamError;

/// Sends every request, up to `concurrency` in flight at once (wasi:http 0.2's outgoing
/// handler, with real connect and first-byte timeouts); results in the order given.
pub async fn send_all(requests: &[OutboundRequest], concurrency: usize) -> Vec<OutboundOutcome> {
    let mut results: Vec<Option<OutboundOutcome>> = vec![None; requests.len()];
    let mut in_flight: Vec<(usize, Instant, FutureIncomingResponse)> = Vec::new();
    let mut next = 0;
    while next < requests.len() || !in_flight.is_empty() {
        while next < requests.len() && in_flight.len() < concurrency.max(1) {
            let started = Instant::now();
            match start(&requests[next]) {
                Ok(future) => in_flight.push((next, started, future)),
                Err(e) => results[next] = Some(OutboundOutcome { result: Err(e), elapsed: started.elapsed() }),
            }
            next += 1;
        }
        if in_flight.is_empty() {
            continue;
        }
        let pollables: Vec<_> = in_flight.iter().map(|(_, _, f)| f.subscribe()).collect();
        let ready = wasi::io::poll::poll(&pollables.iter().collect::<Vec<_>>());
        drop(pollables);
        let mut ready: Vec<usize> = ready.into_iter().map(|i| i as usize).collect();
        ready.sort_unstable_by(|a, b| b.cmp(a));
        for position in ready {
            let (index, started, future) = in_flight.swap_remove(position);
            results[index] = Some(OutboundOutcome { result: finish(future), elapsed: started.elapsed() });
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or(OutboundOutcome { result: Err(OutboundError::not_sent("not sent")), elapsed: Duration::ZERO }))
        .collect()
}

/// Spin 3 has no work after the response (see [`after_response`]).
pub const WORK_AFTER_RESPONSE: bool = false;

/// Spin 3 has no work after the response: `work` runs now, before it.
pub async fn after_response(work: impl std::future::Future<Output = ()> + 'static) {
    work.await
}

/// Waits; a Spin 3 instance serves one request, so blocking holds up nobody else.
pub async fn sleep(duration: Duration) {
    std::thread::sleep(duration)
}

fn start(request: &OutboundRequest) -> Result<FutureIncomingResponse, OutboundError> {
    let uri: http::Uri = request.url.parse().map_err(|e| OutboundError::not_sent(format!("not a URL: {e}")))?;
    let headers: Vec<(String, Vec<u8>)> = headers_with_length(request).into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    let fields = Fields::from_list(&headers).map_err(|e| OutboundError::not_sent(format!("bad header: {e:?}")))?;
    let outgoing = OutgoingRequest::new(fields);
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        other => return Err(OutboundError::not_sent(format!("unsupported scheme {other:?}"))),
    };
    let method = match request.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "PATCH" => Method::Patch,
        other => Method::Other(other.to_owned()),
    };
    let _ = outgoing.set_method(&method);
    let _ = outgoing.set_scheme(Some(&scheme));
    let _ = outgoing.set_authority(uri.authority().map(|a| a.as_str()));
    let _ = outgoing.set_path_with_query(uri.path_and_query().map(|p| p.as_str()));
    let outgoing_body = outgoing.body().map_err(|_| OutboundError::not_sent("request body unavailable"))?;

    let options = RequestOptions::new();
    let nanos = request.timeout.as_nanos().min(u64::MAX as u128) as u64;
    let _ = options.set_connect_timeout(Some(nanos));
    let _ = options.set_first_byte_timeout(Some(nanos));
    let _ = options.set_between_bytes_timeout(Some(nanos));

    let future = outgoing_handler::handle(outgoing, Some(options)).map_err(|e| OutboundError::from_wasi_error_code(format!("{e:?}")))?;
    // From here bytes may be on their way: a failure no longer proves the request never arrived.
    let interrupted = |detail: String| OutboundError { kind: FailureKind::Interrupted, detail };
    {
        let stream = outgoing_body.write().map_err(|_| interrupted("request body unavailable".to_owned()))?;
        // blocking_write_and_flush takes at most 4096 bytes per call.
        for chunk in request.body.chunks(4096) {
            stream.blocking_write_and_flush(chunk).map_err(|e| interrupted(format!("sending the request failed: {e:?}")))?;
        }
    }
    OutgoingBody::finish(outgoing_body, None).map_err(|e| interrupted(format!("{e:?}")))?;
    Ok(future)
}

fn finish(future: FutureIncomingResponse) -> Result<OutboundAnswer, OutboundError> {
    let response = match future.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(OutboundError::from_wasi_error_code(format!("{code:?}"))),
        _ => return Err(OutboundError { kind: FailureKind::Interrupted, detail: "response unavailable".into() }),
    };
    let status = response.status();
    let body = read_body(response).unwrap_or_default();
    Ok(OutboundAnswer { status, body })
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
        if bytes.len() >= MAX_ANSWER_BYTES {
            bytes.truncate(MAX_ANSWER_BYTES);
            break;
        }
    }
    Ok(bytes)
}

// ---------------------------------------------------------------- the HTTP entry point

/// What a component's handler receives from Spin 3 (its body read whole).
pub type EntryRequest = http::Request<Vec<u8>>;

/// Runs a request through the component's router and sends the answer with every header
/// line as given: two `Set-Cookie` lines stay two (spin-sdk 5.2's own `Response` keeps one
/// value per name, which would drop the session cookie beside the known-device cookie).
pub async fn respond(router: &axum::Router, request: EntryRequest, response_out: spin_sdk::http::ResponseOutparam) {
    let response = crate::http::dispatch(router, request.map(axum::body::Body::from)).await;
    let (parts, body) = response.into_parts();
    let body: Bytes = http_body_util::BodyExt::collect(body).await.map(|c| c.to_bytes()).unwrap_or_default();
    let headers: Vec<(String, Vec<u8>)> = parts.headers.iter().map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec())).collect();
    let fields = match spin_sdk::http::Headers::from_list(&headers) {
        Ok(fields) => fields,
        Err(e) => {
            eprintln!("answer headers refused: {e:?}");
            spin_sdk::http::Headers::new()
        }
    };
    let outgoing = spin_sdk::http::OutgoingResponse::new(fields);
    let _ = outgoing.set_status_code(parts.status.as_u16());
    if let Err(e) = response_out.set_with_body(outgoing, body.to_vec()).await {
        eprintln!("the answer could not be sent: {e:?}");
    }
}

/// Declares the component's HTTP entry point (see the WASIp3 build's macro of the same name).
#[macro_export]
macro_rules! http_entry {
    ($router:expr) => {
        #[cfg(target_arch = "wasm32")]
        #[::spin_sdk::http_component]
        async fn handle(request: $crate::host::EntryRequest, response_out: ::spin_sdk::http::ResponseOutparam) {
            static ROUTER: ::std::sync::OnceLock<$crate::axum::Router> = ::std::sync::OnceLock::new();
            $crate::host::respond(ROUTER.get_or_init(|| $router), request, response_out).await
        }
    };
}

