//! The one error type of the docker driver. Every message says what failed and what to do
//! next: learners read these on their own machines. The errors are values (what was being
//! asked of which engine, node or file, with its names and numbers); they display in
//! English, and `lab` words them in the learner's language from the same values. What an
//! engine, the system or a node image's busybox said is kept as it was said.

use std::path::PathBuf;
use std::time::Duration;

use practice_driver::Unsettled;

/// Everything that can go wrong while starting, reading or removing a cluster of node
/// containers.
#[derive(Debug, thiserror::Error)]
pub enum NodesError {
    #[error("invalid cluster options: {0}")]
    Invalid(InvalidOption),

    #[error("cannot use the Docker engine at {host}: {source}")]
    Engine {
        host: String,
        #[source]
        source: lab_engine::ClusterError,
    },

    #[error("the Docker engine refused to {what}: {source}")]
    Api {
        what: ApiAction,
        #[source]
        source: bollard::errors::Error,
    },

    #[error(
        "the node image {image} is not on the engine and could not be pulled: {why}. Pull it yourself \
         (`docker pull {image}`) or pass --image with an image that has dockerd, containerd and runc"
    )]
    Image { image: String, why: String },

    #[error("{node} stopped while starting (exit code {code}); its last log lines:\n{tail}")]
    NodeExited { node: String, code: i64, tail: String },

    #[error(
        "{node}'s engine did not answer at {host} within {}s: {why}. Its container log \
         (`docker logs {container}`) says why",
        waited.as_secs()
    )]
    NodeNotReady { node: String, host: String, container: String, waited: Duration, why: Box<lab_engine::ClusterError> },

    /// `why`: the node engine's words.
    #[error("{node}: {step}: {why}")]
    Node { node: String, step: NodeStep, why: String },

    #[error("{node}: its API port: the engine published none")]
    NoApiPort { node: String },

    /// `state`: the container's state as the engine names it (`exited`).
    #[error("{node}: reaching its engine: its container is {state}; `lab cluster up --driver docker` starts the cluster again")]
    NodeDown { node: String, state: String },

    #[error("the swarm did not settle within {}s: {detail}. `lab cluster status` shows the nodes", waited.as_secs())]
    SwarmNotReady { waited: Duration, detail: Unsettled },

    #[error("no practice swarm \"{name}\" on the engine at {host}: start one with `lab cluster up --driver docker`")]
    NotRunning { name: String, host: String },

    #[error(
        "the client certificate of cluster \"{name}\" is missing ({path}); the cluster cannot be reached \
         without it: `lab cluster down --driver docker` and `up` again"
    )]
    MissingCerts { name: String, path: PathBuf },

    #[error("{what} ({path}): {source}")]
    Io {
        what: IoAction,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the node image {image} has no busybox, which the stand-in images are made of on offline nodes: \
         `lab cluster up --driver docker --online` pulls the real images instead, or pass --image with a \
         node image that has busybox (docker:dind has it)"
    )]
    NoBusybox { image: String },

    /// `why`: what is wrong with the node image's busybox, with its paths and ELF facts.
    #[error(
        "cannot make the stand-in images from the busybox of the node image {image}: {why}. \
         `lab cluster up --driver docker --online` pulls the real images instead"
    )]
    StandInBusybox { image: String, why: String },

    /// `why`: the engine's words, or how long it waited.
    #[error(
        "the practice swarm's registry (container {container}) is not serving: {why}. \
         `docker logs {container}` says why; `lab cluster down --driver docker` and `up` again"
    )]
    RegistryNotReady { container: String, why: String },

    #[error("cannot build the stand-in images: {0}")]
    StandIn(#[from] stand_in::StandInProblem),

    #[error("cannot generate the cluster's TLS certificates: {0}")]
    Certs(#[from] rcgen::Error),
}

impl NodesError {
    pub(crate) fn api(what: ApiAction, source: bollard::errors::Error) -> NodesError {
        NodesError::Api { what, source }
    }

    pub(crate) fn io(what: IoAction, path: impl Into<PathBuf>, source: std::io::Error) -> NodesError {
        NodesError::Io { what, path: path.into(), source }
    }
}

pub type Result<T, E = NodesError> = std::result::Result<T, E>;

/// An option of `up` (or a node number) that cannot be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidOption {
    #[error(transparent)]
    Size(practice_driver::SizeError),
    #[error("--image is empty")]
    EmptyImage,
    #[error("cluster name \"{name}\": use 1 to 32 lowercase letters, digits and dashes")]
    ClusterName { name: String },
    #[error("there is no node{node}: the cluster has node1 to node{count}")]
    NoSuchNode { node: usize, count: usize },
}

