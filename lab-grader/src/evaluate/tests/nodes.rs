//! Swarm-wide and per-node assertions on the recorded 3-node swarm: node1 the leader,
//! node2 a reachable manager, node3 a paused worker.

use super::*;
use bollard::models::{LocalNodeState, NodeState, Reachability};
use serde_json::json;

fn node_mut<'a>(snap: &'a mut Snapshot, host: &str) -> &'a mut bollard::models::Node {
    snap.nodes.iter_mut().find(|n| n.description.as_ref().and_then(|d| d.hostname.as_deref()) == Some(host)).unwrap()
}

#[test]
fn the_recorded_swarm_passes_every_swarm_fact() {
    let a = swarm_a(json!({
        "active": true, "manager": true, "nodes": 3, "ready_nodes": 3, "managers": 2, "leader": true
    }));
    assert_pass(&eval(&swarm(), a));
    assert_pass(&eval(&swarm(), swarm_a(json!({ "nodes": { "min": 3 }, "managers": { "max": 3 } }))));
}

#[test]
fn swarm_facts_fail_with_what_was_found() {
    let s = swarm();
    assert_fails(&eval(&s, swarm_a(json!({ "active": false }))), "swarm", "inactive", "active");
    assert_fails(&eval(&s, swarm_a(json!({ "manager": false }))), "this node", "a worker", "a manager");
    assert_fails(&eval(&s, swarm_a(json!({ "nodes": 4 }))), "nodes", "4", "3 (node2, node1, node3)");
    assert_fails(&eval(&s, swarm_a(json!({ "ready_nodes": 4 }))), "ready nodes", "4", "3 ready");
    assert_fails(&eval(&s, swarm_a(json!({ "managers": 3 }))), "managers", "3", "2 (node2, node1)");
    assert_fails(&eval(&s, swarm_a(json!({ "leader": false }))), "leader", "no leader", "node1");
}

#[test]
fn swarm_facts_of_an_inactive_worker_and_a_leaderless_swarm() {
    let mut s = swarm();
    let info = s.info.swarm.as_mut().unwrap();
    info.local_node_state = Some(LocalNodeState::INACTIVE);
    info.control_available = Some(false);
    assert_pass(&eval(&s, swarm_a(json!({ "active": false, "manager": false }))));
    assert_fails(&eval(&s, swarm_a(json!({ "active": true }))), "swarm", "active", "inactive");
    assert_fails(&eval(&s, swarm_a(json!({ "manager": true }))), "this node", "a manager", "a worker");
    s.info.swarm.as_mut().unwrap().local_node_state = None;
    assert_fails(&eval(&s, swarm_a(json!({ "active": true }))), "swarm", "active", "inactive");
    node_mut(&mut s, "node1").manager_status.as_mut().unwrap().leader = Some(false);
    assert_pass(&eval(&s, swarm_a(json!({ "leader": false }))));
    let r = eval(&s, swarm_a(json!({ "leader": true })));
    assert_fails(&r, "leader", "a leader", "no leader");
}

