//! Create a WhatsApp Flow with a signed context, then list the flows.
//!
//! Runs against the local sandbox unless `WOZTELL_ACCESS_TOKEN` is set; then it uses
//! `WOZTELL_SIGNATURE` (the channel's `appIntegrationSignature`), `WOZTELL_APP`,
//! `WOZTELL_APP_INTEGRATION` and `WOZTELL_CHANNEL` at `WOZTELL_BASE_URL` (default: production).
//!
//! ```sh
//! cargo run -p woztell --features sandbox --example create_flow
//! ```

use futures::TryStreamExt;
use woztell::prelude::*;
use woztell::types::{CreateFlowRequest, FlowCategory, NewFlow};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str, sandbox_value: &str| std::env::var(name).unwrap_or_else(|_| sandbox_value.into());
    let sandbox;
    let base_url = match std::env::var("WOZTELL_ACCESS_TOKEN") {
        Ok(_) => env("WOZTELL_BASE_URL", woztell::DEFAULT_BASE_URL),
        Err(_) => {
            sandbox = woztell::sandbox::start().await?;
            println!("no WOZTELL_ACCESS_TOKEN: using the sandbox at {}", sandbox.url());
            sandbox.url()
        }
    };
    let token = AccessToken::new(env("WOZTELL_ACCESS_TOKEN", "sandbox-token"))?;
    let client = Client::with_config(woztell::config().with_base_url(base_url), token)?;

    // Flow routes take the Payload + SignedContext headers; without a `SignedClient` they
    // cannot be called at all.
    let context = SignedContext::new(
        &env("WOZTELL_SIGNATURE", "sandbox-signature"),
        &env("WOZTELL_APP", "app-1"),
        &env("WOZTELL_APP_INTEGRATION", "integration-1"),
        &env("WOZTELL_CHANNEL", "channel-1"),
    )?;
    let signed = client.signed(context)?;

    let flow = NewFlow::builder().name("Sign-up from Rust").categories(vec![FlowCategory::SignUp]);
    let created = signed.create_flow(CreateFlowRequest::builder().data(flow)).send().await?.into_inner();
    println!("created flow {:?}", created.id);

    let flows: Vec<_> = signed.flows(|query| query.limit(20)).try_collect().await?;
    for flow in &flows {
        println!("{:<40} {:?}", flow.label.as_deref().unwrap_or("-"), flow.status);
    }
    Ok(())
}
