//! Grading with convergence: snapshot, evaluate, and while checks are converging (or, with
//! `--wait`, failing) re-snapshot until they settle, time runs out, or a caller's deadline
//! (`lab grade`'s per-cluster timeout) leaves no room for another snapshot.

use crate::connection::{ClusterError, Connection};
use crate::evaluate;
use crate::report::{Report, Status};
use crate::snapshot::Snapshot;
use lab_schema::{Lab, LabDuration};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `--wait`: re-snapshot until every check passes or this much time has gone by; then
    /// a check still converging counts as failed.
    pub wait: Option<Duration>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    /// Pause between snapshots (default 500 ms).
    pub poll: Option<Duration>,
    /// Stop re-reading when another snapshot would not fit before this instant, and grade
    /// what the cluster shows by then.
    pub deadline: Option<Instant>,
    /// Called before each re-read with the latest report and the time spent so far
    /// (`lab check` shows progress on stderr with it).
    pub on_wait: Option<fn(&Report, Duration)>,
    /// Add to each failed check the commands that fix it from the state found
    /// (`lab check --fix`); without it, reports carry hints only.
    pub fixes: bool,
}

/// Grades `lab` on the cluster behind `conn`.
///
/// Without `wait`, a converging check is re-read for as long as its own `wait` (from the
/// lab file) allows, and is reported as converging if it has not settled by then: never as
/// a failure. With `wait`, every check that has not passed is re-read until the deadline,
/// and what is still converging then is reported as failed.
pub async fn check_lab(lab: &Lab, conn: &Connection, opts: &CheckOptions) -> Result<Report, ClusterError> {
    let start = Instant::now();
    let poll = opts.poll.unwrap_or(Duration::from_millis(500));
    loop {
        let t0 = Instant::now();
        let snap = Snapshot::take(conn).await?;
        let took = t0.elapsed();
        let mut report = evaluate::evaluate(lab, &snap, &opts.only, &opts.skip);
        let elapsed = start.elapsed();
        let keep_waiting = report.checks.iter().any(|c| match c.status {
            Status::Pass | Status::Error => false,
            Status::Fail => opts.wait.is_some_and(|w| elapsed < w),
            Status::Converging => match opts.wait {
                Some(w) => elapsed < w,
                None => lab.check(&c.id).and_then(|k| k.wait).is_some_and(|w| elapsed < w.0),
            },
        });
        let room = opts.deadline.is_none_or(|d| Instant::now() + poll + took * 2 < d);
        if keep_waiting && room {
            if let Some(f) = opts.on_wait {
                f(&report, elapsed);
            }
            tokio::time::sleep(poll).await;
            continue;
        }
        let cut_short = keep_waiting && !room;
        for c in report.checks.iter_mut().filter(|c| c.status == Status::Converging) {
            let n = c.mismatches.len();
            let remain =
                format!("{n} mismatch{} remain{}", if n == 1 { "" } else { "es" }, if n == 1 { "s" } else { "" });
            match (opts.wait, opts.deadline) {
                (Some(w), Some(d)) if cut_short => {
                    c.status = Status::Fail;
                    c.message = format!(
                        "did not converge within {}: {remain}",
                        LabDuration(d.saturating_duration_since(start).min(w))
                    );
                }
                (Some(w), _) => {
                    c.status = Status::Fail;
                    c.message = format!("did not converge within {}: {remain}", LabDuration(w));
                }
                (None, _) if cut_short => {
                    c.message = format!(
                        "still converging when grading ended after {}: {remain}; tasks were starting",
                        LabDuration(elapsed)
                    );
                }
                (None, _) => {}
            }
        }
        report.passed = report.checks.iter().all(|c| c.status == Status::Pass);
        if opts.fixes {
            crate::fix::attach(lab, &snap, &mut report);
        }
        return Ok(report);
    }
}
