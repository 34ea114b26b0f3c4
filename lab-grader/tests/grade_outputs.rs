//! What `lab grade` writes, from results made up here (the engine-backed scenario lives
//! in the swarm-e2e crate): the gradebook's columns, feedback pages, JUnit suites, the
//! summary, integrity flags and the output folder.

use lab_grader::grade::{ClassGrades, GradeStatus, LearnerResult};
use lab_grader::report::Status;
use lab_grader::{CheckOptions, Snapshot};
use lab_schema::Lab;
use std::path::Path;

fn lab() -> Lab {
    lab_schema::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs/day6-voting-app.toml")).unwrap()
}

fn result(learner: &str, status: GradeStatus, message: &str) -> LearnerResult {
    LearnerResult {
        learner: learner.into(),
        line: 2,
        endpoint: format!("unix:///run/{learner}.sock"),
        status,
        message: message.into(),
        score: 0,
        max_score: 100,
        swarm_id: String::new(),
        node_ids: Vec::new(),
        flags: Vec::new(),
        elapsed_ms: 100,
        report: None,
    }
}

/// A graded learner whose checks listed in `passing` pass (on swarm `swarm`).
fn graded(lab: &Lab, learner: &str, swarm: &str, passing: &[&str]) -> LearnerResult {
    let mut report = lab_grader::evaluate::evaluate(lab, &Snapshot::default(), &[], &[]);
    for c in report.checks.iter_mut().filter(|c| passing.contains(&c.id.as_str())) {
        c.status = Status::Pass;
        c.points = c.max_points;
        c.mismatches.clear();
        c.message = "passed".into();
    }
    // `lab grade` asks for fixes unless --no-fixes.
    lab_fix::attach(lab, &Snapshot::default(), &mut report);
    report.score = report.checks.iter().map(|c| c.points).sum();
    report.passed = report.checks.iter().all(|c| c.status == Status::Pass);
    report.cluster.swarm_id = swarm.into();
    report.cluster.node_ids = vec![format!("{swarm}-node1")];
    LearnerResult {
        status: GradeStatus::Graded,
        message: "made up".into(),
        score: report.score,
        swarm_id: swarm.into(),
        node_ids: report.cluster.node_ids.clone(),
        report: Some(report),
        ..result(learner, GradeStatus::Graded, "")
    }
}

fn class() -> ClassGrades {
    let lab = lab();
    let all: Vec<&str> = lab.checks.iter().map(|c| c.id.as_str()).collect();
    let results = vec![
        graded(&lab, "ana", "swarmA", &all),
        graded(&lab, "ben", "swarmB", &["network-frontend", "network-backend", "redis"]),
        graded(&lab, "cat", "swarmC", &[]),
        result(
            "dan",
            GradeStatus::NotManager,
            "the engine at unix:///run/dan.sock is a swarm worker; only managers can list services.",
        ),
        result("eve", GradeStatus::Timeout, "the engine at unix:///run/eve.sock did not answer within 5.0s"),
        graded(&lab, "fay", "swarmA", &all),
    ];
    ClassGrades::new(&lab, &CheckOptions::default(), results, 1234)
}

#[test]
fn gradebook_has_a_row_per_learner_and_a_column_per_check() {
    insta::assert_snapshot!(class().gradebook_csv());
}

#[test]
fn learners_sharing_a_swarm_are_flagged_in_gradebook_and_summary() {
    let c = class();
    let flags: Vec<(&str, Vec<String>)> = c.learners.iter().map(|l| (l.learner.as_str(), l.flags.clone())).collect();
    assert_eq!(flags[0], ("ana", vec!["shared-swarm:ana;fay".to_string()]));
    assert_eq!(flags[5], ("fay", vec!["shared-swarm:ana;fay".to_string()]));
    assert!(flags[1..5].iter().all(|(_, f)| f.is_empty()), "{flags:?}");
    assert_eq!(c.summary.flags.len(), 1);
    assert!(c.summary.render().contains("shared-swarm:ana;fay: ana, fay submitted the same swarm swarmA"));
}

