//! Progress across labs, without an engine: `lab list` marks what progress.json records,
//! `--format json` gives the documented fields, and a corrupt file is moved aside with a
//! warning instead of failing the command.

mod support;
use std::process::Command;
use support::*;

fn list(state: &std::path::Path, format: &str) -> std::process::Output {
    Command::new(lab_bin())
        .args(["list", "--format", format])
        .env("XDG_STATE_HOME", state)
        .env("NO_COLOR", "1")
        .env_remove("SWARM_LAB_LABS")
        .output()
        .unwrap()
}

#[test]
fn lab_list_marks_completed_labs_in_course_order() {
    let state = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(state.path().join("swarm-lab")).unwrap();
    std::fs::write(
        state.path().join("swarm-lab/progress.json"),
        r#"{"labs": {"day6-voting-app": {"completed_at": "2026-11-30T10:00:00Z", "best_score": 100, "max_score": 100, "swarm_id": "abc"}}}"#,
    )
    .unwrap();
    let o = list(state.path(), "json");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v.as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["day6-first-service", "day6-three-node-swarm", "day6-overlay-drupal", "day6-routing-mesh", "day6-voting-app"],
        "the book's order"
    );
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["best_score", "chapter", "completed_at", "id", "title"]);
    assert_eq!(rows[0]["completed_at"], serde_json::Value::Null);
    assert_eq!(rows[4]["completed_at"], "2026-11-30T10:00:00Z");
    assert_eq!(rows[4]["best_score"], 100);
    assert_eq!(rows[4]["chapter"], "Assignment: the voting app");

    let text = stdout(&list(state.path(), "human"));
    let marked: Vec<&str> = text.lines().filter(|l| l.ends_with("✓ completed")).collect();
    assert!(marked.len() == 1 && marked[0].contains("day6-voting-app"), "{text}");
}

#[test]
fn a_corrupt_progress_file_is_set_aside_with_a_warning() {
    let state = tempfile::tempdir().unwrap();
    let file = state.path().join("swarm-lab/progress.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, [0xff, 0x00, b'{']).unwrap();
    let o = list(state.path(), "json");
    assert!(o.status.success(), "a corrupt progress file never fails a command");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("warning") && err.contains("moved it to"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().all(|r| r["completed_at"].is_null()));
    assert!(!file.exists(), "moved aside");
}
