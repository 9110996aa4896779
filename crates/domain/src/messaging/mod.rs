//! Sending an SMS: recipients, senders, text and segments, validation and quotes, scheduling, the status model, multipart roll-up and refund policy.
pub mod policy;
pub mod recipient;
pub mod rules;
pub mod rollup;
pub mod schedule;
pub mod send;
pub mod sender;
pub mod status;
pub mod text;
