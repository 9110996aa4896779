//! One route per host call, each doing that call once and nothing else, so that
//! bench/floor.sh can put a price on it next to a route that does no I/O at all.

use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, Value};

fn text(status: u16, body: impl Into<String>) -> Response {
    Response::builder().status(status).body(body.into()).build()
}

#[http_component]
async fn handle(req: Request) -> Response {
    let result = match req.path() {
        "/noop" => Ok("ok".to_owned()),
        "/variable" => spin_sdk::variables::get("probe").map_err(|e| e.to_string()),
        "/sqlite-read" => sqlite_read(),
        "/sqlite-write" => sqlite_write(),
        "/kv-read" => spin_sdk::key_value::Store::open_default()
            .and_then(|s| s.get("probe"))
            .map(|v| format!("{:?}", v.map(|v| v.len())))
            .map_err(|e| e.to_string()),
        "/outbound" => outbound(&req).await,
        _ => Err("no such route".to_owned()),
    };
    match result {
        Ok(body) => text(200, body),
        Err(e) => text(500, e),
    }
}

/// Opens the default database and reads a row: what every request that touches SQLite
/// pays at least once, since Spin opens a connection per instance (and the connection
/// parses the schema on its first statement).
fn sqlite_read() -> Result<String, String> {
    let db = Connection::open_default().map_err(|e| e.to_string())?;
    let rows = db.execute("SELECT COUNT(*) FROM probe WHERE id = 1", &[]).map_err(|e| e.to_string())?;
    Ok(rows.rows.len().to_string())
}

/// Opens the default database and appends one row (WAL, synchronous NORMAL, as the app).
fn sqlite_write() -> Result<String, String> {
    let db = Connection::open_default().map_err(|e| e.to_string())?;
    db.execute("PRAGMA synchronous = NORMAL", &[]).map_err(|e| e.to_string())?;
    db.execute("INSERT INTO probe (at) VALUES (?)", &[Value::Integer(1)]).map_err(|e| e.to_string())?;
    Ok("1".into())
}

/// One POST to the address in `?to=` (the fake carrier), body and answer as small as a submit.
async fn outbound(req: &Request) -> Result<String, String> {
    let to = req.query().strip_prefix("to=").ok_or("outbound needs ?to=host:port")?;
    let request = Request::builder()
        .method(Method::Post)
        .uri(format!("http://{to}/messages"))
        .header("content-type", "application/json")
        .body(r#"{"reference":"probe","from":"ACME","to":"+46701234567","text":"probe","encoding":"gsm7","segments":1}"#)
        .build();
    let response: Response = spin_sdk::http::send(request).await.map_err(|e| e.to_string())?;
    Ok(response.status().to_string())
}