/// Why a `--publish` value cannot be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    /// `text`: the part of `item` that is no port.
    #[error("--publish {item}: \"{text}\" is not a port number; use PORT or HOST_PORT:NODE_PORT, e.g. 80,5001")]
    NotAPort { item: String, text: String },
    #[error("--publish {item}: port {port} is the node's own API")]
    ApiPort { item: String, port: u16 },
    #[error("--publish: host port {port} is given twice")]
    Twice { port: u16 },
}

/// What the user's engine was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiAction {
    CreateNetwork { network: String },
    ListContainers,
    ListNetworks,
    ListVolumes,
    CreateVolume { name: String },
    CreateContainer { name: String },
    CopyCertificate { container: String },
    CopyRegistry { container: String },
    StartContainer { name: String },
    StopContainer { name: String },
    RemoveContainer { name: String },
    RemoveVolume { name: String },
    RemoveNetwork { name: String },
    InspectContainer { node: String },
}

impl std::fmt::Display for ApiAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiAction::CreateNetwork { network } => write!(f, "create network {network}"),
            ApiAction::ListContainers => f.write_str("list containers"),
            ApiAction::ListNetworks => f.write_str("list networks"),
            ApiAction::ListVolumes => f.write_str("list volumes"),
            ApiAction::CreateVolume { name } => write!(f, "create volume {name}"),
            ApiAction::CreateContainer { name } => write!(f, "create container {name}"),
            ApiAction::CopyCertificate { container } => write!(f, "copy the TLS certificate into {container}"),
            ApiAction::CopyRegistry { container } => write!(f, "copy the registry's files into {container}"),
            ApiAction::StartContainer { name } => write!(f, "start container {name}"),
            ApiAction::StopContainer { name } => write!(f, "stop container {name}"),
            ApiAction::RemoveContainer { name } => write!(f, "remove container {name}"),
            ApiAction::RemoveVolume { name } => write!(f, "remove volume {name}"),
            ApiAction::RemoveNetwork { name } => write!(f, "remove network {name}"),
            ApiAction::InspectContainer { node } => write!(f, "inspect the container of {node}"),
        }
    }
}

/// What a node's own engine was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStep {
    SwarmInit,
    JoinToken,
    SwarmJoin,
    NodeId,
    InspectNode,
    Promote,
    LoadImages,
}

impl std::fmt::Display for NodeStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NodeStep::SwarmInit => "swarm init",
            NodeStep::JoinToken => "reading the join token",
            NodeStep::SwarmJoin => "swarm join",
            NodeStep::NodeId => "reading its node id",
            NodeStep::InspectNode => "inspecting its node",
            NodeStep::Promote => "promoting it to manager",
            NodeStep::LoadImages => "loading the stand-in images",
        })
    }
}

/// What was being done with the client certificate's files when the system said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoAction {
    WriteCertificate,
    CreateCertDir,
    MakeCertDirPrivate,
    RemoveCertDir,
}

impl std::fmt::Display for IoAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IoAction::WriteCertificate => "cannot write a certificate",
            IoAction::CreateCertDir => "cannot create the certificate folder",
            IoAction::MakeCertDirPrivate => "cannot make the certificate folder private",
            IoAction::RemoveCertDir => "cannot remove the certificate folder",
        })
    }
}
