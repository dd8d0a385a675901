//! The command line of `cargo xtask drift`.

use std::path::PathBuf;

use anyhow::{Result, bail};

pub const USAGE: &str = "\
usage: cargo xtask drift [--write] [--specs DIR] FILE...

Reads captured `whatsapp_sdk::drift` events (tracing-subscriber JSON lines, `-` = stdin), resolves
each against its provider's spec and prints the spec edits they imply as a unified diff.
  --write       apply the edits to the specs instead (atomically)
  --specs DIR   the specs directory (default: the workspace's specs/)
A line that cannot be used is reported as FILE:LINE: reason and skipped; the exit status is then 1.";

/// What the command was asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub files: Vec<PathBuf>,
    pub write: bool,
    /// The specs directory; `None` is `<root>/specs`.
    pub specs: Option<PathBuf>,
}

/// `Help` when `-h`/`--help` was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run(Options),
    Help,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Parsed> {
        let mut options = Options::default();
        let mut rest = args.iter();
        let mut only_files = false;
        while let Some(arg) = rest.next() {
            match arg.as_str() {
                _ if only_files => options.files.push(arg.into()),
                "--" => only_files = true,
                "-h" | "--help" => return Ok(Parsed::Help),
                "--write" => options.write = true,
                "--specs" => match rest.next() {
                    Some(dir) => options.specs = Some(dir.into()),
                    None => bail!("`--specs` needs a directory\n{USAGE}"),
                },
                _ if arg.starts_with("--specs=") => options.specs = Some(arg["--specs=".len()..].into()),
                "-" => options.files.push(arg.into()),
                _ if arg.starts_with('-') => bail!("unknown option `{arg}`\n{USAGE}"),
                _ => options.files.push(arg.into()),
            }
        }
        if options.files.is_empty() {
            bail!("no FILE given\n{USAGE}");
        }
        Ok(Parsed::Run(options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Parsed> {
        Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn flags_and_files() {
        let Parsed::Run(options) = parse(&["a.jsonl", "--write", "--specs", "/tmp/s", "--", "--b"]).unwrap() else {
            panic!("not a run")
        };
        assert_eq!(options.files, [PathBuf::from("a.jsonl"), PathBuf::from("--b")]);
        assert!(options.write);
        assert_eq!(options.specs, Some(PathBuf::from("/tmp/s")));
        assert_eq!(parse(&["--help"]).unwrap(), Parsed::Help);
        assert!(parse(&[]).is_err());
        assert!(parse(&["--frobnicate", "a"]).is_err());
        assert!(parse(&["a", "--specs"]).is_err());
    }
}
