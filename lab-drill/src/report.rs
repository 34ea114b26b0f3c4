//! The drill report, as `lab check` reports: per drill its status, what was expected, what
//! was measured and a hint; in human text with a small timeline per drill, in JSON
//! (`{"lab", "drills": [{"id", "title", "status", "availability", "recovery_s",
//! "expected", "measured", "hint"}]}`) and in JUnit XML for CI.

use crate::timeline::{Event, Timeline};
use crate::verdict::{DrillResult, DrillStatus};
use lab_i18n::{words, Language};
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// Every drill of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillReport {
    pub lab: String,
    pub drills: Vec<DrillResult>,
}

impl DrillReport {
    /// Whether a drill failed (informational and skipped drills never fail a run).
    pub fn failed(&self) -> bool {
        self.drills.iter().any(|d| d.status == DrillStatus::Fail)
    }

    pub fn count(&self, status: DrillStatus) -> usize {
        self.drills.iter().filter(|d| d.status == status).count()
    }

    /// The JSON form (pretty, as `lab check --format json` prints).
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a drill report serializes")
    }

    /// JUnit XML: one test suite for the lab, one test case per drill.
    pub fn junit(&self) -> String {
        let mut report = JReport::new(format!("lab drill {}", self.lab));
        let mut suite = TestSuite::new(self.lab.as_str());
        for d in &self.drills {
            let status = match d.status {
                DrillStatus::Pass | DrillStatus::Info => TestCaseStatus::success(),
                DrillStatus::Skipped => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(d.measured.clone());
                    s
                }
                DrillStatus::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(format!("expected {}; measured {}", d.expected, d.measured));
                    s.set_description(d.hint.clone());
                    s
                }
            };
            let mut tc = TestCase::new(d.id.as_str(), status);
            tc.set_classname(format!("{}.drill", self.lab));
            if let Some(r) = d.recovery_s {
                tc.set_time(Duration::from_secs_f64(r));
            }
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
        report.to_string().unwrap_or_default()
    }

    /// The human report: a line per drill, expected and measured, the hint of a failed
    /// drill, and the drill's timeline.
    pub fn human(&self, lang: Language, color: bool) -> String {
        let mut out = String::new();
        let ran = self.drills.iter().filter(|d| matches!(d.status, DrillStatus::Pass | DrillStatus::Fail)).count();
        let _ = writeln!(
            out,
            "{}",
            lang.fill(
                words::DRILL_REPORT_HEAD,
                &[("lab", &self.lab), ("passed", &self.count(DrillStatus::Pass)), ("total", &ran)]
            )
        );
        for d in &self.drills {
            let (mark, style) = match d.status {
                DrillStatus::Pass => ("✔", anstyle_green()),
                DrillStatus::Fail => ("✘", anstyle_red()),
                DrillStatus::Info => ("ℹ", ""),
                DrillStatus::Skipped => ("-", ""),
            };
            let (on, off) = if color && !style.is_empty() { (style, "\x1b[0m") } else { ("", "") };
            let title = lab_engine::untrusted::terminal_text(&d.title).into_owned();
            let _ = writeln!(out, "\n{on}{mark} {}{off} {} · {title}", lang.tr(d.status.word()), d.id);
            let _ = writeln!(out, "    {}: {}", lang.tr(words::DRILL_EXPECTED), d.expected);
            let measured = lab_engine::untrusted::terminal_text(&d.measured).into_owned();
            let _ = writeln!(out, "    {}: {measured}", lang.tr(words::DRILL_MEASURED));
            if matches!(d.status, DrillStatus::Fail | DrillStatus::Info) {
                let _ = writeln!(out, "    {}: {}", lang.tr(words::HINT), d.hint.trim().replace('\n', "\n      "));
            }
            if !d.timeline.events.is_empty() {
                out.push_str(&timeline_text(&d.timeline, lang));
            }
        }
        out
    }
}

fn anstyle_green() -> &'static str {
    "\x1b[32;1m"
}

fn anstyle_red() -> &'static str {
    "\x1b[31;1m"
}

