//! The live view of a cluster's nodes behind `lab cluster status [--format json]`: for
//! each node its address and socket, and what the engines say right now: each engine's own
//! swarm state (`/info`) and, from the first manager that answers, the swarm's node list
//! (`/nodes`). Nodes are matched to that list by their engine's node id, so a node that
//! left and joined again is matched to its current entry, not to its stale duplicate. The
//! rows are the drivers' shared [`NodeStatus`] (its fields documented there).
//!
//! Engine values are passed on as the Engine API spells them (lowercase): `role` is
//! `manager` or `worker`, `state` is `ready`, `down`, `unknown` or `disconnected`,
//! `availability` is `active`, `pause` or `drain`, `manager_status` is `leader`,
//! `reachable` or `unreachable`. A node outside swarm mode (`swarm` is `inactive`) has
//! `role`, `state`, `availability` and `manager_status` all `null`; so has every node when
//! no manager answers. `swarm` is `null` when the node's engine does not answer.

use std::path::Path;
use std::time::Duration;

use practice_driver::{NodeStatus, StatusReport};
use serde_json::Value;

use crate::api::EngineApi;

/// How long one engine may take to answer a status request.
const STATUS_TIMEOUT: Duration = Duration::from_secs(5);

/// A node as the status reader needs it: where it is and how to reach its engine.
#[derive(Debug, Clone, Copy)]
pub struct NodeEndpoint<'a> {
    pub name: &'a str,
    pub address: &'a str,
    /// The engine's unix socket.
    pub socket: &'a Path,
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Reads every node's status from its engine and the swarm's node list, live.
pub fn read_status(nodes: &[NodeEndpoint]) -> StatusReport {
    let infos: Vec<Option<Value>> = std::thread::scope(|s| {
        let jobs: Vec<_> = nodes
            .iter()
            .map(|n| s.spawn(move || EngineApi::new(n.socket).get_json("/info", STATUS_TIMEOUT).ok()))
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap_or(None)).collect()
    });
    let listing: Vec<Value> = nodes
        .iter()
        .zip(&infos)
        .filter(|(_, info)| {
            info.as_ref().and_then(|i| i.pointer("/Swarm/ControlAvailable")).and_then(Value::as_bool) == Some(true)
        })
        .find_map(|(n, _)| EngineApi::new(n.socket).get_json("/nodes", STATUS_TIMEOUT).ok())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    let rows = nodes
        .iter()
        .zip(&infos)
        .map(|(n, info)| {
            let swarm = info.as_ref().and_then(|i| text(i, "/Swarm/LocalNodeState"));
            let node_id = info.as_ref().and_then(|i| text(i, "/Swarm/NodeID"));
            let entry = match (&swarm, &node_id) {
                (Some(s), _) if s == "inactive" => None,
                (_, Some(id)) => listing.iter().find(|e| text(e, "/ID").as_deref() == Some(id)),
                // The engine does not answer: the swarm's entry of that hostname, the one
                // that is not a stale duplicate if there is one.
                _ => {
                    let same_host: Vec<&Value> = listing
                        .iter()
                        .filter(|e| text(e, "/Description/Hostname").as_deref() == Some(n.name))
                        .collect();
                    same_host
                        .iter()
                        .find(|e| text(e, "/Status/State").as_deref() != Some("down"))
                        .or(same_host.first())
                        .copied()
                }
            };
            NodeStatus {
                name: n.name.to_string(),
                address: n.address.to_string(),
                docker_host: format!("unix://{}", n.socket.display()),
                role: entry.and_then(|e| text(e, "/Spec/Role")),
                state: entry.and_then(|e| text(e, "/Status/State")),
                availability: entry.and_then(|e| text(e, "/Spec/Availability")),
                manager_status: entry.and_then(|e| {
                    let leader = e.pointer("/ManagerStatus/Leader").and_then(Value::as_bool) == Some(true);
                    if leader {
                        Some("leader".to_string())
                    } else {
                        text(e, "/ManagerStatus/Reachability")
                    }
                }),
                swarm,
                container: None,
            }
        })
        .collect();
    StatusReport { nodes: rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_that_does_not_answer_gives_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("none.sock");
        let report = read_status(&[NodeEndpoint { name: "node1", address: "100.64.3.11", socket: &socket }]);
        assert_eq!(report.nodes[0].swarm, None);
        assert_eq!(report.nodes[0].role, None);
        assert_eq!(report.nodes[0].docker_host, format!("unix://{}", socket.display()));
    }
}
