//! Forming the swarm over the Engine API (init on node1, workers join, promotions) and
//! reading it back: the node table `docker node ls` shows, and the wait until that table
//! says every node is Ready with the role it should have.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::engine::NodeApi;
use crate::error::{HarnessError, Result, Unsettled};
use crate::state::{NodeState, Role};

/// One row of `docker node ls`, as seen from a manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmNode {
    pub id: String,
    pub hostname: String,
    pub role: Role,
    /// "Ready", "Down", "Unknown" or "Disconnected", capitalised as `docker node ls` shows it.
    pub status: String,
    /// "Active", "Pause" or "Drain".
    pub availability: String,
    pub leader: bool,
    /// "Reachable" or "Unreachable" for managers, `None` for workers.
    pub manager_status: Option<String>,
    pub addr: String,
    pub engine_version: String,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn str_at<'v>(v: &'v Value, pointer: &str) -> &'v str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The node table, from any manager.
pub fn list_nodes(manager: &NodeApi) -> Result<Vec<SwarmNode>> {
    let nodes = manager.get("/nodes")?;
    let mut rows: Vec<SwarmNode> = nodes
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .map(|n| SwarmNode {
            id: str_at(n, "/ID").to_string(),
            hostname: str_at(n, "/Description/Hostname").to_string(),
            role: if str_at(n, "/Spec/Role") == "manager" { Role::Manager } else { Role::Worker },
            status: capitalise(str_at(n, "/Status/State")),
            availability: capitalise(str_at(n, "/Spec/Availability")),
            leader: n.pointer("/ManagerStatus/Leader").and_then(Value::as_bool).unwrap_or(false),
            manager_status: n.pointer("/ManagerStatus/Reachability").and_then(Value::as_str).map(capitalise),
            addr: str_at(n, "/Status/Addr").to_string(),
            engine_version: str_at(n, "/Description/Engine/EngineVersion").to_string(),
        })
        .collect();
    rows.sort_by(|a, b| a.hostname.cmp(&b.hostname));
    Ok(rows)
}

pub fn init(first: &NodeApi) -> Result<()> {
    let body = json!({"ListenAddr": "0.0.0.0:2377", "AdvertiseAddr": first.node.addr.to_string()});
    first.post("/swarm/init", &body).map(drop)
}

pub fn worker_token(manager: &NodeApi) -> Result<String> {
    let swarm = manager.get("/swarm")?;
    let token = str_at(&swarm, "/JoinTokens/Worker");
    if token.is_empty() {
        return Err(HarnessError::NoJoinToken { node: manager.node.name.clone() });
    }
    Ok(token.to_string())
}

pub fn join(node: &NodeApi, token: &str, manager: &NodeState) -> Result<()> {
    let body = json!({
        "ListenAddr": "0.0.0.0:2377",
        "AdvertiseAddr": node.node.addr.to_string(),
        "RemoteAddrs": [format!("{}:2377", manager.addr)],
        "JoinToken": token,
    });
    node.post("/swarm/join", &body).map(drop)
}

/// The swarm node id of the engine itself.
pub fn own_node_id(node: &NodeApi) -> Result<String> {
    let info = node.get("/info")?;
    Ok(str_at(&info, "/Swarm/NodeID").to_string())
}

/// `docker node promote`: sets the role in the node's spec, at its current version.
pub fn promote(manager: &NodeApi, node_id: &str) -> Result<()> {
    let node = manager.get(&format!("/nodes/{node_id}"))?;
    let version = node.pointer("/Version/Index").and_then(Value::as_u64).unwrap_or(0);
    let mut spec = node.get("Spec").cloned().unwrap_or_else(|| json!({}));
    spec["Role"] = json!("manager");
    manager.post(&format!("/nodes/{node_id}/update?version={version}"), &spec).map(drop)
}

/// Leaves the swarm with `--force`, giving up after `timeout`. Best effort: the result
/// only says whether the engine agreed.
pub fn leave(node: &NodeApi, timeout: Duration) -> bool {
    node.raw().request("POST", "/swarm/leave?force=1", None, timeout).is_ok()
}

/// Waits until node1 lists every node Ready with its intended role, exactly one leader,
/// every manager reachable and able to answer manager requests itself.
pub fn wait_settled(apis: &[NodeApi], timeout: Duration, dir: &std::path::Path) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let problem = match settle_problem(apis) {
            Ok(None) => return Ok(()),
            Ok(Some(p)) => p,
            Err(e) => Unsettled::Failed(e.to_string()),
        };
        if Instant::now() >= deadline {
            return Err(HarnessError::SwarmNotReady { waited: timeout, detail: problem, dir: dir.to_path_buf() });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn settle_problem(apis: &[NodeApi]) -> Result<Option<Unsettled>> {
    let rows = list_nodes(&apis[0])?;
    if rows.len() != apis.len() {
        return Ok(Some(Unsettled::NodeCount { listed: rows.len(), expected: apis.len() }));
    }
    for api in apis {
        let want = &api.node;
        let Some(row) = rows.iter().find(|r| r.hostname == want.hostname) else {
            return Ok(Some(Unsettled::NotListed { node: want.hostname.clone() }));
        };
        let node = row.hostname.clone();
        if row.status != "Ready" {
            return Ok(Some(Unsettled::NodeState { node, state: row.status.clone() }));
        }
        if row.role != want.role {
            return Ok(Some(Unsettled::WrongRole {
                node,
                role: row.role.to_string(),
                expected: want.role.to_string(),
            }));
        }
        if want.role == Role::Manager && row.manager_status.as_deref() != Some("Reachable") {
            let state = row.manager_status.clone().unwrap_or_else(|| "unknown".into());
            return Ok(Some(Unsettled::ManagerState { node, state }));
        }
    }
    let leaders = rows.iter().filter(|r| r.leader).count();
    if leaders != 1 {
        return Ok(Some(Unsettled::Leaders { count: leaders }));
    }
    for api in apis {
        let info = api.get("/info")?;
        let node = api.node.name.clone();
        if str_at(&info, "/Swarm/LocalNodeState") != "active" {
            return Ok(Some(Unsettled::NotActive { node }));
        }
        let control = info.pointer("/Swarm/ControlAvailable").and_then(Value::as_bool).unwrap_or(false);
        if api.node.role == Role::Manager && !control {
            return Ok(Some(Unsettled::NotManagerYet { node }));
        }
    }
    Ok(None)
}
