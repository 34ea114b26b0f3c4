//! What a drill reads from the swarm (GETs only): the nodes, the service a drill acts on
//! and its tasks, and how many of them run where they should. Counting is a pure function
//! over what was read, tested without an engine.

use bollard::models::{
    Node, NodeSpecAvailabilityEnum, NodeSpecRoleEnum, NodeState, Reachability, Service, Task, TaskState,
};
use bollard::query_parameters::{ListNodesOptions, ListServicesOptions, ListTasksOptions};
use lab_engine::Connection;
use lab_schema::{Drill, ImageRef};
use std::collections::{HashMap, HashSet};

/// One node as a drill needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub id: String,
    pub hostname: String,
    pub manager: bool,
    pub leader: bool,
    pub ready: bool,
    pub active: bool,
    /// A manager the other managers reach (Raft): true for a worker.
    pub reachable: bool,
    pub version: i64,
}

impl NodeInfo {
    pub fn of(n: &Node) -> NodeInfo {
        let spec = n.spec.clone().unwrap_or_default();
        NodeInfo {
            id: n.id.clone().unwrap_or_default(),
            hostname: n.description.as_ref().and_then(|d| d.hostname.clone()).unwrap_or_default(),
            manager: spec.role == Some(NodeSpecRoleEnum::MANAGER),
            leader: n.manager_status.as_ref().and_then(|m| m.leader).unwrap_or(false),
            ready: n.status.as_ref().and_then(|s| s.state) == Some(NodeState::READY),
            active: spec.availability.is_none_or(|a| a == NodeSpecAvailabilityEnum::ACTIVE),
            reachable: spec.role != Some(NodeSpecRoleEnum::MANAGER)
                || n.manager_status.as_ref().and_then(|m| m.reachability) == Some(Reachability::REACHABLE),
            version: n.version.as_ref().and_then(|v| v.index).map(|i| i as i64).unwrap_or(0),
        }
    }
}

/// An engine error as text (what the engine said, or how the request failed).
pub fn said(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.trim().to_string(),
        e => e.to_string(),
    }
}

pub async fn nodes(conn: &Connection) -> Result<Vec<NodeInfo>, String> {
    let nodes = conn.docker.list_nodes(None::<ListNodesOptions>).await.map_err(|e| said(&e))?;
    let mut out: Vec<NodeInfo> = nodes.iter().map(NodeInfo::of).collect();
    out.sort_by(|a, b| a.hostname.cmp(&b.hostname));
    Ok(out)
}

/// The node ID of the engine `conn` talks to (`GET /info`).
pub async fn own_node_id(conn: &Connection) -> Result<String, String> {
    let info = conn.docker.info().await.map_err(|e| said(&e))?;
    Ok(info.swarm.and_then(|s| s.node_id).unwrap_or_default())
}

/// The ID of the swarm `conn` belongs to (`GET /swarm`).
pub async fn swarm_id(conn: &Connection) -> Result<String, String> {
    let swarm = conn.docker.inspect_swarm().await.map_err(|e| said(&e))?;
    Ok(swarm.id.unwrap_or_default())
}

/// The service a drill acts on: by name, or the one service whose image matches.
pub async fn find_service(conn: &Connection, drill: &Drill) -> Result<Option<Service>, String> {
    let services = conn.docker.list_services(None::<ListServicesOptions>).await.map_err(|e| said(&e))?;
    let name_of = |s: &Service| s.spec.as_ref().and_then(|s| s.name.clone()).unwrap_or_default();
    let image_of = |s: &Service| {
        s.spec
            .as_ref()
            .and_then(|s| s.task_template.as_ref())
            .and_then(|t| t.container_spec.as_ref())
            .and_then(|c| c.image.clone())
            .unwrap_or_default()
    };
    Ok(match (&drill.service, &drill.image) {
        (Some(name), _) => services.into_iter().find(|s| &name_of(s) == name),
        (None, Some(pattern)) => {
            let mut found: Vec<Service> = services
                .into_iter()
                .filter(|s| ImageRef::parse(&image_of(s)).is_ok_and(|i| pattern.matches(&i)))
                .collect();
            found.sort_by_key(name_of);
            found.into_iter().next()
        }
        (None, None) => None,
    })
}

pub fn service_name(s: &Service) -> String {
    s.spec.as_ref().and_then(|s| s.name.clone()).unwrap_or_default()
}

