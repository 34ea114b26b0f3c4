//! The class at a glance, printed at the end of `lab grade` and stored in `grades.json`:
//! how many learners were graded and why the others were not, mean and median scores, the
//! checks most learners failed, and the integrity flags.

use super::integrity::Flag;
use super::{GradeStatus, LearnerResult};
use crate::report::Status;
use lab_engine::untrusted::terminal_line as line;
use lab_i18n::{words, Language};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A check many learners did not pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedCheck {
    pub id: String,
    pub title: String,
    /// Graded learners who did not pass it.
    pub failed: usize,
    /// Graded learners.
    pub of: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub learners: usize,
    pub graded: usize,
    /// Learners not graded, by status (`unreachable`: 2).
    pub not_graded: BTreeMap<String, usize>,
    pub max_score: u32,
    /// Mean score of the graded learners.
    pub mean: Option<f64>,
    /// Median score of the graded learners.
    pub median: Option<f64>,
    /// Mean over the whole roster, learners not graded counting 0.
    pub mean_all: Option<f64>,
    /// At most five, most failed first; only checks someone failed.
    pub most_failed: Vec<FailedCheck>,
    pub flags: Vec<Flag>,
    /// Wall-clock time of the whole run.
    pub elapsed_ms: u64,
    /// What grading one cluster after another would have taken (sum of per-cluster times).
    pub serial_ms: u64,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

impl Summary {
    pub fn new(results: &[LearnerResult], max_score: u32, flags: Vec<Flag>, elapsed_ms: u64) -> Summary {
        let graded: Vec<&LearnerResult> = results.iter().filter(|r| r.status == GradeStatus::Graded).collect();
        let mut not_graded = BTreeMap::new();
        for r in results.iter().filter(|r| r.status != GradeStatus::Graded) {
            *not_graded.entry(r.status.as_str().to_string()).or_insert(0) += 1;
        }
        let scores: Vec<f64> = graded.iter().map(|r| f64::from(r.score)).collect();
        let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        let all: Vec<f64> = results.iter().map(|r| f64::from(r.score)).collect();

        let mut failed: Vec<FailedCheck> = Vec::new();
        for r in &graded {
            for c in r.report.iter().flat_map(|rep| &rep.checks) {
                let i = match failed.iter().position(|f| f.id == c.id) {
                    Some(i) => i,
                    None => {
                        failed.push(FailedCheck { id: c.id.clone(), title: c.title.clone(), failed: 0, of: 0 });
                        failed.len() - 1
                    }
                };
                failed[i].of += 1;
                if c.status != Status::Pass {
                    failed[i].failed += 1;
                }
            }
        }
        failed.retain(|f| f.failed > 0);
        // Stable: ties keep the lab's check order.
        failed.sort_by_key(|f| std::cmp::Reverse(f.failed));
        failed.truncate(5);

        Summary {
            learners: results.len(),
            graded: graded.len(),
            not_graded,
            max_score,
            mean: mean(&scores),
            median: median(scores.clone()),
            mean_all: mean(&all),
            most_failed: failed,
            flags,
            elapsed_ms,
            serial_ms: results.iter().map(|r| r.elapsed_ms).sum(),
        }
    }

    /// The summary as lines for a terminal (no colour), in English.
    pub fn render(&self) -> String {
        self.render_in(Language::english())
    }

    /// The summary in `lang`; statuses, check ids and flag labels as they are.
    pub fn render_in(&self, lang: Language) -> String {
        use super::integrity::FlagKind;
        let mut out = String::new();
        let not = self.learners - self.graded;
        let _ = write!(
            out,
            "{}",
            lang.fill(words::SUMMARY_GRADED, &[("graded", &self.graded), ("learners", &self.learners)])
        );
        if not > 0 {
            let why: Vec<String> = self.not_graded.iter().map(|(s, n)| format!("{s}: {n}")).collect();
            let why = why.join(", ");
            let _ = write!(out, "{}", lang.fill(words::SUMMARY_NOT_GRADED, &[("n", &not), ("why", &why)]));
        }
        let _ = writeln!(out);
        let one_decimal = |x: f64| format!("{x:.1}");
        match (self.mean, self.median) {
            (Some(mean), Some(median)) => {
                let (mean, median) = (one_decimal(mean), one_decimal(median));
                let scores = [("mean", &mean as &dyn std::fmt::Display), ("median", &median), ("max", &self.max_score)];
                let _ = write!(out, "{}", lang.fill(words::SUMMARY_SCORES, &scores));
                if not > 0 {
                    let all = one_decimal(self.mean_all.unwrap_or(0.0));
                    let _ = write!(out, "{}", lang.fill(words::SUMMARY_SCORES_ALL, &[("mean", &all)]));
                }
                let _ = writeln!(out);
            }
            _ => {
                let _ = writeln!(out, "{}", lang.tr(words::SUMMARY_NO_SCORES));
            }
        }
        if !self.most_failed.is_empty() {
            let _ = writeln!(out, "{}", lang.tr(words::SUMMARY_MOST_FAILED));
            for f in &self.most_failed {
                let (failed, of) = (format!("{:>3}", f.failed), format!("{:<3}", f.of));
                let count = lang.fill(words::SUMMARY_FAILED_OF, &[("failed", &failed), ("of", &of)]);
                let _ = writeln!(out, "  {count} {}  [{}]", line(&f.title), line(&f.id));
            }
        }
        if !self.flags.is_empty() {
            let _ = writeln!(out, "{}", lang.tr(words::SUMMARY_FLAGS));
            for f in &self.flags {
                let what = match f.kind {
                    FlagKind::SharedSwarm if f.detail.is_empty() => {
                        lang.tr(words::SUMMARY_SAME_SWARM_BY_NODES).into_owned()
                    }
                    FlagKind::SharedSwarm => {
                        lang.fill(words::SUMMARY_SAME_SWARM, &[("swarm", &line(short(&f.detail)))])
                    }
                    FlagKind::SameEndpoint => {
                        lang.fill(words::SUMMARY_SAME_ENDPOINT, &[("endpoint", &line(&f.detail))])
                    }
                };
                let learners = line(&f.learners.join(", ")).into_owned();
                let flag = [("flag", &f.label() as &dyn std::fmt::Display), ("learners", &learners), ("what", &what)];
                let _ = writeln!(out, "  {}", lang.fill(words::SUMMARY_FLAG, &flag));
            }
        }
        let (elapsed, serial) =
            (one_decimal(self.elapsed_ms as f64 / 1000.0), one_decimal(self.serial_ms as f64 / 1000.0));
        let _ = writeln!(out, "{}", lang.fill(words::SUMMARY_TOOK, &[("elapsed", &elapsed), ("serial", &serial)]));
        out
    }
}

fn short(id: &str) -> &str {
    id.char_indices().nth(12).map_or(id, |(i, _)| &id[..i])
}
