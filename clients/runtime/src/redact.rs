//! Body snippets for error messages: capped, on one line, with the client's credential values
//! and secret-looking members removed (a provider may echo a token back).

/// The most of a body an error message shows.
pub const SNIPPET_LIMIT: usize = 512;

const REDACTED: &str = "<redacted>";

/// Whether a member or parameter name looks like it holds a secret.
pub fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "key", "password", "secret", "signature"].iter().any(|word| name.contains(word))
}

/// The start of `body` as one line of at most [`SNIPPET_LIMIT`] bytes: JSON with the values of
/// secret-looking members replaced, any other text as it is; then every occurrence of a value
/// in `secrets` replaced.
pub(crate) fn snippet(body: &[u8], secrets: &[String]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            redact_members(&mut value);
            value.to_string()
        }
        Err(_) => redact_pairs(&String::from_utf8_lossy(body).split_whitespace().collect::<Vec<_>>().join(" ")),
    };
    cap(scrub(&text, secrets))
}

/// `text` with every credential value replaced and line breaks flattened.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.replace(['\r', '\n'], " ");
    for secret in secrets.iter().filter(|secret| secret.len() >= 4) {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), REDACTED);
        }
    }
    text
}

fn redact_members(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if looks_secret(name) && !member.is_object() && !member.is_array() && !member.is_null() {
                    *member = serde_json::Value::String(REDACTED.into());
                } else {
                    redact_members(member);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_members),
        _ => {}
    }
}

/// `accessToken=…` and `"token": "…"` style pairs in text that is not JSON.
fn redact_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['=', ':']) {
        let (before, after) = rest.split_at(at + 1);
        out.push_str(before);
        let name = before[..at].trim_end_matches(['"', '\'', ' ']);
        let name = name.rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).next().unwrap_or_default();
        if !looks_secret(name) {
            rest = after;
            continue;
        }
        let value = after.trim_start();
        out.push_str(&after[..after.len() - value.len()]);
        let end = match value.strip_prefix(['"', '\'']) {
            Some(quoted) => quoted.find(['"', '\'']).map_or(value.len(), |close| close + 2),
            None => value.find(['&', ' ', ',', ';']).unwrap_or(value.len()),
        };
        out.push_str(REDACTED);
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

fn cap(mut text: String) -> String {
    if text.len() > SNIPPET_LIMIT {
        let mut end = SNIPPET_LIMIT - '…'.len_utf8();
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_members_and_values_are_removed() {
        let secrets = vec!["bps_pat_s3cr3t".to_string()];
        let body = br#"{"message":"bad token bps_pat_s3cr3t","accessToken":"abc","nested":{"api_key":7},"ok":0}"#;
        let shown = snippet(body, &secrets);
        assert!(!shown.contains("s3cr3t") && !shown.contains("abc") && !shown.contains(":7"), "{shown}");
        assert!(shown.contains("\"ok\":0") && shown.contains("bad token <redacted>"), "{shown}");
        let text = snippet(b"error\naccessToken=abc123&x=1 password: hunter2", &secrets);
        assert_eq!(text, "error accessToken=<redacted>&x=1 password: <redacted>");
        let quoted = snippet(br#"{"token": "abc" "#, &secrets);
        assert_eq!(quoted, r#"{"token": <redacted>"#);
    }

    #[test]
    fn snippets_are_capped_on_a_char_boundary() {
        let long = "é".repeat(600);
        let shown = snippet(long.as_bytes(), &[]);
        assert!(shown.len() <= SNIPPET_LIMIT && shown.ends_with('…'), "{}", shown.len());
        assert_eq!(snippet(b"", &[]), "");
    }
}
