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
    MessagingProduct, OutgoingMessage, SendMessageRequest, TemplateContent, TemplateLanguage, TemplateMessageComponent,
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

    let greeting = OutgoingMessage::Template {
        messaging_product: MessagingProduct::Whatsapp,
        to: env("VERLOOP_TO", "15551234567"),
        recipient_type: None,
        context: None,
        biz_opaque_callback_data: None,
        template: TemplateContent {
            name: "order_update".into(),
            language: TemplateLanguage { code: "en_US".into(), policy: None },
            components: vec![TemplateMessageComponent {
                type_: TemplateMessageComponentType::Body,
                parameters: vec![TemplateParameter::Text { text: "#1042".into(), parameter_name: None }],
                cards: Vec::new(),
                index: None,
                sub_type: None,
            }],
        },
    };
    let sent = messaging.send_message(SendMessageRequest { messages: vec![greeting] }).send().await?.into_inner();
    for accepted in &sent.success_messages {
        println!("sent {:?}", accepted.id);
    }
    for failed in &sent.error_messages {
        println!("failed {failed:?}");
    }
    Ok(())
}
