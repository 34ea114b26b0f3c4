//! Converging or failing, judged on small hand-written snapshots: a replacement in its
//! restart delay converges (no fix), a wrong setting fails, a port mismatch is told once,
//! a node promoted moments ago converges, stale node entries are named with `docker node rm`.

use super::evaluate_check;
use crate::report::Status;
use crate::snapshot::Snapshot;
use serde_json::json;

fn check(assertion: &str) -> lab_schema::Check {
    let text = format!(
        "id = \"t\"\ntitle = \"t\"\nlesson = \"first-service.md\"\ngoal = \"g\"\nanswer = \"a\"\n\n\
         [[check]]\nid = \"c\"\ntitle = \"c\"\npoints = 100\nhint = \"Look.\"\nfix = \"do it\"\n{assertion}\n"
    );
    let lab = lab_schema::load::load_str(std::path::Path::new("t.toml"), &text).unwrap_or_else(|e| panic!("{e:?}"));
    lab.checks[0].clone()
}

fn vote(replicas: u64, ports: serde_json::Value, tasks: serde_json::Value) -> Snapshot {
    serde_json::from_value(json!({
        "services": [{"ID": "v", "Spec": {"Name": "vote", "Mode": {"Replicated": {"Replicas": replicas}},
            "TaskTemplate": {"ContainerSpec": {"Image": "bretfisher/examplevotingapp_vote:latest"}},
            "EndpointSpec": {"Ports": ports}}}],
        "tasks": tasks,
    }))
    .unwrap()
}

fn task(slot: i64, index: u64, desired: &str, state: &str, err: &str) -> serde_json::Value {
    json!({"ID": format!("t{index}"), "ServiceID": "v", "Slot": slot, "Version": {"Index": index},
           "DesiredState": desired, "Status": {"State": state, "Err": err}})
}

const VOTE: &str = "[check.service]\nname = \"vote\"\nreplicas = { min = 2 }\nrunning = { min = 2 }";

#[test]
fn a_replacement_in_its_restart_delay_converges_without_a_fix() {
    let snap = vote(
        2,
        json!([]),
        json!([
            task(1, 5, "running", "running", ""),
            task(2, 6, "shutdown", "failed", "task: non-zero exit (137)"),
            task(2, 7, "ready", "ready", ""),
        ]),
    );
    let r = evaluate_check(&check(VOTE), &snap);
    assert_eq!(r.status, Status::Converging, "{r:?}");
    assert_eq!(r.message, "converging: 1 task waiting out the restart delay");
    assert!(r.fix.is_none(), "converging has no fix: {r:?}");
}

#[test]
fn too_few_replicas_with_nothing_moving_fails() {
    let snap =
        vote(1, json!([]), json!([task(1, 5, "running", "running", ""), task(2, 3, "shutdown", "shutdown", "")]));
    let r = evaluate_check(&check(VOTE), &snap);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    let running = r.mismatches.iter().find(|m| m.field == "running tasks").unwrap();
    assert_eq!(running.found, "1 running", "a task shut down on purpose says nothing");
}

