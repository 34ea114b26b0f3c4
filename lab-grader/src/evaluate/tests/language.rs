//! Reports in Traditional Chinese. For failing and converging states of the recorded swarm
//! (and hand-edited ones: an update rolling out, a replacement in its restart delay, a node
//! promoted moments ago, a stale node entry), every human text a check reports (message,
//! mismatches, the rendered report) comes from the zh-TW catalog, values aside; ids,
//! statuses and points are the same as in English. (Fix notes and fix commands in zh-TW:
//! lab-fix's tests.)
//!
//! "Untranslated" is told without a list of English sentences: a run of two or more English
//! words in a zh-TW text must be a value the swarm or the lab holds (a task's error, a
//! node state, a command in a code span). A message `lab` wrote itself in English fails.

use super::super::{evaluate_check_in, evaluate_in, unsettled_message, Unsettled};
use super::*;
use crate::report::human;
use crate::report::Report;
use bollard::models::{ServiceUpdateStatusStateEnum, TaskState};
use lab_i18n::untranslated::english_runs;
use lab_i18n::Language;
use lab_schema::{Lab, LabDuration};
use serde_json::json;

fn zh() -> Language {
    Language::parse("zh-TW").unwrap()
}

/// The recorded states, and hand-edited ones that show what the recordings do not.
fn states() -> Vec<(&'static str, Snapshot)> {
    let mut out = all_snapshots();

    let mut s = swarm();
    let web = service_mut(&mut s, "web");
    web.update_status = Some(bollard::models::ServiceUpdateStatus {
        state: Some(ServiceUpdateStatusStateEnum::UPDATING),
        ..Default::default()
    });
    out.push(("an update rolling out", s));

    // `docker container rm -f` of a web task: the replacement waits at `ready`.
    let mut s = swarm();
    let web_id = service_mut(&mut s, "web").id.clone();
    let t = s.tasks.iter_mut().find(|t| t.service_id == web_id && t.desired_state == Some(TaskState::RUNNING)).unwrap();
    t.desired_state = Some(TaskState::READY);
    t.status.as_mut().unwrap().state = Some(TaskState::READY);
    out.push(("a replacement in its restart delay", s));

    // node3 promoted moments ago: a manager without a reachability yet; node2 unknown.
    let mut s = swarm();
    let node3 = s.nodes.iter_mut().find(|n| n.description.as_ref().unwrap().hostname.as_deref() == Some("node3"));
    let node3 = node3.unwrap();
    node3.spec.as_mut().unwrap().role = Some(bollard::models::NodeSpecRoleEnum::MANAGER);
    node3.manager_status = None;
    out.push(("a node being promoted", s));

    // node3 left and joined again: its old entry is still listed, down.
    let mut s = swarm();
    let mut old =
        s.nodes.iter().find(|n| n.description.as_ref().unwrap().hostname.as_deref() == Some("node3")).unwrap().clone();
    old.id = Some("oldnode3oldnode3oldnode3".into());
    old.status.as_mut().unwrap().state = Some(bollard::models::NodeState::DOWN);
    s.nodes.push(old);
    out.push(("a stale node entry", s));
    out
}

