//! The one error type of the harness. Every message names what failed and what to do next,
//! because learners read these on their own machines. The errors are values: what was
//! being done ([`IoAction`]), why a spec or the stand-ins were refused ([`SpecError`],
//! [`StandInProblem`]), what kept a swarm from settling ([`Unsettled`]), each with the
//! names, paths and numbers it involves. They display in English; `lab` words them in the
//! learner's language from the same values (this crate has no language of its own).

use std::path::PathBuf;
use std::time::Duration;

pub use practice_driver::Unsettled;
use stand_in::HostBusyboxError;
pub use stand_in::StandInProblem;

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
    StandIn(StandInProblem),

    #[error("invalid cluster spec: {0}")]
    InvalidSpec(SpecError),

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
        what: IoAction,
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

    #[error("{node}: reading the worker join token: the engine returned none")]
    NoJoinToken { node: String },

    /// `detail`: the engine's words.
    #[error("{node}: loading the stand-in images: {detail}")]
    ImageLoad { node: String, detail: String },

    #[error(
        "the practice swarm's registry did not answer on {addr}:{port} within {}s; its log is at {}",
        waited.as_secs(), log.display(), port = stand_in::registry::PORT
    )]
    RegistryNotReady { addr: String, waited: Duration, log: PathBuf },

    #[error(
        "the swarm did not settle within {}s: {detail}. Node logs are under {}",
        waited.as_secs(), dir.display()
    )]
    SwarmNotReady { waited: Duration, detail: Unsettled, dir: PathBuf },

    #[error(
        "no free subnet in 100.64.0.0/16: every /24 is claimed under /run/private-swarm/subnets \
         or overlaps a route on this host. Tear down old clusters (`lab cluster down`, or \
         private_swarm::cleanup_stale on the test directory)"
    )]
    NoFreeSubnet,

    #[error("{} already holds a cluster (state file {}); tear it down first (Cluster::teardown_dir)", dir.display(), state.display())]
    DirInUse { dir: PathBuf, state: PathBuf },

    /// `detail`: the JSON parser's words.
    #[error("state file {}: not a cluster state file: {detail}", path.display())]
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

impl From<StandInProblem> for HarnessError {
    fn from(problem: StandInProblem) -> Self {
        HarnessError::StandIn(problem)
    }
}

/// This machine's busybox errors as the harness's own, in the same words.
impl From<HostBusyboxError> for HarnessError {
    fn from(e: HostBusyboxError) -> Self {
        match e {
            HostBusyboxError::NotInstalled => {
                HarnessError::MissingBinary { binary: "busybox", package: "busybox-static" }
            }
            HostBusyboxError::NotStatic { path } => HarnessError::BusyboxNotStatic { path },
            HostBusyboxError::Read { path, source } => HarnessError::Io { what: IoAction::ReadBusybox, path, source },
            HostBusyboxError::Run { command, status, stderr } => HarnessError::Command { command, status, stderr },
        }
    }
}

impl HarnessError {
    #[cfg(target_os = "linux")]
    pub(crate) fn io(what: IoAction, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        HarnessError::Io { what, path: path.into(), source }
    }
}

/// What the harness was doing with a file, a directory or a program when the system said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IoAction {
    RunDockerCli,
    ResolveClusterDir,
    CreateClusterDir,
    MarkClusterDir,
    CreateRunDir,
    WriteRunDir,
    CreateNodeDir,
    CreateExecRoot,
    WriteDaemonJson,
    CreateDockerdLog,
    OpenNetns,
    StartDockerd { node: String },
    WriteRegistry,
    StartRegistry,
    ReadBusybox,
    CreateSubnetClaims,
    OpenSubnetLock,
    LockSubnetClaims,
    WriteSubnetClaim,
    SetIpForward,
    CreatePracticeDir,
    OpenPracticeLock,
    LockPracticeDir,
    RemovePracticeDir,
    ReadState,
    WriteState,
}

impl std::fmt::Display for IoAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            IoAction::RunDockerCli => "cannot run the docker CLI",
            IoAction::ResolveClusterDir => "bad cluster directory",
            IoAction::CreateClusterDir => "cannot create the cluster directory",
            IoAction::MarkClusterDir => "cannot mark the cluster directory",
            IoAction::CreateRunDir => "cannot create the run directory",
            IoAction::WriteRunDir => "cannot write the run directory",
            IoAction::CreateNodeDir => "cannot create the node directory",
            IoAction::CreateExecRoot => "cannot create the node's exec root",
            IoAction::WriteDaemonJson => "cannot write daemon.json",
            IoAction::CreateDockerdLog => "cannot create the dockerd log",
            IoAction::OpenNetns => "cannot open the node's network namespace",
            IoAction::StartDockerd { node } => return write!(f, "cannot start dockerd for {node}"),
            IoAction::ReadBusybox => "cannot read busybox",
            IoAction::WriteRegistry => "cannot write the registry's files",
            IoAction::StartRegistry => "cannot start the registry",
            IoAction::CreateSubnetClaims => "cannot create the subnet claims directory",
            IoAction::OpenSubnetLock => "cannot open the subnet lock",
            IoAction::LockSubnetClaims => "cannot lock the subnet claims",
            IoAction::WriteSubnetClaim => "cannot write the subnet claim",
            IoAction::SetIpForward => "cannot set ip_forward",
            IoAction::CreatePracticeDir => "cannot create the practice directory",
            IoAction::OpenPracticeLock => "cannot open the practice lock",
            IoAction::LockPracticeDir => "cannot lock the practice directory",
            IoAction::RemovePracticeDir => "cannot remove the practice directory",
            IoAction::ReadState => "cannot read the cluster state file",
            IoAction::WriteState => "cannot write the cluster state file",
        };
        f.write_str(text)
    }
}

/// Why a [`ClusterSpec`](crate::ClusterSpec) cannot be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("dir must be set")]
    NoDir,
    #[error("dir {} is {why}; a cluster needs a directory of its own (e.g. /tmp/swarm-1)", dir.display())]
    SharedDir { dir: PathBuf, why: SharedDir },
    #[error(transparent)]
    Size(practice_driver::SizeError),
}

/// Why a directory is not a cluster's own (teardown unmounts and deletes under it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedDir {
    Root,
    TopLevel,
    System,
    Home,
}

impl std::fmt::Display for SharedDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SharedDir::Root => "the root directory",
            SharedDir::TopLevel => "a top-level directory",
            SharedDir::System => "a directory the system shares",
            SharedDir::Home => "your home directory",
        })
    }
}
