//! The JSON state file each cluster keeps at `<dir>/cluster.json`. It is written before any
//! resource exists and updated as each one is created (name first, then the resource), so
//! a run killed at any point leaves enough behind for [`crate::Cluster::teardown_dir`] to
//! clean up. After a teardown it stays, with phase `down`, as the record of what existed:
//! [`crate::Cluster::leftovers`] checks every name in it.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{HarnessError, IoAction, Result};
use crate::process;

/// File name of the state file inside a cluster directory.
pub const STATE_FILE: &str = "cluster.json";

/// Root of everything the harness keeps in /run: per-cluster exec roots (short paths, so
/// containerd's sockets fit the 108-byte limit) and the subnet claims.
pub const RUN_ROOT: &str = "/run/private-swarm";

const FORMAT: u32 = 1;

/// File in `/run/private-swarm/<id>/` naming the cluster directory of that id.
pub const CLUSTER_DIR_FILE: &str = "cluster-dir";

/// A node's role in the swarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Worker,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Manager => "manager",
            Role::Worker => "worker",
        })
    }
}

/// Where a cluster is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Starting,
    Running,
    TearingDown,
    Down,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterState {
    pub format: u32,
    pub id: String,
    pub dir: PathBuf,
    /// `/run/private-swarm/<id>`: holds the nodes' exec roots.
    pub run_dir: PathBuf,
    pub owner_pid: u32,
    /// Start time of the owner (field 22 of /proc/PID/stat), to tell a reused pid apart.
    pub owner_start: u64,
    /// Set once a practice cluster is handed over to outlive its starter: such a cluster is
    /// never "stale" because its owner is gone.
    pub detached: bool,
    pub phase: Phase,
    pub subnet: Option<SubnetRecord>,
    pub bridge: Option<String>,
    /// The iptables FORWARD rule accepting traffic between the bridge's ports was added.
    pub forward_rule: bool,
    /// Whether the harness formed a swarm of the nodes (`false`: engines were left outside
    /// swarm mode, for a learner to init and join).
    #[serde(default = "yes")]
    pub swarm_formed: bool,
    /// Set before the cluster's route out through the host is created (`--online`).
    #[serde(default)]
    pub online: Option<OnlineRecord>,
    pub nodes: Vec<NodeState>,
    /// The offline registry every node pulls through, once its names are chosen.
    #[serde(default)]
    pub registry: Option<RegistryState>,
}

/// The cluster's registry (see [`crate::registry`]): a busybox `nc` in a network
/// namespace of its own on the bridge, serving files from its directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistryState {
    pub netns: String,
    pub veth: String,
    pub addr: Ipv4Addr,
    /// What it serves, and its log (`registry.log`).
    pub dir: PathBuf,
    pub pid: Option<u32>,
}

fn yes() -> bool {
    true
}

