//! Money and what it pays for: amounts, an account's means, prices, packages and credits, payments, Stripe top-ups, invoices and usage reports.
pub mod funds;
pub mod invoice;
pub mod money;
pub mod package;
pub mod payment;
pub mod pricing;
pub mod reports;
pub mod stripe;
