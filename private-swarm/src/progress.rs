//! What starting or removing a cluster is doing, step by step, as values: `lab cluster
//! up/down` words each step in the learner's language, tests and benches print the
//! English [`Display`](std::fmt::Display).

use std::net::Ipv4Addr;
use std::path::PathBuf;

/// One step of [`Cluster::start_with_progress`](crate::Cluster::start_with_progress) or of
/// the practice swarm's `up` and `down`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A killed run left a cluster in the directory: it is torn down first.
    CleaningKilledRun,
    /// The bridge (the host's side at `gateway`) and one network namespace per node.
    CreatingNetwork {
        bridge: String,
        gateway: Ipv4Addr,
        nodes: usize,
    },
    /// NAT of the cluster's subnet, so the nodes can pull real images.
    RoutingOut {
        cidr: String,
    },
    StartingEngines {
        nodes: usize,
    },
    LoadingImages,
    /// The offline registry every node pulls through, at `addr`.
    StartingRegistry {
        addr: Ipv4Addr,
    },
    FormingSwarm {
        managers: usize,
        workers: usize,
    },
    /// `--no-swarm`: no init, no join.
    OutsideSwarm,
    /// The practice swarm's engines are gone (a reboot): what is left of it is removed.
    PreviousGone,
    /// A practice `up` was interrupted: what it left is removed.
    CleaningInterruptedUp,
    StartingPractice {
        nodes: usize,
        dir: PathBuf,
    },
    Stopping {
        nodes: usize,
    },
    /// Another `up` or `down` holds the practice swarm's lock.
    WaitingForLock,
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::CleaningKilledRun => f.write_str("cleaning up a cluster a killed run left in this directory"),
            Progress::CreatingNetwork { bridge, gateway, nodes } => {
                write!(f, "creating bridge {bridge} ({gateway}/24) and {nodes} network namespaces")
            }
            Progress::RoutingOut { cidr } => write!(f, "routing the nodes out through this machine (NAT of {cidr})"),
            Progress::StartingEngines { nodes: 1 } => f.write_str("starting 1 dockerd"),
            Progress::StartingEngines { nodes } => write!(f, "starting {nodes} dockerds"),
            Progress::LoadingImages => f.write_str("loading the stand-in images on every node"),
            Progress::StartingRegistry { addr } => {
                write!(f, "starting the offline registry the nodes pull through ({addr}:{})", stand_in::registry::PORT)
            }
            Progress::FormingSwarm { managers, workers } => {
                write!(f, "forming the swarm: {managers} manager(s), {workers} worker(s)")
            }
            Progress::OutsideSwarm => f.write_str("leaving the engines outside swarm mode (no init, no join)"),
            Progress::PreviousGone => {
                f.write_str("the previous practice cluster is not running any more; removing what is left of it")
            }
            Progress::CleaningInterruptedUp => {
                f.write_str("cleaning up what an interrupted `lab cluster up` left behind")
            }
            Progress::StartingPractice { nodes, dir } => {
                write!(f, "starting a practice swarm of {nodes} node(s) in {}", dir.display())
            }
            Progress::Stopping { nodes } => write!(f, "stopping {nodes} node(s) and removing their network"),
            Progress::WaitingForLock => f.write_str("waiting for another `lab cluster up/down` to finish"),
        }
    }
}
