//! One read-only picture of a swarm: every object an assertion may look at, fetched with
//! concurrent GETs, then evaluated without touching the engine again.
//!
//! A snapshot serialises to JSON, so snapshots recorded from a real engine drive the unit
//! tests of the evaluators.

use crate::connection::{classify, ClusterError, Connection};
use bollard::models::{Config, Network, Node, Secret, Service, SystemInfo, Task, Volume};
use bollard::query_parameters::{
    ListConfigsOptions, ListNetworksOptions, ListNodesOptions, ListSecretsOptions, ListServicesOptionsBuilder,
    ListTasksOptions, ListVolumesOptions,
};
use serde::{Deserialize, Serialize};

/// Everything one evaluation reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub engine_version: String,
    pub api_version: String,
    pub info: SystemInfo,
    pub nodes: Vec<Node>,
    pub services: Vec<Service>,
    pub tasks: Vec<Task>,
    pub networks: Vec<Network>,
    /// Volumes of the node the runner talks to (volumes are node-local).
    pub volumes: Vec<Volume>,
    pub secrets: Vec<Secret>,
    pub configs: Vec<Config>,
}

impl Snapshot {
    /// Reads the swarm through `conn`. Fails when the engine is not a swarm manager.
    pub async fn take(conn: &Connection) -> Result<Snapshot, ClusterError> {
        let d = &conn.docker;
        let host = &conn.endpoint.host;
        let info = d.info().await.map_err(|e| classify(host, &e))?;
        let swarm = info.swarm.clone().unwrap_or_default();
        let state = swarm.local_node_state.map(|s| s.to_string()).unwrap_or_else(|| "inactive".into());
        if state != "active" {
            return Err(ClusterError::NotSwarm { host: host.clone(), state });
        }
        if swarm.control_available != Some(true) {
            let managers: Vec<String> = swarm.remote_managers.iter().flatten().filter_map(|m| m.addr.clone()).collect();
            let managers =
                if managers.is_empty() { String::new() } else { format!(" (managers: {})", managers.join(", ")) };
            return Err(ClusterError::NotManager { host: host.clone(), managers });
        }
        let services_opts = ListServicesOptionsBuilder::new().status(true).build();
        let (nodes, services, tasks, networks, volumes, secrets, configs) = tokio::try_join!(
            d.list_nodes(None::<ListNodesOptions>),
            d.list_services(Some(services_opts)),
            d.list_tasks(None::<ListTasksOptions>),
            d.list_networks(None::<ListNetworksOptions>),
            d.list_volumes(None::<ListVolumesOptions>),
            d.list_secrets(None::<ListSecretsOptions>),
            d.list_configs(None::<ListConfigsOptions>),
        )
        .map_err(|e| classify(host, &e))?;
        Ok(Snapshot {
            engine_version: conn.engine_version.clone(),
            api_version: conn.api_version.clone(),
            info,
            nodes,
            services,
            tasks,
            networks,
            volumes: volumes.volumes.unwrap_or_default(),
            secrets,
            configs,
        })
    }

    pub fn swarm_id(&self) -> String {
        self.info.swarm.as_ref().and_then(|s| s.cluster.as_ref()).and_then(|c| c.id.clone()).unwrap_or_default()
    }

    /// The node ID of the engine the snapshot was read through.
    pub fn this_node_id(&self) -> String {
        self.info.swarm.as_ref().and_then(|s| s.node_id.clone()).unwrap_or_default()
    }

    pub fn node_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.nodes.iter().filter_map(|n| n.id.clone()).collect();
        ids.sort();
        ids
    }

    /// The hostname of a node ID, or the ID itself when unknown.
    pub fn node_name(&self, id: &str) -> String {
        self.nodes
            .iter()
            .find(|n| n.id.as_deref() == Some(id))
            .and_then(|n| n.description.as_ref()?.hostname.clone())
            .unwrap_or_else(|| id.chars().take(12).collect())
    }
}
