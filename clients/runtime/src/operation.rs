use reqwest::header::HeaderName;

/// What the runtime needs to know about one operation of a spec; the generated crates hold a
/// table of these (`OPERATIONS`), and a lookup by id (`operation`), written by `cargo xtask regen`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSpec {
    /// The provider, as `xtask/providers.toml` and the client crate name it (`verloop-partner`):
    /// the name errors, drift events and tracing show.
    pub provider: &'static str,
    /// The spec's `operationId`.
    pub id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template as written in the spec (`/v1/whatsapp-sessions/{sessionId}`).
    pub path: &'static str,
    /// Accepted security requirements: any one alternative, all schemes within it.
    pub security: &'static [&'static [&'static str]],
    /// The header that carries an idempotency key, when the operation declares one (a
    /// constant, so that no request parses the name again).
    pub idempotency_header: Option<HeaderName>,
    /// The JSON body field that carries the credential, when the spec puts it in the body.
    pub credential_body_field: Option<&'static str>,
    /// The media type of the documented success body (`application/json`), if it has one.
    pub success_content_type: Option<&'static str>,
    /// The media type of the documented error bodies, if they have one.
    pub error_content_type: Option<&'static str>,
}

impl OperationSpec {
    /// Whether the operation accepts a requirement that consists of exactly these schemes.
    pub fn accepts(&self, schemes: &[&str]) -> bool {
        self.security
            .iter()
            .any(|alternative| alternative.len() == schemes.len() && alternative.iter().all(|s| schemes.contains(s)))
    }

    /// Whether the operation needs the given scheme in every accepted alternative.
    pub fn requires(&self, scheme: &str) -> bool {
        !self.security.is_empty() && self.security.iter().all(|alternative| alternative.contains(&scheme))
    }

    /// Whether the operation can be sent again without risk of doing its work twice.
    pub fn is_idempotent_method(&self) -> bool {
        matches!(self.method, "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE")
    }

    /// Whether every request of the operation may be sent twice: an idempotent method, or an
    /// idempotency key (which the runtime always sets).
    pub fn is_safe_to_repeat(&self) -> bool {
        self.is_idempotent_method() || self.idempotency_header.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: OperationSpec = OperationSpec {
        provider: "test",
        id: "a_op",
        method: "GET",
        path: "/a",
        security: &[&["token"], &["key"]],
        idempotency_header: None,
        credential_body_field: None,
        success_content_type: Some("application/json"),
        error_content_type: None,
    };
    const B: OperationSpec = OperationSpec {
        provider: "test",
        id: "b_op",
        method: "POST",
        path: "/b",
        security: &[&["token", "signed"]],
        idempotency_header: Some(HeaderName::from_static("idempotency-key")),
        credential_body_field: None,
        success_content_type: None,
        error_content_type: None,
    };

    #[test]
    fn security_queries() {
        let (a, b) = (A, B);
        assert!(a.accepts(&["key"]) && a.accepts(&["token"]) && !a.accepts(&["token", "key"]));
        assert!(b.accepts(&["signed", "token"]) && !b.accepts(&["token"]));
        assert!(b.requires("signed") && !a.requires("token"));
        assert!(a.is_idempotent_method() && !b.is_idempotent_method());
        assert!(a.is_safe_to_repeat() && b.is_safe_to_repeat());
    }
}
