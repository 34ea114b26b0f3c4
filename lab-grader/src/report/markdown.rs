//! The report as Markdown, for feedback files a learner opens later. The lab's own text
//! (titles, hints) is Markdown by its author; everything a check says about the swarm
//! (messages, mismatches, fix notes, fix commands) quotes the engine and goes through
//! [`untrusted::shown`] for Markdown, fix commands in a fence they cannot close.

use super::{Report, Status};
use lab_engine::untrusted::{self, markdown_fence, Sink};
use lab_i18n::{words, Language};
use std::fmt::Write;

/// The report in English.
pub fn render(r: &Report) -> String {
    render_in(r, Language::english())
}

/// The report with its fixed words in `lang` (the report's own text is in the language it
/// was graded in).
pub fn render_in(r: &Report, lang: Language) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} — {}\n", r.lab, r.title);
    let _ = writeln!(out, "{}\n", lang.fill(words::MD_SCORE, &[("score", &r.score), ("max", &r.max_score)]));
    let _ = writeln!(out, "{}\n|---|---|---|", lang.tr(words::MD_CHECKS_HEAD));
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
        let status = lang.tr(c.status.word());
        let _ =
            writeln!(out, "\n## {}\n", lang.fill(words::MD_CHECK_HEADING, &[("title", &c.title), ("status", &status)]));
        if !c.message.is_empty() {
            let _ = writeln!(out, "{}\n", untrusted::shown(Sink::Markdown, &c.message));
        }
        for m in &c.mismatches {
            let md = |v: &str| untrusted::shown(Sink::Markdown, v).into_owned();
            let (field, expected, found) = (md(&m.field), md(&m.expected), md(&m.found));
            let values: [(&str, &dyn std::fmt::Display); 3] =
                [("field", &field), ("expected", &expected), ("found", &found)];
            let _ = writeln!(out, "{}", lang.fill(words::MD_MISMATCH, &values));
        }
        if let Some(why) = &c.cause {
            let md = |v: &str| untrusted::shown(Sink::Markdown, v).into_owned();
            let service = md(&why.service);
            let values: [(&str, &dyn std::fmt::Display); 2] = [("service", &service), ("error", &md(&why.error))];
            let told = lang.fill(words::CAUSE_TASK_FAILED, &values);
            let _ = writeln!(out, "\n{}", lang.fill(words::MD_CAUSE, &[("cause", &told)]));
            if !why.logs.is_empty() {
                let span = untrusted::shown(Sink::MarkdownCodeSpan, &why.service);
                let _ =
                    writeln!(out, "\n{}\n\n{}", lang.fill(words::MD_LOGS, &[("service", &span)]), fenced(&why.logs));
            }
        }
        if !c.hint.is_empty() {
            let _ = writeln!(out, "\n{}", lang.fill(words::MD_HINT, &[("hint", &c.hint.trim())]));
        }
        if let Some(fix) = &c.fix {
            let fix = untrusted::shown(Sink::MarkdownCode, fix.trim());
            let lines: Vec<String> = fix.lines().map(|l| format!("$ {l}")).collect();
            let (body, fence) = (lines.join("\n"), markdown_fence(&fix));
            let _ = writeln!(out, "\n{}\n\n{fence}console\n{body}\n{fence}", lang.tr(words::MD_FIX));
        } else if let Some(note) = &c.fix_note {
            let note = untrusted::shown(Sink::Markdown, note);
            let _ = writeln!(out, "\n{}", lang.fill(words::MD_FIX_NOTE, &[("note", &note)]));
        }
    }
    out
}

/// Lines of engine text as a code block no line can close (see [`markdown_fence`]).
fn fenced(lines: &[String]) -> String {
    let body = untrusted::shown(Sink::MarkdownCode, &lines.join("\n")).into_owned();
    let fence = markdown_fence(&body);
    format!("{fence}text\n{body}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_log_lines_cannot_close_their_code_block() {
        let block = fenced(&["ok".into(), "```".into(), "# forged heading".into(), "a````b".into()]);
        assert!(block.starts_with("`````text\n"), "{block}");
        assert!(block.ends_with("\n`````"), "{block}");
        assert_eq!(fenced(&["plain".into()]), "```text\nplain\n```");
    }
}
