//! The report a learner reads in a terminal: a line per check, every mismatch of a failing
//! check as field / expected / found, then its hint, its fix commands when they were asked
//! for (`lab check --fix`), then the score.

use super::{Report, Status};
use anstyle::AnsiColor;
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

fn label(status: Status, style: Style) -> String {
    match status {
        Status::Pass => style.paint(AnsiColor::Green.on_default(), "PASS"),
        Status::Fail => style.paint(AnsiColor::Red.on_default(), "FAIL"),
        Status::Converging => style.paint(AnsiColor::Yellow.on_default(), "WAIT"),
        Status::Error => style.paint(AnsiColor::Magenta.on_default(), "ERR "),
    }
}

/// Strips Markdown backticks and emphasis for a plain terminal.
fn plain(md: &str) -> String {
    md.replace("**", "").replace('`', "")
}

pub fn render(r: &Report, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.lab, r.title);
    let _ = writeln!(out);
    let width = r.checks.iter().map(|c| c.max_points.to_string().len() * 2 + 1).max().unwrap_or(5);
    for c in &r.checks {
        let pts = format!("{}/{}", c.points, c.max_points);
        let _ = writeln!(out, "{}  {:>width$}  {}", label(c.status, style), pts, c.title);
        if c.status == Status::Pass {
            continue;
        }
        if !c.message.is_empty() {
            let _ = writeln!(out, "      {}", c.message);
        }
        for m in &c.mismatches {
            let _ = writeln!(out, "      {}", style.paint(BOLD, &m.field));
            let _ = writeln!(out, "        expected: {}", m.expected);
            let _ = writeln!(out, "        found:    {}", m.found);
        }
        if c.status != Status::Converging {
            if !c.hint.is_empty() {
                let _ = writeln!(out, "      hint: {}", plain(c.hint.trim()).replace('\n', "\n            "));
            }
            if let Some(fix) = &c.fix {
                let _ = writeln!(out, "      fix:  {}", fix.trim().replace('\n', "\n            "));
            } else if let Some(note) = &c.fix_note {
                let _ = writeln!(out, "      fix:  ({note})");
            }
        }
    }
    let _ = writeln!(out);
    let summary = format!(
        "score {}/{}: {} passed, {} failed{}{}",
        r.score,
        r.max_score,
        r.count(Status::Pass),
        r.count(Status::Fail),
        match r.count(Status::Converging) {
            0 => String::new(),
            n => format!(", {n} still converging (run again, or use --wait 60s)"),
        },
        match r.count(Status::Error) {
            0 => String::new(),
            n => format!(", {n} could not be evaluated"),
        },
    );
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
