//! The report as Markdown, for feedback files a learner opens later.

use super::{Report, Status};
use std::fmt::Write;

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} — {}\n", r.lab, r.title);
    let _ = writeln!(out, "**Score: {}/{}**\n", r.score, r.max_score);
    let _ = writeln!(out, "| | check | points |\n|---|---|---|");
    for c in &r.checks {
        let mark = match c.status {
            Status::Pass => "✅",
            Status::Fail => "❌",
            Status::Converging => "⏳",
            Status::Error => "⚠️",
        };
        let _ = writeln!(out, "| {mark} | {} | {}/{} |", c.title.replace('|', "\\|"), c.points, c.max_points);
    }
    for c in r.checks.iter().filter(|c| c.status != Status::Pass) {
        let _ = writeln!(out, "\n## {} ({})\n", c.title, c.status.as_str());
        if !c.message.is_empty() {
            let _ = writeln!(out, "{}\n", c.message);
        }
        for m in &c.mismatches {
            let _ = writeln!(out, "- **{}**: expected {}, found {}", m.field, m.expected, m.found);
        }
        if !c.hint.is_empty() {
            let _ = writeln!(out, "\n**Hint:** {}", c.hint.trim());
        }
        if let Some(fix) = &c.fix {
            let lines: Vec<String> = fix.trim().lines().map(|l| format!("$ {l}")).collect();
            let _ = writeln!(out, "\n**Fix:**\n\n```console\n{}\n```", lines.join("\n"));
        } else if let Some(note) = &c.fix_note {
            let _ = writeln!(out, "\n**Fix:** {note}.");
        }
    }
    out
}
