//! Many replicas, one provider budget: the rate limit and the webhook de-duplication shared
//! through a real `redis-server` this file starts (Debian package `redis-server`; without it the
//! Redis tests skip with a message, except under `CI=true`, where they fail).
//!
//! Each replica is an independent tokio runtime on its own thread, with its own Redis
//! connection and client. Bounds are counts with margins, never latencies.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use verloop_partner::dedup::RedisDeliveries;
use verloop_partner::webhook::{Delivery, ReceiveError, Verifier};
use wapio::limit::{LimitKey, LocalLimiter, Rate, RateLimiter, RedisLimiter};
use wapio::prelude::*;
use wapio::store::{FailMode, RedisStore, StoreError};
use wapio::types::SendMessageRequest;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "bps_pat_shared-account-s3cr3t";
const BUDGET: u32 = 50;
const BURST: u32 = 10;

/// A `redis-server` of this test's own, on a Unix socket in a temporary directory.
struct Redis {
    dir: tempfile::TempDir,
    process: Option<Child>,
}

impl Redis {
    /// Started, or `None` (with a message) when redis-server is not installed outside CI.
    fn start() -> Option<Self> {
        if Command::new("redis-server").arg("--version").output().is_err() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "redis-server is not installed: CI must install it (`apt-get install -y redis-server`, see .ci/run)"
            );
            // Straight to stderr: the test harness would swallow `eprintln!` of a passing test.
            let skipping =
                "skipping: redis-server is not installed (`apt-get install -y redis-server` to run these tests)";
            let _ = writeln!(std::io::stderr(), "{skipping}");
            return None;
        }
        let mut redis = Self { dir: tempfile::tempdir().unwrap(), process: None };
        redis.resume();
        Some(redis)
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("r.sock")
    }

    fn url(&self) -> String {
        format!("redis+unix://{}", self.socket().display())
    }

    /// Starts the server (again, after `crash`), and waits until it answers.
    fn resume(&mut self) {
        let process = Command::new("redis-server")
            .args(["--port", "0", "--unixsocket"])
            .arg(self.socket())
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.process = Some(process);
        let deadline = Instant::now() + Duration::from_secs(10);
        while UnixStream::connect(self.socket()).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not open its socket within 10 s");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills the server, as a crash would.
    fn crash(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().unwrap();
            process.wait().unwrap();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// Every key and its value.
    fn contents(&self) -> Vec<(String, String)> {
        let mut connection = redis::Client::open(self.url()).unwrap().get_connection().unwrap();
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut connection).unwrap();
        keys.into_iter()
            .map(|key| {
                let value: Option<String> = redis::cmd("GET").arg(&key).query(&mut connection).unwrap();
                (key, value.unwrap_or_default())
            })
            .collect()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.crash();
    }
}

/// What the provider's server saw: when each request arrived and its idempotency key.
#[derive(Default)]
struct Seen {
    arrivals: Mutex<Vec<(Instant, String)>>,
    refused: AtomicUsize,
}

impl Seen {
    fn count(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }

    /// The most requests that arrived within any `window`.
    fn busiest(&self, window: Duration) -> usize {
        let times: Vec<Instant> = self.arrivals.lock().unwrap().iter().map(|(at, _)| *at).collect();
        (0..times.len()).map(|i| times[i..].iter().take_while(|at| **at - times[i] < window).count()).max().unwrap_or(0)
    }

    /// The idempotency keys of the requests after the first `skip`, sorted.
    fn keys_since(&self, skip: usize) -> Vec<String> {
        let mut keys: Vec<String> = self.arrivals.lock().unwrap()[skip..].iter().map(|(_, key)| key.clone()).collect();
        keys.sort();
        keys
    }
}

/// The provider: accepts every message, except that it answers 429 when more than
/// `BUDGET + BURST` requests arrived within a second, or with `Retry-After: 1` to request
/// number `pause_at`.
struct Provider {
    seen: Arc<Seen>,
    pause_at: Option<usize>,
    paused_at: Arc<Mutex<Option<Instant>>>,
}

