//! What every endpoint shares: the error shape, security headers, Idempotency-Key, paging, PATCH bodies, rate limits, static files.
pub mod error;
pub mod headers;
pub mod idempotency;
pub mod paging;
pub mod patch;
pub mod ratelimit;
pub mod twilio;
pub mod webfiles;
