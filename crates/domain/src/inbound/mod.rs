//! Inbound SMS: reception numbers, multipart assembly, and keywords.
pub mod keyword;
pub mod sms;
pub mod twiml;
