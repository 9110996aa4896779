//! Answers `ok` to every request: no host call, no parsing. Its req/s is the most any
//! route of the app could reach on this Spin and machine.
use spin_sdk::http::{IntoResponse, Request, StatusCode};
use spin_sdk::http_service;

#[http_service]
async fn handle(_request: Request) -> impl IntoResponse {
    (StatusCode::OK, String::from("ok"))
}
