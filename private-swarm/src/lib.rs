//! Throwaway Docker swarm clusters on one Linux machine, for the Swarm Lab Workbook's tests,
//! benches and the learner's `lab cluster` practice swarm (its `netns` driver).
//!
//! The clusters are Linux only (network namespaces, mounts, dockerds of our own): on other
//! systems this crate holds just the error type and the [`Progress`] steps, which `lab`
//! words on every system. A cluster's size limit is the practice swarms' one,
//! [`practice_driver::MAX_NODES`]. The stand-in images, their busybox and the offline
//! registry's content come from the `stand-in` crate, which the `docker` driver shares.
//!
//! Each node is its own dockerd with its own config file, data root, exec root and socket,
//! running in its own network namespace (hostname `node1`, `node2`, …) joined by a veth
//! pair to a per-cluster bridge in the root namespace. Node 1 inits the swarm, the others
//! join as workers and the first `managers` nodes are promoted (or, with
//! [`ClusterSpec::swarm`] false, every engine stays outside swarm mode). Stand-in busybox images
//! tagged with the course's image names are imported on every node, so services converge
//! without any registry. Every cluster records what it creates in `<dir>/cluster.json`
//! before creating it, so a killed run can be cleaned up, and [`Cluster::leftovers`] lets
//! tests assert that nothing is left.
//!
//! Needs root and the Debian packages docker.io, iptables, iproute2 and busybox-static
//! ([`check_host`] says which is missing).
//!
//! Where things live:
//! - `<dir>/cluster.json`: the state file; `<dir>/nN/` each node's daemon.json, data root
//!   and `dockerd.log` (the log stays after teardown; the practice swarm's `down` removes
//!   its whole directory).
//! - `/run/private-swarm/<id>/nN`: exec roots (short, so containerd's sockets fit);
//!   `/run/private-swarm/<id>/cluster-dir` names `<dir>`.
//! - `/run/private-swarm/subnets/100.64.X.0`: subnet claims. Nodes are `100.64.X.11`,
//!   `.12`, …; the bridge `psw<id>` holds `.1`; namespaces are `psw-<id>-nodeN`.
//!
//! [`read_status`] reads every node's live view (the rows of `lab cluster status --format
//! json`) from the engines themselves; [`ipvs_available`] says whether the routing mesh can
//! carry traffic on this kernel.
//!
//! After a killed run: [`cleanup_stale`] (clusters under a directory) or
//! [`cleanup_orphans`] (every cluster on the machine) tear down what nobody owns any more;
//! [`Cluster::teardown_dir`] tears down one cluster whoever owns it. [`eventually`] is the
//! polling with a deadline that the workspace's tests use while they wait on engines.
//!
//! ```no_run
//! use private_swarm::{Cluster, ClusterSpec};
//! let cluster = Cluster::start(ClusterSpec::new("/tmp/swarm-1", 3, 3))?;
//! let out = cluster.docker(0, &["node", "ls"])?;
//! assert_eq!(out.lines().count(), 4);
//! # Ok::<(), private_swarm::HarnessError>(())
//! ```

mod error;
mod poll;
mod progress;

pub use error::{HarnessError, IoAction, Result, SharedDir, SpecError, StandInProblem, Unsettled};
pub use poll::eventually;
pub use progress::Progress;

// The clusters themselves: Linux only.
#[cfg(target_os = "linux")]
mod api;
#[cfg(target_os = "linux")]
mod cluster;
#[cfg(target_os = "linux")]
mod containerd;
#[cfg(target_os = "linux")]
mod engine;
#[cfg(target_os = "linux")]
mod host;
#[cfg(target_os = "linux")]
mod mounts;
#[cfg(target_os = "linux")]
mod names;
#[cfg(target_os = "linux")]
mod netns;
#[cfg(target_os = "linux")]
pub mod practice;
#[cfg(target_os = "linux")]
mod process;
#[cfg(target_os = "linux")]
mod registry_server;
#[cfg(target_os = "linux")]
mod state;
#[cfg(target_os = "linux")]
pub mod status;
#[cfg(target_os = "linux")]
mod swarm;
#[cfg(target_os = "linux")]
mod teardown;

#[cfg(target_os = "linux")]
pub use cluster::{Cluster, ClusterInfo, ClusterSpec, Node};
#[cfg(target_os = "linux")]
pub use host::{check_host, ipvs_available, resolver_is_loopback_only, running_as_root, HostTools};
#[cfg(target_os = "linux")]
pub use netns::SUBNET_PREFIX;
#[cfg(target_os = "linux")]
pub use practice_driver::{NodeStatus, StatusReport};
#[cfg(target_os = "linux")]
pub use state::{Role, MARKER_FILE, RUN_ROOT, STATE_FILE};
#[cfg(target_os = "linux")]
pub use status::{read_status, NodeEndpoint};
#[cfg(target_os = "linux")]
pub use swarm::SwarmNode;
#[cfg(target_os = "linux")]
pub use teardown::{cleanup_orphans, cleanup_stale};
