//! The domain core: every rule of the platform, with no I/O and no Spin dependency.
pub mod apikey;
pub mod callback;
pub mod error;
pub mod money;
pub mod policy;
pub mod pricing;
pub mod receipt;
pub mod recipient;
pub mod retry;
pub mod rollup;
pub mod schedule;
pub mod send;
pub mod sender;
pub mod signature;
pub mod status;
pub mod text;
pub mod webhook;
