//! 1,000 Wapio sends through a server that misbehaves on a seeded schedule: drops the
//! connection before or after doing the work, answers 429 with `Retry-After`, 503, or stalls
//! past the client's timeout. Every send must end in success or a typed error, no message may
//! be sent twice, and no send may exceed the retry policy.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wapio::prelude::*;
use wapio::types::SendMessageRequest;

const SENDS: usize = 1_000;
const IN_FLIGHT: usize = 32;
const MAX_RETRIES: u32 = 3;
const CLIENT_TIMEOUT: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fault {
    Accept,
    DropBeforeWork,
    DropAfterWork,
    RateLimited,
    Unavailable,
    Stall,
}

/// What the fake Wapio saw, per message text: attempts, idempotency keys, and deliveries
/// (the work done once per new key, as an idempotent server does).
#[derive(Default)]
struct Ledger {
    attempts: HashMap<String, u32>,
    keys_per_message: HashMap<String, HashSet<String>>,
    done_keys: HashSet<String>,
    deliveries: HashMap<String, u32>,
    faults: HashMap<Fault, u32>,
}

struct Server {
    rng: Mutex<fastrand::Rng>,
    ledger: Mutex<Ledger>,
}

impl Server {
    fn next_fault(&self) -> Fault {
        let roll = self.rng.lock().unwrap().u32(0..100);
        match roll {
            0..55 => Fault::Accept,
            55..63 => Fault::DropBeforeWork,
            63..71 => Fault::DropAfterWork,
            71..81 => Fault::RateLimited,
            81..91 => Fault::Unavailable,
            _ => Fault::Stall,
        }
    }

    async fn handle(self: Arc<Self>, mut stream: TcpStream) {
        let Some((headers, body)) = read_request(&mut stream).await else { return };
        let key = header(&headers, "idempotency-key").unwrap_or_default();
        let text = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["text"].as_str().map(str::to_string))
            .unwrap_or_default();
        let fault = self.next_fault();
        {
            let mut ledger = self.ledger.lock().unwrap();
            *ledger.attempts.entry(text.clone()).or_default() += 1;
            *ledger.faults.entry(fault).or_default() += 1;
            ledger.keys_per_message.entry(text.clone()).or_default().insert(key.clone());
        }
        let do_work = |server: &Server| {
            // An idempotent server delivers once per key and replays its answer after; a client
            // that changed the key on retry would get the message delivered twice.
            let mut ledger = server.ledger.lock().unwrap();
            if ledger.done_keys.insert(key.clone()) {
                *ledger.deliveries.entry(text.clone()).or_default() += 1;
            }
        };
        let response = match fault {
            Fault::DropBeforeWork => return,
            Fault::DropAfterWork => {
                do_work(&self);
                return;
            }
            Fault::Stall => {
                tokio::time::sleep(CLIENT_TIMEOUT * 2).await;
                return;
            }
            Fault::RateLimited => reply(429, "Retry-After: 0\r\n", r#"{"success":false,"reason_code":"rate_limited"}"#),
            Fault::Unavailable => reply(503, "", "service unavailable"),
            Fault::Accept => {
                do_work(&self);
                reply(202, "", r#"{"msgId":"wamid.x","status":"queued"}"#)
            }
        };
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}

fn reply(status: u16, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

fn header(headers: &str, name: &str) -> Option<String> {
    headers.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_string())
    })
}

async fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&buffer[..end]).to_string();
            let length: usize = header(&headers, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            while buffer.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            return Some((headers, buffer[end + 4..end + 4 + length].to_vec()));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sends_through_a_faulty_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = Arc::new(Server { rng: Mutex::new(fastrand::Rng::with_seed(0x5eed)), ledger: Mutex::default() });
    let accepting = server.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(accepting.clone().handle(stream));
        }
    });

    let config =
        wapio::config().with_base_url(format!("http://{address}")).with_timeout(CLIENT_TIMEOUT).with_retry_policy(
            wapio::RetryPolicy::default()
                .with_max_retries(MAX_RETRIES)
                .with_base_delay(Duration::from_millis(2))
                .with_max_delay(Duration::from_millis(20)),
        );
    let client = Client::with_config(config, AccountToken::new("bps_pat_fault").unwrap()).unwrap();

    let outcomes: Vec<Result<(), wapio::Error>> = futures::stream::iter(0..SENDS)
        .map(|i| {
            let client = &client;
            async move {
                let body = SendMessageRequest::text(format!("msg-{i}")).session_id("s").to("15550000").build();
                client.send_message(body).send().await.map(|_| ())
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;

    let ledger = server.ledger.lock().unwrap();
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    for outcome in &outcomes {
        let kind = match outcome.as_ref().map_err(wapio::Error::kind) {
            Ok(()) => "success",
            Err(wapio::ErrorKind::Api(_)) => "api error (429 after retries)",
            Err(wapio::ErrorKind::UnexpectedResponse(_)) => "unexpected response (503 after retries)",
            Err(wapio::ErrorKind::Transport(_)) => "transport error (dropped or timed out after retries)",
            Err(other) => panic!("an error kind the faults cannot cause: {other:?}"),
        };
        *kinds.entry(kind).or_default() += 1;
    }
    let duplicate_deliveries = ledger.deliveries.values().filter(|n| **n > 1).count();
    let messages_with_two_keys = ledger.keys_per_message.values().filter(|keys| keys.len() > 1).count();
    let max_attempts = ledger.attempts.values().copied().max().unwrap_or(0);
    let total_attempts: u32 = ledger.attempts.values().sum();

    println!("sends: {SENDS}, outcomes: {kinds:?}");
    println!("server faults: {:?}", ledger.faults);
    println!(
        "attempts: {total_attempts} (max {max_attempts} per send, policy allows {}); messages delivered twice: {duplicate_deliveries}; messages seen with two keys: {messages_with_two_keys}",
        MAX_RETRIES + 1
    );

    assert_eq!(outcomes.len(), SENDS);
    assert!(kinds.get("success").copied().unwrap_or(0) > SENDS / 2, "{kinds:?}");
    assert_eq!(duplicate_deliveries, 0, "a message was delivered twice");
    assert!(ledger.deliveries.len() >= kinds.get("success").copied().unwrap_or(0), "every success was delivered");
    assert_eq!(messages_with_two_keys, 0, "a retry changed the idempotency key: a message could be sent twice");
    assert!(max_attempts <= MAX_RETRIES + 1, "a send exceeded the retry policy: {max_attempts} attempts");
    assert_eq!(ledger.attempts.len(), SENDS, "every send reached the server at least once");
    for fault in [Fault::DropBeforeWork, Fault::DropAfterWork, Fault::RateLimited, Fault::Unavailable, Fault::Stall] {
        assert!(ledger.faults.get(&fault).copied().unwrap_or(0) > 10, "the schedule exercised {fault:?}");
    }
}
