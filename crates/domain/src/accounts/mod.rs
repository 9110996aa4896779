//! Accounts: a customer's profile, its history in words, and the operator's own
//! configuration as a reseller.
pub mod account;
pub mod history;
pub mod signup;
pub mod reseller;
