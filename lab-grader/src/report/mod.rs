//! The result of grading a lab: per-check statuses, points and mismatches. The JSON form is
//! a stable contract (documented in docs/report-format.md); `human`, `junit` and
//! `markdown` render the same data for people and CI systems.

pub mod human;
pub mod junit;
pub mod markdown;

use lab_i18n::{words, Language};
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

    /// The status as a word of the text around it (`vote: fail → pass`); the English
    /// words are the status values themselves, which never change with the language.
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => words::STATUS_NAME_PASS,
            Status::Fail => words::STATUS_NAME_FAIL,
            Status::Converging => words::STATUS_NAME_CONVERGING,
            Status::Error => words::ERROR,
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
    /// Why the service a failed or converging check is about does not run, when one of
    /// its tasks failed; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
}

/// A failed task of the service under test: its error as the engine gave it, and the last
/// lines of the service's logs (what the container said before it exited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// The service's name.
    pub service: String,
    /// The task's error (`task: non-zero exit (1)`, `No such image: redis:3.2`).
    pub error: String,
    /// The last distinct lines of `docker service logs SERVICE` (stdout and stderr), oldest
    /// first, made safe for a terminal; empty when the engine keeps no logs for it.
    #[serde(default)]
    pub logs: Vec<String>,
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

fn check_template(status: Status, mismatches: usize) -> &'static str {
    match status {
        Status::Pass => words::CHECK_PASSED,
        Status::Converging => words::CHECK_CONVERGING,
        Status::Fail if mismatches == 1 => words::CHECK_ONE_MISMATCH,
        Status::Fail => words::CHECK_MANY_MISMATCHES,
        Status::Error => "",
    }
}

/// A check's one-line outcome: `subject` is empty or " (the object it is about)".
pub fn check_message(status: Status, mismatches: usize, subject: &str, lang: Language) -> String {
    match status {
        Status::Error => String::new(),
        s => lang.fill(check_template(s, mismatches), &[("n", &mismatches), ("subject", &subject)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_messages_keep_the_subject_in_every_language() {
        let zh = Language::parse("zh-TW").unwrap();
        assert_eq!(check_message(Status::Fail, 1, " (service vote)", Language::english()), "1 mismatch (service vote)");
        assert_eq!(check_message(Status::Fail, 1, " (服務 vote)", zh), "1 項不符 (服務 vote)");
        assert_eq!(check_message(Status::Fail, 2, "", Language::english()), "2 mismatches");
        assert_eq!(check_message(Status::Pass, 0, "", zh), "通過");
        assert_eq!(check_message(Status::Error, 0, "", zh), "");
    }

    #[test]
    fn a_status_in_english_words_is_its_json_value() {
        for s in [Status::Pass, Status::Fail, Status::Converging, Status::Error] {
            assert_eq!(Language::english().tr(s.word()), s.as_str());
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
