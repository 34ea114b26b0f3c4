//! What `up` and `down` are doing, step by step, as values: `lab cluster up/down` words
//! each step in the learner's language, tests and benches print the English
//! [`Display`](std::fmt::Display).

/// One step of [`DockerCluster::up`](crate::DockerCluster::up) or
/// [`DockerCluster::down`](crate::DockerCluster::down).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// An interrupted `up` left containers, volumes or a network: they are removed first.
    RemovingLeftovers,
    PullingImage {
        image: String,
    },
    CreatingNetwork {
        network: String,
        host: String,
    },
    StartingNodes {
        nodes: usize,
        image: String,
    },
    /// The engine refused a privileged node container: the explicit capability set is used.
    NoPrivileged,
    /// Where the offline stand-in images' busybox came from: the node image, the platform
    /// (`arm64`, `arm/v7`), and how many files and links a dynamically linked one brought
    /// along (0 for a static one).
    StandIns {
        image: String,
        platform: String,
        files: usize,
    },
    LoadingImages,
    /// The offline registry the nodes pull through, in container `container`.
    StartingRegistry {
        container: String,
    },
    FormingSwarm {
        managers: usize,
        workers: usize,
    },
    Removing {
        containers: usize,
    },
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::RemovingLeftovers => f.write_str("removing what an interrupted `lab cluster up` left behind"),
            Progress::PullingImage { image } => write!(f, "pulling the node image {image}"),
            Progress::CreatingNetwork { network, host } => write!(f, "creating network {network} on {host}"),
            Progress::StartingNodes { nodes, image } => write!(f, "starting {nodes} node container(s) from {image}"),
            Progress::NoPrivileged => f.write_str(
                "this engine cannot run privileged containers (\"unable to apply caps\"); using an explicit \
                 capability set",
            ),
            Progress::StandIns { image, platform, files: 0 } => {
                write!(f, "stand-in images: busybox from node image {image} (arch {platform})")
            }
            Progress::StandIns { image, platform, files } => write!(
                f,
                "stand-in images: busybox from node image {image} (arch {platform}; dynamically linked: with its \
                 loader and libraries, {files} file(s) and link(s))"
            ),
            Progress::LoadingImages => f.write_str("loading the stand-in images into every node"),
            Progress::StartingRegistry { container } => {
                write!(f, "starting the offline registry the nodes pull through (container {container})")
            }
            Progress::FormingSwarm { managers, workers } => {
                write!(f, "forming the swarm: {managers} manager(s), {workers} worker(s)")
            }
            Progress::Removing { containers } => write!(f, "stopping and removing {containers} node container(s)"),
        }
    }
}
