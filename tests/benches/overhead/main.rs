//! Per-request overhead of the generated clients against the same requests written by hand
//! with `reqwest` + `serde_json`, on one shared `reqwest::Client`, sequential and with 32 in
//! flight. Run by `cargo xtask bench`; prints `bench-result` lines (see `common`).

mod baseline;
#[path = "../common/mod.rs"]
mod common;
mod fixtures;
mod server;

use std::fmt::Debug;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt, stream};
use tokio::runtime::Runtime;
use verloop_partner::prelude::SystemUserTokenOperations;
use wapio::prelude::AccountTokenOperations;
use woztell::prelude::AccessTokenOperations;

use common::{BoxError, Record, compare};
use fixtures::*;

/// Requests in flight in the concurrent mode.
const IN_FLIGHT: usize = 32;
/// The throughput ratio each case should reach: at most 3 % overhead.
const TARGET: f64 = 0.97;

/// Everything the cases share: one `reqwest::Client`, handed to every SDK client too.
struct Clients {
    http: reqwest::Client,
    base: String,
    wapio: wapio::Client,
    verloop: verloop_partner::Management,
    woztell: woztell::Client,
}

fn main() -> Result<(), BoxError> {
    let address = server::start(routes()?)?;
    let base = format!("http://{address}");
    // The clients' default TLS backend is rustls with ring, and reqwest's only built-in rustls
    // provider is aws-lc-rs: `reqwest::Client::new()` needs ring installed for the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let clients = Clients {
        wapio: wapio::Client::with_config(
            wapio::config().with_base_url(&base).with_http_client(http.clone()),
            wapio::AccountToken::new(WAPIO_TOKEN)?,
        )?,
        verloop: verloop_partner::Management::with_config(
            verloop_partner::config().with_base_url(&base).with_http_client(http.clone()),
            verloop_partner::SystemUserToken::new(VERLOOP_TOKEN)?,
        )?,
        woztell: woztell::Client::with_config(
            woztell::config().with_base_url(&base).with_http_client(http.clone()),
            woztell::AccessToken::new(WOZTELL_TOKEN)?,
        )?,
        http,
        base,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    for (mode, in_flight) in [("sequential", 1), ("32 in flight", IN_FLIGHT)] {
        run_cases(&runtime, &clients, mode, in_flight)?;
    }
    Ok(())
}

fn run_cases(runtime: &Runtime, clients: &Clients, mode: &str, in_flight: usize) -> Result<(), BoxError> {
    let Clients { http, base, .. } = clients;
    let record = |case| Record {
        group: "overhead",
        case,
        mode,
        unit: "req/s",
        subject: "generated",
        limit: "hand-written",
        target: TARGET,
    };
    compare_case(
        runtime,
        record("Wapio send_message"),
        in_flight,
        || async { Ok(clients.wapio.send_message(text_message()).send().await?.into_inner()) },
        || async { baseline::wapio_send_message(http, base, WAPIO_TOKEN, &text_message()).await },
    )?;
    compare_case(
        runtime,
        record("Wapio list_sessions (50 sessions)"),
        in_flight,
        || async {
            let page = clients.wapio.list_sessions().limit(SESSIONS_PER_PAGE as i64).send().await?.into_inner();
            check_sessions(page)
        },
        || async { check_sessions(baseline::wapio_list_sessions(http, base, WAPIO_TOKEN, SESSIONS_PER_PAGE).await?) },
    )?;
    compare_case(
        runtime,
        record("Verloop list_templates"),
        in_flight,
        || async { Ok(clients.verloop.list_templates().client_id(VERLOOP_CLIENT_ID).send().await?.into_inner()) },
        || async { baseline::verloop_list_templates(http, base, VERLOOP_TOKEN).await },
    )?;
    compare_case(
        runtime,
        record("WOZTELL list_templates"),
        in_flight,
        || async {
            let request = clients.woztell.list_templates().waba_id(WOZTELL_WABA_ID).first(WOZTELL_PAGE_SIZE);
            Ok(request.send().await?.into_inner())
        },
        || async { baseline::woztell_list_templates(http, base, WOZTELL_TOKEN).await },
    )
}

fn check_sessions(page: wapio::types::SessionList) -> Result<wapio::types::SessionList, BoxError> {
    if page.data.len() != SESSIONS_PER_PAGE {
        return Err(format!("expected {SESSIONS_PER_PAGE} sessions, got {}", page.data.len()).into());
    }
    Ok(page)
}

/// Checks that both sides decode the same value, then compares their throughput.
fn compare_case<T, G, GF, B, BF>(
    runtime: &Runtime,
    record: Record<'_>,
    in_flight: usize,
    generated: G,
    baseline: B,
) -> Result<(), BoxError>
where
    T: PartialEq + Debug,
    G: Fn() -> GF,
    GF: Future<Output = Result<T, BoxError>>,
    B: Fn() -> BF,
    BF: Future<Output = Result<T, BoxError>>,
{
    if !common::selected(record.case) {
        return Ok(());
    }
    let (ours, theirs) = runtime.block_on(async { (generated().await, baseline().await) });
    let (ours, theirs) = (ours?, theirs?);
    if ours != theirs {
        return Err(format!("{}: the two sides decoded different values: {ours:?} vs {theirs:?}", record.case).into());
    }
    let figures = compare(
        |n| runtime.block_on(batch(n, in_flight, &generated)),
        |n| runtime.block_on(batch(n, in_flight, &baseline)),
    )?;
    record.print(&figures);
    Ok(())
}

/// Sends `n` requests, `in_flight` at a time, and returns how long they took.
async fn batch<T, F, Fut>(n: usize, in_flight: usize, request: &F) -> Result<Duration, BoxError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, BoxError>>,
{
    let started = Instant::now();
    stream::iter(0..n)
        .map(|_| request())
        .buffer_unordered(in_flight)
        .try_for_each(|value| {
            black_box(value);
            async { Ok(()) }
        })
        .await?;
    Ok(started.elapsed())
}
