//! JUnit XML for CI systems: one test suite per lab, one test case per check.

use super::{Report, Status};
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

/// Renders several reports (one per learner or lab) as one JUnit document.
pub fn render_many(name: &str, suites: &[(String, &Report)]) -> String {
    let mut report = JReport::new(name);
    for (suite_name, r) in suites {
        let mut suite = TestSuite::new(suite_name.as_str());
        for c in &r.checks {
            let status = match c.status {
                Status::Pass => TestCaseStatus::success(),
                Status::Fail | Status::Converging => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(if c.message.is_empty() { c.status.as_str().to_string() } else { c.message.clone() });
                    s.set_description(
                        c.mismatches
                            .iter()
                            .map(|m| format!("{}: expected {}, found {}", m.field, m.expected, m.found))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                    s
                }
                Status::Error => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(c.message.clone());
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
