//! JUnit XML for CI systems: one test suite per lab, one test case per check; a failed
//! check's description lists its mismatches, then the cause and the service's last log
//! lines. Messages and mismatches quote the engine: they go through [`untrusted::shown`]
//! for XML (the writer escapes markup; controls, illegal in XML 1.0, become `�`).

use super::{Report, Status};
use lab_engine::untrusted::{self, Sink};
use lab_i18n::{words, Language};
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

/// Renders several reports (one per learner or lab) as one JUnit document.
pub fn render_many(name: &str, suites: &[(String, &Report)]) -> String {
    let mut report = JReport::new(name);
    for (suite_name, r) in suites {
        let suite_name = untrusted::shown(Sink::Xml, suite_name);
        let mut suite = TestSuite::new(suite_name.as_ref());
        for c in &r.checks {
            let status = match c.status {
                Status::Pass => TestCaseStatus::success(),
                Status::Fail | Status::Converging => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let message = if c.message.is_empty() { c.status.as_str() } else { &c.message };
                    s.set_message(untrusted::shown(Sink::Xml, message).into_owned());
                    let mut lines: Vec<String> = c
                        .mismatches
                        .iter()
                        .map(|m| format!("{}: expected {}, found {}", m.field, m.expected, m.found))
                        .collect();
                    if let Some(why) = &c.cause {
                        let values: [(&str, &dyn std::fmt::Display); 2] =
                            [("service", &why.service), ("error", &why.error)];
                        lines.push(format!("cause: {}", Language::english().fill(words::CAUSE_TASK_FAILED, &values)));
                        lines.extend(why.logs.iter().map(|l| format!("  {l}")));
                    }
                    let lines: Vec<String> =
                        lines.iter().map(|line| untrusted::shown(Sink::Xml, line).into_owned()).collect();
                    s.set_description(lines.join("\n"));
                    s
                }
                Status::Error => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(untrusted::shown(Sink::Xml, &c.message).into_owned());
                    s
                }
            };
            let mut tc = TestCase::new(format!("{} ({}/{} points)", c.id, c.points, c.max_points), status);
            tc.set_classname(format!("{}.{}", suite_name, r.lab));
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

pub fn render(r: &Report) -> String {
    render_many(&format!("lab check {}", r.lab), &[(r.lab.clone(), r)])
}
