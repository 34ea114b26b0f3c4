//! The report a learner reads in a terminal: a line per check, every mismatch of a failing
//! check as field / expected / found, then its hint, its fix commands when they were asked
//! for (`lab check --fix`), then the score. A check about a service whose task failed
//! also says why: the task's error and the last lines of the service's logs. Its fixed
//! words follow a [`Language`]; the lab's own text arrives already translated (see
//! [`Language::lab`]). Every text in it
//! passes through [`untrusted`](lab_engine::untrusted) first: mismatches and fixes quote the engine.

use super::{Report, Status};
use anstyle::AnsiColor;
use lab_engine::untrusted::{terminal_line as line, terminal_text};
use lab_i18n::{words, Language};
use std::fmt::Write;

/// Terminal styling: colours only where the caller says so (`lab` decides from `--color`,
/// NO_COLOR and whether stdout is a terminal).
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, style: anstyle::Style, s: &str) -> String {
        if self.color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }
}

const BOLD: anstyle::Style = anstyle::Style::new().bold();

const STATUS_WORDS: [&str; 4] = [words::STATUS_PASS, words::STATUS_FAIL, words::STATUS_WAIT, words::STATUS_ERROR];

fn label(status: Status, style: Style, lang: Language) -> String {
    let (color, word) = match status {
        Status::Pass => (AnsiColor::Green, words::STATUS_PASS),
        Status::Fail => (AnsiColor::Red, words::STATUS_FAIL),
        Status::Converging => (AnsiColor::Yellow, words::STATUS_WAIT),
        Status::Error => (AnsiColor::Magenta, words::STATUS_ERROR),
    };
    let columns = STATUS_WORDS.iter().map(|w| words::width(&lang.tr(w))).max().unwrap_or(4);
    style.paint(color.on_default(), &words::pad(&lang.tr(word), columns))
}

/// Strips Markdown backticks and emphasis for a plain terminal.
fn plain(md: &str) -> String {
    md.replace("**", "").replace('`', "")
}

/// The report in English.
pub fn render(r: &Report, style: Style) -> String {
    render_in(r, style, Language::english())
}

