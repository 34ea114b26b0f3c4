//! Grading with convergence: snapshot, evaluate, and while checks are converging re-snapshot
//! until they settle, time runs out, or a caller's deadline (`lab grade`'s per-cluster
//! timeout) leaves no room for another snapshot. A failing check is never waited for.

use crate::evaluate::{self, Unsettled};
use crate::report::{Report, Status};
use crate::snapshot::{Reads, Snapshot};
use lab_engine::connection::{ClusterError, Connection};
use lab_i18n::Language;
use lab_schema::{Lab, LabDuration};
use std::time::{Duration, Instant};

/// How long `--wait` waits to read a failure a second time.
const CONFIRM: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `--wait`: re-snapshot while checks converge (or the engine is not a manager yet),
    /// until this much time has gone by; then a check still converging counts as failed.
    pub wait: Option<Duration>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    /// Pause between snapshots (default 500 ms).
    pub poll: Option<Duration>,
    /// Stop re-reading when another snapshot would not fit before this instant, and grade
    /// what the cluster shows by then.
    pub deadline: Option<Instant>,
    /// Called before each re-read with the latest report and the time spent so far
    /// (`lab check` shows progress on stderr with it), in the report's language.
    pub on_wait: Option<fn(&Report, Duration, Language)>,
    /// Add to each failed check the commands that fix it from the state found
    /// (`lab check --fix`: `lab_fix::PLAN`), planned on the last snapshot read; without it,
    /// reports carry hints only.
    pub fixes: Option<PlanFixes>,
    /// The language of the report's messages, mismatches and fix notes (ids, statuses and
    /// fix commands are the same in every language).
    pub lang: Language,
}

/// Fills in the fix commands of a graded report from the snapshot it was graded on, in a
/// language (`lab_fix::attach_in`: fix planning is a crate above this one).
pub type PlanFixes = fn(&Lab, &Snapshot, &mut Report, Language);

/// Grades `lab` on the cluster behind `conn`.
///
/// Only what moves is waited for: a check that fails (a setting that is simply wrong) is
/// reported at once. A converging check is re-read until it settles: without `wait`, for as
/// long as its own `wait` (from the lab file) allows, then reported as converging (never
/// as a failure); with `wait`, until that much time has gone by, then reported as failed.
/// With `wait`, an engine that is not a manager (or not in a swarm) *yet* is re-read too,
/// moments after `docker node promote` or `docker swarm join`, until the time is up.
pub async fn check_lab(lab: &Lab, conn: &Connection, opts: &CheckOptions) -> Result<Report, ClusterError> {
    let start = Instant::now();
    let poll = opts.poll.unwrap_or(Duration::from_millis(500));
    let mut failure_confirmed = false;
    let reads = Reads::of(lab);
    loop {
        let t0 = Instant::now();
        let snap = match Snapshot::take_for(conn, reads).await {
            Ok(snap) => snap,
            Err(e @ (ClusterError::NotManager { .. } | ClusterError::NotSwarm { .. })) => {
                let room = opts.deadline.is_none_or(|d| Instant::now() + poll * 2 < d);
                if opts.wait.is_some_and(|w| start.elapsed() + poll < w) && room {
                    tokio::time::sleep(poll).await;
                    continue;
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let took = t0.elapsed();
        let mut report = evaluate::evaluate_in(lab, &snap, &opts.only, &opts.skip, opts.lang);
        let elapsed = start.elapsed();
        let keep_waiting = report.checks.iter().any(|c| {
            c.status == Status::Converging
                && match opts.wait {
                    Some(w) => elapsed < w,
                    None => lab.check(&c.id).and_then(|k| k.wait).is_some_and(|w| elapsed < w.0),
                }
        });
        let room = opts.deadline.is_none_or(|d| Instant::now() + poll + took * 2 < d);
        // Under `--wait`, a failure is read twice, a second apart, before it is reported:
        // what the managers have not heard from a node yet (a container removed a moment
        // ago) shows by then.
        let failing = report.checks.iter().any(|c| c.status == Status::Fail);
        let confirm = !failure_confirmed
            && failing
            && opts.wait.is_some_and(|w| elapsed + CONFIRM < w)
            && opts.deadline.is_none_or(|d| Instant::now() + CONFIRM + took * 2 < d);
        if confirm && !keep_waiting {
            failure_confirmed = true;
            tokio::time::sleep(CONFIRM).await;
            continue;
        }
        if keep_waiting && room {
            if let Some(f) = opts.on_wait {
                f(&report, elapsed, opts.lang);
            }
            tokio::time::sleep(poll).await;
            continue;
        }
        let cut_short = keep_waiting && !room;
        for c in report.checks.iter_mut().filter(|c| c.status == Status::Converging) {
            let why = match (opts.wait, opts.deadline) {
                (Some(w), Some(d)) if cut_short => {
                    Unsettled::WaitRanOut(LabDuration(d.saturating_duration_since(start).min(w)))
                }
                (Some(w), _) => Unsettled::WaitRanOut(LabDuration(w)),
                (None, _) if cut_short => Unsettled::GradingEnded(LabDuration(elapsed)),
                (None, _) => continue,
            };
            let Some(check) = lab.check(&c.id) else { continue };
            if matches!(why, Unsettled::WaitRanOut(_)) {
                c.status = Status::Fail;
            }
            c.message = evaluate::unsettled_message(check, &snap, opts.lang, why);
        }
        report.passed = report.checks.iter().all(|c| c.status == Status::Pass);
        if let Some(plan) = opts.fixes {
            plan(lab, &snap, &mut report, opts.lang);
        }
        return Ok(report);
    }
}
