//! `cargo xtask bench`: runs the benchmarks of `tests/benches` (client overhead, webhook
//! throughput), times `regen` in-process, optionally measures build cost, prints one Markdown
//! table and writes `BENCHMARKS.md`.
//!
//! The xtask does not depend on the clients: the benchmarks run as `cargo bench` of the
//! `workspace-benches` package and report through `bench-result {json}` lines on stdout.

mod build_cost;
mod machine;
mod report;

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::config;
use crate::regen;

/// The prefix of the result lines the benchmark binaries print.
const RESULT_PREFIX: &str = "bench-result ";
/// The benchmark targets of `tests/Cargo.toml`.
const BENCHES: [&str; 4] = ["overhead", "webhook", "instructions", "messaging_instructions"];
/// Warm regen runs; the median is reported.
const WARM_RUNS: usize = 3;

/// One comparison a benchmark binary reported.
#[derive(Debug, Deserialize)]
pub struct BenchRow {
    pub group: String,
    pub case: String,
    pub mode: String,
    pub unit: String,
    pub subject: String,
    pub limit: String,
    pub subject_rate: f64,
    pub limit_rate: f64,
    pub ratio: f64,
    pub ratio_p25: f64,
    pub ratio_p75: f64,
    pub target: f64,
    pub rounds: usize,
    pub batch: usize,
    /// The ratio is a cost (instructions): it meets its target at or below it.
    #[serde(default)]
    pub at_most: bool,
}

/// `regen` wall times, in-process: the first run pays one-off costs (file cache, lazy statics).
pub struct RegenTimes {
    pub check_first: Duration,
    pub regen_warm: Duration,
    pub check_warm: Duration,
}

pub fn run(args: &[String]) -> Result<ExitCode> {
    let build_cost = args.iter().any(|a| a == "--build-cost");
    if let Some(arg) = args.iter().find(|a| *a != "--build-cost") {
        bail!("unknown argument `{arg}`");
    }
    let root = config::workspace_root()?;
    let machine = machine::Machine::probe();
    let regen_times = time_regen(&root)?;
    let started = Instant::now();
    let rows = run_benches(&root)?;
    let bench_time = started.elapsed();
    let providers = config::providers(&root)?;
    let lines = providers
        .iter()
        .map(|p| Ok((p.crate_name.clone(), build_cost::generated_lines(&root, p)?)))
        .collect::<Result<Vec<_>>>()?;
    let build = if build_cost { Some(build_cost::measure(&root, &providers)?) } else { None };
    let report = report::Report { machine, rows, regen: regen_times, lines, build, bench_time };
    println!("{}", report.table());
    let path = root.join("BENCHMARKS.md");
    let previous = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, report.document(&previous)).context("writing BENCHMARKS.md")?;
    eprintln!("wrote BENCHMARKS.md");
    Ok(ExitCode::SUCCESS)
}

/// Times `regen --check`, then warm `regen` and `regen --check` (median of [`WARM_RUNS`]).
/// Refuses to benchmark stale generated code.
fn time_regen(root: &std::path::Path) -> Result<RegenTimes> {
    let timed = |check: bool| -> Result<(Duration, regen::Report)> {
        let started = Instant::now();
        let report = regen::regen(root, &[], check)?;
        Ok((started.elapsed(), report))
    };
    let (check_first, report) = timed(true)?;
    if !report.is_clean() {
        bail!("generated/ is out of date with specs/ (or a spec is invalid): run `cargo xtask regen` first");
    }
    let median = |check: bool| -> Result<Duration> {
        let mut times = (0..WARM_RUNS).map(|_| timed(check).map(|(time, _)| time)).collect::<Result<Vec<_>>>()?;
        times.sort();
        Ok(times[times.len() / 2])
    };
    Ok(RegenTimes { check_first, regen_warm: median(false)?, check_warm: median(true)? })
}

/// Installs valgrind (for the instruction counts) from Debian's packages when it is missing.
fn ensure_valgrind() -> Result<()> {
    let present = |program: &str| Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    if present("valgrind") {
        return Ok(());
    }
    eprintln!("installing valgrind (apt-get install valgrind) for the instruction counts");
    let installed = Command::new("apt-get").args(["install", "-y", "-qq", "valgrind"]).status();
    if !installed.is_ok_and(|status| status.success()) || !present("valgrind") {
        bail!("the instruction counts need valgrind: install it with `apt-get install valgrind`");
    }
    Ok(())
}

/// Runs `cargo bench -p workspace-benches --bench …` and collects its result lines.
fn run_benches(root: &std::path::Path) -> Result<Vec<BenchRow>> {
    ensure_valgrind()?;
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args(["bench", "-p", "workspace-benches"]);
    for bench in BENCHES {
        command.args(["--bench", bench]);
    }
    eprintln!("running cargo bench -p workspace-benches (figures appear as each case ends)");
    let output = command
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo bench")?;
    if !output.status.success() {
        bail!("cargo bench failed");
    }
    let stdout = String::from_utf8(output.stdout).context("benchmark output is not UTF-8")?;
    let rows = stdout
        .lines()
        .filter_map(|line| line.strip_prefix(RESULT_PREFIX))
        .map(|json| serde_json::from_str(json).with_context(|| format!("reading result line {json}")))
        .collect::<Result<Vec<BenchRow>>>()?;
    if rows.is_empty() {
        bail!("the benchmarks reported no results");
    }
    Ok(rows)
}