impl Respond for Provider {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key = request.headers.get("idempotency-key").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let now = Instant::now();
        let number = {
            let mut arrivals = self.seen.arrivals.lock().unwrap();
            arrivals.push((now, key));
            arrivals.len()
        };
        let refused = serde_json::json!({"success": false, "message": "slow down", "reason_code": "rate_limited"});
        if Some(number) == self.pause_at {
            *self.paused_at.lock().unwrap() = Some(now);
            return ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(refused);
        }
        if self.seen.busiest(Duration::from_secs(1)) > (BUDGET + BURST) as usize {
            self.seen.refused.fetch_add(1, Ordering::Relaxed);
            return ResponseTemplate::new(429).set_body_json(refused);
        }
        ResponseTemplate::new(202)
            .set_body_json(serde_json::json!({"msgId": "wamid.1", "jid": "1@s", "status": "queued"}))
    }
}

/// A provider on its own runtime, so that the replicas' runtimes are all alike.
fn provider(pause_at: Option<usize>) -> (tokio::runtime::Runtime, MockServer, Arc<Seen>, Arc<Mutex<Option<Instant>>>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(MockServer::start());
    let seen = Arc::new(Seen::default());
    let paused_at = Arc::new(Mutex::new(None));
    let responder = Provider { seen: Arc::clone(&seen), pause_at, paused_at: Arc::clone(&paused_at) };
    runtime.block_on(Mock::given(wiremock::matchers::method("POST")).respond_with(responder).mount(&server));
    (runtime, server, seen, paused_at)
}

fn message() -> SendMessageRequest {
    SendMessageRequest::text("hi").session_id("sess_1").to("15551234567").build()
}

fn client(base_url: &str, limiter: impl RateLimiter, max_retries: u32) -> Client<AccountToken> {
    let config = wapio::config().with_base_url(base_url).with_max_retries(max_retries).with_rate_limiter(limiter);
    Client::with_config(config, AccountToken::new(TOKEN).unwrap()).unwrap()
}

/// How a replica limits itself.
#[derive(Clone, Copy)]
enum Limit {
    Redis(FailMode),
    InProcess,
}

/// Replicas of one service: where they send, and how they limit themselves.
struct Replicas {
    redis_url: String,
    base_url: String,
    rate: Rate,
    limit: Limit,
    max_retries: u32,
}

/// `replicas` independent runtimes, each with its own Redis connection and client, each sending
/// `sends` messages from `tasks` concurrent tasks; the results of every send.
fn run_replicas(replicas: usize, tasks: usize, sends: usize, setup: &Replicas) -> Vec<wapio::Result<()>> {
    let threads: Vec<_> = (0..replicas)
        .map(|replica| {
            let (redis_url, base_url) = (setup.redis_url.clone(), setup.base_url.clone());
            let (rate, limit, max_retries) = (setup.rate, setup.limit, setup.max_retries);
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async move {
                    let client = match limit {
                        Limit::Redis(mode) => {
                            let store = RedisStore::connect(&redis_url).await.unwrap();
                            client(&base_url, RedisLimiter::new(store, rate).with_fail_mode(mode), max_retries)
                        }
                        Limit::InProcess => client(&base_url, LocalLimiter::new(rate), max_retries),
                    };
                    let sending = (0..tasks).map(|task| {
                        let client = client.clone();
                        async move {
                            let mut results = Vec::new();
                            for n in (task..sends).step_by(tasks) {
                                let key = format!("replica{replica}-send{n}");
                                let sent = client.send_message(message()).idempotency_key(key).send().await;
                                results.push(sent.map(drop));
                            }
                            results
                        }
                    });
                    futures::future::join_all(sending).await.into_iter().flatten().collect::<Vec<_>>()
                })
            })
        })
        .collect();
    threads.into_iter().flat_map(|thread| thread.join().unwrap()).collect()
}

#[test]
fn four_replicas_stay_within_one_budget_through_redis_and_not_in_process() {
    let Some(redis) = Redis::start() else { return };
    let rate = Rate::per_second(BUDGET).with_burst(BURST);
    let (_runtime, server, seen, _) = provider(None);
    let mut setup = Replicas {
        redis_url: redis.url(),
        base_url: server.uri(),
        rate,
        limit: Limit::Redis(FailMode::Closed),
        max_retries: 0,
    };
    let results = run_replicas(4, 6, 30, &setup);
    assert_eq!(results.len(), 120);
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().find(|r| r.is_err()));
    let busiest = seen.busiest(Duration::from_secs(1));
    assert!(busiest <= (BUDGET + BURST) as usize, "{busiest} requests within a second");
    assert_eq!((seen.count(), seen.refused.load(Ordering::Relaxed)), (120, 0));

    // What Redis holds: derived keys and times, never the token.
    let contents = redis.contents();
    assert!(contents.iter().any(|(key, _)| key.starts_with("whatsapp-sdk:limit:{wapio:")), "{contents:?}");
    for (key, value) in &contents {
        assert!(!key.contains("s3cr3t") && !value.contains("s3cr3t") && !key.contains(TOKEN), "{key} = {value}");
    }

    // Each replica alone keeps the budget; together they exceed it, and the provider refuses.
    let (_runtime, server, seen, _) = provider(None);
    (setup.base_url, setup.limit) = (server.uri(), Limit::InProcess);
    let results = run_replicas(4, 6, 30, &setup);
    assert_eq!(results.len(), 120);
    let busiest = seen.busiest(Duration::from_secs(1));
    assert!(busiest > (BUDGET + BURST) as usize + 20, "only {busiest} requests within a second");
    assert!(seen.refused.load(Ordering::Relaxed) > 0);
}

