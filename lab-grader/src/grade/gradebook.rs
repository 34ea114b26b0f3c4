//! A graded class and the files it is written to: `gradebook.csv` (one row per learner,
//! one column per check), `grades.json` (this struct: every learner's `lab check` report
//! with status and message), `junit.xml` (a suite per learner) and `feedback/<learner>.md`.
//! Each file is written atomically; the gradebook last, so a complete gradebook means the
//! run that wrote it finished.

pub use super::CheckColumn;
use super::{apply_flags, atomic, feedback, selected_checks, GradeStatus, LabHeader, LearnerResult, Summary};
use crate::report::{junit, CheckReport, ClusterInfo, Report, Status};
use crate::run::CheckOptions;
use lab_engine::untrusted::csv_cell;
use lab_i18n::Language;
use lab_schema::Lab;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything `lab grade` learned about a class; serialises as `grades.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassGrades {
    pub lab: String,
    pub title: String,
    pub max_score: u32,
    pub checks: Vec<CheckColumn>,
    /// Roster order.
    pub learners: Vec<LearnerResult>,
    pub summary: Summary,
}

/// A file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", .path.display())]
pub struct OutputError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The fixed columns before the per-check ones, and after.
pub const LEADING_COLUMNS: [&str; 4] = ["learner", "status", "score", "max_score"];
pub const TRAILING_COLUMNS: [&str; 2] = ["swarm_id", "flags"];

impl ClassGrades {
    /// Collects results (in roster order) into a class, with integrity flags and summary.
    pub fn new(lab: &Lab, check: &CheckOptions, mut learners: Vec<LearnerResult>, elapsed_ms: u64) -> ClassGrades {
        let checks: Vec<CheckColumn> = selected_checks(lab, check)
            .map(|c| CheckColumn { id: c.id.clone(), title: c.title.clone(), max_points: c.points })
            .collect();
        let max_score = checks.iter().map(|c| c.max_points).sum();
        let flags = apply_flags(&mut learners);
        let summary = Summary::new(&learners, max_score, flags, elapsed_ms);
        ClassGrades { lab: lab.id.clone(), title: lab.title.clone(), max_score, checks, learners, summary }
    }

    /// The lab as every output names it.
    pub fn header(&self) -> LabHeader<'_> {
        LabHeader { lab: &self.lab, title: &self.title, max_score: self.max_score, checks: &self.checks }
    }

    /// Every learner graded?
    pub fn all_graded(&self) -> bool {
        self.learners.iter().all(|l| l.status == GradeStatus::Graded)
    }

    /// `gradebook.csv`: learner, status, score, max_score, a column per check (points
    /// earned, 0 when not graded), swarm_id, flags (space-separated). A cell a spreadsheet
    /// would run as a formula is written as text ([`csv_cell`]).
    pub fn gradebook_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        let mut header: Vec<&str> = LEADING_COLUMNS.to_vec();
        header.extend(self.checks.iter().map(|c| c.id.as_str()));
        header.extend(TRAILING_COLUMNS);
        let _ = w.write_record(&header);
        for l in &self.learners {
            let mut row =
                vec![l.learner.clone(), l.status.as_str().to_string(), l.score.to_string(), l.max_score.to_string()];
            for c in &self.checks {
                let points =
                    l.report.as_ref().and_then(|r| r.checks.iter().find(|k| k.id == c.id)).map_or(0, |k| k.points);
                row.push(points.to_string());
            }
            row.push(l.swarm_id.clone());
            row.push(l.flags.join(" "));
            // The swarm ID (and anything else) may come from a learner's engine.
            let _ = w.write_record(row.iter().map(|cell| csv_cell(cell).into_owned()));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    pub fn grades_json(&self) -> String {
        lab_engine::untrusted::json(self, true) + "\n"
    }

    /// The report a learner's JUnit suite is made from: the real one when graded, else every
    /// check as an error that says why the cluster could not be read.
    pub fn report_for(&self, l: &LearnerResult) -> Report {
        if let Some(r) = &l.report {
            return r.clone();
        }
        let why = format!("not graded ({}): {}", l.status, l.message);
        Report {
            lab: self.lab.clone(),
            title: self.title.clone(),
            score: 0,
            max_score: self.max_score,
            passed: false,
            cluster: ClusterInfo { swarm_id: l.swarm_id.clone(), node_ids: l.node_ids.clone(), ..Default::default() },
            checks: self
                .checks
                .iter()
                .map(|c| CheckReport {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    status: Status::Error,
                    points: 0,
                    max_points: c.max_points,
                    message: why.clone(),
                    hint: String::new(),
                    fix: None,
                    fix_note: None,
                    mismatches: Vec::new(),
                    cause: None,
                })
                .collect(),
        }
    }

    /// `junit.xml`: one suite per learner, one case per check.
    pub fn junit_xml(&self) -> String {
        let reports: Vec<Report> = self.learners.iter().map(|l| self.report_for(l)).collect();
        let suites: Vec<(String, &Report)> = self.learners.iter().map(|l| l.learner.clone()).zip(&reports).collect();
        junit::render_many(&format!("lab grade {}", self.lab), &suites)
    }

    /// Writes every output into `dir` (created if missing): the feedback pages, then
    /// grades.json and junit.xml, then gradebook.csv. Temporary files a killed run left
    /// there are removed first. Returns the files written.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
        self.write_to_in(dir, Language::english())
    }

    /// [`ClassGrades::write_to`], with the feedback pages' fixed words in `lang`.
    pub fn write_to_in(&self, dir: &Path, lang: Language) -> Result<Vec<PathBuf>, OutputError> {
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| OutputError { path, source }
        };
        let fb = dir.join("feedback");
        std::fs::create_dir_all(&fb).map_err(err(&fb))?;
        atomic::remove_leftovers(dir).map_err(err(dir))?;
        atomic::remove_leftovers(&fb).map_err(err(&fb))?;
        let mut written = Vec::new();
        let mut put = |path: PathBuf, text: String| -> Result<(), OutputError> {
            atomic::write(&path, text.as_bytes()).map_err(err(&path))?;
            written.push(path);
            Ok(())
        };
        for l in &self.learners {
            put(fb.join(format!("{}.md", l.learner)), feedback::render_in(&self.header(), l, lang))?;
        }
        put(dir.join("grades.json"), self.grades_json())?;
        put(dir.join("junit.xml"), self.junit_xml())?;
        put(dir.join("gradebook.csv"), self.gradebook_csv())?;
        Ok(written)
    }
}
