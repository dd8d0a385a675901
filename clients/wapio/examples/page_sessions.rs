//! Page through every session, 50 at a time, as one stream.
//!
//! Runs against the local sandbox unless `WAPIO_TOKEN` (an account PAT, `bps_pat_…`) is set;
//! then it lists the sessions of that account at `WAPIO_BASE_URL` (default: the production API).
//!
//! ```sh
//! cargo run -p wapio --features sandbox --example page_sessions
//! ```

use futures::TryStreamExt;
use wapio::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox;
    let client = match std::env::var("WAPIO_TOKEN") {
        Ok(token) => {
            let base_url = std::env::var("WAPIO_BASE_URL").unwrap_or_else(|_| wapio::DEFAULT_BASE_URL.into());
            Client::with_config(wapio::config().with_base_url(base_url), AccountToken::new(token)?)?
        }
        Err(_) => {
            sandbox = wapio::sandbox::start().await?;
            println!("no WAPIO_TOKEN: using the sandbox at {}", sandbox.url());
            let config = wapio::config().with_base_url(sandbox.url());
            Client::with_config(config, AccountToken::new("bps_pat_sandbox")?)?
        }
    };

    // Follows `next_cursor` → `before_id` until the last page.
    let sessions: Vec<_> = client.sessions(|list| list.limit(50)).try_collect().await?;
    for session in &sessions {
        println!("{:<24} {:?}", session.session_id, session.status);
    }
    println!("{} sessions", sessions.len());
    Ok(())
}
