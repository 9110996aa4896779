//! What carriers send and answer: submit outcomes, delivery receipts, inbound formats,
//! webhook signatures; connections the operator manages, their sealed secrets, and routing.
pub mod adapter;
pub mod builtin;
pub mod connection;
pub mod mo;
pub mod receipt;
pub mod routing;
pub mod sealed;
pub mod signature;
pub mod submit;
