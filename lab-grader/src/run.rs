//! Grading with convergence: snapshot, evaluate, and while checks are converging (or, with
//! `--wait`, failing) re-snapshot until they settle or time runs out.

use crate::connection::{ClusterError, Connection};
use crate::evaluate;
use crate::report::{Report, Status};
use crate::snapshot::Snapshot;
use lab_schema::Lab;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `--wait`: re-snapshot until every check passes or this much time has gone by; then
    /// a check still converging counts as failed.
    pub wait: Option<Duration>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    /// Pause between snapshots.
    pub poll: Option<Duration>,
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
        let snap = Snapshot::take(conn).await?;
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
        if !keep_waiting {
            if let Some(w) = opts.wait {
                for c in report.checks.iter_mut().filter(|c| c.status == Status::Converging) {
                    c.status = Status::Fail;
                    c.message = format!("did not converge within {}: {}", lab_schema::LabDuration(w), c.mismatches.len())
                        + if c.mismatches.len() == 1 { " mismatch remains" } else { " mismatches remain" };
                }
                report.passed = report.checks.iter().all(|c| c.status == Status::Pass);
            }
            return Ok(report);
        }
        tokio::time::sleep(poll).await;
    }
}
