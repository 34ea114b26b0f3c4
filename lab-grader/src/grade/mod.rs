//! Grading a class: one lab on every learner's cluster of a [`roster`], concurrently, each
//! cluster bounded by its own time limit, so one dead or hanging engine costs at most its
//! timeout and never the class's. Every learner on the roster ends with a
//! [`LearnerResult`], graded or not (a cluster that cannot be read scores 0 and says why).
//!
//! [`integrity`] flags learners who submitted the same swarm, [`gradebook`] turns the
//! results into `gradebook.csv`, `grades.json` and `junit.xml`, [`feedback`] writes a
//! Markdown page per learner, and [`atomic`] writes each file so that a killed run leaves
//! the previous file or the new one, never half of one. Like `lab check`, grading only
//! sends GET requests.

pub mod atomic;
pub mod feedback;
pub mod gradebook;
pub mod integrity;
pub mod live;
pub mod roster;
pub mod summary;

pub use gradebook::ClassGrades;
pub use roster::{Learner, Roster, RosterError, RosterErrors};
pub use summary::Summary;

use crate::report::{Report, Status};
use crate::run::{check_lab, CheckOptions};
use integrity::Identity;
use lab_engine::connection::{ClusterError, Connection};
use lab_i18n::words;
use lab_schema::Lab;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How one learner's cluster fared: `graded`, or why it could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeStatus {
    Graded,
    Unreachable,
    TlsError,
    NotSwarm,
    NotManager,
    Timeout,
    Error,
}

impl GradeStatus {
    pub const ALL: [GradeStatus; 7] = [
        GradeStatus::Graded,
        GradeStatus::Unreachable,
        GradeStatus::TlsError,
        GradeStatus::NotSwarm,
        GradeStatus::NotManager,
        GradeStatus::Timeout,
        GradeStatus::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GradeStatus::Graded => "graded",
            GradeStatus::Unreachable => "unreachable",
            GradeStatus::TlsError => "tls_error",
            GradeStatus::NotSwarm => "not_swarm",
            GradeStatus::NotManager => "not_manager",
            GradeStatus::Timeout => "timeout",
            GradeStatus::Error => "error",
        }
    }

    pub fn of(e: &ClusterError) -> GradeStatus {
        match e {
            ClusterError::Unreachable { .. } => GradeStatus::Unreachable,
            ClusterError::Tls { .. } => GradeStatus::TlsError,
            ClusterError::NotSwarm { .. } => GradeStatus::NotSwarm,
            ClusterError::NotManager { .. } => GradeStatus::NotManager,
            ClusterError::Timeout { .. } => GradeStatus::Timeout,
            ClusterError::Engine { .. } => GradeStatus::Error,
        }
    }
}

impl std::fmt::Display for GradeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One graded check of the lab: a column of the gradebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckColumn {
    pub id: String,
    pub title: String,
    pub max_points: u32,
}

/// The lab a class is graded on, as the gradebook and the feedback pages name it.
#[derive(Debug, Clone, Copy)]
pub struct LabHeader<'a> {
    pub lab: &'a str,
    pub title: &'a str,
    pub max_score: u32,
    pub checks: &'a [CheckColumn],
}

/// One learner's outcome, as `grades.json` holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerResult {
    pub learner: String,
    /// Roster line.
    pub line: u64,
    /// The engine address graded.
    pub endpoint: String,
    pub status: GradeStatus,
    /// For a cluster that was graded, a one-line outcome; otherwise what went wrong.
    pub message: String,
    /// 0 unless graded.
    pub score: u32,
    pub max_score: u32,
    /// Empty when unknown.
    pub swarm_id: String,
    /// The swarm's node IDs; for a worker endpoint, the worker's own ID.
    pub node_ids: Vec<String>,
    /// Integrity flags (`shared-swarm:ana;fay`); filled in once the class is graded.
    pub flags: Vec<String>,
    /// Time spent on this cluster, from connecting to the last answer (or the time limit).
    pub elapsed_ms: u64,
    /// The `lab check --format json` report, when graded.
    pub report: Option<Report>,
}

impl LearnerResult {
    pub fn identity(&self) -> Option<Identity> {
        (!self.swarm_id.is_empty() || !self.node_ids.is_empty())
            .then(|| Identity { swarm_id: self.swarm_id.clone(), node_ids: self.node_ids.clone() })
    }
}

/// How to grade a class.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// Clusters graded at once (at least 1).
    pub jobs: usize,
    /// Per cluster: connecting, reading and any convergence wait, all within this.
    pub timeout: Duration,
    /// As for `lab check`; `wait` must be shorter than `timeout` to be of use.
    pub check: CheckOptions,
}

impl Default for GradeOptions {
    fn default() -> Self {
        GradeOptions { jobs: 128, timeout: Duration::from_secs(30), check: CheckOptions::default() }
    }
}