/// The replicas a replicated service asks for; `None` for a global service.
pub fn desired_replicas(s: &Service) -> Option<usize> {
    s.spec
        .as_ref()
        .and_then(|s| s.mode.as_ref())
        .and_then(|m| m.replicated.as_ref())
        .map(|r| r.replicas.unwrap_or(1) as usize)
}

pub async fn tasks(conn: &Connection, service_id: &str) -> Result<Vec<Task>, String> {
    let filters = HashMap::from([("service".to_string(), vec![service_id.to_string()])]);
    conn.docker.list_tasks(Some(ListTasksOptions { filters: Some(filters) })).await.map_err(|e| said(&e))
}

/// Whether a task runs and is meant to.
pub fn is_running(t: &Task) -> bool {
    t.status.as_ref().and_then(|s| s.state) == Some(TaskState::RUNNING) && t.desired_state == Some(TaskState::RUNNING)
}

/// Tasks that run where they should: running, meant to run, not hit by the fault (`hit`
/// task IDs), not on a node the fault took away (`away`), on a node the swarm sees Ready.
pub fn healthy(tasks: &[Task], nodes: &[NodeInfo], hit: &HashSet<String>, away: &HashSet<String>) -> usize {
    let ready: HashSet<&str> = nodes.iter().filter(|n| n.ready).map(|n| n.id.as_str()).collect();
    tasks
        .iter()
        .filter(|t| is_running(t))
        .filter(|t| !t.id.as_ref().is_some_and(|id| hit.contains(id)))
        .filter(|t| t.node_id.as_ref().is_some_and(|n| !away.contains(n) && ready.contains(n.as_str())))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(id: &str, node: &str, state: &str, desired: &str) -> Task {
        serde_json::from_value(json!({
            "ID": id, "NodeID": node, "DesiredState": desired, "Status": { "State": state }
        }))
        .unwrap()
    }

    fn node(id: &str, ready: bool) -> NodeInfo {
        NodeInfo {
            id: id.into(),
            hostname: id.into(),
            manager: true,
            leader: false,
            ready,
            active: true,
            reachable: true,
            version: 1,
        }
    }

    #[test]
    fn only_tasks_running_where_they_should_count() {
        let nodes = [node("n1", true), node("n2", true), node("n3", false)];
        let tasks = [
            task("a", "n1", "running", "running"),
            task("b", "n2", "running", "running"),
            // A stale "running" on a node the swarm sees down.
            task("c", "n3", "running", "running"),
            // Being shut down by an update.
            task("d", "n1", "running", "shutdown"),
            task("e", "n2", "preparing", "running"),
        ];
        let none = HashSet::new();
        assert_eq!(healthy(&tasks, &nodes, &none, &none), 2);
        // The task the fault removed does not count while the engine still calls it running.
        assert_eq!(healthy(&tasks, &nodes, &HashSet::from(["a".to_string()]), &none), 1);
        // Nor does anything on the node the fault took away, before the swarm notices.
        assert_eq!(healthy(&tasks, &nodes, &none, &HashSet::from(["n2".to_string()])), 1);
    }

    #[test]
    fn a_node_reads_as_role_state_and_availability() {
        let n: Node = serde_json::from_value(json!({
            "ID": "x", "Version": { "Index": 12 },
            "Spec": { "Role": "manager", "Availability": "drain" },
            "Description": { "Hostname": "node2" },
            "Status": { "State": "ready" },
            "ManagerStatus": { "Leader": true, "Reachability": "reachable" }
        }))
        .unwrap();
        let i = NodeInfo::of(&n);
        assert_eq!(
            (i.hostname.as_str(), i.manager, i.leader, i.ready, i.active, i.reachable, i.version),
            ("node2", true, true, true, false, true, 12)
        );
        // A manager back from a stop is Ready before the other managers reach it again.
        let back: Node = serde_json::from_value(json!({
            "ID": "y", "Spec": { "Role": "manager" }, "Status": { "State": "ready" },
            "ManagerStatus": { "Reachability": "unreachable" }
        }))
        .unwrap();
        assert!(!NodeInfo::of(&back).reachable);
        let worker: Node =
            serde_json::from_value(json!({ "ID": "z", "Spec": { "Role": "worker" }, "Status": { "State": "ready" } }))
                .unwrap();
        assert!(NodeInfo::of(&worker).reachable);
    }
}
