//! Instructions per request: the generated clients against the same requests written by hand
//! with `reqwest` + `serde_json`, counted by callgrind. Wall-clock ratios drift by ±3 % on
//! these machines; instruction counts are steady to about 0.1 %.
//!
//! `cargo bench -p workspace-benches --bench instructions` starts the answering server in a
//! process of its own (so its work is not counted), then runs this binary under
//! `valgrind --tool=callgrind` once per case, side and request count. The figure per request is
//! the difference of two counts (`MANY` and `FEW` sequential requests) over `MANY - FEW`, so
//! start-up work cancels out. Needs `valgrind` (Debian's package).

#[path = "../overhead/baseline.rs"]
mod baseline;
// Shared with the wall-clock benchmarks, whose timing half is not used here.
mod callgrind;
#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;
#[path = "../overhead/fixtures.rs"]
mod fixtures;
#[path = "../overhead/server.rs"]
mod server;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use verloop_partner::prelude::SystemUserTokenOperations;
use wapio::prelude::AccountTokenOperations;
use woztell::prelude::AccessTokenOperations;

use common::BoxError;
use fixtures::*;

/// The cases: the requests of the wall-clock overhead benchmark.
const CASES: [&str; 5] = [
    "Wapio send_message",
    "Wapio list_sessions (50 sessions)",
    "Verloop list_templates",
    "WOZTELL list_templates",
    WEBHOOK,
];
/// `verify_and_parse` of a delivery against HMAC-SHA256 plus an untyped `serde_json::Value`
/// parse of the same bytes: typed parsing should cost no more.
const WEBHOOK: &str = "Verloop webhook 4 KB delivery";
const WEBHOOK_TARGET: f64 = 1.0;
const SIDES: [&str; 3] = ["generated", "generated, drift detection off", "hand-written"];
const FEW: u64 = 100;
const MANY: u64 = 600;
/// The generated side may run at most 1.5 % more instructions than the hand-written one.
const TARGET: f64 = 1.015;
/// Drift detection may add at most 1 % when nothing drifts.
const DRIFT_TARGET: f64 = 1.01;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve(),
        Some("run") => match &args[1..] {
            [case, side, count, address] => run(case, side, count.parse()?, address),
            _ => Err("usage: instructions run CASE SIDE COUNT ADDRESS".into()),
        },
        _ => measure(),
    }
}

/// Answers the cases' requests until standard input closes (the measuring process ends).
fn serve() -> Result<(), BoxError> {
    let address = server::start(routes()?)?;
    println!("listening {address}");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    Ok(())
}

fn measure() -> Result<(), BoxError> {
    let valgrind = Command::new("valgrind").arg("--version").output();
    if !valgrind.is_ok_and(|output| output.status.success()) {
        return Err("valgrind is not installed (Debian: apt-get install valgrind)".into());
    }
    let executable = std::env::current_exe()?;
    let mut server = Command::new(&executable).arg("serve").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().ok_or("no server output")?).read_line(&mut first_line)?;
    let address = first_line.trim().strip_prefix("listening ").ok_or("the server did not start")?.to_string();
    for case in CASES.into_iter().filter(|case| common::selected(case)) {
        let mut per_request = [0.0; 3];
        for (side, figure) in SIDES.iter().zip(&mut per_request) {
            let few = callgrind::count(&executable, case, side, FEW, &address)?;
            let many = callgrind::count(&executable, case, side, MANY, &address)?;
            *figure = many.saturating_sub(few) as f64 / (MANY - FEW) as f64;
        }
        let [generated, without_drift, hand_written] = per_request;
        let (ratio, drift_ratio) = (generated / hand_written, generated / without_drift);
        let target = if case == WEBHOOK { WEBHOOK_TARGET } else { TARGET };
        eprintln!(
            "{case}: generated {generated:.0} instructions/request ({without_drift:.0} without drift detection, \
             ratio {drift_ratio:.4}, target ≤ {DRIFT_TARGET}), hand-written {hand_written:.0}, ratio {ratio:.4} (target ≤ {target})"
        );
        for (subject, limit, subject_rate, limit_rate, ratio, target) in [
            ("generated", "hand-written", generated, hand_written, ratio, target),
            ("generated", "drift detection off", generated, without_drift, drift_ratio, DRIFT_TARGET),
        ] {
            let line = serde_json::json!({
                "group": "instructions", "case": case, "mode": "sequential", "unit": "instructions/request",
                "subject": subject, "limit": limit, "subject_rate": subject_rate, "limit_rate": limit_rate,
                "ratio": ratio, "ratio_p25": ratio, "ratio_p75": ratio, "target": target, "rounds": 1, "batch": MANY - FEW,
                "at_most": true,
            });
            println!("{}{line}", common::RESULT_PREFIX);
        }
    }
    drop(server.stdin.take());
    server.wait()?;
    Ok(())
}

