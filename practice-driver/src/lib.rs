//! The practice-swarm driver interface: what `lab cluster up | env | status | down` asks of
//! a driver, and the results every driver reports in the same types. Two crates implement
//! it: `private-swarm` (the `netns` driver: private dockerds in network namespaces of this
//! Linux machine) and `docker-nodes` (the `docker` driver: node containers on the user's
//! own engine). `lab-runner` writes the commands once against [`PracticeDriver`] and words
//! each driver's progress and errors in the learner's language.
//!
//! This crate owns only the interface and plain data (no engine access, no I/O), so both
//! drivers and the runner depend on it and it depends on none of them.

use std::future::Future;

use serde::{Deserialize, Serialize};

/// The most nodes one practice swarm may have, whichever driver runs it: what `lab cluster
/// up --nodes` and `--node` accept, and what both drivers check before they start anything.
pub const MAX_NODES: usize = 20;

/// The Go garbage collector's setting in every practice engine's environment, which its
/// containerd, shims and runc inherit. An engine runs several short-lived copies of itself
/// for each task container it gives a network (libnetwork's `libnetwork-setkey`,
/// `setup-resolver`, `set-ipv6`, `redirector`, …), and containerd starts a shim and runc for
/// each task: all Go programs which, at the default `GOGC=100`, collect garbage while they
/// start. At 400 they start without collecting: dockerd 20.10 (Go 1.19) started as one of
/// them (`fwmarker`) took 131–143 ms of CPU at 100 and 94–107 ms at 400,
/// and those helpers were the largest share of CPU on a busy practice swarm. A long-running
/// engine keeps at most five times its live heap instead of twice (tens of MiB more).
pub const ENGINE_GOGC: (&str, &str) = ("GOGC", "400");

/// A practice swarm's size that cannot be, as both drivers refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeError {
    /// `nodes` is not 1 to [`MAX_NODES`] (the limit, as `max`).
    Nodes { nodes: usize, max: usize },
    /// `managers` is not 1 to `nodes`.
    Managers { nodes: usize, managers: usize },
}

impl std::fmt::Display for SizeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SizeError::Nodes { nodes, max } => write!(f, "nodes must be 1 to {max}, not {nodes}"),
            SizeError::Managers { nodes, managers } => {
                write!(f, "managers must be 1 to nodes ({nodes}), not {managers}")
            }
        }
    }
}

impl std::error::Error for SizeError {}

/// Checks a practice swarm's size: 1 to [`MAX_NODES`] nodes, of which 1 to all are managers.
pub fn check_size(nodes: usize, managers: usize) -> Result<(), SizeError> {
    if !(1..=MAX_NODES).contains(&nodes) {
        return Err(SizeError::Nodes { nodes, max: MAX_NODES });
    }
    if !(1..=nodes).contains(&managers) {
        return Err(SizeError::Managers { nodes, managers });
    }
    Ok(())
}

/// What `lab cluster up` asks any driver for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpOptions {
    /// Number of nodes, 1 to [`MAX_NODES`].
    pub nodes: usize,
    /// node1 … nodeM are managers; 1 to `nodes` (ignored when `swarm` is false).
    pub managers: usize,
    /// Form the swarm; `false` leaves the engines outside swarm mode (`--no-swarm`).
    pub swarm: bool,
    /// The nodes reach the internet and pull real images, instead of the stand-ins.
    pub online: bool,
}

impl Default for UpOptions {
    fn default() -> Self {
        UpOptions { nodes: 3, managers: 1, swarm: true, online: false }
    }
}

/// What `up` did, with the driver's description of the cluster (`I`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpOutcome<I> {
    /// A new cluster was started.
    Started(I),
    /// A complete cluster was running already; it is left as it is (its node count may
    /// differ from the one asked for: `down` first to change it).
    AlreadyRunning(I),
}

