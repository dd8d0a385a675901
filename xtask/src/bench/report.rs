//! The Markdown table and `BENCHMARKS.md`.

use std::fmt::Write as _;
use std::time::Duration;

use super::build_cost::{BuildCost, CleanBuild, Features, RATIO_TARGET, TOP_CRATES};
use super::machine::Machine;
use super::{BenchRow, RegenTimes};

/// `regen` of all specs should take less than this, warm.
const REGEN_TARGET: Duration = Duration::from_secs(1);
/// Sections of `BENCHMARKS.md` kept from the previous file: written by people, or (build cost)
/// only replaced when measured again.
const BEFORE_AFTER: &str = "## Before and after";
const BUILD_COST: &str = "## Build cost";

pub struct Report {
    pub machine: Machine,
    pub rows: Vec<BenchRow>,
    pub regen: RegenTimes,
    /// Lines of each generated crate's `generated.rs`.
    pub lines: Vec<(String, usize)>,
    pub build: Option<BuildCost>,
    pub bench_time: Duration,
}

impl Report {
    /// One Markdown table with every figure of this run.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| measure | figure | against | ratio (quartiles) | target | |\n|---|---:|---:|---:|---:|---|\n",
        );
        for row in &self.rows {
            let _ = writeln!(
                out,
                "| {} {}, {} | {} {} {} | {} {} {} | {:.3} ({:.3}–{:.3}) | {} {} | {} |",
                row.group,
                row.case,
                row.mode,
                row.subject,
                thousands(row.subject_rate),
                row.unit,
                row.limit,
                thousands(row.limit_rate),
                row.unit,
                row.ratio,
                row.ratio_p25,
                row.ratio_p75,
                if row.at_most { "≤" } else { "≥" },
                row.target,
                verdict(if row.at_most { row.ratio <= row.target } else { row.ratio >= row.target }),
            );
        }
        let regen = &self.regen;
        let _ = writeln!(
            out,
            "| `regen`, all specs, warm | {} | | | < {} | {} |",
            seconds(regen.regen_warm),
            seconds(REGEN_TARGET),
            verdict(regen.regen_warm < REGEN_TARGET),
        );
        let _ = writeln!(out, "| `regen --check`, all specs, warm | {} | | | | |", seconds(regen.check_warm));
        let _ = writeln!(out, "| `regen --check`, first run in the process | {} | | | | |", seconds(regen.check_first));
        for (name, lines) in &self.lines {
            let _ = writeln!(out, "| `{name}` generated lines | {} | | | | |", thousands(*lines as f64));
        }
        if let Some(build) = &self.build {
            for client in &build.clients {
                let ratio = client.ratio();
                let _ = writeln!(
                    out,
                    "| clean `cargo build -p {}`, default (ring) against former default (aws-lc-rs) | {} | {} | {ratio:.3} | ≤ {RATIO_TARGET} | {} |",
                    client.provider,
                    seconds(client.default.wall),
                    seconds(client.aws_lc.wall),
                    verdict(ratio <= RATIO_TARGET),
                );
            }
        }
        out
    }

    /// `BENCHMARKS.md`: this run's figures, the machine, how to reproduce; the build-cost section
    /// of `previous` when build cost was not measured, and its before/after section always.
    pub fn document(&self, previous: &str) -> String {
        let m = &self.machine;
        let mut out = String::from(
            "# Benchmarks\n\n\
             Written by `cargo xtask bench`; edit only the \"Before and after\" section, which later runs keep.\n\n\
             ## Results\n\n",
        );
        out.push_str(&self.table());
        let rounds = self.rows.first().map_or(0, |row| row.rounds);
        let _ = write!(
            out,
            "\nA ratio is the subject's throughput over the limit's: the median of per-round ratios, where each \
             round times one batch of each side (about 25 ms), in alternating order, in one process. The quartiles \
             show how steady it was ({rounds} rounds). Overhead: the generated client against the same request \
             written by hand with `reqwest` + `serde_json` on the same `reqwest::Client`, against a local \
             HTTP/1.1 server answering with the specs' examples. Webhook: `Verifier::verify_and_parse` against \
             bare HMAC-SHA256 over the same bytes. `regen` runs in-process in the xtask's own build ({} \
             profile, as `cargo xtask regen` runs).\n\n\
             ## Machine\n\n\
             - date: {}\n- cores (`nproc`): {}\n- CPU: {}\n- compiler: {}\n- load average (1 min) at start: {}\n\
             - benchmarks: `cargo bench` (release profile); took {}\n\n\
             ## How to reproduce\n\n\
             ```sh\n\
             cargo xtask bench                 # overhead, webhook, regen; prints the table, writes BENCHMARKS.md\n\
             cargo xtask bench --build-cost    # adds clean builds in a temporary target dir (slow)\n\
             BENCH_ROUNDS=200 cargo xtask bench  # more rounds (default 60): steadier ratios\n\
             cargo bench -p workspace-benches --bench overhead   # one benchmark alone, figures on stderr\n\
             BENCH_CASE=Verloop cargo bench -p workspace-benches --bench overhead   # only cases whose name contains it\n\
             ```\n\n",
            if cfg!(debug_assertions) { "dev" } else { "release" },
            m.date,
            m.cores,
            m.cpu,
            m.rustc,
            m.load.as_deref().unwrap_or("unknown"),
            seconds(self.bench_time),
        );
        match &self.build {
            Some(build) => out.push_str(&self.build_section(build)),
            None => match section(previous, BUILD_COST) {
                Some(kept) => out.push_str(kept),
                None => out
                    .push_str(&format!("{BUILD_COST}\n\nNot measured yet: run `cargo xtask bench --build-cost`.\n\n")),
            },
        }
        match section(previous, BEFORE_AFTER) {
            Some(kept) => out.push_str(kept),
            None => out.push_str(&format!("{BEFORE_AFTER}\n\nNo optimisation recorded yet.\n")),
        }
        out
    }

    fn build_section(&self, build: &BuildCost) -> String {
        let mut out = format!(
            "{BUILD_COST}\n\nMeasured {} with `cargo xtask bench --build-cost`: a clean `cargo build -p <client>` \
             (dev profile, wall time) of each client crate, each in an empty temporary target dir, with its default \
             features (rustls with the ring crypto provider, HTTP/1.1) and with the former default, rustls with \
             aws-lc-rs and HTTP/2 (`--no-default-features --features rustls-aws-lc,http2`: reqwest's own `rustls` \
             feature, which builds the aws-lc C library; the former default also forced tokio's multi-threaded \
             runtime and macros on every user, which no feature brings back, so this baseline is a little cheaper \
             than the former default was). Which of the two goes first alternates between crates. Target: the default build \
             takes at most {RATIO_TARGET} of the former. The generated and client crate columns are their own \
             compile times in the default build (`--timings`); the load is the 1-minute load average when each \
             build started (default / aws-lc-rs): above the core count, other work slowed it down.\n\n\
             | provider | generated lines | generated crate | client crate | clean build, default | clean build, aws-lc-rs | ratio | target | load |\n\
             |---|---:|---:|---:|---:|---:|---:|---|---|\n",
            self.machine.date,
        );
        for client in &build.clients {
            let lines = self.lines.iter().find(|(name, _)| *name == client.generated_crate).map_or(0, |(_, n)| *n);
            let ratio = client.ratio();
            let _ = writeln!(
                out,
                "| {} | {} | {:.2} s | {:.2} s | {} | {} | {ratio:.3} | ≤ {RATIO_TARGET}: {} | {} / {} |",
                client.provider,
                thousands(lines as f64),
                client.default.crate_seconds(&client.generated_crate),
                client.default.crate_seconds(&client.provider),
                seconds(client.default.wall),
                seconds(client.aws_lc.wall),
                verdict(ratio <= RATIO_TARGET),
                client.default.load.as_deref().unwrap_or("?"),
                client.aws_lc.load.as_deref().unwrap_or("?"),
            );
        }
        let _ = write!(
            out,
            "\nThe {TOP_CRATES} crates that took longest to compile in each build (`cargo build --timings`: the sum of \
             a crate's units — build script, its run, library — so with two cores they overlap and add up to more \
             than the wall time; \"script\" is the part spent running the build script):\n\n\
             | build | features | 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---|---|---|---|\n"
        );
        let aws_lc = format!("`{}`", Features::AwsLc.args().join(" "));
        for client in &build.clients {
            for (features, built) in [("default", &client.default), (aws_lc.as_str(), &client.aws_lc)] {
                let _ = writeln!(out, "| `{}` | {features} | {} |", client.provider, top_crates(built).join(" | "));
            }
        }
        out.push('\n');
        out
    }
}

