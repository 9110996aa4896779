//! Inbound SMS: reception numbers and the operator's inventory of them, multipart assembly, and keywords.
pub mod inventory;
pub mod keyword;
pub mod sms;
pub mod twiml;