#[test]
fn a_wrong_published_port_is_one_mismatch() {
    let ports = json!([{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"}]);
    let snap = vote(2, ports, json!([task(1, 5, "running", "running", ""), task(2, 6, "running", "running", "")]));
    let c = check("[check.service]\nname = \"vote\"\nports = [{ published = 80, target = 80 }]\nexact = [\"ports\"]");
    let r = evaluate_check(&c, &snap);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.mismatches.len(), 1, "{:?}", r.mismatches);
    assert_eq!(r.mismatches[0].expected, "only 80→80");
    assert_eq!(r.mismatches[0].found, "8080→80/tcp (ingress)");
}

fn node(id: &str, host: &str, role: &str, state: &str, reach: Option<&str>) -> serde_json::Value {
    let mut n = json!({"ID": id, "Description": {"Hostname": host}, "Spec": {"Role": role, "Availability": "active"},
                       "Status": {"State": state}});
    if let Some(r) = reach {
        n["ManagerStatus"] = json!({"Reachability": r, "Leader": id == "n1"});
    }
    n
}

const MANAGERS: &str = "[check.node]\nrole = \"manager\"\nreachability = \"reachable\"\ncount = 2";

#[test]
fn a_node_promoted_moments_ago_converges_and_is_not_called_a_worker() {
    let snap: Snapshot = serde_json::from_value(json!({"nodes": [
        node("n1", "node1", "manager", "ready", Some("reachable")),
        node("n2", "node2", "manager", "ready", None),
    ]}))
    .unwrap();
    let r = evaluate_check(&check(MANAGERS), &snap);
    assert_eq!(r.status, Status::Converging, "{r:?}");
    assert!(r.message.contains("node2 is being promoted"), "{}", r.message);
    assert!(!r.mismatches[0].found.contains("worker"), "{:?}", r.mismatches);
}

#[test]
fn a_down_duplicate_of_a_hostname_is_named_with_docker_node_rm() {
    let snap: Snapshot = serde_json::from_value(json!({"nodes": [
        node("n1", "node1", "manager", "ready", Some("reachable")),
        node("oldnode2", "node2", "worker", "down", None),
        node("newnode2", "node2", "worker", "ready", None),
    ]}))
    .unwrap();
    let r = evaluate_check(&check(MANAGERS), &snap);
    assert_eq!(r.status, Status::Fail);
    let stale = r.mismatches.iter().find(|m| m.field == "stale nodes").expect("stale nodes named");
    // The entry the node has now is not stale: `docker node rm` of it would remove the node.
    assert_eq!(
        stale.found,
        "oldnode2 (node2, worker, down): left behind when the node left the swarm and joined again"
    );
    assert!(r.hint.starts_with("Look.") && r.hint.contains("`docker node rm ID`"), "{}", r.hint);
    assert!(!r.hint.contains("demote"), "a stale worker entry needs no demote: {}", r.hint);
    // Two entries of one hostname are told apart by ID.
    let nodes = r.mismatches.iter().find(|m| m.field == "nodes").unwrap();
    assert_eq!(nodes.found, "1 (node2 (oldnode2): role worker; node2 (newnode2): role worker)");
}

#[test]
fn a_stale_manager_entry_is_demoted_before_it_is_removed() {
    let snap: Snapshot = serde_json::from_value(json!({"nodes": [
        node("n1", "node1", "manager", "ready", Some("reachable")),
        node("oldnode2", "node2", "manager", "down", Some("unreachable")),
        node("newnode2", "node2", "worker", "ready", None),
    ]}))
    .unwrap();
    let r = evaluate_check(&check(MANAGERS), &snap);
    assert_eq!(r.status, Status::Fail);
    assert!(r.hint.contains("`docker node demote ID` first"), "{}", r.hint);
}

#[test]
fn failures_spread_over_two_slots_are_recovering_not_a_crash_loop() {
    // A crash loop is three failures in a row in one slot: one failure in slot 2 does not
    // add to two in slot 1, however the tasks are listed.
    let snap = vote(
        2,
        json!([]),
        json!([
            task(1, 3, "shutdown", "failed", "task: non-zero exit (1)"),
            task(1, 4, "shutdown", "failed", "task: non-zero exit (1)"),
            task(2, 5, "shutdown", "failed", "task: non-zero exit (1)"),
            task(1, 6, "ready", "ready", ""),
            task(2, 7, "ready", "ready", ""),
        ]),
    );
    let r = evaluate_check(&check(VOTE), &snap);
    assert_eq!(r.status, Status::Converging, "{r:?}");
    assert_eq!(r.message, "converging: 2 tasks waiting out the restart delay");
}

#[test]
fn a_slot_that_failed_three_times_and_now_runs_is_no_crash_loop() {
    // The engine lists tasks in no order: the newest task (by version) decides, and it runs.
    let snap = vote(
        1,
        json!([]),
        json!([
            task(1, 3, "shutdown", "failed", "task: non-zero exit (1)"),
            task(1, 4, "shutdown", "failed", "task: non-zero exit (1)"),
            task(1, 5, "shutdown", "failed", "task: non-zero exit (2)"),
            task(1, 9, "running", "running", ""),
        ]),
    );
    let r = evaluate_check(&check(VOTE), &snap);
    let running = r.mismatches.iter().find(|m| m.field == "running tasks").unwrap();
    assert_eq!(running.found, "1 running; newest failure: task: non-zero exit (2)");
}

#[test]
fn tasks_shut_down_by_updates_are_no_crash_loop() {
    // Two `docker service update`s leave two tasks shut down on purpose in the slot.
    let snap = vote(
        1,
        json!([]),
        json!([
            task(1, 3, "shutdown", "shutdown", ""),
            task(1, 4, "shutdown", "shutdown", ""),
            task(1, 5, "running", "running", ""),
        ]),
    );
    let r = evaluate_check(&check(VOTE), &snap);
    let running = r.mismatches.iter().find(|m| m.field == "running tasks").unwrap();
    assert_eq!(running.found, "1 running");
}

#[test]
fn a_replacement_rejected_while_held_at_ready_fails_at_once() {
    // The restart supervisor's replacement failed to prepare (no such image) before its
    // delay ended: nothing is waiting, so `--wait` must not wait for it.
    let snap = vote(
        1,
        json!([]),
        json!([
            task(1, 3, "shutdown", "rejected", "No such image: voet:latest"),
            task(1, 4, "ready", "rejected", "No such image: voet:latest"),
        ]),
    );
    let r = evaluate_check(&check("[check.service]\nname = \"vote\"\nrunning = { min = 1 }"), &snap);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    let running = r.mismatches.iter().find(|m| m.field == "running tasks").unwrap();
    assert_eq!(running.found, "0 running; tasks keep failing: No such image: voet:latest");
}

#[test]
fn a_task_no_node_fits_fails_at_once_and_says_it_is_pending() {
    let reason = "no suitable node (scheduling constraints not satisfied on 3 nodes)";
    let snap = vote(1, json!([]), json!([task(1, 5, "running", "pending", reason)]));
    let r = evaluate_check(&check("[check.service]\nname = \"vote\"\nrunning = { min = 1 }"), &snap);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    let running = r.mismatches.iter().find(|m| m.field == "running tasks").unwrap();
    assert_eq!(running.found, format!("0 running; a task is pending: {reason}"));
}

#[test]
fn a_rejected_task_fails_at_once_although_its_replacement_waits() {
    // Offline, a misspelt image: the node rejects the task and will reject the next one the
    // same way, so the replacement held for the restart delay is no progress.
    let snap = vote(
        1,
        json!([]),
        json!([task(1, 3, "shutdown", "rejected", "No such image: voet:latest"), task(1, 4, "ready", "ready", "")]),
    );
    let r = evaluate_check(&check("[check.service]\nname = \"vote\"\nrunning = { min = 1 }"), &snap);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    let running = r.mismatches.iter().find(|m| m.field == "running tasks").unwrap();
    assert_eq!(running.found, "0 running; tasks keep failing: No such image: voet:latest");
    let cause = r.cause.expect("the rejection is the cause");
    assert_eq!((cause.service.as_str(), cause.error.as_str()), ("vote", "No such image: voet:latest"));
}

#[test]
fn tasks_refused_by_a_node_whose_swarm_is_not_back_yet_converge() {
    // Moments after a node's engine restarted (the node-down drill), it rejects the tasks
    // placed on it: the node's error, not the service's. Swarm places them again.
    let not_yet = "cannot create a swarm scoped network when swarm is not active";
    let snap = vote(
        2,
        json!([]),
        json!([
            task(1, 5, "running", "running", ""),
            task(2, 6, "shutdown", "rejected", not_yet),
            task(2, 7, "shutdown", "rejected", not_yet),
            task(2, 8, "shutdown", "rejected", not_yet),
            task(2, 9, "running", "assigned", ""),
        ]),
    );
    let r = evaluate_check(&check(VOTE), &snap);
    assert_eq!(r.status, Status::Converging, "{r:?}");
    assert!(r.cause.is_none(), "the node's refusal says nothing about vote: {r:?}");
    // The same rejections for a reason of the service's (a missing image) fail at once.
    let snap = vote(
        2,
        json!([]),
        json!([
            task(1, 5, "running", "running", ""),
            task(2, 6, "shutdown", "rejected", "No such image: voet:latest"),
            task(2, 9, "running", "assigned", ""),
        ]),
    );
    assert_eq!(evaluate_check(&check(VOTE), &snap).status, Status::Fail);
}

#[test]
fn one_failure_with_its_replacement_waiting_converges_and_already_says_why() {
    let snap = vote(
        1,
        json!([]),
        json!([task(1, 3, "shutdown", "failed", "task: non-zero exit (1)"), task(1, 4, "ready", "ready", "")]),
    );
    let r = evaluate_check(&check("[check.service]\nname = \"vote\"\nrunning = { min = 1 }"), &snap);
    assert_eq!(r.status, Status::Converging, "one failure may be bad luck: {r:?}");
    assert_eq!(r.cause.map(|c| c.error).as_deref(), Some("task: non-zero exit (1)"));
}