/// The report with its fixed words in `lang`.
pub fn render_in(r: &Report, style: Style, lang: Language) -> String {
    let expected = lang.tr(words::REPORT_EXPECTED);
    let found = lang.tr(words::REPORT_FOUND);
    let field_width = words::width(&expected).max(words::width(&found)) + 1;
    let hint = lang.tr(words::REPORT_HINT);
    let fix = lang.tr(words::REPORT_FIX);
    let cause = lang.tr(words::REPORT_CAUSE);
    let logs = lang.tr(words::REPORT_LOGS);
    let note_width = [&hint, &fix, &cause, &logs].iter().map(|w| words::width(w)).max().unwrap_or(0) + 1;
    let indent = format!("\n      {}", " ".repeat(note_width));
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", line(&r.lab), line(&r.title));
    let _ = writeln!(out);
    let width = r.checks.iter().map(|c| c.max_points.to_string().len() * 2 + 1).max().unwrap_or(5);
    for c in &r.checks {
        let pts = format!("{}/{}", c.points, c.max_points);
        let _ = writeln!(out, "{}  {:>width$}  {}", label(c.status, style, lang), pts, line(&c.title));
        if c.status == Status::Pass {
            continue;
        }
        if !c.message.is_empty() {
            let _ = writeln!(out, "      {}", line(&c.message));
        }
        for m in &c.mismatches {
            let _ = writeln!(out, "      {}", style.paint(BOLD, &line(&m.field)));
            let _ = writeln!(out, "        {}{}", words::pad(&expected, field_width), line(&m.expected));
            let _ = writeln!(out, "        {}{}", words::pad(&found, field_width), line(&m.found));
        }
        if let Some(why) = &c.cause {
            let values: [(&str, &dyn std::fmt::Display); 2] =
                [("service", &line(&why.service)), ("error", &line(&why.error))];
            let _ = writeln!(
                out,
                "      {}{}",
                words::pad(&cause, note_width),
                lang.fill(words::CAUSE_TASK_FAILED, &values)
            );
            for (i, l) in why.logs.iter().enumerate() {
                let head = if i == 0 { words::pad(&logs, note_width) } else { " ".repeat(note_width) };
                let _ = writeln!(out, "      {head}{}", line(l));
            }
        }
        if c.status != Status::Converging {
            if !c.hint.is_empty() {
                let _ = writeln!(
                    out,
                    "      {}{}",
                    words::pad(&hint, note_width),
                    plain(&terminal_text(c.hint.trim())).replace('\n', &indent)
                );
            }
            if let Some(f) = &c.fix {
                let _ = writeln!(
                    out,
                    "      {}{}",
                    words::pad(&fix, note_width),
                    terminal_text(f.trim()).replace('\n', &indent)
                );
            } else if let Some(note) = &c.fix_note {
                let note = lang.fill(words::REPORT_FIX_NOTE, &[("note", &line(note))]);
                let _ = writeln!(out, "      {}{note}", words::pad(&fix, note_width));
            }
        }
    }
    let _ = writeln!(out);
    let mut summary = lang.fill(
        words::REPORT_SCORE,
        &[
            ("score", &r.score),
            ("max", &r.max_score),
            ("passed", &r.count(Status::Pass)),
            ("failed", &r.count(Status::Fail)),
        ],
    );
    match r.count(Status::Converging) {
        0 => {}
        n => summary.push_str(&lang.fill(words::REPORT_CONVERGING, &[("n", &n)])),
    }
    match r.count(Status::Error) {
        0 => {}
        n => summary.push_str(&lang.fill(words::REPORT_ERRORS, &[("n", &n)])),
    }
    let _ = writeln!(
        out,
        "{}",
        if r.passed {
            style.paint(AnsiColor::Green.on_default().bold(), &summary)
        } else {
            style.paint(BOLD, &summary)
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Cause, CheckReport, ClusterInfo, Mismatch};

    fn db_report() -> Report {
        Report {
            lab: "day6-voting-app".into(),
            title: "Voting app".into(),
            score: 0,
            max_score: 15,
            passed: false,
            cluster: ClusterInfo::default(),
            checks: vec![CheckReport {
                id: "db".into(),
                title: "db".into(),
                status: Status::Fail,
                points: 0,
                max_points: 15,
                message: "1 mismatch".into(),
                hint: "Mount the volume.".into(),
                fix: None,
                fix_note: None,
                mismatches: vec![Mismatch {
                    field: "running tasks".into(),
                    expected: "at least 1".into(),
                    found: "0 running; tasks keep failing: task: non-zero exit (1)".into(),
                }],
                cause: Some(Cause {
                    service: "db".into(),
                    error: "task: non-zero exit (1)".into(),
                    logs: vec![
                        "Error: Database is uninitialized and superuser password is not specified.".into(),
                        "       You must specify POSTGRES_PASSWORD to a non-empty value for the\u{1b}[2J".into(),
                    ],
                }),
            }],
        }
    }

    #[test]
    fn a_failing_service_check_says_why_with_its_last_log_lines() {
        let text = render(&db_report(), Style::default());
        let expected = "      why:  a task of db failed: task: non-zero exit (1)\n      \
                        logs: Error: Database is uninitialized and superuser password is not specified.\n            \
                        \x20      You must specify POSTGRES_PASSWORD to a non-empty value for the\u{FFFD}[2J\n      \
                        hint: Mount the volume.\n";
        assert!(text.contains(expected), "{text}");
    }

    #[test]
    fn the_cause_is_told_in_the_report_language() {
        let zh = Language::parse("zh-TW").unwrap();
        let text = render_in(&db_report(), Style::default(), zh);
        assert!(!text.contains("why:") && !text.contains("a task of"), "{text}");
        assert!(text.contains("task: non-zero exit (1)") && text.contains("superuser password"), "{text}");
    }
}
