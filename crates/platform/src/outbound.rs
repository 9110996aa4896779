//! Outbound HTTP POSTs, several in flight at once, with real connect and first-byte
//! timeouts. Used for carrier submits, customer callbacks, Stripe and e-mail.

use crate::host::{send_all, OutboundRequest};
use std::time::Duration;

pub use crate::host::OutboundAnswer as Answer;
pub use crate::host::OutboundOutcome as Outcome;
pub use crate::host::{FailureKind, OutboundError};

pub struct Post<'a> {
    pub url: &'a str,
    /// A `content-type` here replaces the default `application/json`.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub timeout: Duration,
}

/// Sends every POST, up to `concurrency` at a time; outcomes in the order given.
pub async fn post_all(posts: &[Post<'_>], concurrency: usize) -> Vec<Outcome> {
    let requests: Vec<OutboundRequest> = posts.iter().map(request).collect();
    send_all(&requests, concurrency).await
}

fn request(post: &Post) -> OutboundRequest {
    // JSON unless the post names its own content type (Stripe's API takes forms).
    let typed = post.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let mut headers = if typed { Vec::new() } else { vec![("content-type".to_owned(), "application/json".to_owned())] };
    headers.extend(post.headers.iter().cloned());
    OutboundRequest {
        method: http::Method::POST,
        url: post.url.to_owned(),
        headers,
        body: post.body.clone().into_bytes(),
        timeout: post.timeout,
    }
}
