//! The route table a sandbox serves. `cargo xtask regen` writes one per provider from its spec
//! (`generated/<crate>/src/sandbox.json`); the xtask builds it with these same types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Every operation of one provider, and the shape of its error bodies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    /// The provider the table was written for (its name in `xtask/providers.toml`).
    pub provider: String,
    /// The path of the spec's first server URL (`/api/v2`, or empty), the prefix of every route.
    pub base_path: String,
    /// How the provider shapes an error body.
    pub errors: ErrorShape,
    /// Every operation of the spec, sorted by id.
    pub routes: Vec<Route>,
}

/// One operation: where it is served, what a request must carry, and what it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The spec's `operationId`.
    pub operation: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template including the base path (`/api/v2/whatsapp/get_media`); a `{param}`
    /// segment matches any non-empty segment.
    pub path: String,
    /// Accepted credentials: any one alternative, with every placement in it. Empty for a
    /// public route (`security: []`).
    pub credentials: Vec<Vec<CredentialPlacement>>,
    /// Query parameters the spec marks required.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_query: Vec<String>,
    /// Header parameters the spec marks required.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_headers: Vec<String>,
    /// The request body, when the spec requires one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyRule>,
    /// The documented success answer.
    pub success: Success,
}

/// Where one credential travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "snake_case", deny_unknown_fields)]
pub enum CredentialPlacement {
    /// A header; with `scheme` (`Bearer`) its value is `<scheme> <credential>`, else the raw value.
    Header {
        /// Header name.
        name: String,
        /// Authorization scheme that prefixes the value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scheme: Option<String>,
    },
    /// A query parameter.
    Query {
        /// Parameter name.
        name: String,
    },
    /// A field of the JSON request body.
    Body {
        /// Field name.
        field: String,
    },
}

/// A required request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRule {
    /// `application/json` or `multipart/form-data`.
    pub content_type: String,
    /// Top-level fields (or form parts) the schema requires.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_fields: Vec<String>,
}

/// The answer to a valid request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Success {
    /// HTTP status.
    pub status: u16,
    /// Media type of the body; absent when the answer has no body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The documented example. For a non-JSON media type, a string sent as the raw bytes.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub body: Value,
}

/// The provider's error body: fixed fields per status, plus a message (and, for 422, the
/// offending field) filled in by the sandbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorShape {
    /// The spec's error schema, for readers of the table.
    pub schema: String,
    /// The string field that carries the message.
    pub message_field: String,
    /// An object field listing problems by request field (`{"to": ["Required"]}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details_field: Option<String>,
    /// Fixed fields by status (401, 404, 422).
    pub bodies: BTreeMap<u16, Map<String, Value>>,
}

impl RouteTable {
    /// The route serving `method` on `path` (a request path without its query).
    pub fn find(&self, method: &str, path: &str) -> Option<&Route> {
        self.routes.iter().find(|route| route.method.eq_ignore_ascii_case(method) && route.matches_path(path))
    }
}

impl Route {
    /// Whether `path` fits the template, a `{param}` segment matching any non-empty segment.
    pub fn matches_path(&self, path: &str) -> bool {
        let mut template = self.path.split('/');
        let mut actual = path.split('/');
        loop {
            match (template.next(), actual.next()) {
                (None, None) => return true,
                (Some(expected), Some(segment)) if expected.starts_with('{') && expected.ends_with('}') => {
                    if segment.is_empty() {
                        return false;
                    }
                }
                (Some(expected), Some(segment)) if expected == segment => {}
                _ => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path: &str) -> Route {
        Route {
            operation: "op".into(),
            method: "GET".into(),
            path: path.into(),
            credentials: Vec::new(),
            required_query: Vec::new(),
            required_headers: Vec::new(),
            body: None,
            success: Success { status: 200, content_type: None, body: Value::Null },
        }
    }

    #[test]
    fn template_segments_match_any_non_empty_segment() {
        let route = route("/v1/sessions/{id}/connect");
        assert!(route.matches_path("/v1/sessions/abc/connect"));
        assert!(!route.matches_path("/v1/sessions//connect"));
        assert!(!route.matches_path("/v1/sessions/abc"));
        assert!(!route.matches_path("/v1/sessions/abc/connect/more"));
        assert!(!route.matches_path("/v1/session/abc/connect"));
    }
}
