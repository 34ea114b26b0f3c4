//! The learner's practice swarm behind `lab cluster up | env | shell | status | down`,
//! without the CLI parsing: one cluster per machine in a fixed directory,
//! `$SWARM_LAB_HOME/practice` (default `/var/lib/swarm-lab/practice`). Its dockerds run in
//! their own sessions with their logs in files, so the cluster outlives the `lab` process
//! that started it. `up` and `down` hold a lock on `<dir>/.lock`, so two of them never
//! overlap. `down` removes the whole directory (logs, daemon.json, key.json, the record).
//!
//! `up` can leave the engines outside swarm mode ([`UpOptions::swarm`] `false`), for the
//! lessons that start with `docker swarm init`, and can route the nodes out through the
//! host ([`UpOptions::online`]) so they pull real images instead of using the stand-ins.
//! Offline, the nodes pull through the cluster's own registry ([`stand_in::registry`]), so
//! any tag of the course's images and of common official images resolves to a stand-in.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

use crate::cluster::{Cluster, ClusterInfo, ClusterSpec, Node};
use crate::engine;
use crate::error::{HarnessError, IoAction, Result};
use crate::host::check_host;
use crate::progress::Progress;
use crate::state::{self, ClusterState, Phase};
use crate::status::{read_status, NodeEndpoint};
use crate::teardown;
use practice_driver::StatusReport;

/// Where swarm-lab keeps machine-wide state unless `SWARM_LAB_HOME` says otherwise.
pub const DEFAULT_HOME: &str = "/var/lib/swarm-lab";
/// Environment variable that moves swarm-lab's home; the practice cluster lives in its
/// `practice/` subdirectory.
pub const HOME_ENV: &str = "SWARM_LAB_HOME";

/// What `up` did (the drivers' shared outcome, with this driver's [`ClusterInfo`]).
pub type UpOutcome = practice_driver::UpOutcome<ClusterInfo>;

