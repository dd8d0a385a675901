//! What both benchmark binaries share: interleaved measurement of a subject against its limit,
//! and the result line `cargo xtask bench` reads. A bench uses it with `mod common;`.

use std::path::PathBuf;
use std::time::Duration;

/// Errors end a benchmark run: its figures would be meaningless.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The prefix of the lines `cargo xtask bench` parses; every other output line is for people.
pub const RESULT_PREFIX: &str = "bench-result ";

/// The workspace root (the directory holding `specs/`): this package lives in `tests/benches`.
/// Read from the `CARGO_MANIFEST_DIR` that `cargo bench` sets at run time, not the one fixed at
/// compile time: checkouts sharing a target directory share bench binaries.
pub fn workspace_root() -> Result<PathBuf, BoxError> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or("run the benchmarks with `cargo bench`")?;
    Ok(PathBuf::from(manifest_dir).join("../.."))
}

/// Reads a spec as JSON, so examples can be picked with JSON pointers.
pub fn spec(file: &str) -> Result<serde_json::Value, BoxError> {
    let text = std::fs::read_to_string(workspace_root()?.join("specs").join(file))?;
    Ok(serde_yaml::from_str(&text)?)
}

/// The value at `pointer` in `document`, or an error naming the pointer.
pub fn pick<'a>(document: &'a serde_json::Value, pointer: &str) -> Result<&'a serde_json::Value, BoxError> {
    document.pointer(pointer).ok_or_else(|| format!("no value at {pointer}").into())
}

/// Rounds per comparison: `BENCH_ROUNDS`, else 60. Each round times one batch of each side.
pub fn rounds() -> usize {
    std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(60)
}

/// Whether to run `case`: all cases, or those whose name contains `BENCH_CASE`.
pub fn selected(case: &str) -> bool {
    std::env::var("BENCH_CASE").map_or(true, |filter| case.contains(&filter))
}

/// How long one batch should take: long enough that timer resolution and scheduling noise
/// stay well under 1 %.
const BATCH_TIME: Duration = Duration::from_millis(25);

/// A subject measured against its limit (the same work done by hand, or the bare minimum).
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Units of work per second of the subject (median over rounds).
    pub subject_rate: f64,
    /// Units of work per second of the limit (median over rounds).
    pub limit_rate: f64,
    /// Subject throughput over limit throughput: median of the per-round ratios.
    pub ratio: f64,
    /// The 25th and 75th percentile of the per-round ratios: how steady the figure is.
    pub ratio_quartiles: (f64, f64),
    /// Rounds run, and units per batch.
    pub rounds: usize,
    pub batch: usize,
}

/// Times `subject` and `limit` (each runs a batch of `n` units and returns how long it took)
/// in alternating order, round after round, so that drift in machine load hits both alike.
pub fn compare(
    mut subject: impl FnMut(usize) -> Result<Duration, BoxError>,
    mut limit: impl FnMut(usize) -> Result<Duration, BoxError>,
) -> Result<Comparison, BoxError> {
    let batch = calibrate(&mut subject)?;
    limit(batch)?; // warms the limit's caches and connections too
    let rounds = rounds();
    let (mut subject_times, mut limit_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (s, l) = if round % 2 == 0 {
            let s = subject(batch)?;
            (s, limit(batch)?)
        } else {
            let l = limit(batch)?;
            (subject(batch)?, l)
        };
        ratios.push(l.as_secs_f64() / s.as_secs_f64());
        subject_times.push(s.as_secs_f64());
        limit_times.push(l.as_secs_f64());
    }
    let rate = |times: &mut Vec<f64>| batch as f64 / quantile(times, 0.5);
    Ok(Comparison {
        subject_rate: rate(&mut subject_times),
        limit_rate: rate(&mut limit_times),
        ratio: quantile(&mut ratios, 0.5),
        ratio_quartiles: (quantile(&mut ratios, 0.25), quantile(&mut ratios, 0.75)),
        rounds,
        batch,
    })
}

/// The batch size that takes about [`BATCH_TIME`], found by doubling (which also warms up).
fn calibrate(run: &mut impl FnMut(usize) -> Result<Duration, BoxError>) -> Result<usize, BoxError> {
    let mut batch = 1;
    loop {
        let took = run(batch)?;
        if took >= BATCH_TIME || batch >= 1 << 20 {
            let scaled = batch as f64 * BATCH_TIME.as_secs_f64() / took.as_secs_f64().max(1e-9);
            return Ok((scaled.round() as usize).max(1));
        }
        batch *= 2;
    }
}

fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * q).round() as usize]
}

/// One result: printed for people, and as a `bench-result` JSON line for `cargo xtask bench`.
pub struct Record<'a> {
    pub group: &'a str,
    pub case: &'a str,
    pub mode: &'a str,
    pub unit: &'a str,
    pub subject: &'a str,
    pub limit: &'a str,
    pub target: f64,
}

impl Record<'_> {
    pub fn print(&self, figures: &Comparison) {
        let verdict = if figures.ratio >= self.target { "meets" } else { "misses" };
        eprintln!(
            "{} / {} / {}: {} {:.0} {unit}, {} {:.0} {unit}, ratio {:.3} (quartiles {:.3}–{:.3}; {verdict} target {})",
            self.group,
            self.case,
            self.mode,
            self.subject,
            figures.subject_rate,
            self.limit,
            figures.limit_rate,
            figures.ratio,
            figures.ratio_quartiles.0,
            figures.ratio_quartiles.1,
            self.target,
            unit = self.unit,
        );
        let line = serde_json::json!({
            "group": self.group,
            "case": self.case,
            "mode": self.mode,
            "unit": self.unit,
            "subject": self.subject,
            "limit": self.limit,
            "subject_rate": figures.subject_rate,
            "limit_rate": figures.limit_rate,
            "ratio": figures.ratio,
            "ratio_p25": figures.ratio_quartiles.0,
            "ratio_p75": figures.ratio_quartiles.1,
            "target": self.target,
            "rounds": figures.rounds,
            "batch": figures.batch,
        });
        println!("{RESULT_PREFIX}{line}");
    }
}
