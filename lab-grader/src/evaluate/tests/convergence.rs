//! Convergence (a check whose only mismatches may settle, on something still moving, is
//! `converging`), whole-lab evaluation (selection, score), and the shared lookups.

use super::super::{evaluate, list_names, name_matches, Ctx};
use super::*;
use bollard::models::TaskState;
use lab_schema::{Answer, Lab};
use serde_json::json;
use std::collections::HashMap;

#[test]
fn tasks_still_pending_are_converging_not_failing() {
    let snap = converging();
    let r = eval(&snap, service_a(json!({ "name": "late", "replicas": 3, "running": 3 })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
    assert_eq!(r.points, 0);
    assert_eq!(r.max_points, 10);
    assert_eq!(r.message, "converging: 3 tasks pending");
    assert_eq!(r.mismatches.len(), 1);
    assert_eq!(r.mismatches[0].found, "0 running");
    let r = eval(&snap, service_a(json!({ "image": "redis:3.2", "running": 3 })));
    assert!(r.message.starts_with("converging (service late): "), "{}", r.message);
    let r = eval(&snap, tasks_a(json!({ "service": "late", "running": 3 })));
    assert_eq!(r.status, Status::Converging);
}

#[test]
fn a_mismatch_that_cannot_settle_fails_even_while_moving() {
    let r = eval(&converging(), service_a(json!({ "name": "late", "image": "redis:4", "running": 3 })));
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert_eq!(r.message, "2 mismatches");
    assert_eq!(r.points, 0);
}

#[test]
fn every_starting_state_is_moving_and_running_or_shutdown_is_not() {
    use TaskState::*;
    for (state, desired, moving) in [
        (NEW, RUNNING, true),
        (ALLOCATED, RUNNING, true),
        (PENDING, RUNNING, true),
        (ASSIGNED, RUNNING, true),
        (ACCEPTED, RUNNING, true),
        (PREPARING, RUNNING, true),
        (READY, RUNNING, true),
        (STARTING, RUNNING, true),
        (RUNNING, RUNNING, false),
        (COMPLETE, RUNNING, false),
        (FAILED, RUNNING, false),
        (REJECTED, RUNNING, false),
    ] {
        let mut snap = converging();
        let id = service_mut(&mut snap, "late").id.clone();
        for t in snap.tasks.iter_mut().filter(|t| t.service_id == id) {
            t.status.as_mut().unwrap().state = Some(state);
            t.desired_state = Some(desired);
        }
        let svc = snap.services.iter().find(|s| s.id == id).unwrap();
        assert_eq!(!Ctx::new(&snap).movement(svc).is_empty(), moving, "{state:?} desired {desired:?}");
    }
}

#[test]
fn an_update_or_rollback_in_progress_is_moving() {
    for (state, moving) in [("updating", true), ("rollback_started", true), ("completed", false), ("paused", false)] {
        let mut snap = swarm();
        service_mut(&mut snap, "web").update_status =
            Some(bollard::models::ServiceUpdateStatus { state: Some(state.parse().unwrap()), ..Default::default() });
        let svc = snap.services.iter().find(|s| Ctx::service_name(s) == "web").unwrap();
        assert_eq!(!Ctx::new(&snap).movement(svc).is_empty(), moving, "{state}");
    }
    let snap = swarm();
    assert!(snap.services.iter().all(|s| Ctx::new(&snap).movement(s).is_empty()), "the recording is settled");
}

fn lab(checks: Vec<Check>) -> Lab {
    Lab {
        id: "a-lab".into(),
        title: "A lab".into(),
        lesson: "lesson.md".into(),
        goal: String::new(),
        answer: Answer { steps: vec![] },
        checks,
        drills: vec![],
        fixes: true,
        source: Default::default(),
    }
}

fn named(id: &str, points: u32, a: Assertion) -> Check {
    Check { id: id.into(), points, ..check(a) }
}

fn three_checks() -> Lab {
    lab(vec![
        named("web", 30, service_a(json!({ "name": "web", "replicas": 2 }))),
        named("db", 50, service_a(json!({ "name": "db", "replicas": 5 }))),
        named("late", 20, service_a(json!({ "name": "late", "running": 3 }))),
    ])
}

#[test]
fn a_lab_scores_the_checks_that_pass() {
    let snap = converging();
    let r = evaluate(&three_checks(), &snap, &[], &[]);
    assert_eq!((r.lab.as_str(), r.title.as_str()), ("a-lab", "A lab"));
    let statuses: Vec<(&str, Status)> = r.checks.iter().map(|c| (c.id.as_str(), c.status)).collect();
    assert_eq!(statuses, [("web", Status::Pass), ("db", Status::Fail), ("late", Status::Converging)]);
    assert_eq!((r.score, r.max_score, r.passed), (30, 100, false));
    assert_eq!(r.cluster.engine_version, "20.10.24+dfsg1");
    assert_eq!(r.cluster.api_version, "1.41");
    assert_eq!(r.cluster.swarm_id, snap.info.swarm.as_ref().unwrap().cluster.as_ref().unwrap().id.clone().unwrap());
    assert_eq!(r.cluster.node_ids.len(), 3);
    assert!(r.cluster.node_ids.windows(2).all(|w| w[0] < w[1]), "sorted: {:?}", r.cluster.node_ids);
}

#[test]
fn only_and_skip_choose_the_checks() {
    let snap = converging();
    let ids = |only: &[&str], skip: &[&str]| {
        let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
        let skip: Vec<String> = skip.iter().map(|s| s.to_string()).collect();
        let r = evaluate(&three_checks(), &snap, &only, &skip);
        (r.checks.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), r.score, r.max_score, r.passed)
    };
    assert_eq!(ids(&["web"], &[]), (vec!["web".to_string()], 30, 30, true));
    assert_eq!(ids(&[], &["db", "late"]), (vec!["web".to_string()], 30, 30, true));
    assert_eq!(ids(&["web", "db"], &["web"]), (vec!["db".to_string()], 0, 50, false));
}

#[test]
fn names_match_exactly_or_with_the_stack_prefix_its_labels_name() {
    let labels: HashMap<String, String> = [(super::super::STACK_LABEL.to_string(), "shop".to_string())].into();
    assert!(name_matches("redis", None, "redis"));
    assert!(name_matches("shop_redis", Some(&labels), "redis"));
    assert!(!name_matches("shop_redis", None, "redis"));
    assert!(!name_matches("other_redis", Some(&labels), "redis"));
    assert!(!name_matches("shop_redis", Some(&HashMap::new()), "redis"));
}

#[test]
fn name_lists_are_sorted_deduplicated_and_cut() {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let en = lab_i18n::Language::english();
    assert_eq!(list_names(en, vec![], 3), "none");
    assert_eq!(list_names(en, v(&["b", "a", "b"]), 3), "a, b");
    assert_eq!(list_names(en, v(&["c", "b", "a"]), 3), "a, b, c");
    assert_eq!(list_names(en, v(&["d", "c", "b", "a"]), 2), "a, b and 2 more");
    assert_eq!(list_names(en, v(&["d", "c", "b", "a"]), 3), "a, b, c and 1 more");
}

#[test]
fn networks_are_found_by_id_name_or_unique_prefix() {
    let snap = swarm();
    let ctx = Ctx::new(&snap);
    let front = snap.networks.iter().find(|n| n.name.as_deref() == Some("front")).unwrap();
    let id = front.id.clone().unwrap();
    let name_of = |t: &str| ctx.network(t).and_then(|n| n.name.clone());
    assert_eq!(name_of(&id).as_deref(), Some("front"));
    assert_eq!(name_of("front").as_deref(), Some("front"));
    assert_eq!(name_of(&id[..6]).as_deref(), Some("front"));
    assert_eq!(name_of(&id[..5]), None);
    assert_eq!(name_of("nope"), None);
}

#[test]
fn the_snapshot_names_its_nodes_and_swarm() {
    let snap = swarm();
    let this = snap.this_node_id();
    assert_eq!(snap.node_name(&this), "node1");
    assert_eq!(snap.node_name("abcdefghijklmnopqrstuvwxyz"), "abcdefghijkl");
    assert_eq!(snap.node_ids().len(), 3);
    assert!(!snap.swarm_id().is_empty());
    assert_eq!(Snapshot::default().swarm_id(), "");
    assert_eq!(Snapshot::default().this_node_id(), "");
}