/// The timeline in text, one column per second: the running replicas (the fewest read in
/// that second; `·` when none was read), and the probes (`█` all answered, `▄` some, `_`
/// none, blank when none was sent). `!` marks the fault's second, `^` the restore's.
pub fn timeline_text(t: &Timeline, lang: Language) -> String {
    let seconds = (t.end().as_secs() + 1).min(300) as usize;
    let mut marks = vec![' '; seconds];
    let mut replicas: Vec<Option<usize>> = vec![None; seconds];
    let mut probes = vec![(0usize, 0usize); seconds];
    for e in &t.events {
        let s = (e.at().as_secs() as usize).min(seconds - 1);
        match *e {
            Event::Fault { .. } => marks[s] = '!',
            Event::Restore { .. } => marks[s] = '^',
            Event::Replicas { running, .. } => replicas[s] = Some(replicas[s].map_or(running, |r| r.min(running))),
            Event::Probe { answered, .. } => {
                probes[s].0 += usize::from(answered);
                probes[s].1 += 1;
            }
            _ => {}
        }
    }
    let r_word = lang.tr(words::DRILL_TIMELINE_REPLICAS);
    let a_word = lang.tr(words::DRILL_TIMELINE_ANSWERS);
    let width = words::width(&r_word).max(words::width(&a_word)) + 2;
    let mut out = format!("    {}:\n", lang.tr(words::DRILL_TIMELINE));
    let line = |label: &str, cells: String| format!("      {}{cells}\n", words::pad(label, width));
    out.push_str(&line("", marks.iter().collect()));
    let mut last = None;
    let cells: String = replicas
        .iter()
        .map(|r| {
            if r.is_some() {
                last = *r;
            }
            match last {
                Some(n) if n < 10 => char::from_digit(n as u32, 10).unwrap_or('+'),
                Some(_) => '+',
                None => '·',
            }
        })
        .collect();
    // A drill on a node alone reads no service: no replicas row.
    if replicas.iter().any(Option::is_some) {
        out.push_str(&line(&r_word, cells));
    }
    if probes.iter().any(|p| p.1 > 0) {
        let cells: String = probes
            .iter()
            .map(|&(ok, all)| match (ok, all) {
                (_, 0) => ' ',
                (0, _) => '_',
                (ok, all) if ok == all => '█',
                _ => '▄',
            })
            .collect();
        out.push_str(&line(&a_word, cells));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn result(id: &str, status: DrillStatus) -> DrillResult {
        let mut t = Timeline::default();
        t.push(Event::Replicas { at: ms(0), running: 2, desired: 2 });
        t.push(Event::Fault { at: ms(1200) });
        t.push(Event::Replicas { at: ms(1500), running: 1, desired: 2 });
        for i in 0..6u64 {
            t.push(Event::Probe { at: ms(1000 + i * 500), answered: i != 2 && i != 3 });
        }
        t.push(Event::Replicas { at: ms(3600), running: 2, desired: 2 });
        DrillResult {
            id: id.into(),
            title: "A vote container is removed".into(),
            status,
            availability: Some(0.6),
            recovery_s: Some(2.4),
            expected: "back to its replicas within 30s".into(),
            measured: "back to 2 replicas 2.4 s after the fault".into(),
            hint: "Two replicas keep it answering.".into(),
            timeline: t,
        }
    }

    #[test]
    fn a_drill_on_a_node_alone_has_no_replicas_row() {
        let mut t = Timeline::default();
        t.push(Event::Fault { at: ms(1000) });
        t.push(Event::Restore { at: ms(3000) });
        t.push(Event::NodeReady { at: ms(4500) });
        let text = timeline_text(&t, Language::english());
        assert!(!text.contains("replicas"), "{text}");
        assert!(text.contains(" ! ^"), "fault at 1 s, restore at 3 s: {text}");
        assert!(timeline_text(&result("x", DrillStatus::Pass).timeline, Language::english()).contains("replicas"));
    }

    #[test]
    fn json_has_exactly_the_documented_keys() {
        let r = DrillReport { lab: "day6-voting-app".into(), drills: vec![result("task-killed", DrillStatus::Fail)] };
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["drills", "lab"]);
        let drill = v["drills"][0].as_object().unwrap();
        let mut keys: Vec<&str> = drill.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["availability", "expected", "hint", "id", "measured", "recovery_s", "status", "title"]);
        assert_eq!(drill["status"], "fail");
        assert_eq!(drill["availability"], 0.6);
        assert!(r.failed());
    }

    #[test]
    fn nothing_measured_is_null_in_json() {
        let mut d = result("manager-loss", DrillStatus::Skipped);
        d.availability = None;
        d.recovery_s = None;
        let r = DrillReport { lab: "x".into(), drills: vec![d] };
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert!(v["drills"][0]["availability"].is_null() && v["drills"][0]["recovery_s"].is_null());
        assert!(!r.failed(), "a skipped drill does not fail the run");
    }

    #[test]
    fn human_report_draws_the_timeline() {
        let r = DrillReport { lab: "day6-voting-app".into(), drills: vec![result("task-killed", DrillStatus::Fail)] };
        let text = r.human(Language::english(), false);
        insta::assert_snapshot!(text);
        assert!(text.contains("Hint: Two replicas keep it answering."));
    }

    #[test]
    fn junit_fails_only_failed_drills() {
        let r = DrillReport {
            lab: "day6-voting-app".into(),
            drills: vec![
                result("task-killed", DrillStatus::Pass),
                result("rolling-update", DrillStatus::Fail),
                result("db-node-drained", DrillStatus::Info),
            ],
        };
        let xml = r.junit();
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
        assert!(xml.contains("expected back to its replicas within 30s; measured"));
    }
}
