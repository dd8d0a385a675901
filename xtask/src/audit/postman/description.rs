//! What a Postman description's HTML documents: parameter tables (`Name` + `Required` ✅/❌
//! columns; the heading before a table says query, form data, header or body), response examples
//! after a `Response` line (`200 OK` before a body gives its status), and the `<pre><code>`
//! examples of a webhook page, named by the heading before each.

use crate::audit::model::{Example, ExampleBody, Param};

/// What a parameter table holds, by the heading before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TableKind {
    Query,
    Header,
    FormData,
    Body,
}

/// The parameter tables of a description, with what the text before each says they hold.
pub fn tables(html: &str) -> Vec<(TableKind, Vec<Param>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        let Some(length) = rest[start..].find("</table>") else { break };
        let before = plain_text(&rest[..start]).to_ascii_lowercase();
        let table = &rest[start..start + length];
        rest = &rest[start + length..];
        let last_heading = before.trim_end().lines().rev().find(|line| !line.trim().is_empty()).unwrap_or_default();
        let kind = if last_heading.contains("form data") {
            TableKind::FormData
        } else if last_heading.contains("query") {
            TableKind::Query
        } else if last_heading.contains("header") {
            TableKind::Header
        } else if last_heading.contains("body") {
            TableKind::Body
        } else {
            continue;
        };
        let headers: Vec<String> = cells(table, "th").iter().map(|c| c.to_ascii_lowercase()).collect();
        let (Some(name_at), required_at) =
            (headers.iter().position(|h| h == "name"), headers.iter().position(|h| h == "required"))
        else {
            continue;
        };
        let rows = table
            .split("<tr")
            .skip(1)
            .filter(|row| row.starts_with(['>', ' ']))
            .map(|row| cells(row, "td"))
            .filter(|row| !row.is_empty());
        let params = rows
            .filter_map(|row| {
                let name = row.get(name_at)?.trim().to_string();
                let required = required_at.and_then(|at| row.get(at)).and_then(|cell| required_flag(cell));
                Some(Param { name, required })
            })
            .collect();
        out.push((kind, params));
    }
    out
}

fn required_flag(cell: &str) -> Option<bool> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "✅" | "yes" | "true" | "required" => Some(true),
        "❌" | "no" | "false" | "optional" => Some(false),
        _ => None,
    }
}

/// The text of each `<tag>…</tag>` cell of `html`.
fn cells(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    html.split(&open)
        .skip(1)
        .filter(|chunk| chunk.starts_with(['>', ' ']))
        .filter_map(|chunk| {
            let content = &chunk[chunk.find('>')? + 1..];
            Some(plain_text(&content[..content.find(&close).unwrap_or(content.len())]).trim().to_string())
        })
        .collect()
}

/// HTML as text: line breaks for `<br>`, paragraphs and blocks; tags dropped; entities decoded.
fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if matches!(name.as_str(), "br" | "p" | "tr" | "pre" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li") {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    unescape(&out)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Response examples written in a description after its `Response` line.
pub fn response_examples(html: &str) -> Vec<Example> {
    let text = plain_text(html);
    let Some(start) = text.lines().position(|line| line.trim().to_ascii_lowercase().starts_with("response")) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().skip(start + 1).collect();
    let mut examples = Vec::new();
    let mut status = None;
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at].trim();
        if let Some(code) = line.get(..3).and_then(|c| c.parse::<u16>().ok()).filter(|c| (100..600).contains(c)) {
            status = Some(code);
        }
        if line.starts_with('{') || line.starts_with('[') {
            let (body, used) = balanced(&lines[at..]);
            let name = status.map_or("description example".to_string(), |code| format!("description example {code}"));
            examples.push(Example { name, status: status.take(), body: ExampleBody::read(&body) });
            at += used;
        } else {
            at += 1;
        }
    }
    examples
}

/// The lines from the first up to where its brackets balance (outside strings), and their count.
fn balanced(lines: &[&str]) -> (String, usize) {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for (index, line) in lines.iter().enumerate() {
        for c in line.chars() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '{' | '[' if !in_string => depth += 1,
                '}' | ']' if !in_string => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            return (lines[..=index].join("\n"), index + 1);
        }
    }
    (lines.join("\n"), lines.len())
}

/// The `<pre><code>` blocks of a description, named by the heading before each.
pub fn code_block_examples(html: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut heading = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<code>") {
        let before = &rest[..start];
        if let Some(h) = last_heading(before) {
            heading = h;
        }
        let Some(length) = rest[start..].find("</code>") else { break };
        let code = unescape(&rest[start + "<code>".len()..start + length]);
        rest = &rest[start + length..];
        if code.trim_start().starts_with(['{', '[']) {
            examples.push(Example { name: heading.clone(), status: None, body: ExampleBody::read(&code) });
        }
    }
    examples
}

fn last_heading(html: &str) -> Option<String> {
    let start = ["<h1", "<h2", "<h3", "<h4", "<h5", "<h6"].iter().filter_map(|tag| html.rfind(tag)).max()?;
    let content = &html[start..];
    let open_end = content.find('>')? + 1;
    let close = content[open_end..].find("</h")?;
    Some(plain_text(&content[open_end..open_end + close]).trim().to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;

    #[test]
    fn reads_description_tables_and_examples() {
        let html = "<p>Form Data Parameters:</p><table><thead><tr><th>Name</th><th>Type</th><th>Required</th></tr></thead>\
            <tbody><tr><td><code>file</code></td><td>file</td><td>✅</td></tr><tr><td><code>file_name</code></td><td>s</td><td>❌</td></tr></tbody></table>\
            <p>Response: \n200 OK<br />{<br />\"message\": \"ok\"<br />}</p><p>400 Bad Request<br />{<br />\"error\": \"bad\"<br />}</p>";
        let found = tables(html);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, TableKind::FormData);
        assert_eq!(
            found[0].1,
            [
                Param { name: "file".into(), required: Some(true) },
                Param { name: "file_name".into(), required: Some(false) }
            ]
        );
        let examples = response_examples(html);
        assert_eq!(examples.iter().map(|e| e.status).collect::<Vec<_>>(), [Some(200), Some(400)]);
        assert_eq!(
            examples[1].body,
            ExampleBody::Json { value: json!({"error": "bad"}), placeholders: BTreeSet::new() }
        );
    }
}
