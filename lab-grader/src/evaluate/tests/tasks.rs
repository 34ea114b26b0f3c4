//! Task-history assertions: replaced tasks (the self-healing lesson) and running tasks.
//! `crashy` in the recording died five times in slot 1 and its restarts ran out.

use super::*;
use bollard::models::{Task, TaskState};
use serde_json::json;

fn tasks_of<'a>(snap: &'a mut Snapshot, service: &str) -> Vec<&'a mut Task> {
    let id = service_mut(snap, service).id.clone();
    snap.tasks.iter_mut().filter(|t| t.service_id == id).collect()
}

fn index(t: &Task) -> u64 {
    t.version.as_ref().and_then(|v| v.index).unwrap()
}

/// crashy with its newest task running again: four failed tasks, each replaced.
fn healed() -> Snapshot {
    let mut snap = swarm();
    let mut tasks = tasks_of(&mut snap, "crashy");
    tasks.sort_by_key(|t| std::cmp::Reverse(index(t)));
    let newest = &mut tasks[0];
    newest.desired_state = Some(TaskState::RUNNING);
    newest.status.as_mut().unwrap().state = Some(TaskState::RUNNING);
    snap
}

#[test]
fn failed_tasks_replaced_in_their_slot() {
    let r = eval(&healed(), tasks_a(json!({ "service": "crashy", "replaced": { "min": 1 }, "running": 1 })));
    assert_pass(&r);
    assert_eq!(r.message, "passed", "selected by name: no subject");
    let r = eval(&healed(), tasks_a(json!({ "service": "crashy", "replaced": 5 })));
    assert_fails(&r, "replaced tasks", "5", "4 replaced (task history: 4 failed, 1 running)");
}

#[test]
fn a_failed_task_not_replaced_yet_is_converging() {
    // The recording: every replacement failed too and is no longer desired running.
    let r = eval(&swarm(), tasks_a(json!({ "service": "crashy", "replaced": { "min": 1 } })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
    assert_eq!(r.mismatches[0].found, "0 replaced (task history: 5 failed)");
}

#[test]
fn a_replacement_must_be_newer_and_in_the_same_place() {
    // The running task moved to slot 2: it replaces nothing in slot 1.
    let mut snap = healed();
    let mut tasks = tasks_of(&mut snap, "crashy");
    tasks.sort_by_key(|t| std::cmp::Reverse(index(t)));
    tasks[0].slot = Some(2);
    let r = eval(&snap, tasks_a(json!({ "service": "crashy", "replaced": 1 })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
    assert_eq!(r.mismatches[0].found, "0 replaced (task history: 4 failed, 1 running)");
    // The running task is older than the failures: it replaced none of them.
    let mut snap = healed();
    let mut tasks = tasks_of(&mut snap, "crashy");
    tasks.sort_by_key(|t| std::cmp::Reverse(index(t)));
    tasks[0].version.as_mut().unwrap().index = Some(1);
    let r = eval(&snap, tasks_a(json!({ "service": "crashy", "replaced": 1 })));
    assert_eq!(r.mismatches[0].found, "0 replaced (task history: 4 failed, 1 running)");
    // As old as the newest failure: it replaced only the three before it.
    let mut snap = healed();
    let mut tasks = tasks_of(&mut snap, "crashy");
    tasks.sort_by_key(|t| std::cmp::Reverse(index(t)));
    let newest_failure = index(tasks[1]);
    tasks[0].version.as_mut().unwrap().index = Some(newest_failure);
    let r = eval(&snap, tasks_a(json!({ "service": "crashy", "replaced": 4 })));
    assert_eq!(r.mismatches[0].found, "3 replaced (task history: 4 failed, 1 running)");
}

#[test]
fn global_tasks_are_replaced_on_the_same_node() {
    // A failed global task on node3, older than the running one there.
    for (slot, node_of_failed, replaced) in [(None, "same", 1), (Some(0), "same", 1), (Some(0), "other", 0)] {
        let mut snap = swarm();
        let running = tasks_of(&mut snap, "unruffled_spence")[0].clone();
        let mut failed = running.clone();
        failed.id = Some("failedtask".into());
        failed.desired_state = Some(TaskState::SHUTDOWN);
        failed.status.as_mut().unwrap().state = Some(TaskState::FAILED);
        failed.version.as_mut().unwrap().index = Some(1);
        failed.slot = slot;
        if node_of_failed == "other" {
            failed.node_id = Some("elsewhere".into());
        }
        for t in tasks_of(&mut snap, "unruffled_spence") {
            t.slot = slot;
        }
        snap.tasks.push(failed);
        let r = eval(&snap, tasks_a(json!({ "service": "unruffled_spence", "replaced": 1 })));
        if replaced == 1 {
            assert_pass(&r);
        } else {
            assert_eq!(r.mismatches[0].found, "0 replaced (task history: 1 failed, 3 running)", "{slot:?}");
        }
    }
}

#[test]
fn tasks_without_node_or_slot_are_never_the_same_place() {
    let mut snap = healed();
    for t in tasks_of(&mut snap, "crashy") {
        t.slot = None;
        t.node_id = None;
    }
    let r = eval(&snap, tasks_a(json!({ "service": "crashy", "replaced": 1 })));
    assert_eq!(r.mismatches[0].found, "0 replaced (task history: 4 failed, 1 running)");
}

#[test]
fn running_tasks_of_a_service() {
    assert_pass(&eval(&swarm(), tasks_a(json!({ "service": "unruffled_spence", "running": 3 }))));
    let r = eval(&swarm(), tasks_a(json!({ "service": "web", "running": 3 })));
    assert_fails(&r, "running tasks", "3", "2");
    assert_eq!(r.mismatches[0].found, "2");
}

#[test]
fn selected_by_image_the_closest_candidate_is_named() {
    let r = eval(&swarm(), tasks_a(json!({ "image": "alpine", "running": 3 })));
    assert_pass(&r);
    assert_eq!(r.message, "passed (service unruffled_spence)");
    let r = eval(&swarm(), tasks_a(json!({ "image": "alpine", "running": 0 })));
    assert_eq!(r.message, "passed (service crashy)");
    let r = eval(&swarm(), tasks_a(json!({ "image": "nginx", "running": 2 })));
    assert_eq!(r.message, "passed (service web)", "one candidate by image is still named");
}

#[test]
fn a_missing_service_lists_the_services() {
    let all = "no such service (services: crashy, db, shop_redis, unruffled_spence, web)";
    assert_fails(
        &eval(&swarm(), tasks_a(json!({ "service": "nope", "running": 1 }))),
        "service",
        "a service named `nope`",
        all,
    );
    assert_fails(
        &eval(&swarm(), tasks_a(json!({ "image": "drupal", "running": 1 }))),
        "service",
        "a service running drupal:latest",
        all,
    );
    assert_fails(&eval(&swarm(), tasks_a(json!({ "running": 1 }))), "service", "a service", all);
}
