//! The same requests written by hand with `reqwest` + `serde_json`: same client (so the same
//! connection pool), URL, headers and body, decoded into the same generated types.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde::de::DeserializeOwned;

use crate::common::BoxError;
use crate::fixtures::{VERLOOP_CLIENT_ID, WOZTELL_PAGE_SIZE, WOZTELL_WABA_ID};

pub async fn wapio_send_message(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    message: &wapio::types::SendMessageRequest,
) -> Result<wapio::types::SendMessageAccepted, BoxError> {
    let response = http
        .post(format!("{base}/api/send-message"))
        .header(ACCEPT, "application/json")
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(message)
        .send()
        .await?;
    decode(response, StatusCode::ACCEPTED).await
}

pub async fn wapio_list_sessions(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    limit: usize,
) -> Result<wapio::types::SessionList, BoxError> {
    let response = http
        .get(format!("{base}/v1/whatsapp-sessions"))
        .header(ACCEPT, "application/json")
        .query(&[("limit", limit)])
        .bearer_auth(token)
        .send()
        .await?;
    decode(response, StatusCode::OK).await
}

pub async fn verloop_list_templates(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<verloop_partner::types::ListTemplatesResponse, BoxError> {
    let response = http
        .get(format!("{base}/whatsapp/list_templates"))
        .header(ACCEPT, "application/json")
        .query(&[("ClientID", VERLOOP_CLIENT_ID)])
        .header(AUTHORIZATION, token)
        .send()
        .await?;
    decode(response, StatusCode::OK).await
}

pub async fn woztell_list_templates(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<woztell::types::TemplateListResponse, BoxError> {
    let first = WOZTELL_PAGE_SIZE.to_string();
    let response = http
        .get(format!("{base}/whatsapp-message-templates"))
        .header(ACCEPT, "application/json")
        .query(&[("first", first.as_str()), ("wabaId", WOZTELL_WABA_ID), ("accessToken", token)])
        .send()
        .await?;
    decode(response, StatusCode::OK).await
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response, expected: StatusCode) -> Result<T, BoxError> {
    if response.status() != expected {
        return Err(format!("expected HTTP {expected}, got {}", response.status()).into());
    }
    Ok(serde_json::from_slice(&response.bytes().await?)?)
}
