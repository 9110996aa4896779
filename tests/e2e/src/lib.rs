//! Test support: spin up, fake carrier.
