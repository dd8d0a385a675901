//! List every approved message template of a WABA, following the cursor pages.
//!
//! Runs against the local sandbox unless `WOZTELL_ACCESS_TOKEN` is set; then it reads the WABA
//! `WOZTELL_WABA_ID` at `WOZTELL_BASE_URL` (default: the production API).
//!
//! ```sh
//! cargo run -p woztell --features sandbox --example list_templates
//! ```

use futures::TryStreamExt;
use woztell::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox;
    let client = match std::env::var("WOZTELL_ACCESS_TOKEN") {
        Ok(token) => {
            let base_url = std::env::var("WOZTELL_BASE_URL").unwrap_or_else(|_| woztell::DEFAULT_BASE_URL.into());
            Client::with_config(woztell::config().with_base_url(base_url), AccessToken::new(token)?)?
        }
        Err(_) => {
            sandbox = woztell::sandbox::start().await?;
            println!("no WOZTELL_ACCESS_TOKEN: using the sandbox at {}", sandbox.url());
            Client::with_config(woztell::config().with_base_url(sandbox.url()), AccessToken::new("sandbox-token")?)?
        }
    };
    let waba_id = std::env::var("WOZTELL_WABA_ID").unwrap_or_else(|_| "waba-1".into());

    // The access token goes into the query by itself; the status filter is sent as the JSON
    // array the API expects (`status=["APPROVED"]`).
    let templates: Vec<_> = client
        .templates(|query| query.waba_id(waba_id).first(50).status(woztell::json_array(["APPROVED"])))
        .try_collect()
        .await?;
    for template in &templates {
        // A category the spec does not list still parses (as `Unknown…`), and is reported as drift.
        println!("{:<32} {:?} {:?}", template.name.as_deref().unwrap_or("-"), template.category, template.languages);
    }
    println!("{} templates", templates.len());
    Ok(())
}
