//! People and keys: who may sign in and how (passwords, sessions, two-factor, single-use tokens, throttling), API keys and their scopes, languages.
pub mod access;
pub mod apikey;
pub mod language;
pub mod onetime;
pub mod person;
pub mod session;
pub mod staff;
pub mod throttle;
pub mod totp;
