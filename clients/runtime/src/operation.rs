/// What the runtime needs to know about one operation of a spec; the generated crates hold a
/// sorted table of these (`OPERATIONS`) written by `cargo xtask regen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template as written in the spec (`/v1/whatsapp-sessions/{sessionId}`).
    pub path: &'static str,
    /// Accepted security requirements: any one alternative, all schemes within it.
    pub security: &'static [&'static [&'static str]],
    /// The header that carries an idempotency key, when the operation declares one.
    pub idempotency_header: Option<&'static str>,
    /// The JSON body field that carries the credential, when the spec puts it in the body.
    pub credential_body_field: Option<&'static str>,
}

impl OperationSpec {
    /// Looks up an operation in a table sorted by id.
    pub fn find(table: &'static [OperationSpec], id: &str) -> Option<&'static OperationSpec> {
        table.binary_search_by(|op| op.id.cmp(id)).ok().map(|index| &table[index])
    }

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
}

#[cfg(test)]
mod tests {
    use super::*;

    static TABLE: &[OperationSpec] = &[
        OperationSpec {
            id: "a_op",
            method: "GET",
            path: "/a",
            security: &[&["token"], &["key"]],
            idempotency_header: None,
            credential_body_field: None,
        },
        OperationSpec {
            id: "b_op",
            method: "POST",
            path: "/b",
            security: &[&["token", "signed"]],
            idempotency_header: Some("Idempotency-Key"),
            credential_body_field: None,
        },
    ];

    #[test]
    fn finds_by_id_and_reports_missing() {
        assert_eq!(OperationSpec::find(TABLE, "b_op").map(|op| op.path), Some("/b"));
        assert!(OperationSpec::find(TABLE, "c_op").is_none());
    }

    #[test]
    fn security_queries() {
        let a = &TABLE[0];
        let b = &TABLE[1];
        assert!(a.accepts(&["key"]) && a.accepts(&["token"]) && !a.accepts(&["token", "key"]));
        assert!(b.accepts(&["signed", "token"]) && !b.accepts(&["token"]));
        assert!(b.requires("signed") && !a.requires("token"));
        assert!(a.is_idempotent_method() && !b.is_idempotent_method());
    }
}
