//! The host adapter on spin-sdk 6 (WASIp3, wasm32-wasip2): every host call is async, and
//! an instance serves many requests, up to 16 at a time, interleaved at their `.await`s.

use super::{headers_with_length, HostError, OutboundAnswer, OutboundError, OutboundOutcome, OutboundRequest, Row, Rows, Value, MAX_ANSWER_BYTES};
use bytes::Bytes;
use futures::StreamExt;
use spin_sdk::http::body::IncomingBodyExt;
use spin_sdk::sqlite;
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------- SQLite

/// A connection to Spin's default SQLite database.
pub struct SqlConnection(sqlite::Connection);

impl SqlConnection {
    pub async fn open_default() -> Result<SqlConnection, HostError> {
        sqlite::Connection::open_default().await.map(SqlConnection).map_err(|e| HostError(format!("opening the database: {e:?}")))
    }

    /// Runs one statement and reads every row it returns.
    pub async fn execute(&self, sql: &str, params: Vec<Value>) -> Result<Rows, HostError> {
        let result = self.0.execute(sql, params.into_iter().map(to_sqlite)).await.map_err(|e| HostError(format!("{e:?}")))?;
        let columns: Arc<[String]> = Arc::from(result.columns().to_vec());
        let rows = result.collect().await.map_err(|e| HostError(format!("{e:?}")))?;
        Ok(Rows { rows: rows.into_iter().map(|r| Row::new(columns.clone(), r.values.into_iter().map(from_sqlite).collect())).collect() })
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

/// Spin's default key-value store.
pub struct KeyValue(spin_sdk::key_value::Store);

/// The instance's handle on the default store, opened by the first request that needs it.
static KEY_VALUE: Mutex<Option<Arc<KeyValue>>> = Mutex::new(None);

impl KeyValue {
    pub async fn open_default() -> Result<Arc<KeyValue>, HostError> {
        if let Some(store) = KEY_VALUE.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(store);
        }
        let opened = spin_sdk::key_value::Store::open_default().await.map_err(|e| HostError(format!("key-value store: {e:?}")))?;
        // Two requests may open it at once; both handles work, the first kept wins.
        Ok(KEY_VALUE.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(|| Arc::new(KeyValue(opened))).clone())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, HostError> {
        self.0.get(key).await.map_err(|e| HostError(format!("key-value get: {e:?}")))
    }

    pub async fn set(&self, key: &str, value: &[u8]) -> Result<(), HostError> {
        self.0.set(key, value).await.map_err(|e| HostError(format!("key-value set: {e:?}")))
    }

    pub async fn delete(&self, key: &str) -> Result<(), HostError> {
        self.0.delete(key).await.map_err(|e| HostError(format!("key-value delete: {e:?}")))
    }

    /// Every key of the store.
    pub async fn keys(&self) -> Result<Vec<String>, HostError> {
        self.0.get_keys().await.collect().await.map_err(|e| HostError(format!("key-value keys: {e:?}")))
    }
}

// ---------------------------------------------------------------- variables

/// A Spin variable as the host has it (`Err` when it is not defined for the component).
pub async fn variable(name: &str) -> Result<String, HostError> {
    spin_sdk::variables::get(name).await.map_err(|e| HostError(format!("variable {name}: {e:?}")))
}

// ---------------------------------------------------------------- outbound HTTP

/// Sends every request, up to `concurrency` at once; results in the order given.
pub async fn send_all(requests: &[OutboundRequest], concurrency: usize) -> Vec<OutboundOutcome> {
    futures::stream::iter(requests.iter().map(send_timed)).buffered(concurrency.max(1)).collect().await
}

async fn send_timed(request: &OutboundRequest) -> OutboundOutcome {
    let started = std::time::Instant::now();
    let result = send_one(request).await;
    OutboundOutcome { result, elapsed: started.elapsed() }
}

/// Work can go on after the response (see [`after_response`]).
pub const WORK_AFTER_RESPONSE: bool = true;

/// Runs `work` after the response has gone, in this instance (the request's task lives
/// until it ends). Best-effort: an instance Spin drops stops it mid-way.
pub async fn after_response(work: impl std::future::Future<Output = ()> + 'static) {
    spin_sdk::wasip3::spawn(work);
}

/// Waits without blocking the instance (other requests go on meanwhile).
pub async fn sleep(duration: std::time::Duration) {
    spin_sdk::wasip3::clocks::monotonic_clock::wait_for(duration.as_nanos().min(u64::MAX as u128) as u64).await
}

async fn send_one(request: &OutboundRequest) -> Result<OutboundAnswer, OutboundError> {
    use spin_sdk::wasip3::http::types::RequestOptions;
    use spin_sdk::wasip3::http_compat::RequestOptionsExtension;
    let uri: http::Uri = request.url.parse().map_err(|e| OutboundError::not_sent(format!("not a URL: {e}")))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(OutboundError::not_sent(format!("unsupported scheme {:?}", uri.scheme_str())));
    }
    let mut builder = http::Request::builder().method(request.method.clone()).uri(uri);
    for (name, value) in headers_with_length(request) {
        builder = builder.header(name, value);
    }
    let mut outgoing = builder
        .body(http_body_util::Full::new(Bytes::from(request.body.clone())))
        .map_err(|e| OutboundError::not_sent(format!("bad request: {e}")))?;
    let options = RequestOptions::new();
    let nanos = request.timeout.as_nanos().min(u64::MAX as u128) as u64;
    let _ = options.set_connect_timeout(Some(nanos));
    let _ = options.set_first_byte_timeout(Some(nanos));
    let _ = options.set_between_bytes_timeout(Some(nanos));
    outgoing.extensions_mut().insert(RequestOptionsExtension(options));
    let response = spin_sdk::http::send(outgoing).await.map_err(|e| OutboundError::from_wasi_error_code(format!("{e:?}")))?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    let mut stream = response.into_body().stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { break };
        body.extend_from_slice(&chunk);
        // Kept short of the whole when a receiver sends more than anyone needs.
        if body.len() >= MAX_ANSWER_BYTES {
            body.truncate(MAX_ANSWER_BYTES);
            break;
        }
    }
    Ok(OutboundAnswer { status, body })
}

// ---------------------------------------------------------------- the HTTP entry point

/// What a component's handler receives from Spin.
pub type EntryRequest = spin_sdk::http::Request;

/// What the entry point answers.
pub type EntryResponse = http::Response<http_body_util::Full<Bytes>>;

/// Runs a request through the component's router and returns a whole response (bodies
/// here are small; a whole one gets a `content-length`).
pub async fn serve(router: &axum::Router, request: EntryRequest) -> EntryResponse {
    let request = request.map(axum::body::Body::new);
    crate::http::dispatch(router, request).await
}

/// Declares the component's HTTP entry point: every request goes through `$router`
/// (an expression of type `axum::Router`, built once per instance).
#[macro_export]
macro_rules! http_entry {
    ($router:expr) => {
        #[cfg(target_arch = "wasm32")]
        #[::spin_sdk::http_service]
        async fn handle(request: $crate::host::EntryRequest) -> $crate::host::EntryResponse {
            static ROUTER: ::std::sync::OnceLock<$crate::axum::Router> = ::std::sync::OnceLock::new();
            $crate::host::serve(ROUTER.get_or_init(|| $router), request).await
        }
    };
}
