//! The domain core: every rule of the platform, with no I/O and no Spin dependency.
//!
//! Grouped by bounded context; each folder's mod.rs says what lives there.
pub mod accounts;
pub mod api;
pub mod billing;
pub mod callbacks;
pub mod carriers;
pub mod contacts;
pub mod identity;
pub mod inbound;
pub mod messaging;