pub use practice_driver::{DownOutcome, Removed, UpOptions};

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

    fn spec_of(&self, options: &UpOptions) -> ClusterSpec {
        let managers = if options.swarm { options.managers } else { options.nodes.max(1) };
        ClusterSpec {
            swarm: options.swarm,
            online: options.online,
            images: !options.online,
            registry: !options.online,
            ..self.spec(options.nodes, managers)
        }
    }

    /// Starts the practice cluster, or reports the one already running. Leftovers of a
    /// killed `up` (or of a cluster whose engines all died, e.g. after a reboot) are
    /// cleaned up first.
    pub fn up(&self, options: &UpOptions, progress: &mut dyn FnMut(&Progress)) -> Result<UpOutcome> {
        let nodes = options.nodes;
        let spec = self.spec_of(options);
        spec.validate()?;
        check_host()?;
        let _lock = self.lock(progress)?;
        if let Some(old) = state::read(&self.dir)? {
            if old.phase == Phase::Running && old.detached && running_engines(&old) > 0 {
                return Ok(UpOutcome::AlreadyRunning(info_of(&old)));
            }
            if old.phase != Phase::Down {
                progress(if old.phase == Phase::Running {
                    &Progress::PreviousGone
                } else {
                    &Progress::CleaningInterruptedUp
                });
                teardown::teardown_dir(&self.dir)?;
            }
        }
        progress(&Progress::StartingPractice { nodes, dir: self.dir.clone() });
        let cluster = Cluster::start_with_progress(spec, progress)?;
        Ok(UpOutcome::Started(cluster.detach()?))
    }

    /// Node `number` (1-based) of the running practice cluster.
    pub fn node(&self, number: usize) -> Result<Node> {
        let info = info_of(&self.live_state()?);
        let count = info.nodes.len();
        if number == 0 || number > count {
            return Err(HarnessError::NoSuchNode { number, count });
        }
        Ok(info.nodes[number - 1].clone())
    }

    /// Shell lines that point the docker CLI at node `number` (1-based) of the practice
    /// cluster, for `eval "$(lab cluster env --node N)"`.
    pub fn env(&self, number: usize) -> Result<Vec<String>> {
        Ok(self
            .env_vars(number)?
            .into_iter()
            .map(|(k, v)| match v {
                Some(v) => format!("export {k}={v}"),
                None => format!("unset {k}"),
            })
            .collect())
    }

    /// The variables behind [`Practice::env`]: `None` clears one (a context or TLS files
    /// left from another engine would otherwise win over DOCKER_HOST or break it).
    pub fn env_vars(&self, number: usize) -> Result<Vec<(&'static str, Option<String>)>> {
        let node = self.node(number)?;
        Ok(vec![
            ("DOCKER_CONTEXT", None),
            ("DOCKER_TLS_VERIFY", None),
            ("DOCKER_CERT_PATH", None),
            ("DOCKER_HOST", Some(node.docker_host.clone())),
        ])
    }

    /// The running practice cluster, as `up` reported it.
    pub fn info(&self) -> Result<ClusterInfo> {
        Ok(info_of(&self.live_state()?))
    }

    /// Every node with its address, socket and swarm view, read live from the engines
    /// (see [`crate::status`]).
    pub fn status(&self) -> Result<StatusReport> {
        let state = self.live_state()?;
        let addresses: Vec<String> = state.nodes.iter().map(|n| n.addr.to_string()).collect();
        let endpoints: Vec<NodeEndpoint> = state
            .nodes
            .iter()
            .zip(&addresses)
            .map(|(n, address)| NodeEndpoint { name: &n.name, address, socket: &n.socket })
            .collect();
        Ok(read_status(&endpoints))
    }

    /// Removes the practice cluster, also what a killed `up` left; idempotent.
    pub fn down(&self, progress: &mut dyn FnMut(&Progress)) -> Result<DownOutcome> {
        check_host()?;
        let _lock = self.lock(progress)?;
        let old = state::read(&self.dir)?;
        let outcome = match &old {
            Some(s) if s.phase != Phase::Down => {
                progress(&Progress::Stopping { nodes: s.nodes.len() });
                DownOutcome::Removed(Removed { nodes: s.nodes.len(), ..Removed::default() })
            }
            _ => DownOutcome::NothingRunning,
        };
        if self.dir.exists() {
            // With no cluster recorded and no marker, the folder holds only what `lock` just
            // made: nothing to tear down (a second `down` is not an error).
            if old.is_some() || teardown::made_by_us(&self.dir) {
                teardown::teardown_dir(&self.dir)?;
            }
            // Torn down cleanly: the record, the logs and the engines' config go too.
            std::fs::remove_dir_all(&self.dir)
                .map_err(|e| HarnessError::io(IoAction::RemovePracticeDir, &self.dir, e))?;
        }
        Ok(outcome)
    }

    /// Stops node `number`'s (1-based) dockerd by its PID, as a server going down would
    /// (SIGTERM, SIGKILL after 20 s; its containers stop with it): for `lab drill`. Its
    /// data root and swarm state stay, so [`Practice::start_engine`] brings the same node
    /// back. A node whose engine is not running already is left as it is.
    pub fn stop_engine(&self, number: usize) -> Result<()> {
        use nix::sys::signal::Signal;
        let _lock = self.lock(&mut |_| {})?;
        let mut state = self.live_state()?;
        let idx = node_index(&state, number)?;
        let node = state.nodes[idx].clone();
        if let Some(pid) = node.pid.filter(|&p| engine::is_our_dockerd(p, &node)) {
            crate::process::signal(pid, Signal::SIGTERM);
            if !crate::process::wait_gone(&[pid], std::time::Duration::from_secs(20), || {}).is_empty() {
                crate::process::signal(pid, Signal::SIGKILL);
                crate::process::wait_gone(&[pid], std::time::Duration::from_secs(5), || {});
            }
        }
        state.nodes[idx].pid = None;
        state::write(&state)
    }

    /// Starts node `number`'s (1-based) dockerd again on its data root, in its network
    /// namespace, and waits until it answers; a running engine is left alone.
    pub fn start_engine(&self, number: usize) -> Result<()> {
        let tools = check_host()?;
        let _lock = self.lock(&mut |_| {})?;
        let mut state = self.live_state()?;
        let idx = node_index(&state, number)?;
        let node = state.nodes[idx].clone();
        if node.pid.is_some_and(|p| engine::is_our_dockerd(p, &node)) {
            return Ok(());
        }
        // A killed dockerd leaves its pidfile, and a new one refuses to start over it.
        let _ = std::fs::remove_file(node.dir.join("docker.pid"));
        let child = engine::spawn(tools, &node, state.registry.as_ref().map(|r| r.addr))?;
        let pid = child.id();
        state.nodes[idx].pid = Some(pid);
        state::write(&state)?;
        engine::wait_ready(&node, pid, std::time::Duration::from_secs(30))
    }

    /// The state of a cluster that `up` started and `down` has not removed.
    fn live_state(&self) -> Result<ClusterState> {
        match state::read(&self.dir)? {
            Some(s) if s.phase == Phase::Running => Ok(s),
            _ => Err(HarnessError::NotRunning { dir: self.dir.clone() }),
        }
    }

    fn lock(&self, progress: &mut dyn FnMut(&Progress)) -> Result<Flock<File>> {
        std::fs::create_dir_all(&self.dir).map_err(|e| HarnessError::io(IoAction::CreatePracticeDir, &self.dir, e))?;
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
        }
        let path = self.dir.join(".lock");
        loop {
            let open = || OpenOptions::new().create(true).truncate(false).write(true).open(&path);
            let file = open().map_err(|e| HarnessError::io(IoAction::OpenPracticeLock, &path, e))?;
            let lock = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(lock) => lock,
                Err((file, _)) => {
                    progress(&Progress::WaitingForLock);
                    Flock::lock(file, FlockArg::LockExclusive)
                        .map_err(|(_, e)| HarnessError::io(IoAction::LockPracticeDir, &path, e.into()))?
                }
            };
            // A `down` that held the lock removed the directory, lock file included: this
            // lock is on a file nobody else will open. Lock the new one instead.
            if same_file(&lock, &path) {
                return Ok(lock);
            }
            std::fs::create_dir_all(&self.dir)
                .map_err(|e| HarnessError::io(IoAction::CreatePracticeDir, &self.dir, e))?;
        }
    }
}