#[test]
fn a_node_down_is_named_and_an_unknown_one_may_settle() {
    let mut s = swarm();
    node_mut(&mut s, "node3").status.as_mut().unwrap().state = Some(NodeState::DOWN);
    let r = eval(&s, swarm_a(json!({ "ready_nodes": 3 })));
    assert_fails(&r, "ready nodes", "3", "2 ready; node3 is down");
    node_mut(&mut s, "node3").status.as_mut().unwrap().state = Some(NodeState::UNKNOWN);
    let r = eval(&s, swarm_a(json!({ "ready_nodes": 3 })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
    let r = eval(&s, swarm_a(json!({ "managers": 3 })));
    assert_eq!(r.status, Status::Fail, "a missing manager does not settle by itself: {r:#?}");
    // A manager whose reachability is still unknown is moving too.
    let mut s = swarm();
    node_mut(&mut s, "node2").manager_status.as_mut().unwrap().reachability = Some(Reachability::UNKNOWN);
    assert_eq!(eval(&s, swarm_a(json!({ "nodes": 4 }))).status, Status::Converging);
}

#[test]
fn a_node_without_hostname_is_named_by_its_id() {
    let mut s = swarm();
    let n = node_mut(&mut s, "node3");
    n.description = None;
    let id = n.id.clone().unwrap();
    let r = eval(&s, swarm_a(json!({ "nodes": 2 })));
    assert_fails(&r, "nodes", "2", &format!("3 (node2, node1, {id})"));
}

#[test]
fn nodes_with_every_stated_property() {
    let s = swarm();
    let leader = node_a(json!({
        "hostname": "node?", "role": "manager", "status": "ready", "availability": "active",
        "reachability": "reachable", "leader": true, "count": 1
    }));
    assert_pass(&eval(&s, leader));
    assert_pass(&eval(&s, node_a(json!({ "role": "manager", "reachability": "reachable", "count": 2 }))));
    assert_pass(&eval(&s, node_a(json!({ "role": "worker", "availability": "pause" }))));
    assert_pass(&eval(&s, node_a(json!({ "leader": false, "count": 2 }))));
    assert_pass(&eval(&s, node_a(json!({ "status": "ready", "count": { "min": 3 } }))));
}

#[test]
fn nodes_that_lack_a_property_say_which() {
    let s = swarm();
    let cases = [
        (json!({ "role": "manager", "count": 3 }), "3 with role manager", "2 (node3: role worker)"),
        (
            json!({ "availability": "drain" }),
            "at least 1 with availability drain",
            "0 (node2: availability active; node1: availability active; node3: availability pause)",
        ),
        (
            json!({ "hostname": "worker*", "count": 1 }),
            "1 with hostname worker*",
            "node1: hostname does not match worker*",
        ),
        (json!({ "status": "down" }), "at least 1 with status down", "node3: status ready"),
        (
            json!({ "reachability": "unreachable" }),
            "at least 1 with reachability unreachable",
            "node3: reachability none (a worker)",
        ),
        (
            json!({ "reachability": "unreachable" }),
            "at least 1 with reachability unreachable",
            "node1: reachability reachable",
        ),
        (json!({ "leader": false, "count": 3 }), "3 with not leader", "2 (node1: the leader)"),
        (json!({ "leader": true, "count": 2 }), "2 with leader", "1 (node2: not the leader; node3: not the leader)"),
        (json!({ "count": 4 }), "4 with any properties", "3"),
    ];
    for (a, expected, found) in cases {
        let r = eval(&s, node_a(a.clone()));
        let m = one_failure(&r);
        assert_eq!((m.field.as_str(), m.expected.as_str()), ("nodes", expected), "{a}");
        assert!(m.found.contains(found), "{a}: `{}` lacks `{found}`", m.found);
    }
    let r = eval(&s, node_a(json!({ "count": 4 })));
    assert_eq!(one_failure(&r).found, "3");
    // The first property a node lacks is the one named, in the order of the list above.
    let r = eval(&s, node_a(json!({ "role": "manager", "availability": "drain", "count": 3 })));
    assert_eq!(one_failure(&r).expected, "3 with role manager, availability drain");
    assert!(one_failure(&r).found.contains("node3: role worker"), "{r:#?}");
}

#[test]
fn missing_node_fields_read_as_empty() {
    let mut s = swarm();
    let n = node_mut(&mut s, "node3");
    n.spec = None;
    n.status = None;
    let r = eval(&s, node_a(json!({ "role": "worker" })));
    assert_fails(&r, "nodes", "at least 1 with role worker", "node3: role ");
    let r = eval(&s, node_a(json!({ "status": "ready", "count": 3 })));
    assert_fails(&r, "nodes", "3 with status ready", "2 (node3: status )");
    let r = eval(&s, node_a(json!({ "availability": "pause" })));
    assert_fails(&r, "nodes", "at least 1 with availability pause", "node3: availability ");
}

#[test]
fn too_few_nodes_converge_only_while_a_node_is_unsettled() {
    let mut s = swarm();
    assert_eq!(eval(&s, node_a(json!({ "role": "manager", "count": 3 }))).status, Status::Fail);
    node_mut(&mut s, "node3").status.as_mut().unwrap().state = Some(NodeState::UNKNOWN);
    let r = eval(&s, node_a(json!({ "role": "manager", "count": 3 })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
}
