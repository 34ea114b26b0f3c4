//! [`DockerCluster`]: one named cluster of node containers on the user's engine, and the
//! four things `lab cluster` does with it: `up`, `status`, `env` and `down`. What exists is
//! always read back from the engine (labels), never from a file of ours; the only file is
//! the client certificate the learner's `docker` needs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::models::{ContainerSummary, ContainerSummaryStateEnum, NetworkCreateRequest, VolumeCreateRequest};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, ImportImageOptionsBuilder, ListContainersOptionsBuilder,
    ListNetworksOptionsBuilder, ListVolumesOptionsBuilder, RemoveContainerOptionsBuilder, RemoveVolumeOptionsBuilder,
    StopContainerOptionsBuilder, UploadToContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::future::{join_all, try_join_all};
use futures_util::StreamExt;
use lab_engine::{Connection, Endpoint};

use crate::certs::{self, Certificates};
use crate::error::{ApiAction, InvalidOption, NodeStep, NodesError, Result};
use crate::labels;
use crate::node::{self, NodeSpec, API_PORT};
use crate::node_busybox;
use crate::privileges::{refused_privileged, Privileges};
use crate::progress::Progress;
use crate::registry;
use crate::swarm::{self, NodeApi};

pub use practice_driver::{DownOutcome, NodeStatus, Removed, StatusReport, UpOptions};

/// How `up` makes the node containers: what only the docker driver has, beside the
/// drivers' shared [`UpOptions`].
#[derive(Debug, Clone)]
pub struct NodeSetup {
    /// An image with dockerd, containerd and runc on PATH, and busybox unless the cluster
    /// is online (the stand-in images are made of it).
    pub image: String,
    /// (127.0.0.1 port, node 1 port) pairs.
    pub publish: Vec<(u16, u16)>,
    /// How long each node's engine may take to answer.
    pub engine_timeout: Duration,
    /// How long the swarm may take to settle.
    pub swarm_timeout: Duration,
}

impl Default for NodeSetup {
    fn default() -> Self {
        NodeSetup {
            image: crate::DEFAULT_IMAGE.into(),
            publish: Vec::new(),
            engine_timeout: Duration::from_secs(60),
            swarm_timeout: Duration::from_secs(60),
        }
    }
}

/// Checks what `up` would start before anything is made: the size (the practice swarms'
/// one rule, [`practice_driver::check_size`]), a node image named.
pub fn validate(opts: &UpOptions, setup: &NodeSetup) -> Result<()> {
    practice_driver::check_size(opts.nodes, opts.managers).map_err(|e| NodesError::Invalid(InvalidOption::Size(e)))?;
    if setup.image.trim().is_empty() {
        return Err(NodesError::Invalid(InvalidOption::EmptyImage));
    }
    Ok(())
}

/// One node as `up` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// `node1`, …
    pub name: String,
    pub container: String,
    /// `manager` or `worker`, as started.
    pub role: String,
    /// Its address on the cluster network; empty when the container is not running.
    pub address: String,
    /// `tcp://127.0.0.1:PORT`; empty when the container is not running.
    pub docker_host: String,
    /// The container's state: `running`, `exited`, …
    pub container_state: String,
}

/// A cluster as its labels describe it.
#[derive(Debug, Clone)]
pub struct ClusterInfo {
    pub name: String,
    pub id: String,
    /// How many nodes `up` meant to start.
    pub planned_nodes: usize,
    pub privileges: Option<Privileges>,
    pub swarm: bool,
    pub online: bool,
    pub publish: Vec<(u16, u16)>,
    pub nodes: Vec<NodeInfo>,
    /// Folder of ca.pem, cert.pem and key.pem for `DOCKER_CERT_PATH`.
    pub cert_dir: PathBuf,
}

/// What `up` did (the drivers' shared outcome, with this driver's [`ClusterInfo`]).
pub type UpOutcome = practice_driver::UpOutcome<ClusterInfo>;

/// Everything of one cluster that exists on the engine.
#[derive(Debug, Default)]
struct Found {
    containers: Vec<ContainerSummary>,
    networks: Vec<String>,
    volumes: Vec<String>,
}

