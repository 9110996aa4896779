//! What every component shares on the Spin side. Rules live in `domain`; this crate
//! only moves data between HTTP, the database and carriers. `host` is its one seam to
//! Spin.
pub mod app;
pub mod carrier;
pub mod config;
pub mod db;
pub mod email;
pub mod host;
pub mod http;
pub mod ids;
pub mod keys;
pub mod outbound;
pub mod prices;
pub mod ratelimit;
pub mod smpp;
pub mod session;
pub mod store;

/// The router the components' tables build (named by `http_entry!`).
pub use axum;
