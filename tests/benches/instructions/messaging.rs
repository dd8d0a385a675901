//! Instructions per send through `whatsapp-messaging` against the same send through the client
//! underneath, counted by callgrind as in `instructions/main.rs` (the answering server runs in a
//! process of its own; the figure per send is the difference of a `MANY` and a `FEW` run over
//! `MANY - FEW`). Target: the messaging crate adds at most 2 %.

mod callgrind;
#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "../overhead/fixtures.rs"]
mod fixtures;
#[path = "../overhead/server.rs"]
mod server;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use bytes::Bytes;
use hyper::{Method, StatusCode};
use verloop_partner::prelude::PhoneNumberTokenOperations;
use wapio::prelude::AccountTokenOperations;
use whatsapp_messaging::{Messenger, OutgoingMessage, VerloopMessenger, WapioMessenger};

use common::BoxError;
use fixtures::{WAPIO_TOKEN, text_message};

const CASES: [&str; 2] = ["Wapio send through whatsapp-messaging", "Verloop send through whatsapp-messaging"];
const SIDES: [&str; 2] = ["whatsapp-messaging", "client"];
const FEW: u64 = 100;
const MANY: u64 = 600;
/// The messaging side may run at most 2 % more instructions than the client alone.
const TARGET: f64 = 1.02;
const SESSION: &str = "sess_000";
const TO: &str = "15551234567";
const TEXT: &str = "Hello from the benchmark";
const VERLOOP_PHONE_TOKEN: &str = "bench-phone-token";

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve(),
        Some("run") => match &args[1..] {
            [case, side, count, address] => run(case, side, count.parse()?, address),
            _ => Err("usage: messaging run CASE SIDE COUNT ADDRESS".into()),
        },
        _ => measure(),
    }
}

/// The overhead benchmark's routes, plus Verloop's `send_message` with its documented answer.
fn serve() -> Result<(), BoxError> {
    let mut routes = fixtures::routes()?;
    let verloop = common::spec("verloop-partner.yaml")?;
    let answer =
        common::pick(&verloop, "/paths/~1whatsapp~1send_message/post/responses/200/content/application~1json/example")?;
    routes.insert(
        (Method::POST, "/whatsapp/send_message".into()),
        server::Canned { status: StatusCode::OK, body: Bytes::from(serde_json::to_vec(answer)?) },
    );
    let address = server::start(routes)?;
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
        let mut per_send = [0.0; 2];
        for (side, figure) in SIDES.iter().zip(&mut per_send) {
            let few = callgrind::count(&executable, case, side, FEW, &address)?;
            let many = callgrind::count(&executable, case, side, MANY, &address)?;
            *figure = many.saturating_sub(few) as f64 / (MANY - FEW) as f64;
        }
        let [messaging, client] = per_send;
        let ratio = messaging / client;
        eprintln!(
            "{case}: {messaging:.0} instructions/send, the client alone {client:.0}, ratio {ratio:.4} (target ≤ {TARGET})"
        );
        let line = serde_json::json!({
            "group": "instructions", "case": case, "mode": "sequential", "unit": "instructions/request",
            "subject": SIDES[0], "limit": SIDES[1], "subject_rate": messaging, "limit_rate": client,
            "ratio": ratio, "ratio_p25": ratio, "ratio_p75": ratio, "target": TARGET, "rounds": 1, "batch": MANY - FEW,
            "at_most": true,
        });
        println!("{}{line}", common::RESULT_PREFIX);
    }
    drop(server.stdin.take());
    server.wait()?;
    Ok(())
}

/// Sends `count` sequential texts of `case` on `side`: the same request on the wire either way.
fn run(case: &str, side: &str, count: u64, address: &str) -> Result<(), BoxError> {
    let base = format!("http://{address}");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let config = |default: whatsapp_sdk_runtime::Config| default.with_base_url(&base).with_http_client(http.clone());
    let wapio = wapio::Client::with_config(config(wapio::config()), wapio::AccountToken::new(WAPIO_TOKEN)?)?;
    let verloop = verloop_partner::Messaging::with_config(
        config(verloop_partner::config()),
        verloop_partner::PhoneNumberToken::new(VERLOOP_PHONE_TOKEN)?,
    )?;
    let wapio_messenger = WapioMessenger::with_account_token(wapio.clone(), SESSION);
    let verloop_messenger = VerloopMessenger::new(verloop.clone());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let through_messaging = side == SIDES[0];
    runtime.block_on(async {
        for _ in 0..count {
            match (case, through_messaging) {
                ("Wapio send through whatsapp-messaging", true) => {
                    black_box(wapio_messenger.send(OutgoingMessage::text(TO, TEXT)).await?);
                }
                ("Wapio send through whatsapp-messaging", false) => {
                    black_box(wapio.send_message(text_message()).send().await?.into_inner());
                }
                ("Verloop send through whatsapp-messaging", true) => {
                    black_box(verloop_messenger.send(OutgoingMessage::text(TO, TEXT)).await?);
                }
                ("Verloop send through whatsapp-messaging", false) => {
                    black_box(verloop.send_message(verloop_text()).send().await?.into_inner());
                }
                _ => return Err(format!("unknown case `{case}`").into()),
            }
        }
        Ok::<_, BoxError>(())
    })
}

/// The body `VerloopMessenger` sends for `OutgoingMessage::text(TO, TEXT)`, built with the client.
fn verloop_text() -> verloop_partner::types::SendMessageRequest {
    use verloop_partner::types::{OutgoingMessage as Wire, SendMessageRequest, TextContent};
    let text = Wire::text(TextContent::builder().body(TEXT)).to(TO);
    SendMessageRequest::builder().messages(vec![text.build()]).build()
}
