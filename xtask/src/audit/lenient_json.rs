//! A tolerant JSON reader for upstream examples that are not JSON as printed: `//` and `/* */`
//! comments, unquoted keys, unquoted placeholders (`some-client-id`, `{{PhoneNumber}}`,
//! `<TIMESTAMP>`, `0000`), trailing commas and missing commas between members.
//!
//! A bare token that is not a JSON literal becomes a string and its JSON pointer is recorded as
//! a placeholder: its real type is unknown, so type checks accept any scalar there.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::spec::escape_token;

/// A repaired document and the pointers of the placeholders it held.
#[derive(Debug, Clone, PartialEq)]
pub struct Lenient {
    pub value: Value,
    pub placeholders: BTreeSet<String>,
}

/// Reads `text` tolerantly; an error says where reading stopped.
pub fn parse(text: &str) -> Result<Lenient, String> {
    let mut reader = Reader { chars: text.chars().collect(), at: 0, placeholders: BTreeSet::new() };
    let value = reader.value("")?;
    reader.skip_blank();
    if reader.at < reader.chars.len() {
        return Err(format!("unexpected text after the document at character {}", reader.at));
    }
    Ok(Lenient { value, placeholders: reader.placeholders })
}

struct Reader {
    chars: Vec<char>,
    at: usize,
    placeholders: BTreeSet<String>,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars().enumerate().all(|(i, c)| self.chars.get(self.at + i) == Some(&c))
    }

    fn skip_blank(&mut self) {
        loop {
            while self.peek().is_some_and(char::is_whitespace) {
                self.at += 1;
            }
            if self.starts_with("//") {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.at += 1;
                }
            } else if self.starts_with("/*") {
                self.at += 2;
                while self.at < self.chars.len() && !self.starts_with("*/") {
                    self.at += 1;
                }
                self.at = (self.at + 2).min(self.chars.len());
            } else {
                return;
            }
        }
    }

    fn value(&mut self, pointer: &str) -> Result<Value, String> {
        self.skip_blank();
        match self.peek() {
            None => Err("the document ends where a value is expected".into()),
            Some('{') if !self.starts_with("{{") => self.object(pointer),
            Some('[') => self.array(pointer),
            Some('"') => self.string().map(Value::String),
            Some(_) => Ok(self.bare(pointer)),
        }
    }

    fn object(&mut self, pointer: &str) -> Result<Value, String> {
        self.at += 1;
        let mut members = Map::new();
        loop {
            self.skip_blank();
            match self.peek() {
                None => return Err("an object is not closed".into()),
                Some('}') => {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                Some(',') => self.at += 1,
                Some(_) => {
                    let key = self.key()?;
                    let value = self.value(&format!("{pointer}/{}", escape_token(&key)))?;
                    members.insert(key, value);
                }
            }
        }
    }

    fn key(&mut self) -> Result<String, String> {
        let key = if self.peek() == Some('"') {
            self.string()?
        } else {
            let start = self.at;
            while self.peek().is_some_and(|c| c != ':' && c != '}' && c != '\n') {
                self.at += 1;
            }
            self.chars[start..self.at].iter().collect::<String>().trim().to_string()
        };
        self.skip_blank();
        if self.peek() != Some(':') {
            return Err(format!("no `:` after the key `{key}` at character {}", self.at));
        }
        self.at += 1;
        Ok(key)
    }

    fn array(&mut self, pointer: &str) -> Result<Value, String> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            match self.peek() {
                None => return Err("an array is not closed".into()),
                Some(']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                Some(',') => self.at += 1,
                Some(_) => {
                    let item = self.value(&format!("{pointer}/{}", items.len()))?;
                    items.push(item);
                }
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let start = self.at;
        self.at += 1;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '\\' => self.at += 1,
                '"' => {
                    let quoted: String = self.chars[start..self.at].iter().collect();
                    return serde_json::from_str(&quoted).map_err(|e| format!("bad string {quoted}: {e}"));
                }
                _ => {}
            }
        }
        Err("a string is not closed".into())
    }

    /// A bare token up to the next separator: a JSON literal, else a placeholder string.
    fn bare(&mut self, pointer: &str) -> Value {
        let start = self.at;
        if self.starts_with("{{") {
            while self.at < self.chars.len() && !self.starts_with("}}") {
                self.at += 1;
            }
            self.at = (self.at + 2).min(self.chars.len());
        } else {
            while self.peek().is_some_and(|c| !matches!(c, ',' | '}' | ']' | '\n')) && !self.starts_with("//") {
                self.at += 1;
            }
        }
        let token = self.chars[start..self.at].iter().collect::<String>().trim().to_string();
        match serde_json::from_str::<Value>(&token) {
            Ok(literal) if !literal.is_object() && !literal.is_array() => literal,
            _ => {
                self.placeholders.insert(pointer.to_string());
                Value::String(token)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn repairs_comments_placeholders_and_commas() {
        let text = r#"{
            "PhoneID": meta-phone-identifier, // the phone
            "Template": {{object}} //template body
            "n": 0000, "ok": true, "x": [1, 2,],
            Success: true,
            "t": <TIMESTAMP>,
        }"#;
        let read = parse(text).unwrap();
        assert_eq!(
            read.value,
            json!({"PhoneID": "meta-phone-identifier", "Template": "{{object}}", "n": "0000", "ok": true,
                   "x": [1, 2], "Success": true, "t": "<TIMESTAMP>"})
        );
        let expected: BTreeSet<String> = ["/PhoneID", "/Template", "/n", "/t"].map(String::from).into();
        assert_eq!(read.placeholders, expected);
    }

    #[test]
    fn keeps_urls_inside_strings_and_reports_unclosed_documents() {
        assert_eq!(parse(r#"{"u": "https://x//y"}"#).unwrap().value, json!({"u": "https://x//y"}));
        assert!(parse(r#"{"a": [1, 2"#).is_err());
        assert!(parse(r#"{"a" 1}"#).is_err());
    }
}
