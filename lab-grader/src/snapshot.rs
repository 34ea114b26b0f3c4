//! One read-only picture of a swarm: every object an assertion may look at, fetched with
//! concurrent GETs, then evaluated without touching the engine again.
//!
//! A snapshot serialises to JSON, so snapshots recorded from a real engine drive the unit
//! tests of the evaluators.
//!
//! A lab without secret checks does not read `/secrets`, one without config checks not
//! `/configs` ([`Reads::of`]): nothing else looks at those lists, and every GET left out is
//! engine time saved in the round.
//!
//! Only for a service with a failed task does it read more: the last lines of that
//! service's logs (`lab_engine::service_logs`), which say why its containers exit. A healthy
//! swarm costs no extra request.

use bollard::models::{Config, LocalNodeState, Network, Node, Secret, Service, SwarmInfo, SystemInfo, Task, Volume};
use bollard::query_parameters::{
    ListConfigsOptions, ListContainersOptionsBuilder, ListNetworksOptions, ListNodesOptions, ListSecretsOptions,
    ListServicesOptionsBuilder, ListTasksOptions, ListVolumesOptions,
};
use lab_engine::connection::{classify, ClusterError, Connection};
use lab_schema::Lab;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Everything one evaluation reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    pub engine_version: String,
    pub api_version: String,
    /// The swarm as the engine read through sees it: only `swarm` is filled (node ID,
    /// cluster ID, state, control). It comes from `/swarm` and the engine's own task
    /// containers, not from `GET /info`, which is slow on 20.10.
    pub info: SystemInfo,
    pub nodes: Vec<Node>,
    pub services: Vec<Service>,
    pub tasks: Vec<Task>,
    pub networks: Vec<Network>,
    /// Volumes of the node the runner talks to (volumes are node-local).
    pub volumes: Vec<Volume>,
    pub secrets: Vec<Secret>,
    pub configs: Vec<Config>,
    /// The last lines of the logs of each service with a failed task, by service ID.
    pub logs: BTreeMap<String, Vec<String>>,
}

/// The lists a snapshot reads beyond those every lab needs (swarm, nodes, services, tasks,
/// networks, volumes and this node's task container); a list not read stays empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// `/secrets`: only secret checks look at it.
    pub secrets: bool,
    /// `/configs`: only config checks look at it.
    pub configs: bool,
}

impl Reads {
    /// Every list (`lab check --watch`, drills, recorded fixtures).
    pub const ALL: Reads = Reads { secrets: true, configs: true };

    /// What grading `lab` needs: secrets when one of its checks is a secret check, configs
    /// when one is a config check (their fixes plan from the same lists).
    pub fn of(lab: &Lab) -> Reads {
        use lab_schema::Assertion;
        let has = |is: fn(&Assertion) -> bool| lab.checks.iter().any(|c| is(&c.assertion));
        Reads {
            secrets: has(|a| matches!(a, Assertion::Secret(_))),
            configs: has(|a| matches!(a, Assertion::Config(_))),
        }
    }
}

impl Snapshot {
    /// Reads the whole swarm through `conn` in one round of concurrent GETs. Fails when
    /// the engine is not a swarm manager.
    pub async fn take(conn: &Connection) -> Result<Snapshot, ClusterError> {
        Self::take_for(conn, Reads::ALL).await
    }

    /// [`Snapshot::take`], reading only the optional lists `reads` names.
    pub async fn take_for(conn: &Connection, reads: Reads) -> Result<Snapshot, ClusterError> {
        let unversioned = !conn.pinned();
        let mut snap = Self::read(conn, reads).await?;
        if conn.settle_version(unversioned)? {
            // The engine answered at its own version, newer than ours: read again, pinned.
            snap = Self::read(conn, reads).await?;
        }
        snap.logs = Self::logs_of_failing_services(conn, &snap).await;
        Ok(snap)
    }

    /// The last log lines of every service whose tasks fail (see
    /// [`crate::evaluate::failing_task`]), read concurrently; nothing is asked otherwise.
    async fn logs_of_failing_services(conn: &Connection, snap: &Snapshot) -> BTreeMap<String, Vec<String>> {
        let failing: Vec<&str> = snap
            .services
            .iter()
            .filter_map(|s| s.id.as_deref())
            .filter(|id| {
                let tasks: Vec<&Task> = snap.tasks.iter().filter(|t| t.service_id.as_deref() == Some(id)).collect();
                crate::evaluate::failing_task(&tasks).is_some()
            })
            .collect();
        let reads = failing.iter().map(|id| lab_engine::service_logs::last_lines(conn, id));
        let lines = futures_util::future::join_all(reads).await;
        failing.into_iter().map(String::from).zip(lines).filter(|(_, l)| !l.is_empty()).collect()
    }

