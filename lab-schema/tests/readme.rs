//! labs/README.md stays true to the format: its example lab loads, and every field the
//! loader accepts is documented there.

use lab_schema::*;
use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs/README.md")).unwrap()
}

/// The field names a type serializes with, which are the names its TOML tables take.
fn fields<T: serde::Serialize>(value: T) -> Vec<String> {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::Object(m) => m.keys().cloned().collect(),
        other => panic!("not a struct: {other}"),
    }
}

#[test]
fn the_example_lab_loads() {
    let text = readme();
    let example = text
        .split("## A short example")
        .nth(1)
        .and_then(|s| s.split("```toml\n").nth(1))
        .and_then(|s| s.split("\n```").next())
        .expect("README has a short example in a ```toml block");
    let lab =
        load_str(Path::new("labs/day6-scaled-web.toml"), example).unwrap_or_else(|e| panic!("{}", e.one_line_each()));
    assert_eq!(lab.max_score(), 100);
    assert_eq!(lab.checks.len(), 2);
}

#[test]
fn every_field_is_documented() {
    let text = readme();
    let port = PortExpectation { target: None, published: None, protocol: None, mode: None };
    let mount = MountExpectation { kind: None, source: None, target: String::new(), readonly: None };
    let tables: Vec<(&str, Vec<String>)> = vec![
        ("swarm", fields(SwarmAssertion::default())),
        ("node", fields(NodeAssertion::default())),
        ("service", fields(ServiceAssertion::default())),
        ("tasks", fields(TasksAssertion::default())),
        ("network", fields(NetworkAssertion::default())),
        ("volume", fields(VolumeAssertion::default())),
        ("secret/config", fields(ObjectAssertion::default())),
        ("port", fields(port)),
        ("mount", fields(mount)),
    ];
    let mut missing = Vec::new();
    for (table, names) in &tables {
        for name in names {
            if !text.contains(&format!("| `{name}` |")) {
                missing.push(format!("{table}.{name}"));
            }
        }
    }
    for kind in ASSERTION_KINDS {
        if !text.contains(&format!("[check.{kind}]")) {
            missing.push(format!("[check.{kind}]"));
        }
    }
    for top in ["id", "title", "lesson", "goal", "answer", "points", "hint", "fix", "wait"] {
        if !text.contains(&format!("| `{top}` |")) {
            missing.push(top.to_string());
        }
    }
    for field in ["fault", "service", "image", "probe", "data", "expect", "informational"] {
        if !text.contains(&format!("| `{field}` |")) {
            missing.push(format!("drill.{field}"));
        }
    }
    for fault in lab_schema::FAULTS {
        if !text.contains(&format!("`{fault}`")) {
            missing.push(format!("fault {fault}"));
        }
    }
    assert!(missing.is_empty(), "labs/README.md has no table row for: {missing:?}");
}
