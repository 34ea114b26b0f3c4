//! A practice swarm whose nodes are containers on the user's own Docker engine: the
//! `docker` driver of `lab cluster up`, for machines where the learner has Docker (Docker
//! Desktop on macOS or Windows, or Linux with the docker group) but no root.
//!
//! Everything goes through Engine API calls to the engine `lab` already talks to (found as
//! `docker` finds it: `--host`, `--context`, `DOCKER_HOST`, contexts): no root, no network
//! namespaces, no processes of ours outlive the command. Each node is a container running
//! `dockerd` (default image `docker:29-dind`) on a user-defined bridge network; the cluster's
//! state is the labels on its containers, network and volumes (as kind does for Kubernetes),
//! so `status`, `env` and `down` find it without a state file, and `down` also removes what a
//! killed `up` left.
//!
//! Each node's API listens with mutual TLS on port 2376, published to 127.0.0.1 only on a
//! random host port. `lab` generates the CA, the server certificate (for 127.0.0.1 and
//! localhost) and the client certificate; the client files live in
//! `$XDG_STATE_HOME/swarm-lab/clusters/<name>/` (default `~/.local/state/…`, on Windows
//! `%LOCALAPPDATA%\swarm-lab\…`: [`cert_dir`]), for `DOCKER_CERT_PATH`.
//!
//! `up` and `down` report each step as a [`Progress`] value and fail with a [`NodesError`]
//! value; both display in English, and `lab` words them in the learner's language.
//!
//! Modules: [`cluster`] (up, status, env, down), [`node`] (one node container: its
//! configuration and entry script), [`privileges`] (privileged, or the explicit capability
//! set where the engine cannot run privileged containers), [`certs`], [`labels`],
//! [`swarm`] (forming the swarm through the nodes' APIs) and [`node_busybox`] (the offline
//! stand-in images' busybox, copied out of a node container). The node image its tests and
//! benches build from this machine's docker.io files is test support, in the `host-image`
//! crate.

pub mod certs;
pub mod cluster;
mod error;
pub mod labels;
pub mod node;
pub mod node_busybox;
pub mod privileges;
mod progress;
pub mod registry;
pub mod swarm;

pub use certs::cert_dir;
pub use cluster::{
    validate, ClusterInfo, DockerCluster, DownOutcome, NodeInfo, NodeSetup, NodeStatus, Removed, StatusReport,
    UpOptions, UpOutcome,
};
pub use error::{ApiAction, InvalidOption, IoAction, NodeStep, NodesError, PublishError, Result};
pub use privileges::Privileges;
pub use progress::Progress;

/// The node image `up` uses unless `--image` says otherwise: the official Docker-in-Docker
/// image of Docker Engine 29, the current stable major version.
pub const DEFAULT_IMAGE: &str = "docker:29-dind";

/// The cluster name `lab cluster` uses.
pub const DEFAULT_NAME: &str = "practice";