/// The costliest crates of a build, as table cells.
fn top_crates(build: &CleanBuild) -> Vec<String> {
    let mut cells: Vec<String> = build
        .crates
        .iter()
        .take(TOP_CRATES)
        .map(|c| {
            let script = if c.build_script_run >= 0.5 {
                format!(" (script {:.1} s)", c.build_script_run)
            } else {
                String::new()
            };
            format!("`{}` {:.1} s{script}", build.display_name(c), c.seconds)
        })
        .collect();
    cells.resize(TOP_CRATES, String::new());
    cells
}

/// The section of `document` that starts with `heading`, up to the next `## ` heading.
fn section<'a>(document: &'a str, heading: &str) -> Option<&'a str> {
    let start = document.find(&format!("\n{heading}")).map(|i| i + 1)?;
    let rest = &document[start..];
    let end = rest[heading.len()..].find("\n## ").map_or(rest.len(), |i| i + heading.len() + 1);
    Some(&rest[..end])
}

fn verdict(met: bool) -> &'static str {
    if met { "meets" } else { "misses" }
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// `12345.6` as `12,346`.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1234.0), "1,234");
        assert_eq!(thousands(1234567.0), "1,234,567");
    }

    #[test]
    fn keeps_a_section_up_to_the_next_heading() {
        let document = "# T\n\n## Build cost\n\nold\n\n## Before and after\n\nkept\n";
        assert_eq!(section(document, BUILD_COST), Some("## Build cost\n\nold\n\n"));
        assert_eq!(section(document, BEFORE_AFTER), Some("## Before and after\n\nkept\n"));
        assert_eq!(section(document, "## Missing"), None);
    }
}
