//! Log in, get the phone number's messaging token, and send an approved template.
//!
//! Runs against the local sandbox unless `VERLOOP_USERNAME` and `VERLOOP_PASSWORD` are set; then
//! it uses the partner account at `VERLOOP_BASE_URL` (default: the production API), the client
//! `VERLOOP_CLIENT_ID`, its phone `VERLOOP_PHONE_ID`, and sends to `VERLOOP_TO`.
//!
//! ```sh
//! cargo run -p verloop-partner --features sandbox --example send_template
//! ```

use verloop_partner::prelude::*;
use verloop_partner::types::{
    OutgoingMessage, SendMessageRequest, TemplateContent, TemplateLanguage, TemplateMessageComponent,
    TemplateMessageComponentType, TemplateParameter,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str, sandbox_value: &str| std::env::var(name).unwrap_or_else(|_| sandbox_value.into());
    let sandbox;
    let base_url = match std::env::var("VERLOOP_USERNAME") {
        Ok(_) => env("VERLOOP_BASE_URL", verloop_partner::DEFAULT_BASE_URL),
        Err(_) => {
            sandbox = verloop_partner::sandbox::start().await?;
            println!("no VERLOOP_USERNAME: using the sandbox at {}", sandbox.url());
            sandbox.url()
        }
    };
    let config = verloop_partner::config().with_base_url(base_url);
    let management = Management::login_with_config(
        config,
        &env("VERLOOP_USERNAME", "partner@example.com"),
        &env("VERLOOP_PASSWORD", "sandbox-password"),
    )
    .await?;

    // Fetched once and cached: further sends for this phone reuse the token.
    let messaging =
        management.phone_token(&env("VERLOOP_CLIENT_ID", "client-1"), &env("VERLOOP_PHONE_ID", "phone-1")).await?;

    let body = TemplateMessageComponent::builder()
        .type_(TemplateMessageComponentType::Body)
        .parameters(vec![TemplateParameter::text("#1042").build()]);
    let template = TemplateContent::builder()
        .name("order_update")
        .language(TemplateLanguage::builder().code("en_US"))
        .components(vec![body.build()]);
    let greeting = OutgoingMessage::template(template).to(env("VERLOOP_TO", "15551234567")).build();
    let sent =
        messaging.send_message(SendMessageRequest::builder().messages(vec![greeting])).send().await?.into_inner();
    for accepted in &sent.success_messages {
        println!("sent {:?}", accepted.id);
    }
    for failed in &sent.error_messages {
        println!("failed {failed:?}");
    }
    Ok(())
}
