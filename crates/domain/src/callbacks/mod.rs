//! What we POST to customers: status events, the endpoints they may name, signing, and retries.
pub mod endpoint;
pub mod event;
pub mod retry;
pub mod webhook;
pub mod twilio;
