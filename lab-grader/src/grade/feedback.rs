//! `feedback/<learner>.md`: what a learner reads after grading. A graded cluster gets the
//! `lab check` report in Markdown (every failed check with expected and found, hint and
//! fix); a cluster that could not be graded gets what went wrong, what to fix, and the
//! checks that will be graded once it can be read. Integrity flags are for the instructor
//! and never appear here. What went wrong quotes the engine, and the learner and endpoint
//! come from the roster: all go through [`untrusted::shown`] for Markdown.

use super::{GradeStatus, LabHeader, LearnerResult};
use crate::report::markdown;
use lab_engine::untrusted::{self, Sink};
use lab_i18n::{words, Language};
use std::fmt::Write;

/// What a learner can do about a cluster that could not be graded, in English.
pub fn what_to_fix(status: GradeStatus, endpoint: &str) -> String {
    what_to_fix_in(status, endpoint, Language::english())
}

/// [`what_to_fix`] in `lang`.
pub fn what_to_fix_in(status: GradeStatus, endpoint: &str, lang: Language) -> String {
    let template = match status {
        GradeStatus::Graded => return String::new(),
        GradeStatus::Unreachable => words::FIX_UNREACHABLE,
        GradeStatus::TlsError => words::FIX_TLS,
        GradeStatus::NotSwarm => words::FIX_NOT_SWARM,
        GradeStatus::NotManager => words::FIX_NOT_MANAGER,
        GradeStatus::Timeout => words::FIX_TIMEOUT,
        GradeStatus::Error => words::FIX_ENGINE_ERROR,
    };
    // Every template quotes the endpoint between backticks.
    let endpoint = untrusted::shown(Sink::MarkdownCodeSpan, endpoint);
    lang.fill(template, &[("endpoint", &endpoint)])
}

/// The feedback page of one learner, in English.
pub fn render(class: &LabHeader, l: &LearnerResult) -> String {
    render_in(class, l, Language::english())
}

/// The feedback page of one learner, its fixed words in `lang`.
pub fn render_in(class: &LabHeader, l: &LearnerResult, lang: Language) -> String {
    let mut out = String::new();
    match &l.report {
        Some(report) => out.push_str(&markdown::render_in(report, lang)),
        None => {
            let _ = writeln!(out, "# {} — {}\n", class.lab, class.title);
            let status = l.status.as_str();
            let score = lang.fill(words::FB_NOT_GRADED_SCORE, &[("max", &class.max_score), ("status", &status)]);
            let _ = writeln!(out, "{score}\n");
            let message = untrusted::shown(Sink::Markdown, &l.message);
            let _ = writeln!(out, "{}\n\n{message}\n", lang.tr(words::FB_WHAT_WENT_WRONG));
            let fix = what_to_fix_in(l.status, &l.endpoint, lang);
            let _ = writeln!(out, "{}\n\n{fix}\n", lang.tr(words::FB_WHAT_TO_FIX));
            let _ = writeln!(
                out,
                "{}\n\n{}\n|---|---|",
                lang.tr(words::FB_WHAT_WILL_BE_GRADED),
                lang.tr(words::FB_CHECKS_HEAD)
            );
            for c in class.checks {
                let _ = writeln!(out, "| {} | {} |", c.title.replace('|', "\\|"), c.max_points);
            }
        }
    }
    let learner = untrusted::shown(Sink::Markdown, &l.learner);
    let endpoint = untrusted::shown(Sink::MarkdownCodeSpan, &l.endpoint);
    let footer = lang.fill(words::FB_FOOTER, &[("learner", &learner), ("endpoint", &endpoint), ("lab", &class.lab)]);
    let _ = writeln!(out, "\n---\n\n{footer}");
    out
}
