//! Where in a JSON body something happened, as a JSON pointer (`/data/3/status`): the member
//! where a body stops decoding, and the paths serde reports.

use serde::de::DeserializeOwned;

/// Decodes `body` again as `T`, tracking where it fails (on error paths only): the JSON pointer
/// of the failing member and serde's message.
pub(crate) fn locate_mismatch<T: DeserializeOwned>(body: &[u8]) -> (String, String) {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => (String::new(), "the body decodes only partially".to_string()),
        Err(error) => (from_error_path(error.path()), error.inner().to_string()),
    }
}

/// serde_path_to_error's `data[3].status` as `/data/3/status`.
pub(crate) fn from_error_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(escape(key)),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .fold(String::new(), |mut out, token| {
            out.push('/');
            out.push_str(&token);
            out
        })
}

/// serde_ignored's path of an ignored member.
pub(crate) fn from_ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}/{index}", from_ignored_path(parent)),
        Path::Map { parent, key } => format!("{}/{}", from_ignored_path(parent), escape(key)),
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => {
            from_ignored_path(parent)
        }
    }
}

/// A member name as a pointer token (RFC 6901: `~` and `/` escaped).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        data: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        status: u8,
    }

    #[test]
    fn mismatches_are_located_by_json_pointer() {
        let body = br#"{"data":[{"status":1},{"status":2},{"status":3},{"status":"late"}]}"#;
        let (path, message) = locate_mismatch::<Page>(body);
        assert_eq!(path, "/data/3/status");
        assert!(message.contains("invalid type: string"), "{message}");
        assert_eq!(locate_mismatch::<Page>(b"not json").0, "");
    }

    #[test]
    fn member_names_are_escaped() {
        let body = br#"{"data":[{"status":1}],"a/b~c":{"x":1}}"#;
        let mut ignored = Vec::new();
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let _: Page =
            serde_ignored::deserialize(&mut deserializer, |path| ignored.push(from_ignored_path(&path))).unwrap();
        assert_eq!(ignored, ["/a~1b~0c"]);
    }
}
