//! The one error type of the harness. Every message names what failed and what to do next,
//! because learners read these on their own machines.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while starting, using or tearing down a private cluster.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(
        "private swarm clusters need root (running as uid {euid}): they create network \
         namespaces, a bridge and veth links, and run one dockerd per node. Run again with sudo, \
         on a machine with the packages docker.io, iptables, iproute2 and busybox-static \
         (`apt-get install -y docker.io iptables iproute2 busybox-static`)"
    )]
    NotRoot { euid: u32 },

    #[error("`{binary}` was not found on PATH or in /usr/sbin, /sbin: install it with `apt-get install -y {package}`")]
    MissingBinary { binary: &'static str, package: &'static str },

    #[error(
        "{path} is a dynamically linked busybox; the stand-in images need a static one: \
         `apt-get install -y busybox-static`"
    )]
    BusyboxNotStatic { path: PathBuf },

    #[error("cannot build the stand-in images: {0}")]
    StandIn(String),

    #[error("invalid cluster spec: {0}")]
    InvalidSpec(String),

    #[cfg(target_os = "linux")]
    #[error(
        "{dir} was not made by private-swarm (it has no {marker} file): refusing to tear down anything there; \
         name the directory a cluster was started in",
        dir = .dir.display(),
        marker = crate::state::MARKER_FILE
    )]
    NotOurs { dir: PathBuf },

    #[error("{what} ({path}): {source}")]
    Io {
        what: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("`{command}` failed ({status}): {stderr}")]
    Command { command: String, status: String, stderr: String },

    #[error(
        "dockerd for {node} did not answer on {docker_host} within {}s; its log is at {}",
        waited.as_secs(), log.display()
    )]
    EngineNotReady { node: String, docker_host: String, waited: Duration, log: PathBuf },

    #[error("dockerd for {node} exited while starting; its log is at {}. Last lines:\n{tail}", log.display())]
    EngineExited { node: String, log: PathBuf, tail: String },

    #[error("{node}: cannot reach the engine at {docker_host}: {source}. Is its dockerd running? (log: {})", log.display())]
    EngineUnreachable {
        node: String,
        docker_host: String,
        log: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{node}: Engine API {method} {path} answered {status}: {message}")]
    Api { node: String, method: String, path: String, status: u16, message: String },

    #[error("{node}: {what}: {detail}")]
    Swarm { node: String, what: String, detail: String },

    #[error(
        "the swarm did not settle within {}s: {detail}. Node logs are under {}",
        waited.as_secs(), dir.display()
    )]
    SwarmNotReady { waited: Duration, detail: String, dir: PathBuf },

    #[error(
        "no free subnet in 100.64.0.0/16: every /24 is claimed under /run/private-swarm/subnets \
         or overlaps a route on this host. Tear down old clusters (`lab cluster down`, or \
         private_swarm::cleanup_stale on the test directory)"
    )]
    NoFreeSubnet,

    #[error("{} already holds a cluster (state file {}); tear it down first (Cluster::teardown_dir)", dir.display(), state.display())]
    DirInUse { dir: PathBuf, state: PathBuf },

    #[error("state file {}: {detail}", path.display())]
    State { path: PathBuf, detail: String },

    #[error("the path {} is too long for a unix socket ({len} bytes, at most 107): use a shorter cluster directory", path.display())]
    SocketPathTooLong { path: PathBuf, len: usize },

    #[error("teardown of {} left things behind:\n  {}", dir.display(), leftovers.join("\n  "))]
    TeardownIncomplete { dir: PathBuf, leftovers: Vec<String> },

    #[error("no practice cluster is running (state dir {}); start one with `lab cluster up`", dir.display())]
    NotRunning { dir: PathBuf },

    #[error("the practice swarm has {count} node(s), so there is no node {number}; `lab cluster status` lists them")]
    NoSuchNode { number: usize, count: usize },

    #[error("docker CLI not found on PATH: install it with `apt-get install -y docker.io`")]
    NoDockerCli,

    #[error("`docker {args}` on {node} failed ({status}): {stderr}")]
    DockerCli { node: String, args: String, status: String, stderr: String },
}

/// Result with [`HarnessError`] as the error.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;

impl HarnessError {
    #[cfg(target_os = "linux")]
    pub(crate) fn io(what: impl Into<String>, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        HarnessError::Io { what: what.into(), path: path.into(), source }
    }
}