#[test]
fn a_retry_after_seen_by_one_replica_pauses_the_others() {
    let Some(redis) = Redis::start() else { return };
    // 20 a second, so that a 1 s pause would otherwise hold about 20 requests.
    let rate = Rate::per_second(20);
    let (_runtime, server, seen, paused_at) = provider(Some(15));
    let setup = Replicas {
        redis_url: redis.url(),
        base_url: server.uri(),
        rate,
        limit: Limit::Redis(FailMode::Closed),
        max_retries: 1,
    };
    let results = run_replicas(3, 2, 14, &setup);
    // The refused request was retried after the pause: every send completed.
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().find(|r| r.is_err()));
    assert_eq!(seen.count(), 42 + 1);
    let paused_at = paused_at.lock().unwrap().expect("the provider answered 429");
    let arrivals: Vec<Instant> = seen.arrivals.lock().unwrap().iter().map(|(at, _)| *at).collect();
    let within = |from: u64, to: u64| {
        let (from, to) = (paused_at + Duration::from_millis(from), paused_at + Duration::from_millis(to));
        arrivals.iter().filter(|at| **at > from && **at < to).count()
    };
    // A request already on its way may arrive just after the 429; none is sent during the pause.
    assert!(within(100, 900) <= 1, "{} requests during the pause", within(100, 900));
    assert!(within(1000, 1800) >= 8, "{} requests after the pause", within(1000, 1800));
}

