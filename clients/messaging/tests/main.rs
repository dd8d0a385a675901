//! The crate's tests, one module per concern, in one test binary (linked once).

mod support;

mod capability_table;
mod echo_service;
mod send;
mod webhooks;
