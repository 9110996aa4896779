//! What every component shares on the Spin side. Rules live in `domain`; this crate
//! only moves data between HTTP, the database and carriers.
pub mod carrier;
pub mod config;
pub mod db;
pub mod email;
pub mod http;
pub mod ids;
pub mod inbound;
pub mod keys;
pub mod messages;
pub mod outbound;
pub mod people;
pub mod prices;
pub mod reports;
pub mod sending;
pub mod smpp;
pub mod session;
pub mod store;
