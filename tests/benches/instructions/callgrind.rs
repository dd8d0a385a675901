//! The count both instruction benchmarks take: callgrind over a run of the bench binary itself.

use std::process::Command;

use crate::common::BoxError;

/// Instructions callgrind counted for `count` requests (or sends) of `case` on `side` (whole process).
pub fn count(executable: &std::path::Path, case: &str, side: &str, count: u64, address: &str) -> Result<u64, BoxError> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(executable)
        .args(["run", case, side, &count.to_string(), address])
        .output()?;
    let log = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("{case} ({side}): {log}").into());
    }
    log.lines()
        .find_map(|line| line.split("Collected :").nth(1))
        .and_then(|number| number.trim().parse().ok())
        .ok_or_else(|| format!("callgrind printed no count: {log}").into())
}