/// Assertions that fail on the recorded swarm, one per path of the evaluators.
fn failing_checks() -> Vec<Check> {
    let web_everything = service_a(json!({
        "name": "web", "image": "nginx:1.25", "mode": "global", "replicas": { "min": 5, "max": 7 },
        "running": { "min": 5 }, "command": "ping *", "args": "-c 3",
        "env": { "NOT_THERE": true, "NGINX_PORT": false, "MODE": "production" }, "env_any": ["A", "B"],
        "ports": [{ "target": 81, "published": { "min": 1024 } }, { "published": 8443 }],
        "networks": ["front", "back"],
        "mounts": [{ "target": "/nowhere" }, { "target": "/srv", "type": "tmpfs", "source": "x", "readonly": true }],
        "endpoint_mode": "dnsrr", "constraints": ["node.role == worker"],
        "exact": ["env", "ports", "networks", "mounts", "constraints"],
    }));
    let assertions = vec![
        web_everything,
        service_a(json!({ "name": "webb" })),
        service_a(json!({ "name": "nothing-like-it" })),
        service_a(json!({ "image": "httpd:*" })),
        service_a(json!({ "image": ["nginx:1.25", "alpine:*"], "replicas": 9, "ports": [{ "target": 1 }] })),
        service_a(json!({ "name": "crashy", "running": 1 })),
        service_a(json!({ "name": "db", "running": 3, "env_any": ["NOPE"], "ports": [], "exact": ["ports"] })),
        service_a(json!({ "name": "late", "replicas": 3, "running": 3 })),
        service_a(
            json!({ "name": "web", "running": 1, "mounts": [{ "target": "/usr/share/nginx/html", "source": "other" }] }),
        ),
        tasks_a(json!({ "service": "crashy", "replaced": { "min": 10 }, "running": 3 })),
        tasks_a(json!({ "image": "alpine:*", "replaced": 7 })),
        tasks_a(json!({ "service": "nope", "running": 1 })),
        tasks_a(json!({ "image": "nope:1", "running": 1 })),
        network_a(json!({ "name": "front", "driver": "bridge", "scope": "local", "encrypted": true,
                          "attachable": true, "internal": true })),
        network_a(json!({ "name": "nope" })),
        volume_a(json!({ "name": "nope" })),
        volume_a(json!({ "name": "webdata", "driver": "other" })),
        volume_a(json!({ "name": "x", "service": "nope" })),
        volume_a(json!({ "name": "db-data", "service": "db" })),
        volume_a(json!({ "name": "db-data", "service": "web" })),
        volume_a(json!({ "name": "elsewhere", "service": "late" })),
        secret_a(json!({ "name": "nope", "service": "web" })),
        secret_a(json!({ "name": "db_pass", "service": "db", "target": "/elsewhere" })),
        secret_a(json!({ "name": "db_pass", "service": "web" })),
        secret_a(json!({ "name": "db_pass", "service": "nope" })),
        config_a(json!({ "name": "app_conf", "service": "web" })),
        config_a(json!({ "name": "nope" })),
        swarm_a(json!({ "active": false, "manager": false, "nodes": 5, "ready_nodes": 5, "managers": { "max": 1 },
                        "leader": false })),
        node_a(json!({ "role": "manager", "status": "ready", "availability": "drain", "reachability": "reachable",
                       "leader": true, "hostname": "node*", "count": 3 })),
        node_a(json!({ "hostname": "x*", "count": 1 })),
        node_a(json!({ "leader": false, "role": "worker", "count": { "min": 3 } })),
        node_a(json!({ "reachability": "unreachable" })),
        node_a(json!({ "count": 9 })),
    ];
    assertions.into_iter().map(check).collect()
}

fn labs() -> Vec<Lab> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs");
    lab_schema::load_dir(&dir).unwrap_or_else(|e| panic!("{e:?}"))
}

/// Terms the zh-TW text keeps in English (book/po/GLOSSARY.md: "endpoint mode" is docker's
/// own `--endpoint-mode`, "join token" what `docker swarm join-token` prints).
const KEPT_IN_ENGLISH: &[&str] = &["endpoint mode", "join token", "Routing Mesh"];

/// Every run of English words in `text` that neither the swarm nor the check holds, nor a
/// term the glossary keeps in English.
#[track_caller]
fn assert_translated(text: &str, values: &str, at: &str) {
    let untranslated: Vec<String> = english_runs(text)
        .into_iter()
        .filter(|r| !values.contains(r.as_str()) && !KEPT_IN_ENGLISH.contains(&r.as_str()))
        .collect();
    assert!(untranslated.is_empty(), "{at}: English in a zh-TW text: {untranslated:?} in {text:?}");
}

/// The human text fields of a check, for the checks above.
fn human_fields(c: &CheckReport) -> Vec<(&'static str, &str)> {
    let mut out = vec![("message", c.message.as_str())];
    for m in &c.mismatches {
        out.extend([("field", m.field.as_str()), ("expected", m.expected.as_str()), ("found", m.found.as_str())]);
    }
    out.extend(c.fix_note.as_deref().map(|n| ("fix_note", n)));
    out
}

