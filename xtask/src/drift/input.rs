//! Reading the captured log files: each line's drift finding with where it came from, and each
//! line that cannot be used with the reason.

use std::fmt;
use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::event::{self, Event};

/// Where a finding was read: a FILE argument (`-` is standard input) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Position of the file among the arguments, so reports follow the command line's order.
    pub file_index: usize,
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A line (or finding) left out, printed as `FILE:LINE: reason`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub origin: Origin,
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.reason)
    }
}

/// What the files hold.
#[derive(Debug, Default)]
pub struct Input {
    pub events: Vec<(Origin, Event)>,
    pub skipped: Vec<Skipped>,
}

/// Reads every file; a file that cannot be read at all is an error, a bad line is skipped.
pub fn read(files: &[PathBuf]) -> Result<Input> {
    let mut input = Input::default();
    for (file_index, file) in files.iter().enumerate() {
        let name = file.display().to_string();
        let bytes = if name == "-" {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).context("reading standard input")?;
            bytes
        } else {
            std::fs::read(file).with_context(|| format!("reading {name}"))?
        };
        read_lines(&mut input, file_index, &name, &bytes);
    }
    Ok(input)
}

/// Splits `bytes` into lines (`\n`, with an optional `\r`) and parses each.
pub fn read_lines(input: &mut Input, file_index: usize, file: &str, bytes: &[u8]) {
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let origin = Origin { file_index, file: file.to_string(), line: index + 1 };
        let parsed = std::str::from_utf8(line)
            .map_err(|e| format!("not UTF-8 text: {e}"))
            .and_then(|text| event::parse_line(text.strip_suffix('\r').unwrap_or(text)));
        match parsed {
            Ok(Some(event)) => input.events.push((origin, event)),
            Ok(None) => {}
            Err(reason) => input.skipped.push(Skipped { origin, reason }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_from_one_and_bad_ones_kept_apart() {
        let text = "\n{\"target\":\"other\"}\nnot json\r\n\u{0}";
        let mut input = Input::default();
        read_lines(&mut input, 0, "log.jsonl", text.as_bytes());
        assert!(input.events.is_empty());
        let lines: Vec<usize> = input.skipped.iter().map(|s| s.origin.line).collect();
        assert_eq!(lines, [3, 4]);
        assert!(input.skipped[0].to_string().starts_with("log.jsonl:3: not a JSON log line"));
    }
}
