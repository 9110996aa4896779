//! Answers at once, then (spawned after the response) asks `GET {target}/slow?n` — which
//! the probe's server answers after 1 s — and then `GET {target}/done?n`. The server's log
//! shows which requests' after-response work finished.
use spin_sdk::http::{IntoResponse, Request, StatusCode};
use spin_sdk::http_service;

const TARGET: &str = "http://127.0.0.1:8765";

#[http_service]
async fn handle(request: Request) -> impl IntoResponse {
    let n = request.uri().query().unwrap_or("0").to_owned();
    spin_sdk::wasip3::spawn(async move {
        for step in ["slow", "done"] {
            let Ok(outgoing) = spin_sdk::http::Request::get(format!("{TARGET}/{step}?{n}")).body(String::new()) else { return };
            if spin_sdk::http::send(outgoing).await.is_err() {
                return;
            }
        }
    });
    (StatusCode::OK, String::from("ok"))
}
