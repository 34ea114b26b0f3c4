//! The one error type of the docker driver. Every message says what failed and what to do
//! next: learners read these on their own machines.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while starting, reading or removing a cluster of node
/// containers.
#[derive(Debug, thiserror::Error)]
pub enum NodesError {
    #[error("invalid cluster options: {0}")]
    Invalid(String),

    #[error("cannot use the Docker engine at {host}: {source}")]
    Engine {
        host: String,
        #[source]
        source: lab_grader::ClusterError,
    },

    #[error("the Docker engine refused to {what}: {source}")]
    Api {
        what: String,
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
    NodeNotReady { node: String, host: String, container: String, waited: Duration, why: String },

    #[error("{node}: {what}: {why}")]
    Node { node: String, what: String, why: String },

    #[error("the swarm did not settle within {}s: {detail}. `lab cluster status` shows the nodes", waited.as_secs())]
    SwarmNotReady { waited: Duration, detail: String },

    #[error("no practice swarm \"{name}\" on the engine at {host}: start one with `lab cluster up --driver docker`")]
    NotRunning { name: String, host: String },

    #[error(
        "the client certificate of cluster \"{name}\" is missing ({path}); the cluster cannot be reached \
         without it: `lab cluster down --driver docker` and `up` again"
    )]
    MissingCerts { name: String, path: PathBuf },

    #[error("{what} ({path}): {source}")]
    Io {
        what: String,
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

    #[error(
        "cannot make the stand-in images from the busybox of the node image {image}: {why}. \
         `lab cluster up --driver docker --online` pulls the real images instead"
    )]
    StandInBusybox { image: String, why: String },

    #[error("{0}")]
    StandIn(#[from] private_swarm::HarnessError),

    #[error("cannot generate the cluster's TLS certificates: {0}")]
    Certs(#[from] rcgen::Error),
}

impl NodesError {
    pub(crate) fn api(what: impl Into<String>, source: bollard::errors::Error) -> NodesError {
        NodesError::Api { what: what.into(), source }
    }

    pub(crate) fn io(what: impl Into<String>, path: impl Into<PathBuf>, source: std::io::Error) -> NodesError {
        NodesError::Io { what: what.into(), path: path.into(), source }
    }
}

pub type Result<T, E = NodesError> = std::result::Result<T, E>;
