//! Accounts: a customer's profile, and its history in words.
pub mod account;
pub mod history;
pub mod signup;
