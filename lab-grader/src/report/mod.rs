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

    /// The checks' outcome messages in `lang` (those `evaluate` writes; others, and the
    /// mismatches' field / expected / found, stay English). Ids, statuses and points are
    /// never touched, so a JSON report differs from the English one only in human text.
    pub fn localize(&mut self, lang: Language) {
        if lang.is_english() {
            return;
        }
        for c in &mut self.checks {
            let n = c.mismatches.len();
            let english = Language::english();
            let template = check_template(c.status, n);
            let Some((before, after)) = english
                .fill(template, &[("n", &n)])
                .split_once("{subject}")
                .map(|(a, b)| (a.to_string(), b.to_string()))
            else {
                continue;
            };
            let subject = c.message.strip_prefix(&before).and_then(|rest| rest.strip_suffix(&after));
            if let Some(subject) = subject.filter(|s| s.is_empty() || s.starts_with(" (")) {
                c.message = check_message(c.status, n, subject, lang);
            }
        }
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

    fn report(status: Status, message: &str, mismatches: usize) -> Report {
        let m = Mismatch { field: "f".into(), expected: "e".into(), found: "x".into() };
        let check = CheckReport {
            id: "c".into(),
            title: "t".into(),
            status,
            points: 0,
            max_points: 5,
            message: message.into(),
            hint: String::new(),
            fix: None,
            fix_note: None,
            mismatches: vec![m; mismatches],
        };
        let cluster = ClusterInfo::default();
        Report {
            lab: "l".into(),
            title: "t".into(),
            score: 0,
            max_score: 5,
            passed: false,
            cluster,
            checks: vec![check],
        }
    }

    #[test]
    fn localize_translates_outcome_messages_and_keeps_the_subject_and_the_rest() {
        let zh = Language::parse("zh-TW").unwrap();
        let en = check_message(Status::Fail, 1, " (service vote)", Language::english());
        assert_eq!(en, "1 mismatch (service vote)");
        let mut r = report(Status::Fail, &en, 1);
        r.localize(zh);
        assert_eq!(r.checks[0].message, "1 項不符 (service vote)");
        assert_eq!((r.checks[0].id.as_str(), r.checks[0].status), ("c", Status::Fail));
        let mut r = report(Status::Fail, "did not converge within 60s: 2 mismatches remain", 2);
        r.localize(zh);
        assert_eq!(r.checks[0].message, "did not converge within 60s: 2 mismatches remain");
        let mut r = report(Status::Pass, "passed", 0);
        r.localize(Language::english());
        assert_eq!(r.checks[0].message, "passed");
        r.localize(zh);
        assert_eq!(r.checks[0].message, "通過");
    }
}