/// Grades every learner concurrently (at most `opts.jobs` at once) and returns one result
/// per learner in roster order, integrity flags filled in. `on_done(result, done, total)`
/// is called as each cluster finishes, in the order they finish.
pub async fn grade_class(
    lab: &Lab,
    learners: &[Learner],
    opts: &GradeOptions,
    on_done: &mut dyn FnMut(&LearnerResult, usize, usize),
) -> Vec<LearnerResult> {
    let lab = Arc::new(lab.clone());
    let opts = Arc::new(opts.clone());
    let permits = Arc::new(tokio::sync::Semaphore::new(opts.jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    let mut task_of = std::collections::HashMap::new();
    for (i, l) in learners.iter().enumerate() {
        let (lab, opts, permits, learner) = (lab.clone(), opts.clone(), permits.clone(), l.clone());
        let handle = set.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("the semaphore is never closed");
            (i, grade_one(&lab, &learner, &opts).await)
        });
        task_of.insert(handle.id(), i);
    }
    let total = learners.len();
    let mut results: Vec<Option<LearnerResult>> = vec![None; total];
    let mut done = 0;
    while let Some(joined) = set.join_next_with_id().await {
        let (i, r) = match joined {
            Ok((_, (i, r))) => (i, r),
            Err(e) => {
                let i = task_of[&e.id()];
                let l = &learners[i];
                let mut r = blank(&lab, l, &opts.check);
                r.status = GradeStatus::Error;
                r.message = opts.check.lang.fill(words::GRADE_INTERNAL_ERROR, &[("error", &e)]);
                (i, r)
            }
        };
        done += 1;
        on_done(&r, done, total);
        results[i] = Some(r);
    }
    let mut results: Vec<LearnerResult> = results.into_iter().map(|r| r.expect("every task reports")).collect();
    apply_flags(&mut results);
    results
}

/// Fills in every learner's `flags` from [`integrity::find_flags`]; returns the flags.
pub fn apply_flags(results: &mut [LearnerResult]) -> Vec<integrity::Flag> {
    let (flags, labels) = flag_labels(results.iter());
    for (r, labels) in results.iter_mut().zip(labels) {
        r.flags = labels;
    }
    flags
}

/// The integrity flags of a class, and each learner's labels of them (`shared-swarm:ana;fay`)
/// in the order of `results`, as [`apply_flags`] fills them in.
pub fn flag_labels<'a>(
    results: impl Iterator<Item = &'a LearnerResult> + Clone,
) -> (Vec<integrity::Flag>, Vec<Vec<String>>) {
    let ids: Vec<Option<Identity>> = results.clone().map(LearnerResult::identity).collect();
    let subs: Vec<integrity::Submission<'_>> = results
        .clone()
        .zip(&ids)
        .map(|(r, id)| integrity::Submission { learner: &r.learner, endpoint: &r.endpoint, identity: id.as_ref() })
        .collect();
    let flags = integrity::find_flags(&subs);
    let labels = results
        .map(|r| flags.iter().filter(|f| f.learners.contains(&r.learner)).map(integrity::Flag::label).collect())
        .collect();
    (flags, labels)
}

/// The checks of `lab` that `opts` selects (all, or `only`, minus `skip`), in lab order.
pub fn selected_checks<'a>(lab: &'a Lab, opts: &'a CheckOptions) -> impl Iterator<Item = &'a lab_schema::Check> + 'a {
    lab.checks
        .iter()
        .filter(|c| opts.only.is_empty() || opts.only.contains(&c.id))
        .filter(|c| !opts.skip.contains(&c.id))
}

fn blank(lab: &Lab, l: &Learner, opts: &CheckOptions) -> LearnerResult {
    LearnerResult {
        learner: l.name.clone(),
        line: l.line,
        endpoint: l.endpoint.host.clone(),
        status: GradeStatus::Error,
        message: String::new(),
        score: 0,
        max_score: selected_checks(lab, opts).map(|c| c.points).sum(),
        swarm_id: String::new(),
        node_ids: Vec::new(),
        flags: Vec::new(),
        elapsed_ms: 0,
        report: None,
    }
}

/// Grades one learner's cluster within `opts.timeout`.
pub async fn grade_one(lab: &Lab, learner: &Learner, opts: &GradeOptions) -> LearnerResult {
    let start = Instant::now();
    let deadline = start + opts.timeout;
    let mut result = blank(lab, learner, &opts.check);
    let host = learner.endpoint.host.clone();
    let outcome = tokio::time::timeout(opts.timeout, async {
        // The per-request limit is longer than ours, so the limit that fires is this one.
        let conn =
            Connection::open(&learner.endpoint, opts.timeout + Duration::from_secs(1)).await.map_err(|e| (e, None))?;
        match check_lab(lab, &conn, &CheckOptions { deadline: Some(deadline), ..opts.check.clone() }).await {
            Ok(report) => Ok(report),
            Err(e @ ClusterError::NotManager { .. }) => {
                // A worker still knows its own node ID: enough to spot a worker of
                // another learner's swarm.
                let node = conn.docker.info().await.ok().and_then(|i| i.swarm).and_then(|s| s.node_id);
                Err((e, node))
            }
            Err(e) => Err((e, None)),
        }
    })
    .await
    .unwrap_or_else(|_| Err((ClusterError::Timeout { host: host.clone(), secs: opts.timeout.as_secs_f64() }, None)));
    result.elapsed_ms = start.elapsed().as_millis() as u64;
    match outcome {
        Ok(report) => {
            result.status = GradeStatus::Graded;
            let passed = report.count(Status::Pass);
            let total = report.checks.len();
            result.message = opts.check.lang.fill(words::GRADED_MESSAGE, &[("passed", &passed), ("total", &total)]);
            result.score = report.score;
            result.max_score = report.max_score;
            result.swarm_id = report.cluster.swarm_id.clone();
            result.node_ids = report.cluster.node_ids.clone();
            result.report = Some(report);
        }
        Err((e, node)) => {
            let e = match e {
                // bollard's own timeout carries no duration; ours does.
                ClusterError::Timeout { host, secs: 0.0 } => {
                    ClusterError::Timeout { host, secs: opts.timeout.as_secs_f64() }
                }
                e => e,
            };
            result.status = GradeStatus::of(&e);
            result.message = e.text(opts.check.lang);
            result.node_ids = node.into_iter().collect();
        }
    }
    result
}
