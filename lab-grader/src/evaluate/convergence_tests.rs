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
    assert!(stale.found.starts_with("oldnode2 (node2, worker, down)"), "{}", stale.found);
    assert!(r.hint.starts_with("Look.") && r.hint.contains("`docker node rm ID`"), "{}", r.hint);
}
