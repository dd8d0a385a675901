//! `cargo xtask drift FILE...`: turns the spec-drift findings the runtime logs (target
//! `whatsapp_sdk::drift`, one tracing-subscriber JSON line each) into edits of the specs.
//!
//! Each finding is resolved against its provider's spec (the operation's response schema for
//! the status, down through `$ref`, `allOf`/`oneOf`/`anyOf`, `items` and
//! `additionalProperties`), duplicates are merged, and the implied edits are proposed: a new
//! optional property for an unknown member, a new enum value, a new response for an
//! undocumented status. Each added node carries `x-observed: true` (an enum lists its added
//! values in `x-observed-values`), so reviewers and `cargo xtask audit` can tell observed facts
//! from documented ones. Content-type and body mismatches are listed for a human. By default
//! the command prints a unified diff; `--write` applies it.
//!
//! Why yaml-edit: the specs are written by hand, with comments, a chosen key order, flow lists
//! (`enum: [A, B]`) beside block ones, and two quoting styles; a review must see only the added
//! lines. A serde round trip would drop the comments and reformat every line, and regex edits
//! cannot know where a YAML node ends or how its siblings are indented. yaml-edit keeps a
//! lossless syntax tree (rowan), so unchanged bytes are reproduced exactly, and it builds new
//! entries in the indentation and flow/block style of the mapping or list they join. Every
//! edited text is read back with serde_yaml and the xtask's spec checks before it is shown or
//! written.

mod args;
mod edits;
mod event;
mod input;
mod merge;
mod output;
mod plan;
mod pointer;
mod resolve;
mod schema;
mod verify;
mod write;
mod yaml;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

pub use args::{Options, Parsed, USAGE};
pub use edits::{Change, Edit, HumanFinding, PropertySchema};
pub use event::{Event, JsonType, Kind, MESSAGE, TARGET, WEBHOOK, parse_line};
pub use input::{Origin, Skipped};
pub use output::{diffs, for_human, summary, unified_diff};
pub use plan::{Outcome, SpecEdit, plan};
pub use yaml::RESPONSE_DESCRIPTION;

/// `cargo xtask drift …` with the process's stdout and stderr.
pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let status = run_with(root, args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())?;
    Ok(ExitCode::from(status))
}

/// The command with its output streams given (for tests): the findings for a human and the
/// diff (or, with `--write`, the files written) on `out`; skipped lines (`FILE:LINE: reason`)
/// and the summary on `err`. Returns the exit status: 1 when anything was skipped, else 0.
pub fn run_with(root: &Path, args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<u8> {
    let options = match Options::parse(args)? {
        Parsed::Help => {
            writeln!(out, "{USAGE}")?;
            return Ok(0);
        }
        Parsed::Run(options) => options,
    };
    let outcome = plan(root, &options)?;
    for skipped in &outcome.skipped {
        writeln!(err, "{skipped}")?;
    }
    write!(out, "{}", for_human(&outcome))?;
    if options.write {
        apply(&outcome)?;
        for spec in &outcome.specs {
            writeln!(out, "wrote {} ({} edit(s))", spec.display, spec.edits.len())?;
        }
    } else {
        write!(out, "{}", diffs(&outcome))?;
    }
    write!(err, "{}", summary(&outcome, options.write))?;
    Ok(outcome.exit_status())
}

/// Writes every changed spec of `outcome` (each atomically).
pub fn apply(outcome: &Outcome) -> Result<()> {
    for spec in &outcome.specs {
        write::replace(&spec.path, &spec.before, &spec.after)?;
    }
    Ok(())
}
