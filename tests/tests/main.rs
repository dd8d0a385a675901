//! The workspace's integration tests, one module per concern, in one test binary. A binary per
//! file linked every client, the generator and the test servers again: the 29 took 169 s of
//! compile time in a fresh test build, this one 49 s (BENCHMARKS.md).

mod support;

mod api_compatibility;
mod audit;
mod diff;
mod drift;
mod drift_xtask;
mod error_messages;
mod errors;
mod examples_round_trip;
mod fault_injection;
mod fuzz_responses;
mod fuzz_webhooks;
mod generator;
mod httpmock;
mod operation_lookup;
mod provider_name;
mod public_api;
mod redirects;
mod release;
mod replicas;
mod sandbox;
mod tracing_redaction;
mod verloop_client;
mod verloop_contract;
mod verloop_webhook;
mod wapio_client;
mod wapio_contract;
mod woztell_client;
mod woztell_contract;
