//! Accounts: a customer's profile.
pub mod account;