    async fn read(conn: &Connection, reads: Reads) -> Result<Snapshot, ClusterError> {
        let d = &conn.docker;
        let host = &conn.endpoint.host;
        let services_opts = ListServicesOptionsBuilder::new().status(true).build();
        // One running task container is enough to tell this engine's node, and asking for
        // one (`limit=1`) halves the engine's time for this, the round's slowest read.
        let task_containers = ListContainersOptionsBuilder::new()
            .limit(1)
            .filters(&HashMap::from([("is-task", vec!["true"]), ("status", vec!["running"])]))
            .build();
        let secrets = async {
            if reads.secrets {
                d.list_secrets(None::<ListSecretsOptions>).await
            } else {
                Ok(Vec::new())
            }
        };
        let configs = async {
            if reads.configs {
                d.list_configs(None::<ListConfigsOptions>).await
            } else {
                Ok(Vec::new())
            }
        };
        let round = async {
            tokio::try_join!(
                d.inspect_swarm(),
                d.list_nodes(None::<ListNodesOptions>),
                d.list_services(Some(services_opts)),
                d.list_tasks(None::<ListTasksOptions>),
                d.list_networks(None::<ListNetworksOptions>),
                d.list_volumes(None::<ListVolumesOptions>),
                secrets,
                configs,
                d.list_containers(Some(task_containers)),
            )
        };
        let (swarm, nodes, services, tasks, networks, volumes, secrets, configs, containers) =
            match round.await.map_err(|e| classify(host, &e)) {
                Ok(r) => r,
                Err(e) => return Err(Self::explain(conn, e).await),
            };
        // `/swarm` also carries the join tokens: only the ID is kept.
        let swarm_id = swarm.id.unwrap_or_default();
        // This engine's node: the node its own task container belongs to (by its task, or
        // by the node label swarm gives it when the task is no longer listed).
        let this_node = containers.iter().filter_map(|c| c.labels.as_ref()).find_map(|labels| {
            let task = labels.get("com.docker.swarm.task.id")?;
            tasks
                .iter()
                .find(|t| t.id.as_ref() == Some(task))
                .and_then(|t| t.node_id.clone())
                .or_else(|| labels.get("com.docker.swarm.node.id").cloned())
        });
        Ok(Snapshot {
            engine_version: conn.engine_version(),
            api_version: conn.api_version(),
            info: SystemInfo {
                swarm: Some(SwarmInfo {
                    node_id: this_node,
                    local_node_state: Some(LocalNodeState::ACTIVE),
                    control_available: Some(true),
                    cluster: Some(bollard::models::ClusterInfo { id: Some(swarm_id), ..Default::default() }),
                    ..Default::default()
                }),
                ..Default::default()
            },
            nodes,
            services,
            tasks,
            networks,
            volumes: volumes.volumes.unwrap_or_default(),
            secrets,
            configs,
            logs: BTreeMap::new(),
        })
    }

    /// A worker, an engine outside a swarm, or a manager-only endpoint unavailable (503, as
    /// during a demotion): asks `/info` (only on this path) what the engine is, to name the
    /// managers to point at, or the swarm state the engine is in. A manager in transition
    /// counts as not a manager, so `--wait` reads it again.
    async fn explain(conn: &Connection, e: ClusterError) -> ClusterError {
        let host = conn.endpoint.host.clone();
        let unavailable = matches!(&e, ClusterError::Engine { why, .. } if why.starts_with("HTTP 503"));
        if !(unavailable || matches!(e, ClusterError::NotManager { .. } | ClusterError::NotSwarm { .. })) {
            return e;
        }
        let Some(swarm) = conn.docker.info().await.ok().and_then(|i| i.swarm) else { return e };
        let state = swarm.local_node_state.map(|s| s.to_string()).unwrap_or_else(|| "inactive".into());
        if state != "active" {
            return ClusterError::NotSwarm { host, state };
        }
        // A manager whose control socket is going away (being demoted) answers
        // "rpc error: code = Unavailable" for a moment while /info still says manager.
        let in_transition = matches!(&e, ClusterError::Engine { why, .. } if why.contains("code = Unavailable"));
        if swarm.control_available == Some(true) && !in_transition {
            return e;
        }
        let managers: Vec<String> = swarm.remote_managers.iter().flatten().filter_map(|m| m.addr.clone()).collect();
        ClusterError::NotManager { host, managers: managers.join(", ") }
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
