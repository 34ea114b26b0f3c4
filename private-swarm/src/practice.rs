//! The learner's practice swarm behind `lab cluster up | env | status | down`, without
//! the CLI parsing: one cluster per machine in a fixed directory, `$SWARM_LAB_HOME/practice`
//! (default `/var/lib/swarm-lab/practice`). Its dockerds run in their own sessions with
//! their logs in files, so the cluster outlives the `lab` process that started it.
//! `up` and `down` hold a lock on `<dir>/.lock`, so two of them never overlap.

use std::fs::{File, OpenOptions};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

use crate::cluster::{Cluster, ClusterInfo, ClusterSpec};
use crate::engine::{self, NodeApi};
use crate::error::{HarnessError, Result};
use crate::host::check_host;
use crate::state::{self, ClusterState, Phase, Role};
use crate::{swarm, teardown};

/// Where swarm-lab keeps machine-wide state unless `SWARM_LAB_HOME` says otherwise.
pub const DEFAULT_HOME: &str = "/var/lib/swarm-lab";
/// Environment variable that moves swarm-lab's home; the practice cluster lives in its
/// `practice/` subdirectory.
pub const HOME_ENV: &str = "SWARM_LAB_HOME";

/// What `up` did.
#[derive(Debug, Clone)]
pub enum UpOutcome {
    /// A new cluster was started.
    Started(ClusterInfo),
    /// One was already running; it is left as it is (its node count may differ from the
    /// one asked for: `down` first to change it).
    AlreadyRunning(ClusterInfo),
}

impl UpOutcome {
    pub fn info(&self) -> &ClusterInfo {
        match self {
            UpOutcome::Started(i) | UpOutcome::AlreadyRunning(i) => i,
        }
    }
}

/// What `down` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownOutcome {
    /// A cluster (running, or left by a killed `up`) was removed.
    Removed { nodes: usize },
    /// There was nothing to remove.
    NothingRunning,
}

/// One node as `lab cluster status` shows it.
#[derive(Debug, Clone)]
pub struct PracticeNode {
    pub name: String,
    pub hostname: String,
    pub addr: Ipv4Addr,
    pub docker_host: String,
    /// Its dockerd process is alive.
    pub engine_running: bool,
    /// From the swarm's node list; `None` when no manager answered.
    pub role: Option<Role>,
    /// "Ready", "Down", … as `docker node ls` shows it; "Unknown" when no manager answered.
    pub status: String,
    /// "Active", "Pause", "Drain"; empty when unknown.
    pub availability: String,
    pub leader: bool,
    /// "Reachable"/"Unreachable" for managers.
    pub manager_status: Option<String>,
}

/// The practice cluster's nodes.
#[derive(Debug, Clone)]
pub struct PracticeStatus {
    pub dir: PathBuf,
    pub nodes: Vec<PracticeNode>,
    /// Which node's engine the swarm view came from; `None` when no manager answered.
    pub answered_by: Option<String>,
}

/// The practice cluster of one machine.
#[derive(Debug, Clone)]
pub struct Practice {
    dir: PathBuf,
}

