//! JSON pointers (RFC 6901) split into their unescaped tokens, and joined back.

/// The tokens of `pointer`; the empty pointer (the whole document) has none.
pub fn tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!("`{pointer}` is not a JSON pointer"));
    };
    rest.split('/').map(|token| unescape(token).ok_or_else(|| format!("`{pointer}`: bad `~` escape"))).collect()
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next()? {
                '0' => out.push('~'),
                '1' => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// `base` followed by `tokens`, escaped.
pub fn join<I, S>(base: &str, tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    format!("{base}{}", crate::spec::pointer(tokens))
}

/// Whether a token can index an array (`0`, `17`; not `-`, `01` or a name).
pub fn is_index(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) && (token == "0" || !token.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unescaped() {
        assert_eq!(tokens("").unwrap(), Vec::<String>::new());
        assert_eq!(tokens("/a~1b/0/c~0d").unwrap(), ["a/b", "0", "c~d"]);
        assert_eq!(tokens("/").unwrap(), [""]);
        assert!(tokens("a").is_err());
        assert!(tokens("/a~2").is_err());
        assert_eq!(join("/paths", ["/x/{id}", "get"]), "/paths/~1x~1{id}/get");
        assert!(is_index("0") && is_index("12") && !is_index("01") && !is_index("-"));
    }
}
