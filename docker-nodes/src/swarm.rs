//! Forming the swarm through the nodes' own APIs (init on node 1 at its address on the
//! cluster network, the others join as workers, then the first M are promoted) and reading
//! the node table back, as `docker node ls` shows it.

use std::time::{Duration, Instant};

use bollard::models::{LocalNodeState, NodeSpecRoleEnum, SwarmInitRequest, SwarmJoinRequest};
use bollard::query_parameters::UpdateNodeOptionsBuilder;
use bollard::Docker;

use crate::error::{NodeStep, NodesError, Result};
use practice_driver::Unsettled;

/// One node's engine, reached over its published TLS port.
pub struct NodeApi {
    /// `node1`, …
    pub name: String,
    /// Its address on the cluster network (what the swarm advertises).
    pub addr: String,
    pub manager: bool,
    pub docker: Docker,
}

/// One row of `docker node ls`, spelt as the Engine API spells it (lowercase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmRow {
    pub hostname: String,
    pub manager: bool,
    /// `ready`, `down`, `unknown` or `disconnected`.
    pub status: String,
    /// `active`, `pause` or `drain`.
    pub availability: String,
    /// `leader`, `reachable`, `unreachable`, or empty for a worker.
    pub manager_status: String,
}

fn fail(node: &str, step: NodeStep, e: bollard::errors::Error) -> NodesError {
    NodesError::Node { node: node.to_string(), step, why: e.to_string() }
}

/// Init on node 1, join the others (all at once), promote the managers.
pub async fn form(apis: &[NodeApi]) -> Result<()> {
    let first = &apis[0];
    let init = SwarmInitRequest {
        listen_addr: Some("0.0.0.0:2377".into()),
        advertise_addr: Some(first.addr.clone()),
        ..Default::default()
    };
    first.docker.init_swarm(init).await.map_err(|e| fail(&first.name, NodeStep::SwarmInit, e))?;
    if apis.len() == 1 {
        return Ok(());
    }
    let swarm = first.docker.inspect_swarm().await.map_err(|e| fail(&first.name, NodeStep::JoinToken, e))?;
    let token = swarm.join_tokens.and_then(|t| t.worker).unwrap_or_default();
    let joins = apis[1..].iter().map(|api| {
        let request = SwarmJoinRequest {
            listen_addr: Some("0.0.0.0:2377".into()),
            advertise_addr: Some(api.addr.clone()),
            remote_addrs: Some(vec![format!("{}:2377", first.addr)]),
            join_token: Some(token.clone()),
            ..Default::default()
        };
        async move { api.docker.join_swarm(request).await.map_err(|e| fail(&api.name, NodeStep::SwarmJoin, e)) }
    });
    futures_util::future::try_join_all(joins).await?;
    for api in apis[1..].iter().filter(|a| a.manager) {
        let info = api.docker.info().await.map_err(|e| fail(&api.name, NodeStep::NodeId, e))?;
        let id = info.swarm.and_then(|s| s.node_id).unwrap_or_default();
        let node = first.docker.inspect_node(&id).await.map_err(|e| fail(&api.name, NodeStep::InspectNode, e))?;
        let version = node.version.and_then(|v| v.index).unwrap_or(0) as i64;
        let mut spec = node.spec.unwrap_or_default();
        spec.role = Some(NodeSpecRoleEnum::MANAGER);
        first
            .docker
            .update_node(&id, spec, UpdateNodeOptionsBuilder::new().version(version).build())
            .await
            .map_err(|e| fail(&api.name, NodeStep::Promote, e))?;
    }
    Ok(())
}

/// The node table from one manager, sorted by hostname.
pub async fn rows(manager: &Docker) -> std::result::Result<Vec<SwarmRow>, bollard::errors::Error> {
    let mut rows: Vec<SwarmRow> = manager
        .list_nodes(None::<bollard::query_parameters::ListNodesOptions>)
        .await?
        .into_iter()
        .map(|n| {
            let leader = n.manager_status.as_ref().and_then(|m| m.leader).unwrap_or(false);
            let reach = n.manager_status.as_ref().and_then(|m| m.reachability).map(|r| r.to_string());
            SwarmRow {
                hostname: n.description.and_then(|d| d.hostname).unwrap_or_default(),
                manager: n.spec.as_ref().and_then(|s| s.role) == Some(NodeSpecRoleEnum::MANAGER),
                status: n.status.and_then(|s| s.state).map(|s| s.to_string()).unwrap_or_default(),
                availability: n.spec.and_then(|s| s.availability).map(|a| a.to_string()).unwrap_or_default(),
                manager_status: if leader { "leader".into() } else { reach.unwrap_or_default() },
            }
        })
        .collect();
    rows.sort_by(|a, b| a.hostname.cmp(&b.hostname));
    Ok(rows)
}

/// Waits until node 1 lists every node Ready in its role, one Leader, every other manager
/// Reachable, and every manager acts as one.
pub async fn wait_settled(apis: &[NodeApi], timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let problem = match settle_problem(apis).await {
            Ok(None) => return Ok(()),
            Ok(Some(p)) => p,
            Err(e) => Unsettled::Failed(e.to_string()),
        };
        if Instant::now() >= deadline {
            return Err(NodesError::SwarmNotReady { waited: timeout, detail: problem });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn settle_problem(apis: &[NodeApi]) -> std::result::Result<Option<Unsettled>, bollard::errors::Error> {
    let rows = rows(&apis[0].docker).await?;
    if rows.len() != apis.len() {
        return Ok(Some(Unsettled::NodeCount { listed: rows.len(), expected: apis.len() }));
    }
    for api in apis {
        let node = api.name.clone();
        let Some(row) = rows.iter().find(|r| r.hostname == api.name) else {
            return Ok(Some(Unsettled::NotListed { node }));
        };
        if row.status != "ready" {
            return Ok(Some(Unsettled::NodeState { node, state: row.status.clone() }));
        }
        if row.manager != api.manager {
            return Ok(Some(Unsettled::RoleNotYet { node }));
        }
        if api.manager && row.manager_status != "leader" && row.manager_status != "reachable" {
            let state = Some(row.manager_status.clone()).filter(|s| !s.is_empty()).unwrap_or_else(|| "unknown".into());
            return Ok(Some(Unsettled::ManagerState { node, state }));
        }
    }
    if rows.iter().filter(|r| r.manager_status == "leader").count() != 1 {
        return Ok(Some(Unsettled::NoLeader));
    }
    for api in apis {
        let swarm = api.docker.info().await?.swarm.unwrap_or_default();
        let node = api.name.clone();
        if swarm.local_node_state != Some(LocalNodeState::ACTIVE) {
            return Ok(Some(Unsettled::NotActive { node }));
        }
        if api.manager && swarm.control_available != Some(true) {
            return Ok(Some(Unsettled::NotManagerYet { node }));
        }
    }
    Ok(None)
}
