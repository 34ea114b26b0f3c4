//! A learner's engine is untrusted input on the instructor's machine. Fake engines (no
//! root, no dockerd) serve a recorded swarm with hostile strings in it: escape sequences
//! in a node's hostname, a service's name and a task's error, an engine error message
//! that clears the screen, and a swarm ID that is a spreadsheet formula. `lab check` and
//! `lab grade` print none of the escapes, and `gradebook.csv` holds the formula as text.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use swarm_e2e::fake_engine::{FakeEngine, RECORDED_SWARM};

const FORMULA: &str = "=HYPERLINK(\"x\",\"click\")";
const ESCAPES: &str = "\x1b]0;owned\x07\x1b[2J\x1b[8m\u{9b}31m";

const LAB: &str = r#"
id = "hostile"
title = "A lab graded against a hostile engine"
lesson = "first-service.md"
goal = "Grade a swarm whose engine sends escape sequences."
answer = "docker service create --name vote nginx"

[[check]]
id = "nodes"
title = "Four nodes"
points = 25
hint = "Join a node."
fix = "docker swarm join"
[check.swarm]
nodes = 4

[[check]]
id = "crashy"
title = "crashy runs"
points = 25
hint = "Fix its command."
fix = "docker service update crashy"
[check.service]
name = "crashy"
running = 1

[[check]]
id = "vote"
title = "A service named vote"
points = 25
hint = "Create it."
fix = "docker service create --name vote nginx"
[check.service]
name = "vote"

[[check]]
id = "web"
title = "web runs nginx"
points = 25
hint = "Use nginx."
fix = "docker service update --image nginx web"
[check.service]
name = "web"
image = "nginx"
"#;

/// The recorded swarm with hostile strings wherever an engine's text is shown.
fn hostile_swarm() -> Value {
    let mut s: Value = serde_json::from_str(RECORDED_SWARM).unwrap();
    s["info"]["Swarm"]["Cluster"]["ID"] = json!(FORMULA);
    for n in s["nodes"].as_array_mut().unwrap() {
        let host = n["Description"]["Hostname"].as_str().unwrap().to_string();
        n["Description"]["Hostname"] = json!(format!("{host}{ESCAPES}"));
    }
    for svc in s["services"].as_array_mut().unwrap() {
        if svc["Spec"]["Name"] == "db" {
            svc["Spec"]["Name"] = json!(format!("db{ESCAPES}"));
        }
    }
    for t in s["tasks"].as_array_mut().unwrap() {
        t["Status"]["Err"] = json!(format!("non-zero exit{ESCAPES}\r\nPASS  25/25  forged line"));
    }
    s
}

fn lab_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lab-e2e"))
}

fn lab(dir: &Path, args: &[&str]) -> Output {
    Command::new(lab_bin())
        .args(args)
        .arg("--labs")
        .arg(dir.join("labs"))
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("SWARM_LAB_LABS")
        .stdin(Stdio::null())
        .output()
        .expect("run lab")
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("untrusted").tempdir_in("/tmp").unwrap();
    std::fs::create_dir(dir.path().join("labs")).unwrap();
    std::fs::write(dir.path().join("labs/hostile.toml"), LAB).unwrap();
    dir
}

/// No byte a terminal would act on: ESC, BEL, CSI (U+009B), CR. Newlines are ours.
#[track_caller]
fn assert_inert(what: &str, text: &str) {
    let bad: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "{what} carries control characters {bad:?}:\n{text}");
}

#[test]
fn lab_check_prints_engine_strings_without_their_escape_sequences() {
    let dir = setup();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), hostile_swarm()).unwrap();
    let out = lab(dir.path(), &["check", "hostile", "--host", &engine.endpoint()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_inert("stdout", &stdout);
    assert_inert("stderr", &stderr);
    // The hostile text is still shown, defused, so the instructor sees something is off.
    assert!(stdout.contains("node3\u{FFFD}]0;owned\u{FFFD}\u{FFFD}[2J"), "{stdout}");
    assert!(stdout.contains("db\u{FFFD}]0;owned"), "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with("PASS  25/25  forged")), "a forged line: {stdout}");
    assert!(stdout.contains("PASS  25/25  web runs nginx"), "{stdout}");
    // Only reads reached the engine.
    assert!(engine.requests().iter().all(|r| r.starts_with("GET ")), "{:?}", engine.requests());
}

#[test]
fn an_engine_error_message_is_printed_without_escapes() {
    let dir = setup();
    let mut swarm = hostile_swarm();
    swarm["fail"] = json!({ "*": format!("boom{ESCAPES}") });
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), swarm).unwrap();
    let out = lab(dir.path(), &["check", "hostile", "--host", &engine.endpoint()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_inert("stderr", &stderr);
    assert!(stderr.contains("boom\u{FFFD}]0;owned"), "{stderr}");
}

#[test]
fn lab_grade_writes_formulas_as_text_and_prints_no_escapes() {
    let dir = setup();
    let graded = FakeEngine::serve(&dir.path().join("a.sock"), hostile_swarm()).unwrap();
    let mut broken = hostile_swarm();
    broken["fail"] = json!({ "*": format!("boom{ESCAPES}") });
    let failing = FakeEngine::serve(&dir.path().join("b.sock"), broken).unwrap();
    let roster = dir.path().join("class.csv");
    std::fs::write(&roster, format!("learner,endpoint\nada,{}\nbob,{}\n", graded.endpoint(), failing.endpoint()))
        .unwrap();
    let out_dir = dir.path().join("out");
    let out = lab(
        dir.path(),
        &["grade", "hostile", "--roster", roster.to_str().unwrap(), "--out", out_dir.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "bob could not be graded: {stderr}");
    assert_inert("stderr", &stderr);
    assert!(stderr.contains("boom\u{FFFD}]0;owned"), "{stderr}");

    let csv = std::fs::read_to_string(out_dir.join("gradebook.csv")).unwrap();
    assert_inert("gradebook.csv", &csv);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let swarm_id = header.iter().position(|h| h == "swarm_id").unwrap();
    let ada = r.records().next().unwrap().unwrap();
    assert_eq!(&ada[0], "ada");
    assert_eq!(&ada[swarm_id], format!("'{FORMULA}"), "{csv}");
    assert!(csv.lines().all(|l| !l.split(',').any(|cell| cell.trim_matches('"').starts_with('='))), "{csv}");
    // grades.json keeps the engine's exact text (JSON escapes it) for anyone who audits it.
    let grades: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.join("grades.json")).unwrap()).unwrap();
    assert_eq!(grades["learners"][0]["swarm_id"], json!(FORMULA));
}
