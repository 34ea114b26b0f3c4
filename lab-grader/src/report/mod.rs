//! The result of grading a lab: per-check statuses, points and mismatches. The JSON form is
//! a stable contract (documented in docs/report-format.md); `human`, `junit` and
//! `markdown` render the same data for people and CI systems.

pub mod human;
pub mod junit;
pub mod markdown;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Desired state not reached yet while tasks are still moving.
    Converging,
    /// The check could not be evaluated.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Converging => "converging",
            Status::Error => "error",
        }
    }
}

/// One field that differs: what the lab expected and what the cluster has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    pub field: String,
    pub expected: String,
    pub found: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    /// One sentence on the outcome.
    pub message: String,
    pub hint: String,
    /// Commands that fix the check from the state found, one per line, in order: only when
    /// asked for (`lab check --fix`), never for a check that passed or is converging.
    pub fix: Option<String>,
    /// Why a failed check has no `fix` when fixes were asked for: an earlier check's fix
    /// covers it, or no command can fix it from this engine. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_note: Option<String>,
    pub mismatches: Vec<Mismatch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ClusterInfo {
    pub swarm_id: String,
    pub node_ids: Vec<String>,
    pub engine_version: String,
    pub api_version: String,
}

/// A graded lab. `passed` is true when every check passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub lab: String,
    pub title: String,
    pub score: u32,
    pub max_score: u32,
    pub passed: bool,
    pub cluster: ClusterInfo,
    pub checks: Vec<CheckReport>,
}

impl Report {
    pub fn count(&self, s: Status) -> usize {
        self.checks.iter().filter(|c| c.status == s).count()
    }
}