#[test]
fn a_webhook_delivered_twice_to_two_verifiers_sharing_redis_is_new_once() {
    let Some(mut redis) = Redis::start() else { return };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (url, window) = (redis.url(), Duration::from_secs(600));
    let key = verloop_partner::SystemUserToken::new("sut_s3cr3t").unwrap();
    let verifier = |mode: FailMode| {
        let store = runtime.block_on(RedisStore::connect(&url)).unwrap();
        Verifier::new(key.clone()).with_deliveries(RedisDeliveries::new(store, window).with_fail_mode(mode))
    };
    let (first, second) = (verifier(FailMode::Closed), verifier(FailMode::Open));
    let delivery = |body: &[u8]| {
        let request = verloop_partner::webhook::signed_request(&key, "/hook", body.to_vec()).unwrap();
        (request.headers().clone(), request.body().clone())
    };
    let (headers, body) = delivery(br#"{"object":"whatsapp_business_account","entry":[{"id":"waba_1","changes":[]}]}"#);
    runtime.block_on(async {
        let id = match first.receive(&headers, &body).await.unwrap() {
            Delivery::New { id, .. } => id,
            other => panic!("first delivery: {other:?}"),
        };
        assert_eq!(second.receive(&headers, &body).await.unwrap(), Delivery::Duplicate { id: id.clone() });
        // A forged delivery is refused and not recorded.
        let (mut forged, other) = delivery(br#"{"object":"whatsapp_business_account","entry":[]}"#);
        forged.insert("x-partner-signature-256", format!("sha256={}", "00".repeat(32)).parse().unwrap());
        assert!(second.receive(&forged, &other).await.is_err());
        let (signed, other) = delivery(&other);
        assert!(matches!(second.receive(&signed, &other).await.unwrap(), Delivery::New { .. }));
        // Handling failed: forgotten, the redelivery is new again.
        first.forget(&id).await.unwrap();
        assert!(matches!(second.receive(&headers, &body).await.unwrap(), Delivery::New { .. }));
    });
    for (key, value) in redis.contents() {
        assert!(key.starts_with("whatsapp-sdk:delivery:") && !key.contains("s3cr3t") && !value.contains("s3cr3t"));
    }

    // Redis down: failing closed refuses the delivery (Verloop delivers it again later), failing
    // open takes it as new without recording it.
    redis.crash();
    let (headers, body) = delivery(br#"{"object":"whatsapp_business_account","entry":[{"id":"waba_2","changes":[]}]}"#);
    runtime.block_on(async {
        let error = first.receive(&headers, &body).await.unwrap_err();
        assert!(matches!(error, ReceiveError::Store(_)), "{error:?}");
        let message = error.to_string();
        assert!(message.starts_with("webhook delivery not accepted: redis webhook de-duplication at "), "{message}");
        assert!(matches!(second.receive(&headers, &body).await.unwrap(), Delivery::New { .. }));
    });
    redis.resume();
    // Back: the refused delivery, delivered again, is new once.
    runtime.block_on(async {
        let mut redelivered = first.receive(&headers, &body).await;
        for _ in 0..50 {
            if redelivered.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            redelivered = first.receive(&headers, &body).await;
        }
        assert!(matches!(redelivered.unwrap(), Delivery::New { .. }));
        assert!(matches!(second.receive(&headers, &body).await.unwrap(), Delivery::Duplicate { .. }));
    });
}

/// Sends one message per `key`, in order, each after the last; the keys of those that succeeded.
async fn send_each(client: &Client<AccountToken>, keys: std::ops::Range<usize>) -> (Vec<String>, Vec<wapio::Error>) {
    let (mut sent, mut refused) = (Vec::new(), Vec::new());
    for n in keys {
        let key = format!("send{n:03}");
        match client.send_message(message()).idempotency_key(key.clone()).send().await {
            Ok(_) => sent.push(key),
            Err(error) => refused.push(error),
        }
    }
    (sent, refused)
}

/// Collects the WARN events of `whatsapp_sdk::store` written while the returned guard lives.
fn capture_store_warnings() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = Arc::clone(&buffer);
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(move || Writer(Arc::clone(&writer)))
        .finish();
    (buffer, tracing::subscriber::set_default(subscriber))
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn redis_stopped_mid_run_and_restarted_fails_as_configured_and_loses_nothing() {
    let Some(mut redis) = Redis::start() else { return };
    let (_runtime, server, seen, _) = provider(None);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (warnings, _guard) = capture_store_warnings();
    for mode in [FailMode::Open, FailMode::Closed] {
        let before = seen.count();
        let (sent, refused) = runtime.block_on(async {
            let store = RedisStore::connect(&redis.url()).await.unwrap();
            let limiter = RedisLimiter::new(store, Rate::per_second(200)).with_fail_mode(mode);
            let client = client(&server.uri(), limiter, 0);
            let (mut sent, mut refused) = send_each(&client, 0..10).await;
            redis.crash();
            let (during, refused_during) = send_each(&client, 10..20).await;
            redis.resume();
            // The connection comes back within a few attempts.
            let mut after = Vec::new();
            for round in 0..50 {
                let (ok, errors) = send_each(&client, 20 + round * 10..30 + round * 10).await;
                after.extend(ok);
                refused.extend(errors);
                if after.len() >= 10 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            match mode {
                FailMode::Open => assert_eq!((during.len(), refused_during.len()), (10, 0)),
                _ => {
                    assert_eq!((during.len(), refused_during.len()), (0, 10));
                    let error = &refused_during[0];
                    assert!(matches!(error.kind(), wapio::ErrorKind::Store(_)), "{error:?}");
                    let message = error.to_string();
                    assert!(message.starts_with("wapio send_message: redis rate limiter at "), "{message}");
                    assert!(message.ends_with("; nothing sent"), "{message}");
                }
            }
            assert!(after.len() >= 10, "Redis did not come back: {refused:?}");
            sent.extend(during);
            sent.extend(after);
            (sent, refused)
        });
        // Every send that succeeded reached the provider exactly once; no refused one did.
        let mut expected = sent;
        expected.sort();
        assert_eq!(seen.keys_since(before), expected, "{mode:?}: {} refused", refused.len());
    }
    let warnings = String::from_utf8(warnings.lock().unwrap().clone()).unwrap();
    assert!(warnings.contains("WARN") && warnings.contains("redis rate limiter at"), "{warnings}");
    assert!(!warnings.contains("s3cr3t"));
}

/// Counts the requests it admits, and the keys it sees.
#[derive(Debug, Default)]
struct CountingLimiter {
    keys: Mutex<Vec<LimitKey>>,
}

impl RateLimiter for CountingLimiter {
    fn acquire<'a>(&'a self, key: &'a LimitKey, _: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        self.keys.lock().unwrap().push(key.clone());
        Box::pin(std::future::ready(Ok(())))
    }

    fn pause<'a>(&'a self, _: &'a LimitKey, _: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Every client, and the messaging layer over them, can be cloned into tasks and threads.
const _: () = {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    let _ = || {
        shareable::<wapio::Client<wapio::AccountToken>>();
        shareable::<wapio::Client<wapio::SessionKey>>();
        shareable::<verloop_partner::Management>();
        shareable::<verloop_partner::Messaging>();
        shareable::<verloop_partner::webhook::Verifier>();
        shareable::<woztell::Client>();
        shareable::<woztell::SignedClient>();
        shareable::<whatsapp_messaging::WapioMessenger>();
        shareable::<whatsapp_messaging::VerloopMessenger>();
        shareable::<whatsapp_messaging::AnyMessenger>();
        shareable::<whatsapp_messaging::VerloopWebhooks>();
    };
};

#[tokio::test]
async fn clones_share_one_connection_pool_and_one_limiter() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::clone(&connections);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            accepted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(answer_every_request(stream));
        }
    });
    let limiter = Arc::new(CountingLimiter::default());
    let original = client(&format!("http://{address}"), Arc::clone(&limiter), 0);
    let clone = original.clone();
    for client in [&original, &clone, &original, &clone] {
        client.send_message(message()).send().await.unwrap();
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1, "the clones opened connections of their own");
    let keys = limiter.keys.lock().unwrap();
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|key| *key == keys[0] && key.provider() == "wapio" && !key.account().contains("s3cr3t")));
}