#[test]
fn summary_counts_statuses_scores_and_the_most_failed_checks() {
    let c = class();
    assert_eq!((c.summary.graded, c.summary.learners), (4, 6));
    assert_eq!(c.summary.mean, Some((100.0 + 25.0 + 0.0 + 100.0) / 4.0));
    assert_eq!(c.summary.median, Some(62.5));
    assert_eq!(c.summary.most_failed[0].id, "volume-db-data");
    assert_eq!((c.summary.most_failed[0].failed, c.summary.most_failed[0].of), (2, 4));
    insta::assert_snapshot!(c.summary.render());
}

#[test]
fn feedback_of_a_graded_learner_lists_each_failed_check_with_expected_found_hint_and_fix() {
    let c = class();
    let page = lab_grader::grade::feedback::render(&c.header(), &c.learners[1]);
    assert!(page.contains("**Score: 25/100**"), "{page}");
    assert!(page.contains("## vote: 2+ replicas"), "{page}");
    assert!(page.contains("expected") && page.contains("found"), "{page}");
    assert!(page.contains("**Hint:**") && page.contains("**Fix:**"), "{page}");
    assert!(!page.contains("## redis"), "a passed check has no section: {page}");
    assert!(!page.contains("shared-swarm"));
}

#[test]
fn feedback_of_a_worker_endpoint_says_to_point_at_a_manager() {
    let c = class();
    insta::assert_snapshot!(lab_grader::grade::feedback::render(&c.header(), &c.learners[3]));
}

#[test]
fn junit_has_a_suite_per_learner_and_errors_for_ungraded_ones() {
    let xml = class().junit_xml();
    for l in ["ana", "ben", "cat", "dan", "eve", "fay"] {
        assert!(xml.contains(&format!("<testsuite name=\"{l}\"")), "{l} missing: {xml}");
    }
    assert!(
        xml.contains("not graded (timeout): the engine at unix:///run/eve.sock did not answer within 5.0s"),
        "{xml}"
    );
}

#[test]
fn grades_json_round_trips_with_status_message_and_reports() {
    let c = class();
    let back: ClassGrades = serde_json::from_str(&c.grades_json()).unwrap();
    assert_eq!(back, c);
    let v: serde_json::Value = serde_json::from_str(&c.grades_json()).unwrap();
    assert_eq!(v["learners"][3]["status"], "not_manager");
    assert_eq!(v["learners"][3]["report"], serde_json::Value::Null);
    assert_eq!(v["learners"][0]["report"]["checks"][0]["status"], "pass");
}

#[test]
fn every_learner_gets_a_feedback_page_and_old_temporary_files_go() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("feedback")).unwrap();
    std::fs::write(d.path().join(".lab-grade-gradebook.csv.x1y2z3.tmp"), "half a gradebook").unwrap();
    let written = class().write_to(d.path()).unwrap();
    assert_eq!(written.len(), 6 + 3);
    assert_eq!(written.last().unwrap(), &d.path().join("gradebook.csv"), "the gradebook is written last");
    for l in ["ana", "ben", "cat", "dan", "eve", "fay"] {
        assert!(d.path().join("feedback").join(format!("{l}.md")).is_file(), "{l}");
    }
    let mut names: Vec<String> =
        std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["feedback", "gradebook.csv", "grades.json", "junit.xml"]);
}

#[test]
fn the_summary_and_feedback_pages_speak_the_language_they_are_asked_in() {
    let zh = lab_i18n::Language::parse("zh-TW").unwrap();
    let c = class();
    let summary = c.summary.render_in(zh);
    assert!(summary.starts_with("已評分 6 位學員中的 4 位；2 位無法評分（not_manager: 1, timeout: 1）"), "{summary}");
    assert!(summary.contains("最常失敗的檢查項目：") && summary.contains("  2 / 4   "), "{summary}");
    assert!(summary.contains("shared-swarm:ana;fay：ana, fay 提交了同一個 Swarm swarmA"), "{summary}");
    let worker = lab_grader::grade::feedback::render_in(&c.header(), &c.learners[3], zh);
    assert!(worker.contains("## 要修正什麼") && worker.contains("`docker node promote <node>`"), "{worker}");
    assert!(!worker.contains("What to fix") && !worker.contains("Graded by"), "{worker}");
    let graded = lab_grader::grade::feedback::render_in(&c.header(), &c.learners[1], zh);
    assert!(
        graded.contains("**得分：25/100**") && graded.contains("**提示：**") && graded.contains("**修正：**"),
        "{graded}"
    );
    assert!(graded.contains("（失敗）"), "a failed check's heading names its status: {graded}");
}