impl<I> UpOutcome<I> {
    /// The cluster, started or found.
    pub fn info(&self) -> &I {
        match self {
            UpOutcome::Started(i) | UpOutcome::AlreadyRunning(i) => i,
        }
    }

    /// The cluster, started or found, owned.
    pub fn into_info(self) -> I {
        match self {
            UpOutcome::Started(i) | UpOutcome::AlreadyRunning(i) => i,
        }
    }
}

/// What `down` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownOutcome {
    /// A cluster (running, or what a killed `up` left) was removed.
    Removed(Removed),
    /// There was nothing to remove (a second `down` is not an error).
    NothingRunning,
}

impl DownOutcome {
    /// How many nodes were removed; `None` when nothing was running.
    pub fn removed_nodes(&self) -> Option<usize> {
        match self {
            DownOutcome::Removed(r) => Some(r.nodes),
            DownOutcome::NothingRunning => None,
        }
    }
}

/// What `down` removed. A driver that creates no objects on the user's engine (netns)
/// reports zero containers, networks and volumes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    /// The cluster's nodes.
    pub nodes: usize,
    /// Containers removed from the user's engine (the nodes' and any helper's).
    pub containers: usize,
    /// Networks removed from the user's engine.
    pub networks: usize,
    /// Volumes removed from the user's engine.
    pub volumes: usize,
}

/// One row of `lab cluster status --format json`, the same for every driver.
///
/// Engine values are passed on as the Engine API spells them (lowercase): `role` is
/// `manager` or `worker`, `state` is `ready`, `down`, `unknown` or `disconnected`,
/// `availability` is `active`, `pause` or `drain`, `manager_status` is `leader`,
/// `reachable` or `unreachable`. A node outside swarm mode (`swarm` is `inactive`) has
/// `role`, `state`, `availability` and `manager_status` all `null`; so has every node when
/// no manager answers. `swarm` is `null` when the node's engine does not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStatus {
    /// `node1`, `node2`, …: the name the book's prompts use (`node2$`).
    pub name: String,
    /// The node's address on the cluster network: what `--advertise-addr` and
    /// `docker swarm join … ADDRESS:2377` take.
    pub address: String,
    /// What DOCKER_HOST must be to talk to this node's engine.
    pub docker_host: String,
    pub role: Option<String>,
    pub state: Option<String>,
    pub availability: Option<String>,
    pub manager_status: Option<String>,
    /// The engine's own swarm state: `inactive`, `pending`, `active`, `error` or `locked`.
    pub swarm: Option<String>,
    /// The node container's state (`running`, `exited`, …) for drivers whose nodes are
    /// containers; absent from the JSON for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// The document `lab cluster status --format json` prints: `{"nodes": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    pub nodes: Vec<NodeStatus>,
}

/// A variable of the shell lines `lab cluster env` prints: set to the value, or unset
/// (`None`: a context or TLS files left from another engine would otherwise win over
/// DOCKER_HOST or break it).
pub type EnvVar = (&'static str, Option<String>);

/// What keeps a swarm from being settled (every node Ready in its role, one leader, every
/// manager reachable and acting as one), the last time it was asked; both drivers wait for
/// a settled swarm and report this when it does not come. Node names, states and roles are
/// the engines' own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsettled {
    NodeCount {
        listed: usize,
        expected: usize,
    },
    NotListed {
        node: String,
    },
    NodeState {
        node: String,
        state: String,
    },
    WrongRole {
        node: String,
        role: String,
        expected: String,
    },
    RoleNotYet {
        node: String,
    },
    /// `state`: its reachability as the engine reports it (`unknown` when it reports none).
    ManagerState {
        node: String,
        state: String,
    },
    Leaders {
        count: usize,
    },
    NoLeader,
    NotActive {
        node: String,
    },
    NotManagerYet {
        node: String,
    },
    /// Asking failed; the error as it reads.
    Failed(String),
}