/// Session keys of one Wapio account get a budget each, unless the config names the account
/// they share: then every one of them draws from it, and the store sees the name alone.
#[test]
fn session_keys_share_the_budget_of_the_account_they_name() {
    let (_provider, server, seen, _) = provider(None);
    let sender = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The keys the limiter is asked for when each session key sends one message.
    let keys_seen = |account: Option<&str>| {
        let limiter = Arc::new(CountingLimiter::default());
        let mut config = wapio::config().with_base_url(server.uri()).with_rate_limiter(Arc::clone(&limiter));
        if let Some(account) = account {
            config = config.with_rate_limit_account(account);
        }
        for key in ["bps_sk_first-s3cr3t", "bps_sk_second-s3cr3t"] {
            let client = Client::with_config(config.clone(), SessionKey::new(key).unwrap()).unwrap();
            sender.block_on(client.send_message(message()).send()).unwrap();
        }
        limiter.keys.lock().unwrap().clone()
    };

    let keys = keys_seen(None);
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "each session key is a budget of its own");
    assert!(keys.iter().all(|key| !key.account().contains("s3cr3t")));

    let keys = keys_seen(Some("acc_42"));
    assert_eq!(keys, [LimitKey::new("wapio", "acc_42"), LimitKey::new("wapio", "acc_42")]);
    assert_eq!(keys[0].to_string(), "wapio:acc_42");
    assert_eq!(seen.count(), 4);
}

/// Answers each HTTP/1.1 request on `stream` with an accepted message, keeping it open.
async fn answer_every_request(stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let mut stream = BufReader::new(stream);
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await.unwrap();
        let answer = r#"{"msgId":"wamid.1","jid":"1@s","status":"queued"}"#;
        let response = format!(
            "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        stream.get_mut().write_all(response.as_bytes()).await.unwrap();
    }
}

#[tokio::test]
async fn the_in_process_limiter_spaces_requests_and_holds_a_paused_key() {
    let limiter = LocalLimiter::new(Rate::per_second(20).with_burst(2));
    let key = LimitKey::new("wapio", "account-1");
    let started = Instant::now();
    for _ in 0..6 {
        limiter.acquire(&key, Duration::ZERO).await.unwrap();
    }
    // Two at once, then one every 50 ms (lower bounds only: a sleep never ends early).
    assert!(started.elapsed() >= Duration::from_millis(190), "{:?}", started.elapsed());
    limiter.pause(&key, Duration::from_millis(300)).await.unwrap();
    let paused = Instant::now();
    limiter.acquire(&key, Duration::ZERO).await.unwrap();
    assert!(paused.elapsed() >= Duration::from_millis(290), "{:?}", paused.elapsed());
    // A retry's delay is waited out first.
    let retried = Instant::now();
    limiter.acquire(&key, Duration::from_millis(120)).await.unwrap();
    assert!(retried.elapsed() >= Duration::from_millis(120));
}