/// The `netns` driver: this machine's practice cluster, as root on Linux.
impl practice_driver::PracticeDriver for Practice {
    type Info = ClusterInfo;
    type Progress = Progress;
    type Error = HarnessError;

    const NAME: &'static str = "netns";

    async fn up(&self, options: &UpOptions, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<UpOutcome> {
        Practice::up(self, options, progress)
    }

    async fn status(&self) -> Result<StatusReport> {
        Practice::status(self)
    }

    async fn env_vars(&self, node: usize) -> Result<Vec<practice_driver::EnvVar>> {
        Practice::env_vars(self, node)
    }

    async fn down(&self, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<DownOutcome> {
        Practice::down(self, progress)
    }
}

fn same_file(open: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (open.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

fn node_index(state: &ClusterState, number: usize) -> Result<usize> {
    let count = state.nodes.len();
    if number == 0 || number > count {
        return Err(HarnessError::NoSuchNode { number, count });
    }
    Ok(number - 1)
}

fn running_engines(state: &ClusterState) -> usize {
    state.nodes.iter().filter(|n| n.pid.is_some_and(|pid| engine::is_our_dockerd(pid, n))).count()
}

fn info_of(state: &ClusterState) -> ClusterInfo {
    ClusterInfo::from_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_the_nodes_pull_through_the_registry_online_they_pull_real_images() {
        let practice = Practice::in_dir("/tmp/practice-spec");
        let offline = practice.spec_of(&UpOptions::default());
        assert!(offline.registry && offline.images && !offline.online);
        let online = practice.spec_of(&UpOptions { online: true, ..UpOptions::default() });
        assert!(!online.registry && !online.images && online.online, "no mirror, no stand-ins");
    }
}
