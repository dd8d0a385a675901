//! `cargo xtask <command>`: maintenance tasks for the workspace (matklad's xtask convention).

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regen [PROVIDER...] [--check]   generate generated/<crate> from specs/ (all providers by default);
                                  --check writes nothing and fails naming each stale file
  audit [PROVIDER...]             compare each spec with its upstream document (specs/upstream/);
                                  prints coverage per provider and fails naming each gap not in
                                  specs/audit-allowlist.yaml
  show <SPEC.yaml>                print the code a spec generates (for debugging a spec)
  diff [--base <git-rev>]         Markdown report of API changes in specs/ since <git-rev> (default:
                                  the merge base with main); exit status 2 when something breaks
  diff --old <SPEC> --new <SPEC>  the same report for two spec files
  drift [--write] [--specs DIR] FILE...
                                  turn captured `whatsapp_sdk::drift` log lines (tracing JSON) into
                                  spec edits marked `x-observed`; prints a unified diff, --write
                                  applies it; exit status 1 when a line was skipped (FILE:LINE: reason)
  changelog [CRATE...] [--check] [--no-semver-checks]
                                  write the [Unreleased] notes of each clients/<crate>/CHANGELOG.md
                                  from the changes since its last release tag (`diff` of the spec,
                                  cargo-semver-checks of the Rust API when installed); hand-written
                                  entries are kept; --check writes nothing and fails if one is stale
  release --check                 fail when a crate's version does not cover its changes since its
                                  last release tag (0.x: breaking => minor bump), or versions disagree
  release <CRATE> <VERSION> [--bump-only]
                                  set the version (generated crates and requirements too), move
                                  [Unreleased] under it with today's date, print the tag to create;
                                  --bump-only leaves the changelog alone
  sandbox <PROVIDER> [--port N]   serve the provider's sandbox on 127.0.0.1 (documented examples,
                                  credential and parameter checks) until Ctrl-C
  bench [--build-cost]            run the benchmarks, print one table, write BENCHMARKS.md;
                                  --build-cost adds clean builds per client crate (slow)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("regen") => xtask::regen::run(&args[1..]),
        Some("audit") => xtask::audit::run(&args[1..]),
        Some("diff") => xtask::diff::run(&args[1..]),
        Some("drift") => xtask::config::workspace_root().and_then(|root| xtask::drift::run(&root, &args[1..])),
        Some("bench") => xtask::bench::run(&args[1..]),
        Some("changelog") => xtask::release::run_changelog(&args[1..]),
        Some("release") => xtask::release::run_release(&args[1..]),
        Some("show") if args.len() == 2 => xtask::regen::show(std::path::Path::new(&args[1])),
        Some("sandbox") => xtask::sandbox::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