/// What going online changed on the host, so teardown can undo exactly that.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OnlineRecord {
    /// `net.ipv4.ip_forward` before `up` set it to 1 ("0" or "1").
    pub ip_forward_was: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubnetRecord {
    /// e.g. "100.64.17.0/24"
    pub cidr: String,
    pub gateway: Ipv4Addr,
    pub claim_file: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeState {
    pub name: String,
    pub hostname: String,
    pub dir: PathBuf,
    pub exec_root: PathBuf,
    pub socket: PathBuf,
    pub addr: Ipv4Addr,
    pub role: Role,
    pub netns: Option<String>,
    pub veth: Option<String>,
    pub pid: Option<u32>,
    /// The containerd namespace the engine uses on the host's containerd; `None` when it
    /// runs a containerd of its own.
    #[serde(default)]
    pub host_containerd: Option<String>,
}

impl NodeState {
    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
    pub fn log(&self) -> PathBuf {
        self.dir.join("dockerd.log")
    }
}

impl ClusterState {
    pub fn new(id: String, dir: PathBuf) -> Self {
        let owner_pid = std::process::id();
        ClusterState {
            format: FORMAT,
            run_dir: Path::new(RUN_ROOT).join(&id),
            id,
            dir,
            owner_pid,
            owner_start: process::start_time(owner_pid).unwrap_or(0),
            detached: false,
            phase: Phase::Starting,
            subnet: None,
            bridge: None,
            forward_rule: false,
            swarm_formed: true,
            online: None,
            nodes: Vec::new(),
            registry: None,
        }
    }

    /// True when nobody will tear this cluster down: its owner process is gone and it was
    /// not handed over as a long-lived (practice) cluster.
    pub fn is_orphaned(&self) -> bool {
        if self.detached || self.phase == Phase::Down {
            return false;
        }
        process::start_time(self.owner_pid) != Some(self.owner_start)
    }

    /// Directory trees whose processes and mounts belong to this cluster.
    pub fn roots(&self) -> Vec<PathBuf> {
        vec![self.dir.clone(), self.run_dir.clone()]
    }
}

/// Written into a cluster directory when a cluster starts there: teardown refuses a
/// directory without it, so a wrong path never gets its processes killed or mounts removed.
pub const MARKER_FILE: &str = ".private-swarm";

pub fn state_path(dir: &Path) -> PathBuf {
    dir.join(STATE_FILE)
}

/// Reads the state file of a cluster directory; `Ok(None)` when there is none.
pub fn read(dir: &Path) -> Result<Option<ClusterState>> {
    let path = state_path(dir);
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map(Some).map_err(|e| HarnessError::State { path, detail: e.to_string() })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(HarnessError::io(IoAction::ReadState, path, e)),
    }
}

/// Writes atomically (temp file + rename), so a reader never sees half a file.
pub fn write(state: &ClusterState) -> Result<()> {
    let path = state_path(&state.dir);
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec_pretty(state).expect("cluster state always serializes");
    std::fs::write(&tmp, bytes).map_err(|e| HarnessError::io(IoAction::WriteState, &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| HarnessError::io(IoAction::WriteState, &path, e))
}

/// The state of a live cluster, shared by the threads that start its nodes; every change
/// goes to disk before the caller creates the resource it names.
#[derive(Debug)]
pub struct StateFile {
    state: Mutex<ClusterState>,
}

impl StateFile {
    pub fn create(state: ClusterState) -> Result<Self> {
        write(&state)?;
        Ok(StateFile { state: Mutex::new(state) })
    }

    pub fn update<T>(&self, change: impl FnOnce(&mut ClusterState) -> T) -> Result<T> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let out = change(&mut state);
        write(&state)?;
        Ok(out)
    }

    pub fn snapshot(&self) -> ClusterState {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Every cluster directory under `root` (at most three levels down) that holds a state file.
pub fn find_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk(root, 0, &mut found);
    found.sort();
    found
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if state_path(dir).is_file() {
        found.push(dir.to_path_buf());
        return;
    }
    if depth >= 3 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            walk(&entry.path(), depth + 1, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_through_json() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("suite/c1");
        std::fs::create_dir_all(&dir).unwrap();
        let mut s = ClusterState::new("abc123".into(), dir.clone());
        s.nodes.push(NodeState {
            name: "node1".into(),
            hostname: "node1".into(),
            dir: dir.join("n1"),
            exec_root: s.run_dir.join("n1"),
            socket: dir.join("n1/docker.sock"),
            addr: Ipv4Addr::new(100, 64, 3, 11),
            role: Role::Manager,
            netns: Some("psw-abc123-node1".into()),
            veth: None,
            pid: Some(42),
            host_containerd: None,
        });
        write(&s).unwrap();
        let back = read(&dir).unwrap().unwrap();
        assert_eq!(back.nodes[0].addr, s.nodes[0].addr);
        assert_eq!(back.phase, Phase::Starting);
        assert!(!back.is_orphaned(), "our own process owns it");
        assert_eq!(find_under(root.path()), vec![dir]);
    }
}