impl std::fmt::Display for Unsettled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsettled::NodeCount { listed, expected } => write!(f, "node1 lists {listed} nodes, expected {expected}"),
            Unsettled::NotListed { node } => write!(f, "{node} is not in node1's node list"),
            Unsettled::NodeState { node, state } => write!(f, "{node} is {state}"),
            Unsettled::WrongRole { node, role, expected } => write!(f, "{node} is a {role}, expected a {expected}"),
            Unsettled::RoleNotYet { node } => write!(f, "{node} has not got its role yet"),
            Unsettled::ManagerState { node, state } => write!(f, "manager {node} is {state}"),
            Unsettled::Leaders { count } => write!(f, "{count} leaders"),
            Unsettled::NoLeader => f.write_str("no leader elected yet"),
            Unsettled::NotActive { node } => write!(f, "{node} is not active in the swarm yet"),
            Unsettled::NotManagerYet { node } => write!(f, "{node} does not act as a manager yet"),
            Unsettled::Failed(error) => f.write_str(error),
        }
    }
}

/// A practice-swarm driver: one cluster, started, read and removed through it.
///
/// The methods are async because the docker driver talks to the user's engine over the
/// Engine API; the netns driver's work is local and blocking, which its futures do in
/// place. Progress is reported as the driver's own steps, errors as its own type: the
/// runner words both.
pub trait PracticeDriver {
    /// How the driver describes a cluster it started or found.
    type Info;
    /// One step of `up` or `down`, for the learner to see.
    type Progress;
    /// Why a request failed.
    type Error: std::error::Error;

    /// The driver's name, as `--driver` takes it.
    const NAME: &'static str;

    /// Starts the cluster, or reports the complete one already running; what an
    /// interrupted `up` left is removed first.
    fn up(
        &self,
        options: &UpOptions,
        progress: &mut (dyn FnMut(&Self::Progress) + Send),
    ) -> impl Future<Output = Result<UpOutcome<Self::Info>, Self::Error>>;

    /// Every node, read live from the engines.
    fn status(&self) -> impl Future<Output = Result<StatusReport, Self::Error>>;

    /// The variables that point the docker CLI at node `node` (1-based).
    fn env_vars(&self, node: usize) -> impl Future<Output = Result<Vec<EnvVar>, Self::Error>>;

    /// Removes the cluster, also what a killed `up` left; idempotent.
    fn down(
        &self,
        progress: &mut (dyn FnMut(&Self::Progress) + Send),
    ) -> impl Future<Output = Result<DownOutcome, Self::Error>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(container: Option<&str>) -> NodeStatus {
        NodeStatus {
            name: "node2".into(),
            address: "100.64.3.12".into(),
            docker_host: "unix:///x/n2/docker.sock".into(),
            role: None,
            state: None,
            availability: None,
            manager_status: None,
            swarm: Some("inactive".into()),
            container: container.map(str::to_string),
        }
    }

    #[test]
    fn a_node_outside_swarm_mode_has_null_swarm_fields_and_no_container_unless_it_is_one() {
        let json = serde_json::to_value(StatusReport { nodes: vec![row(None)] }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"nodes": [{
                "name": "node2", "address": "100.64.3.12", "docker_host": "unix:///x/n2/docker.sock",
                "role": null, "state": null, "availability": null, "manager_status": null, "swarm": "inactive"
            }]})
        );
        let json = serde_json::to_value(row(Some("running"))).unwrap();
        assert_eq!(json["container"], "running");
        let back: NodeStatus = serde_json::from_value(json).unwrap();
        assert_eq!(back, row(Some("running")));
    }

    #[test]
    fn down_says_how_many_nodes_it_removed() {
        let removed = DownOutcome::Removed(Removed { nodes: 2, ..Removed::default() });
        assert_eq!(removed.removed_nodes(), Some(2));
        assert_eq!(DownOutcome::NothingRunning.removed_nodes(), None);
    }
}