/// Sends `count` sequential requests of `case` on `side` (or verifies and parses `count`
/// webhook deliveries).
fn run(case: &str, side: &str, count: u64, address: &str) -> Result<(), BoxError> {
    if case == WEBHOOK {
        return webhook(side, count);
    }
    let base = format!("http://{address}");
    // The clients' default TLS backend is rustls with ring, and reqwest's only built-in rustls
    // provider is aws-lc-rs: `reqwest::Client::new()` needs ring installed for the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let drift = side != "generated, drift detection off";
    let config = |default: whatsapp_sdk_runtime::Config| {
        default.with_base_url(&base).with_http_client(http.clone()).with_drift_detection(drift)
    };
    let wapio = wapio::Client::with_config(config(wapio::config()), wapio::AccountToken::new(WAPIO_TOKEN)?)?;
    let verloop = verloop_partner::Management::with_config(
        config(verloop_partner::config()),
        verloop_partner::SystemUserToken::new(VERLOOP_TOKEN)?,
    )?;
    let woztell = woztell::Client::with_config(config(woztell::config()), woztell::AccessToken::new(WOZTELL_TOKEN)?)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let generated = side != "hand-written";
    runtime.block_on(async {
        for _ in 0..count {
            match (case, generated) {
                ("Wapio send_message", true) => {
                    black_box(wapio.send_message(text_message()).send().await?.into_inner());
                }
                ("Wapio send_message", false) => {
                    black_box(baseline::wapio_send_message(&http, &base, WAPIO_TOKEN, &text_message()).await?);
                }
                ("Wapio list_sessions (50 sessions)", true) => {
                    black_box(wapio.list_sessions().limit(SESSIONS_PER_PAGE as i64).send().await?.into_inner());
                }
                ("Wapio list_sessions (50 sessions)", false) => {
                    black_box(baseline::wapio_list_sessions(&http, &base, WAPIO_TOKEN, SESSIONS_PER_PAGE).await?);
                }
                ("Verloop list_templates", true) => {
                    black_box(verloop.list_templates().client_id(VERLOOP_CLIENT_ID).send().await?.into_inner());
                }
                ("Verloop list_templates", false) => {
                    black_box(baseline::verloop_list_templates(&http, &base, VERLOOP_TOKEN).await?);
                }
                ("WOZTELL list_templates", true) => {
                    let request = woztell.list_templates().waba_id(WOZTELL_WABA_ID).first(WOZTELL_PAGE_SIZE);
                    black_box(request.send().await?.into_inner());
                }
                ("WOZTELL list_templates", false) => {
                    black_box(baseline::woztell_list_templates(&http, &base, WOZTELL_TOKEN).await?);
                }
                _ => return Err(format!("unknown case `{case}`").into()),
            }
        }
        Ok::<_, BoxError>(())
    })
}

/// `count` verifications and parses of one 4 KB delivery made of the spec's webhook examples.
fn webhook(side: &str, count: u64) -> Result<(), BoxError> {
    use hmac::{Hmac, Mac};
    use verloop_partner::webhook::{SIGNATURE_HEADER, Verifier, sign};
    let document = common::spec("verloop-partner.yaml")?;
    let changes: Vec<serde_json::Value> = ["incoming_text_message", "message_status_sent"]
        .into_iter()
        .map(|name| {
            Ok(common::pick(&document, &format!("/x-webhook-examples/{name}/example/entry/0/changes/0"))?.clone())
        })
        .collect::<Result<_, BoxError>>()?;
    let mut batch = Vec::new();
    let body = loop {
        let body = serde_json::to_vec(&serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "WHATSAPP_BUSINESS_ACCOUNT_ID", "changes": batch}],
        }))?;
        if body.len() >= 4 << 10 {
            break body;
        }
        batch.push(changes[batch.len() % changes.len()].clone());
    };
    let key = verloop_partner::SystemUserToken::new(VERLOOP_TOKEN)?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, reqwest::header::HeaderValue::from_str(&sign(&key, &body))?);
    let verifier = Verifier::new(key).with_drift_detection(side != "generated, drift detection off");
    for _ in 0..count {
        if side == "hand-written" {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(VERLOOP_TOKEN.as_bytes())?;
            mac.update(black_box(&body));
            black_box(mac.finalize());
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(&body))?);
        } else {
            black_box(verifier.verify_and_parse(&headers, black_box(&body))?);
        }
    }
    Ok(())
}
