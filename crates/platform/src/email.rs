//! E-mail out. Every message is recorded in the `emails` table; with `email_provider =
//! "http"` it is then POSTed to `email_api_url` as `{"from", "to", "subject", "text"}` with
//! `Authorization: Bearer <email_api_key>` (the shape Resend, Postmark-style relays and
//! most transactional APIs accept, or a small relay in front of SMTP), and the answer
//! recorded. Without it (`outbox`, the default) the table is the development outbox:
//! operators, tests and local runs read it at `/v1/admin/emails`.
//!
//! Only the development outbox keeps a message's single-use link (a password reset, an
//! invitation, an e-mail confirmation): there it is the only way the link reaches anyone.
//! A message that really leaves is kept without it, so the table (or a backup of it) opens
//! no account. The subject goes out as a header value (domain::identity::onetime::header_text).

use crate::outbound::{post_all, Post};
use crate::store::Store;
use domain::identity::onetime::EmailMessage;
use std::time::Duration;

/// What became of one message: kept in the outbox only, or handed to the e-mail API
/// (accepted or not, and why not).
#[derive(Debug, Clone, serde::Serialize)]
pub struct EmailOutcome {
    /// The message's id in the outbox (`GET /v1/admin/emails`).
    pub id: i64,
    /// `outbox` or `http` (`email_provider`).
    pub provider: &'static str,
    /// Whether the e-mail API took it; `None` for the outbox.
    pub delivered: Option<bool>,
    pub detail: Option<String>,
}

/// Records the message and hands it to the configured API, if any. A failure to deliver
/// is recorded, not returned: the caller's action (a reset asked for, an invitation made)
/// has happened, and the table shows what did not leave.
pub async fn send(store: &Store, message: &EmailMessage) -> Result<(), crate::db::DbError> {
    send_reporting(store, message).await.map(|_| ())
}

/// As [`send`], answering what became of the message (the console's test e-mail).
pub async fn send_reporting(store: &Store, message: &EmailMessage) -> Result<EmailOutcome, crate::db::DbError> {
    let sends = crate::config::get_or("email_provider", "outbox").await == "http";
    let kept = if sends { message.text_without_link() } else { message.text().to_owned() };
    let id = store.identity().queue_email(message.to(), message.subject(), &kept).await?;
    if !sends {
        return Ok(EmailOutcome { id, provider: "outbox", delivered: None, detail: None });
    }
    let url = crate::config::get_or("email_api_url", "").await;
    let body = serde_json::json!({
        "from": crate::config::get_or("email_from", "smsedge <no-reply@localhost>").await,
        "to": message.to(),
        "subject": message.encoded_subject(),
        "text": message.text(),
    });
    let post = Post {
        url: &url,
        headers: vec![("authorization".to_owned(), format!("Bearer {}", crate::config::get_or("email_api_key", "").await))],
        body: body.to_string(),
        timeout: Duration::from_millis(crate::config::get_u64("email_timeout_ms", 5000).await),
    };
    let outcome = post_all(&[post], 1).await.pop().expect("one outcome per post");
    let (delivered, detail) = match outcome.result {
        Ok(answer) if (200..300).contains(&answer.status) => (true, None),
        Ok(answer) => (false, Some(format!("HTTP {}: {}", answer.status, String::from_utf8_lossy(&answer.body).chars().take(200).collect::<String>()))),
        Err(e) => (false, Some(e.to_string())),
    };
    store.identity().record_email_result(id, delivered, detail.as_deref()).await?;
    Ok(EmailOutcome { id, provider: "http", delivered: Some(delivered), detail })
}