impl Found {
    fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.networks.is_empty() && self.volumes.is_empty()
    }
}

/// A named cluster on one engine.
pub struct DockerCluster {
    engine: Docker,
    host: String,
    name: String,
    cert_dir: PathBuf,
    setup: NodeSetup,
}

impl DockerCluster {
    /// Connects to the user's engine. `cert_dir` is where the client certificate lives
    /// (see [`cert_dir`](crate::cert_dir)).
    pub async fn connect(engine: &Endpoint, name: &str, cert_dir: PathBuf) -> Result<DockerCluster> {
        labels::check_name(name).map_err(NodesError::Invalid)?;
        let conn = Connection::open(engine, Duration::from_secs(30))
            .await
            .map_err(|source| NodesError::Engine { host: engine.host.clone(), source })?;
        Ok(DockerCluster {
            engine: conn.docker,
            host: engine.host.clone(),
            name: name.to_string(),
            cert_dir,
            setup: NodeSetup::default(),
        })
    }

    /// The same cluster, its nodes made as `setup` says when `up` starts them.
    pub fn with_setup(self, setup: NodeSetup) -> DockerCluster {
        DockerCluster { setup, ..self }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn cert_dir(&self) -> &Path {
        &self.cert_dir
    }

    /// The user's engine (for tests).
    pub fn engine(&self) -> &Docker {
        &self.engine
    }

    /// Starts the cluster, or reports the complete one already running. What an
    /// interrupted `up` left is removed first.
    pub async fn up(&self, opts: &UpOptions, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<UpOutcome> {
        let setup = &self.setup;
        validate(opts, setup)?;
        let found = self.find().await?;
        if !found.is_empty() {
            if let Some(info) = self.complete(&found).await {
                return Ok(UpOutcome::AlreadyRunning(info));
            }
            progress(&Progress::RemovingLeftovers);
            self.remove(found, progress).await?;
        }
        self.ensure_image(&setup.image, progress).await?;

        let id = labels::new_id();
        let certs = Certificates::generate(&self.name)?;
        certs.write_client(&self.cert_dir)?;
        let network = labels::network_name(&self.name);
        progress(&Progress::CreatingNetwork { network: network.clone(), host: self.host.clone() });
        self.engine
            .create_network(NetworkCreateRequest {
                name: network.clone(),
                driver: Some("bridge".into()),
                labels: Some(labels::common(&self.name, &id)),
                ..Default::default()
            })
            .await
            .map_err(|e| NodesError::api(ApiAction::CreateNetwork { network: network.clone() }, e))?;

        // Offline, the registry comes first: the engines name its address as their mirror.
        let registry = if opts.online {
            None
        } else {
            let container = labels::registry_name(&self.name);
            progress(&Progress::StartingRegistry { container: container.clone() });
            Some((self.start_registry(&container, &id, &setup.image).await?, container))
        };
        let spec = |index: usize, privileges: Privileges| NodeSpec {
            cluster: self.name.clone(),
            id: id.clone(),
            index,
            manager: index <= opts.managers,
            nodes: opts.nodes,
            swarm: opts.swarm,
            image: setup.image.clone(),
            privileges,
            online: opts.online,
            publish: if index == 1 { setup.publish.clone() } else { Vec::new() },
            registry: registry.as_ref().map(|(addr, _)| addr.clone()),
        };
        let server_tar = certs.server_tar();
        progress(&Progress::StartingNodes { nodes: opts.nodes, image: setup.image.clone() });
        let privileges = match self.start_node(&spec(1, Privileges::Privileged), &server_tar).await {
            Ok(()) => Privileges::Privileged,
            Err(NodesError::Api { source, .. }) if refused_privileged(&source.to_string()) => {
                progress(&Progress::NoPrivileged);
                self.remove_container(&labels::node_object_name(&self.name, 1)).await?;
                self.start_node(&spec(1, Privileges::Capabilities), &server_tar).await?;
                Privileges::Capabilities
            }
            Err(e) => return Err(e),
        };
        try_join_all((2..=opts.nodes).map(|i| {
            let s = spec(i, privileges);
            let tar = &server_tar;
            async move { self.start_node(&s, tar).await }
        }))
        .await?;

        let found = self.find().await?;
        let info = self
            .info_of(&found)
            .ok_or_else(|| NodesError::NotRunning { name: self.name.clone(), host: self.host.clone() })?;
        let ready = try_join_all(info.nodes.iter().map(|n| async {
            let port = port_of(&n.docker_host).ok_or_else(|| NodesError::NoApiPort { node: n.name.clone() })?;
            let ep = node::endpoint(&n.name, port, &self.cert_dir);
            let conn = node::wait_ready(&self.engine, &n.container, &n.name, &ep, setup.engine_timeout).await?;
            Ok::<_, NodesError>(NodeApi {
                name: n.name.clone(),
                addr: n.address.clone(),
                manager: n.role == "manager",
                docker: conn.docker,
            })
        }));
        // Offline, busybox is copied out of the registry's container (made from the node
        // image) while the engines start.
        let busybox = async {
            match &registry {
                None => None,
                Some((_, container)) => Some(node_busybox::fetch(&self.engine, container, &setup.image).await),
            }
        };
        let (apis, busybox) = tokio::join!(ready, busybox);
        let apis = apis?;

        if let Some(fetched) = busybox {
            // The platform the nodes' engines run on, as they name it (`x86_64`, `aarch64`).
            let machine = apis[0].docker.info().await.ok().and_then(|i| i.architecture);
            let fetched = fetched?.finish(machine.as_deref())?;
            progress(&fetched.progress());
            progress(&Progress::LoadingImages);
            let layer = stand_in::rootfs_tar(&fetched.source)?;
            let archive = bytes::Bytes::from(stand_in::archive_of_layer(&layer, &fetched.source)?);
            let content = stand_in::registry::content(&fetched.source, &layer)?;
            let container = &registry.as_ref().expect("offline clusters have a registry").1;
            let serving = async {
                registry::upload(&self.engine, container, &content).await?;
                registry::wait_ready(&self.engine, container, setup.engine_timeout).await
            };
            let (loaded, served) =
                tokio::join!(try_join_all(apis.iter().map(|api| load_images(api, archive.clone()))), serving);
            loaded?;
            served?;
        }
        if opts.swarm {
            progress(&Progress::FormingSwarm { managers: opts.managers, workers: opts.nodes - opts.managers });
            swarm::form(&apis).await?;
            swarm::wait_settled(&apis, setup.swarm_timeout).await?;
        }
        Ok(UpOutcome::Started(info))
    }

    /// The cluster as its labels describe it, if anything of it exists.
    pub async fn info(&self) -> Result<Option<ClusterInfo>> {
        Ok(self.info_of(&self.find().await?))
    }

    /// Every node, read live: each engine's own swarm state, and the swarm's node list
    /// from the first manager that answers.
    pub async fn status(&self) -> Result<StatusReport> {
        let info = self.running_info().await?;
        let engines = join_all(info.nodes.iter().map(|n| async move {
            let port = port_of(&n.docker_host)?;
            let conn =
                Connection::open(&node::endpoint(&n.name, port, &self.cert_dir), Duration::from_secs(5)).await.ok()?;
            let swarm = conn.docker.info().await.ok()?.swarm.unwrap_or_default();
            Some((conn.docker, swarm))
        }))
        .await;
        let mut rows = Vec::new();
        for (docker, swarm) in engines.iter().flatten() {
            if swarm.control_available == Some(true) {
                if let Ok(r) = swarm::rows(docker).await {
                    rows = r;
                    break;
                }
            }
        }
        let nodes = info
            .nodes
            .iter()
            .zip(&engines)
            .map(|(n, engine)| {
                let row = rows.iter().find(|r| r.hostname == n.name);
                let some = |v: &str| Some(v.to_string()).filter(|v| !v.is_empty());
                NodeStatus {
                    name: n.name.clone(),
                    address: n.address.clone(),
                    docker_host: n.docker_host.clone(),
                    role: row.map(|r| if r.manager { "manager" } else { "worker" }.to_string()),
                    state: row.and_then(|r| some(&r.status)),
                    availability: row.and_then(|r| some(&r.availability)),
                    manager_status: row.and_then(|r| some(&r.manager_status)),
                    swarm: engine.as_ref().and_then(|(_, s)| s.local_node_state.map(|s| s.to_string())),
                    container: Some(n.container_state.clone()),
                }
            })
            .collect();
        Ok(StatusReport { nodes })
    }

    /// The endpoint of node `index` (1 is node1): `tcp://127.0.0.1:PORT` with the cluster's
    /// client certificate.
    pub async fn endpoint(&self, index: usize) -> Result<Endpoint> {
        let info = self.running_info().await?;
        let node =
            info.nodes.get(index.wrapping_sub(1)).filter(|n| n.name == format!("node{index}")).ok_or_else(|| {
                NodesError::Invalid(InvalidOption::NoSuchNode { node: index, count: info.nodes.len() })
            })?;
        let port = port_of(&node.docker_host)
            .ok_or_else(|| NodesError::NodeDown { node: node.name.clone(), state: node.container_state.clone() })?;
        if !self.cert_dir.join("key.pem").exists() {
            return Err(NodesError::MissingCerts { name: self.name.clone(), path: self.cert_dir.clone() });
        }
        Ok(node::endpoint(&node.name, port, &self.cert_dir))
    }

    /// Stops node `index`'s container, and with it its engine and every task it runs, as
    /// when a machine goes down (the `node-down` drill). Its swarm state stays in its
    /// volume, so [`DockerCluster::start_engine`] brings the same node back.
    pub async fn stop_engine(&self, index: usize) -> Result<()> {
        let node = self.node_info(index).await?;
        let options = StopContainerOptionsBuilder::new().t(30).build();
        match self.engine.stop_container(&node.container, Some(options)).await {
            // 304: stopped already.
            Err(e) if !is_status(&e, 304) => {
                Err(NodesError::api(ApiAction::StopContainer { name: node.container.clone() }, e))
            }
            _ => Ok(()),
        }
    }

    /// Starts node `index`'s container again and waits until its engine answers. Its API
    /// port is published anew, so the node's endpoint is returned.
    pub async fn start_engine(&self, index: usize, timeout: Duration) -> Result<Endpoint> {
        let node = self.node_info(index).await?;
        match self.engine.start_container(&node.container, None).await {
            // 304: running already.
            Err(e) if !is_status(&e, 304) => {
                return Err(NodesError::api(ApiAction::StartContainer { name: node.container.clone() }, e))
            }
            _ => {}
        }
        let ep = self.endpoint(index).await?;
        node::wait_ready(&self.engine, &node.container, &node.name, &ep, timeout).await?;
        Ok(ep)
    }

    /// Node `index` (1 is node1) as its labels describe it, whatever its container's state.
    async fn node_info(&self, index: usize) -> Result<NodeInfo> {
        let info = self.running_info().await?;
        let count = info.nodes.len();
        info.nodes
            .into_iter()
            .find(|n| n.name == format!("node{index}"))
            .ok_or(NodesError::Invalid(InvalidOption::NoSuchNode { node: index, count }))
    }

    /// Each running node's name (`node1`, also its hostname) with the process ID of its
    /// container's first process as the user's engine reports it (`State.Pid`: a PID of the
    /// engine's own PID namespace, so of this machine's when the engine runs here, as
    /// root on Linux). Under `/proc/PID/root/proc/` are the node's own processes: its
    /// inner containers, whose PIDs the node's engine reports in that namespace. GETs only.
    pub async fn node_pids(&self) -> Result<Vec<(String, u32)>> {
        let info = self.running_info().await?;
        let mut pids = Vec::new();
        for n in info.nodes.iter().filter(|n| n.container_state == "running") {
            let inspected = self
                .engine
                .inspect_container(&n.container, None)
                .await
                .map_err(|e| NodesError::api(ApiAction::InspectContainer { node: n.name.clone() }, e))?;
            let pid = inspected.state.and_then(|s| s.pid).and_then(|p| u32::try_from(p).ok()).unwrap_or(0);
            if pid > 0 {
                pids.push((n.name.clone(), pid));
            }
        }
        Ok(pids)
    }

    /// Removes every container, volume and network of the cluster and its certificate
    /// folder, also what a killed `up` left; idempotent.
    pub async fn down(&self, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<DownOutcome> {
        let found = self.find().await?;
        let outcome = if found.is_empty() {
            DownOutcome::NothingRunning
        } else {
            DownOutcome::Removed(Removed {
                nodes: found.containers.iter().filter(|c| !is_registry(c)).count(),
                containers: found.containers.len(),
                networks: found.networks.len(),
                volumes: found.volumes.len(),
            })
        };
        self.remove(found, progress).await?;
        Ok(outcome)
    }

    async fn running_info(&self) -> Result<ClusterInfo> {
        self.info_of(&self.find().await?)
            .filter(|i| !i.nodes.is_empty())
            .ok_or_else(|| NodesError::NotRunning { name: self.name.clone(), host: self.host.clone() })
    }

    async fn find(&self) -> Result<Found> {
        let filters = labels::filter(&self.name);
        let containers = self
            .engine
            .list_containers(Some(ListContainersOptionsBuilder::new().all(true).filters(&filters).build()))
            .await
            .map_err(|e| NodesError::api(ApiAction::ListContainers, e))?;
        let networks = self
            .engine
            .list_networks(Some(ListNetworksOptionsBuilder::new().filters(&filters).build()))
            .await
            .map_err(|e| NodesError::api(ApiAction::ListNetworks, e))?
            .into_iter()
            .filter_map(|n| n.name)
            .collect();
        let volumes = self
            .engine
            .list_volumes(Some(ListVolumesOptionsBuilder::new().filters(&filters).build()))
            .await
            .map_err(|e| NodesError::api(ApiAction::ListVolumes, e))?
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect();
        Ok(Found { containers, networks, volumes })
    }

    fn info_of(&self, found: &Found) -> Option<ClusterInfo> {
        let label =
            |c: &ContainerSummary, key: &str| c.labels.as_ref().and_then(|l| l.get(key)).cloned().unwrap_or_default();
        // The registry's container is no node.
        let node_containers = || found.containers.iter().filter(|c| !is_registry(c));
        // Cluster-wide labels (node 1 alone has the published ports) from the lowest index.
        let first = node_containers().min_by_key(|c| label(c, labels::INDEX).parse::<usize>().unwrap_or(usize::MAX))?;
        let network = labels::network_name(&self.name);
        let mut nodes: BTreeMap<usize, NodeInfo> = BTreeMap::new();
        for c in node_containers() {
            let index: usize = label(c, labels::INDEX).parse().unwrap_or(0);
            let running = c.state == Some(ContainerSummaryStateEnum::RUNNING);
            let port = c.ports.iter().flatten().find(|p| p.private_port == API_PORT && p.public_port.is_some());
            let address = c
                .network_settings
                .as_ref()
                .and_then(|s| s.networks.as_ref())
                .and_then(|n| n.get(&network))
                .and_then(|e| e.ip_address.clone())
                .unwrap_or_default();
            nodes.insert(
                index,
                NodeInfo {
                    name: label(c, labels::NODE),
                    container: c
                        .names
                        .iter()
                        .flatten()
                        .next()
                        .map(|n| n.trim_start_matches('/').to_string())
                        .unwrap_or_default(),
                    role: label(c, labels::ROLE),
                    address: if running { address } else { String::new() },
                    docker_host: match port.and_then(|p| p.public_port) {
                        Some(p) if running => format!("tcp://127.0.0.1:{p}"),
                        _ => String::new(),
                    },
                    container_state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                },
            );
        }
        Some(ClusterInfo {
            name: self.name.clone(),
            id: label(first, labels::ID),
            planned_nodes: label(first, labels::NODES).parse().unwrap_or(0),
            privileges: Privileges::from_label(&label(first, labels::PRIVILEGES)),
            swarm: label(first, labels::SWARM) != "false",
            online: label(first, labels::IMAGES) == "online",
            publish: node::parse_publish(&[label(first, labels::PUBLISH)]).unwrap_or_default(),
            nodes: nodes.into_values().collect(),
            cert_dir: self.cert_dir.clone(),
        })
    }

    /// The cluster's info when every planned node runs, all from one `up`, its certificate
    /// is there and node 1's engine answers (in a swarm, when that is wanted).
    async fn complete(&self, found: &Found) -> Option<ClusterInfo> {
        let info = self.info_of(found)?;
        let ids: std::collections::HashSet<_> = found
            .containers
            .iter()
            .map(|c| c.labels.as_ref().and_then(|l| l.get(labels::ID)).cloned().unwrap_or_default())
            .collect();
        let all_running = info.nodes.iter().all(|n| n.container_state == "running");
        // Offline, the nodes pull through the registry: without it the cluster is not whole.
        let registry_running =
            found.containers.iter().any(|c| is_registry(c) && c.state == Some(ContainerSummaryStateEnum::RUNNING));
        if ids.len() != 1 || info.nodes.len() != info.planned_nodes || !all_running || registry_running == info.online {
            return None;
        }
        let ep = self.endpoint(1).await.ok()?;
        let conn = Connection::open(&ep, Duration::from_secs(5)).await.ok()?;
        if info.swarm {
            let state = conn.docker.info().await.ok()?.swarm?.local_node_state?;
            if state != bollard::models::LocalNodeState::ACTIVE {
                return None;
            }
        }
        Some(info)
    }

    async fn ensure_image(&self, image: &str, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<()> {
        if self.engine.inspect_image(image).await.is_ok() {
            return Ok(());
        }
        progress(&Progress::PullingImage { image: image.to_string() });
        let mut pull =
            self.engine.create_image(Some(CreateImageOptionsBuilder::new().from_image(image).build()), None, None);
        while let Some(step) = pull.next().await {
            step.map_err(|e| NodesError::Image { image: image.to_string(), why: e.to_string() })?;
        }
        self.engine
            .inspect_image(image)
            .await
            .map(drop)
            .map_err(|e| NodesError::Image { image: image.to_string(), why: e.to_string() })
    }

    /// Creates and starts the registry's container; its address on the cluster network.
    async fn start_registry(&self, container: &str, id: &str, image: &str) -> Result<String> {
        self.engine
            .create_container(
                Some(CreateContainerOptionsBuilder::new().name(container).build()),
                registry::create_body(&self.name, id, image),
            )
            .await
            .map_err(|e| NodesError::api(ApiAction::CreateContainer { name: container.to_string() }, e))?;
        self.engine
            .start_container(container, None)
            .await
            .map_err(|e| NodesError::api(ApiAction::StartContainer { name: container.to_string() }, e))?;
        let network = labels::network_name(&self.name);
        let inspected = self
            .engine
            .inspect_container(container, None)
            .await
            .map_err(|e| NodesError::api(ApiAction::InspectContainer { node: container.to_string() }, e))?;
        inspected
            .network_settings
            .and_then(|s| s.networks)
            .and_then(|n| n.get(&network).and_then(|e| e.ip_address.clone()))
            .filter(|ip| !ip.is_empty())
            .ok_or_else(|| NodesError::RegistryNotReady {
                container: container.to_string(),
                why: format!("it has no address on network {network}"),
            })
    }

    /// Creates node `spec`'s volume and container, puts the server certificate in, starts it.
    async fn start_node(&self, spec: &NodeSpec, server_tar: &[u8]) -> Result<()> {
        let name = spec.container_name();
        self.engine
            .create_volume(VolumeCreateRequest {
                name: Some(name.clone()),
                labels: Some(spec.volume_labels()),
                ..Default::default()
            })
            .await
            .map_err(|e| NodesError::api(ApiAction::CreateVolume { name: name.clone() }, e))?;
        self.engine
            .create_container(Some(CreateContainerOptionsBuilder::new().name(&name).build()), spec.create_body())
            .await
            .map_err(|e| NodesError::api(ApiAction::CreateContainer { name: name.clone() }, e))?;
        self.engine
            .upload_to_container(
                &name,
                Some(UploadToContainerOptionsBuilder::new().path("/").build()),
                bollard::body_full(bytes::Bytes::copy_from_slice(server_tar)),
            )
            .await
            .map_err(|e| NodesError::api(ApiAction::CopyCertificate { container: name.clone() }, e))?;
        self.engine
            .start_container(&name, None)
            .await
            .map_err(|e| NodesError::api(ApiAction::StartContainer { name: name.clone() }, e))
    }

    async fn remove_container(&self, name: &str) -> Result<()> {
        self.engine
            .remove_container(name, Some(RemoveContainerOptionsBuilder::new().force(true).v(true).build()))
            .await
            .map_err(|e| NodesError::api(ApiAction::RemoveContainer { name: name.to_string() }, e))
    }

    /// Stops the running nodes (their engines stop their containers and clean up), then
    /// removes containers, volumes, networks and the certificate folder.
    async fn remove(&self, found: Found, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<()> {
        let names: Vec<String> = found.containers.iter().filter_map(|c| c.id.clone()).collect();
        if !names.is_empty() {
            progress(&Progress::Removing { containers: names.len() });
        }
        join_all(
            names
                .iter()
                .map(|id| self.engine.stop_container(id, Some(StopContainerOptionsBuilder::new().t(30).build()))),
        )
        .await;
        for r in join_all(names.iter().map(|id| self.remove_container(id))).await {
            if let Err(e) = r {
                if !is_not_found(&e) {
                    return Err(e);
                }
            }
        }
        for v in &found.volumes {
            match self.engine.remove_volume(v, Some(RemoveVolumeOptionsBuilder::new().force(true).build())).await {
                Ok(()) => {}
                Err(e) if is_status(&e, 404) => {}
                Err(e) => return Err(NodesError::api(ApiAction::RemoveVolume { name: v.clone() }, e)),
            }
        }
        for n in &found.networks {
            match self.engine.remove_network(n).await {
                Ok(()) => {}
                Err(e) if is_status(&e, 404) => {}
                Err(e) => return Err(NodesError::api(ApiAction::RemoveNetwork { name: n.clone() }, e)),
            }
        }
        certs::remove_dir(&self.cert_dir)
    }
}

/// The `docker` driver: the cluster's nodes are containers on the user's engine.
impl practice_driver::PracticeDriver for DockerCluster {
    type Info = ClusterInfo;
    type Progress = Progress;
    type Error = NodesError;

    const NAME: &'static str = "docker";

    async fn up(&self, options: &UpOptions, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<UpOutcome> {
        DockerCluster::up(self, options, progress).await
    }

    async fn status(&self) -> Result<StatusReport> {
        DockerCluster::status(self).await
    }

    /// DOCKER_HOST of the node's published API port, with the cluster's client certificate.
    async fn env_vars(&self, node: usize) -> Result<Vec<practice_driver::EnvVar>> {
        let endpoint = self.endpoint(node).await?;
        Ok(vec![
            ("DOCKER_HOST", Some(endpoint.host)),
            ("DOCKER_TLS_VERIFY", Some("1".to_string())),
            ("DOCKER_CERT_PATH", Some(self.cert_dir.display().to_string())),
        ])
    }

    async fn down(&self, progress: &mut (dyn FnMut(&Progress) + Send)) -> Result<DownOutcome> {
        DockerCluster::down(self, progress).await
    }
}

/// Loads the stand-in images into one node (`POST /images/load`).
async fn load_images(api: &NodeApi, archive: bytes::Bytes) -> Result<()> {
    let mut stream = api.docker.import_image(
        ImportImageOptionsBuilder::new().quiet(true).build(),
        bollard::body_full(archive),
        None,
    );
    while let Some(step) = stream.next().await {
        step.map_err(|e| NodesError::Node { node: api.name.clone(), step: NodeStep::LoadImages, why: e.to_string() })?;
    }
    Ok(())
}

/// Whether a container of the cluster is its registry, not a node.
fn is_registry(c: &ContainerSummary) -> bool {
    c.labels.as_ref().and_then(|l| l.get(labels::REGISTRY)).is_some_and(|v| v == "true")
}

/// The port of `tcp://127.0.0.1:PORT`.
fn port_of(docker_host: &str) -> Option<u16> {
    docker_host.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

fn is_status(e: &bollard::errors::Error, code: u16) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { status_code, .. } if *status_code == code)
}

fn is_not_found(e: &NodesError) -> bool {
    matches!(e, NodesError::Api { source, .. } if is_status(source, 404))
}