/// A report as JSON with its human text blanked: what must not change with the language.
fn language_free(r: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    v["title"] = json!("");
    for c in v["checks"].as_array_mut().unwrap() {
        for k in ["title", "hint", "message", "fix_note"] {
            if !c[k].is_null() {
                c[k] = json!("");
            }
        }
        for m in c["mismatches"].as_array_mut().unwrap() {
            for k in ["field", "expected", "found"] {
                m[k] = json!("");
            }
        }
    }
    v
}

#[test]
fn every_failing_and_converging_check_speaks_traditional_chinese() {
    let checks = failing_checks();
    let mut told = Vec::new();
    for (state, snap) in states() {
        let values = serde_json::to_string(&snap).unwrap();
        for c in &checks {
            let en = evaluate_check_in(c, &snap, Language::english());
            let zh = evaluate_check_in(c, &snap, zh());
            let at = format!("{state}: {:?}", c.assertion);
            assert_eq!(
                (&zh.id, zh.status, zh.points, zh.mismatches.len()),
                (&en.id, en.status, en.points, en.mismatches.len()),
                "{at}"
            );
            let values = format!("{values} {}", serde_json::to_string(&c.assertion).unwrap());
            for (name, text) in human_fields(&zh) {
                assert_translated(text, &values, &format!("{at} {name}"));
            }
            if en.status != Status::Pass {
                assert_ne!(zh.message, en.message, "{at}");
            }
            told.push(en.status);
        }
    }
    assert!(told.contains(&Status::Fail) && told.contains(&Status::Converging), "both kinds were graded: {told:?}");
}

#[test]
fn a_lab_graded_in_chinese_keeps_its_ids_statuses_and_points() {
    for english_lab in labs() {
        // As `lab` grades it: the lab's own text translated by the lab catalog (tested in
        // lab-i18n), ids, assertions and answer unchanged.
        let lab = zh().lab(&english_lab);
        for (state, snap) in states() {
            let values = format!("{} {}", serde_json::to_string(&snap).unwrap(), serde_json::to_string(&lab).unwrap());
            let en = evaluate_in(&english_lab, &snap, &[], &[], Language::english());
            let chinese = evaluate_in(&lab, &snap, &[], &[], zh());
            let at = format!("{} on {state}", lab.id);
            assert_eq!(language_free(&chinese), language_free(&en), "{at}");
            for c in &chinese.checks {
                for (name, text) in human_fields(c) {
                    assert_translated(text, &values, &format!("{at}: {} {name}", c.id));
                }
                // What the grader adds to the lab's hint (stale node entries).
                let own = lab.check(&c.id).map(|k| k.hint.trim()).unwrap_or_default();
                assert_translated(c.hint.trim_start_matches(own), &values, &format!("{at}: {} hint", c.id));
            }
            // The rendered report, without the lab's own text and the fix commands (verbatim).
            let mut plain = chinese.clone();
            plain.title.clear();
            for c in &mut plain.checks {
                c.fix = None;
                c.title.clear();
                c.hint.clear();
            }
            let text = human::render_in(&plain, human::Style::default(), zh());
            assert_translated(&text, &values, &format!("{at}: the human report"));
        }
    }
}

#[test]
fn a_check_that_stopped_converging_says_what_still_moved_in_chinese() {
    let snap = converging();
    let c = check(service_a(json!({ "name": "late", "replicas": 3, "running": 3 })));
    let values = serde_json::to_string(&snap).unwrap();
    let wait = LabDuration(std::time::Duration::from_secs(30));
    let en = unsettled_message(&c, &snap, Language::english(), Unsettled::WaitRanOut(wait));
    assert_eq!(en, "did not converge within 30s: 3 tasks pending");
    for why in [Unsettled::WaitRanOut(wait), Unsettled::GradingEnded(wait)] {
        let zh = unsettled_message(&c, &snap, zh(), why);
        assert!(zh.contains("30s") && zh.contains("pending"), "{zh}");
        assert_translated(&zh, &values, "unsettled");
    }
    assert_eq!(unsettled_message(&c, &snap, zh(), Unsettled::WaitRanOut(wait)), "30s 內未收斂：3 個任務處於 pending");
}
