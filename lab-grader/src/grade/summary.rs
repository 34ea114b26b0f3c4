//! The class at a glance, printed at the end of `lab grade` and stored in `grades.json`:
//! how many learners were graded and why the others were not, mean and median scores, the
//! checks most learners failed, and the integrity flags.

use super::integrity::Flag;
use super::{GradeStatus, LearnerResult};
use crate::report::Status;
use crate::untrusted::terminal_line as line;
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

    /// The summary as lines for a terminal (no colour).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let not = self.learners - self.graded;
        let _ = write!(out, "graded {} of {} learners", self.graded, self.learners);
        if not > 0 {
            let why: Vec<String> = self.not_graded.iter().map(|(s, n)| format!("{s}: {n}")).collect();
            let _ = write!(out, "; {not} could not be graded ({})", why.join(", "));
        }
        let _ = writeln!(out);
        match (self.mean, self.median) {
            (Some(mean), Some(median)) => {
                let _ = write!(out, "scores of the graded: mean {mean:.1}, median {median:.1} (of {})", self.max_score);
                if not > 0 {
                    let _ = write!(
                        out,
                        "; over the whole roster, counting 0 for those not graded: mean {:.1}",
                        self.mean_all.unwrap_or(0.0)
                    );
                }
                let _ = writeln!(out);
            }
            _ => {
                let _ = writeln!(out, "no cluster could be graded, so there are no scores");
            }
        }
        if !self.most_failed.is_empty() {
            let _ = writeln!(out, "most-failed checks:");
            for f in &self.most_failed {
                let _ = writeln!(out, "  {:>3} of {:<3} {}  [{}]", f.failed, f.of, line(&f.title), line(&f.id));
            }
        }
        if !self.flags.is_empty() {
            let _ = writeln!(out, "integrity flags:");
            for f in &self.flags {
                let what = match f.kind {
                    super::integrity::FlagKind::SharedSwarm if f.detail.is_empty() => {
                        "the same swarm (common node IDs)".to_string()
                    }
                    super::integrity::FlagKind::SharedSwarm => format!("the same swarm {}", line(short(&f.detail))),
                    super::integrity::FlagKind::SameEndpoint => format!("the same endpoint {}", line(&f.detail)),
                };
                let _ = writeln!(out, "  {}: {} submitted {what}", f.label(), line(&f.learners.join(", ")));
            }
        }
        let _ = writeln!(
            out,
            "took {:.1}s (one cluster after another: {:.1}s)",
            self.elapsed_ms as f64 / 1000.0,
            self.serial_ms as f64 / 1000.0
        );
        out
    }
}

fn short(id: &str) -> &str {
    id.char_indices().nth(12).map_or(id, |(i, _)| &id[..i])
}
