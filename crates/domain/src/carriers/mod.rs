//! What carriers send and answer: submit outcomes, delivery receipts, inbound formats, webhook signatures.
pub mod mo;
pub mod receipt;
pub mod signature;
pub mod submit;
