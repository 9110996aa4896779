//! The contact book, groups, the blocklist and opting out.
pub mod contact;
pub mod contactbook;
pub mod optout;