impl Practice {
    /// `$SWARM_LAB_HOME/practice`, or `/var/lib/swarm-lab/practice`.
    pub fn from_env() -> Practice {
        let home = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()).map(PathBuf::from);
        Practice { dir: home.unwrap_or_else(|| PathBuf::from(DEFAULT_HOME)).join("practice") }
    }

    /// A practice cluster kept in exactly `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Practice {
        Practice { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The spec `up` starts (for tests that fake a killed `up`).
    pub fn spec(&self, nodes: usize, managers: usize) -> ClusterSpec {
        ClusterSpec::new(&self.dir, nodes, managers)
    }

    /// Starts the practice cluster, or reports the one already running. Leftovers of a
    /// killed `up` (or of a cluster whose engines all died, e.g. after a reboot) are
    /// cleaned up first.
    pub fn up(&self, nodes: usize, managers: usize, progress: &mut dyn FnMut(&str)) -> Result<UpOutcome> {
        let spec = self.spec(nodes, managers);
        spec.validate()?;
        check_host()?;
        let _lock = self.lock(progress)?;
        if let Some(old) = state::read(&self.dir)? {
            if old.phase == Phase::Running && old.detached && running_engines(&old) > 0 {
                return Ok(UpOutcome::AlreadyRunning(info_of(&old)));
            }
            if old.phase != Phase::Down {
                progress(if old.phase == Phase::Running {
                    "the previous practice cluster is not running any more; removing what is left of it"
                } else {
                    "cleaning up what an interrupted `lab cluster up` left behind"
                });
                teardown::teardown_dir(&self.dir)?;
            }
        }
        progress(&format!("starting a practice swarm of {nodes} node(s) in {}", self.dir.display()));
        let cluster = Cluster::start_with_progress(spec, progress)?;
        Ok(UpOutcome::Started(cluster.detach()?))
    }

    /// Shell lines that point the docker CLI at node1 of the practice cluster.
    pub fn env(&self) -> Result<Vec<String>> {
        let state = self.live_state()?;
        let node1 = &state.nodes[0];
        Ok(vec![
            "unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH".to_string(),
            format!("export DOCKER_HOST={}", node1.docker_host()),
        ])
    }

    /// Every node with its engine, role, status, availability and leader flag, from the
    /// first manager that answers.
    pub fn status(&self) -> Result<PracticeStatus> {
        let state = self.live_state()?;
        let mut answered_by = None;
        let mut rows = Vec::new();
        for node in state.nodes.iter().filter(|n| n.role == Role::Manager) {
            if let Ok(r) = swarm::list_nodes(&NodeApi::new(node)) {
                answered_by = Some(node.name.clone());
                rows = r;
                break;
            }
        }
        let nodes = state
            .nodes
            .iter()
            .map(|n| {
                let row = rows.iter().find(|r| r.hostname == n.hostname);
                PracticeNode {
                    name: n.name.clone(),
                    hostname: n.hostname.clone(),
                    addr: n.addr,
                    docker_host: n.docker_host(),
                    engine_running: n.pid.is_some_and(|pid| engine::is_our_dockerd(pid, n)),
                    role: row.map(|r| r.role),
                    status: row.map_or("Unknown".to_string(), |r| r.status.clone()),
                    availability: row.map(|r| r.availability.clone()).unwrap_or_default(),
                    leader: row.is_some_and(|r| r.leader),
                    manager_status: row.and_then(|r| r.manager_status.clone()),
                }
            })
            .collect();
        Ok(PracticeStatus { dir: self.dir.clone(), nodes, answered_by })
    }

    /// Removes the practice cluster, also what a killed `up` left; idempotent.
    pub fn down(&self, progress: &mut dyn FnMut(&str)) -> Result<DownOutcome> {
        check_host()?;
        let _lock = self.lock(progress)?;
        let old = state::read(&self.dir)?;
        let outcome = match &old {
            Some(s) if s.phase != Phase::Down => {
                progress(&format!("stopping {} node(s) and removing their network", s.nodes.len()));
                DownOutcome::Removed { nodes: s.nodes.len() }
            }
            _ => DownOutcome::NothingRunning,
        };
        if self.dir.exists() {
            teardown::teardown_dir(&self.dir)?;
        }
        Ok(outcome)
    }

    /// The state of a cluster that `up` started and `down` has not removed.
    fn live_state(&self) -> Result<ClusterState> {
        match state::read(&self.dir)? {
            Some(s) if s.phase == Phase::Running => Ok(s),
            _ => Err(HarnessError::NotRunning { dir: self.dir.clone() }),
        }
    }

    fn lock(&self, progress: &mut dyn FnMut(&str)) -> Result<Flock<File>> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| HarnessError::io("cannot create the practice directory", &self.dir, e))?;
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
        }
        let path = self.dir.join(".lock");
        let open = || OpenOptions::new().create(true).truncate(false).write(true).open(&path);
        let file = open().map_err(|e| HarnessError::io("cannot open the practice lock", &path, e))?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => Ok(lock),
            Err((file, _)) => {
                progress("waiting for another `lab cluster up/down` to finish");
                Flock::lock(file, FlockArg::LockExclusive)
                    .map_err(|(_, e)| HarnessError::io("cannot lock the practice directory", &path, e.into()))
            }
        }
    }
}

fn running_engines(state: &ClusterState) -> usize {
    state.nodes.iter().filter(|n| n.pid.is_some_and(|pid| engine::is_our_dockerd(pid, n))).count()
}

fn info_of(state: &ClusterState) -> ClusterInfo {
    ClusterInfo::from_state(state)
}
