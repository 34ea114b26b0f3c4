//! [`Cluster`]: a swarm of private dockerds, one per network namespace, started from a
//! [`ClusterSpec`] and torn down on drop. Also the per-node handles ([`Node`]) that run the
//! docker CLI against one engine or a program inside a node's network namespace.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::api::EngineApi;
use crate::engine::{self, NodeApi};
use crate::error::{HarnessError, IoAction, Result, SharedDir, SpecError};
use crate::host::{check_host, find_binary, HostTools};
use crate::progress::Progress;
use crate::state::{self, ClusterState, NodeState, Phase, Role, StateFile, RUN_ROOT};
use crate::{containerd, names, netns, registry_server, swarm, teardown};
use stand_in::host_busybox;
use stand_in::registry;

/// What to start. `ClusterSpec { dir, nodes: 3, managers: 3, ..Default::default() }`.
#[derive(Debug, Clone)]
pub struct ClusterSpec {
    /// Directory for the state file and the nodes' data (`n1/`, `n2/`, …); created if
    /// missing. Keep it short: `<dir>/nN/docker.sock` must fit in 107 bytes.
    pub dir: PathBuf,
    /// Number of nodes, 1 to 20.
    pub nodes: usize,
    /// How many of them are managers (node1 … nodeM), 1 to `nodes`.
    pub managers: usize,
    /// Import the stand-in images on every node.
    pub images: bool,
    /// How long each dockerd may take to answer.
    pub engine_timeout: Duration,
    /// How long the swarm may take to list every node Ready with its role.
    pub swarm_timeout: Duration,
    /// Form the swarm (init, join, promote). `false` leaves every engine outside swarm
    /// mode, on its network and with its images, for a learner to init and join by hand;
    /// every node is then recorded as a (would-be) manager.
    pub swarm: bool,
    /// Route the nodes' traffic out through the host (a default route via the bridge,
    /// ip_forward, MASQUERADE), so engines can pull real images. Off by default: nothing a
    /// node sends can leave the machine.
    pub online: bool,
    /// Run the offline registry ([`stand_in::registry`]) on the bridge and make it every
    /// engine's mirror, so tasks pull any tag of the known images (the practice swarm's
    /// offline default). Off by default: tasks then start from the loaded images only.
    pub registry: bool,
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            dir: PathBuf::new(),
            nodes: 1,
            managers: 1,
            images: true,
            engine_timeout: Duration::from_secs(30),
            swarm_timeout: Duration::from_secs(60),
            swarm: true,
            online: false,
            registry: false,
        }
    }
}

impl ClusterSpec {
    /// A spec for `nodes` nodes of which `managers` are managers, in `dir`.
    pub fn new(dir: impl Into<PathBuf>, nodes: usize, managers: usize) -> Self {
        ClusterSpec { dir: dir.into(), nodes, managers, ..Default::default() }
    }

    /// Checks the numbers and the directory without starting anything.
    pub fn validate(&self) -> Result<()> {
        if self.dir.as_os_str().is_empty() {
            return Err(HarnessError::InvalidSpec(SpecError::NoDir));
        }
        if let Some(why) = shared_directory(&self.dir) {
            return Err(HarnessError::InvalidSpec(SpecError::SharedDir { dir: self.dir.clone(), why }));
        }
        // The practice swarms' one rule, this crate's test clusters included.
        practice_driver::check_size(self.nodes, self.managers)
            .map_err(|e| HarnessError::InvalidSpec(SpecError::Size(e)))
    }
}

/// Why `dir` cannot be a cluster's own directory (teardown unmounts and deletes under it):
/// the root, a top-level directory, a directory the system or other programs share, or a
/// home directory.
fn shared_directory(dir: &Path) -> Option<SharedDir> {
    let abs = std::path::absolute(dir).ok()?;
    let mut clean = PathBuf::new();
    for part in abs.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    let depth = clean.components().count(); // `/` counts as one
    const SHARED: &[&str] =
        &["/var/tmp", "/var/lib", "/var/run", "/var/log", "/var/cache", "/usr/local", "/run/user", "/run/netns"];
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if depth <= 1 {
        Some(SharedDir::Root)
    } else if depth == 2 {
        Some(SharedDir::TopLevel)
    } else if SHARED.iter().any(|s| clean == Path::new(s)) || clean.starts_with(crate::state::RUN_ROOT) {
        Some(SharedDir::System)
    } else if home.is_some_and(|h| clean == h) {
        Some(SharedDir::Home)
    } else {
        None
    }
}

/// One node of a running cluster.
#[derive(Debug, Clone)]
pub struct Node {
    /// `node1`, `node2`, …
    pub name: String,
    /// The hostname its engine reports (same as `name`).
    pub hostname: String,
    /// `unix:///…/nN/docker.sock`, for DOCKER_HOST or any Engine API client.
    pub docker_host: String,
    /// Its address on the cluster bridge, reachable from the host.
    pub addr: Ipv4Addr,
    pub role: Role,
    /// Pid of its dockerd.
    pub pid: u32,
    /// Its network namespace, a file in /run/netns.
    pub netns: String,
    /// Its directory (daemon.json, data root, dockerd.log).
    pub dir: PathBuf,
}

impl Node {
    fn from_state(n: &NodeState) -> Node {
        Node {
            name: n.name.clone(),
            hostname: n.hostname.clone(),
            docker_host: n.docker_host(),
            addr: n.addr,
            role: n.role,
            pid: n.pid.unwrap_or(0),
            netns: n.netns.clone().unwrap_or_default(),
            dir: n.dir.clone(),
        }
    }

    /// The dockerd log of this node.
    pub fn log(&self) -> PathBuf {
        self.dir.join("dockerd.log")
    }

    /// A `docker` CLI command aimed at this node only: DOCKER_HOST is set, and the
    /// variables that could send it elsewhere or change its TLS (DOCKER_CONTEXT,
    /// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_TLS, DOCKER_API_VERSION) are removed.
    pub fn docker_command(&self) -> Result<Command> {
        let cli = find_binary("docker").ok_or(HarnessError::NoDockerCli)?;
        let mut cmd = Command::new(cli);
        for var in ["DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS", "DOCKER_API_VERSION"] {
            cmd.env_remove(var);
        }
        cmd.env("DOCKER_HOST", &self.docker_host).env("DOCKER_CLI_HINTS", "false");
        Ok(cmd)
    }

    /// Runs `docker ARGS` against this node; Ok(stdout) on success, else an error
    /// carrying stderr.
    pub fn docker(&self, args: &[&str]) -> Result<String> {
        let mut cmd = self.docker_command()?;
        let out = cmd
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| HarnessError::io(IoAction::RunDockerCli, cmd.get_program(), e))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(HarnessError::DockerCli {
                node: self.name.clone(),
                args: args.join(" "),
                status: out.status.to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    }

    /// `GET PATH` on this node's Engine API (`/services?status=true`, `/tasks`, …): its
    /// JSON answer. For tests that poll an engine: no `docker` process each time (the CLI
    /// costs about 30 ms of CPU a run, and a poll every 200 ms adds up on 2 cores).
    pub fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        let socket = self.docker_host.trim_start_matches("unix://");
        EngineApi::new(socket)
            .get_json(path, Duration::from_secs(30))
            .map_err(|f| engine::api_error(&self.name, &self.docker_host, &self.log(), "GET", path, f))
    }

    /// Every service with its replicas as `docker service ls` shows them, `RUNNING/DESIRED`
    /// (`("web", "2/3")`), from one `GET /services?status=true`.
    pub fn service_replicas(&self) -> Result<Vec<(String, String)>> {
        let path = "/services?status=true";
        let services = self.get_json(path)?;
        let services = services.as_array().ok_or_else(|| HarnessError::Api {
            node: self.name.clone(),
            method: "GET".into(),
            path: path.into(),
            status: 200,
            message: format!("{services} is not a list of services"),
        })?;
        Ok(services
            .iter()
            .map(|s| {
                let name = s["Spec"]["Name"].as_str().unwrap_or_default().to_string();
                let status = &s["ServiceStatus"];
                (name, format!("{}/{}", status["RunningTasks"], status["DesiredTasks"]))
            })
            .collect())
    }

    /// `nsenter --net=/run/netns/NS PROGRAM`: runs a host program from the node's point of
    /// view on the network (its address, its published ports, its overlay endpoints).
    pub fn netns_command(&self, program: &str) -> Result<Command> {
        let nsenter =
            find_binary("nsenter").ok_or(HarnessError::MissingBinary { binary: "nsenter", package: "util-linux" })?;
        let mut cmd = Command::new(nsenter);
        cmd.arg(format!("--net={}", netns::netns_path(&self.netns).display())).arg(program);
        Ok(cmd)
    }

    /// Runs PROGRAM ARGS inside the node's network namespace; Ok(stdout) on success.
    pub fn in_netns(&self, program: &str, args: &[&str]) -> Result<String> {
        crate::host::run(self.netns_command(program)?.args(args))
    }
}

/// What a started cluster looks like, detached from the handle that tears it down.
#[derive(Debug, Clone)]
pub struct ClusterInfo {
    /// The per-run id every host resource name carries (`psw<id>`, `psw-<id>-node1`).
    pub id: String,
    pub dir: PathBuf,
    /// e.g. `100.64.17.0/24`.
    pub subnet: String,
    /// The bridge's address, the host's side of the subnet.
    pub gateway: Ipv4Addr,
    pub bridge: String,
    pub nodes: Vec<Node>,
    /// The harness formed the swarm (`false`: started outside swarm mode).
    pub swarm: bool,
    /// The nodes are routed out through the host.
    pub online: bool,
    /// The address of the offline registry the nodes pull through (port
    /// [`registry::PORT`](stand_in::registry::PORT)), when the cluster has one.
    pub registry: Option<Ipv4Addr>,
}

impl ClusterInfo {
    pub(crate) fn from_state(s: &ClusterState) -> ClusterInfo {
        let subnet = s.subnet.as_ref();
        ClusterInfo {
            id: s.id.clone(),
            dir: s.dir.clone(),
            subnet: subnet.map(|n| n.cidr.clone()).unwrap_or_default(),
            gateway: subnet.map(|n| n.gateway).unwrap_or(Ipv4Addr::UNSPECIFIED),
            bridge: s.bridge.clone().unwrap_or_default(),
            nodes: s.nodes.iter().map(Node::from_state).collect(),
            swarm: s.swarm_formed,
            online: s.online.is_some(),
            registry: s.registry.as_ref().map(|r| r.addr),
        }
    }

    /// Reads the record of the cluster in `dir`, if it has one.
    pub fn read(dir: &Path) -> Result<Option<ClusterInfo>> {
        Ok(state::read(dir)?.map(|s| ClusterInfo::from_state(&s)))
    }
}

/// A running swarm of private engines. Dropping it tears it down; so does
/// [`Cluster::teardown`], which reports what went wrong.
#[derive(Debug)]
pub struct Cluster {
    state: StateFile,
    info: ClusterInfo,
    children: Vec<Option<Child>>,
    /// The registry's `nc`, when this handle started it (reaped on teardown).
    registry_child: Option<Child>,
    finished: bool,
}

impl Cluster {
    /// Starts the cluster and returns once every node is Ready with its role. On failure
    /// everything created so far is torn down again (node logs stay for diagnosis).
    pub fn start(spec: ClusterSpec) -> Result<Cluster> {
        Cluster::start_with_progress(spec, &mut |_| {})
    }

    /// [`Cluster::start`], reporting each step (for `lab cluster up`).
    pub fn start_with_progress(spec: ClusterSpec, progress: &mut dyn FnMut(&Progress)) -> Result<Cluster> {
        spec.validate()?;
        let tools = check_host()?;
        let dir =
            std::path::absolute(&spec.dir).map_err(|e| HarnessError::io(IoAction::ResolveClusterDir, &spec.dir, e))?;
        std::fs::create_dir_all(&dir).map_err(|e| HarnessError::io(IoAction::CreateClusterDir, &dir, e))?;
        let marker = dir.join(state::MARKER_FILE);
        std::fs::write(&marker, "a private-swarm cluster directory: teardown removes what private-swarm made here\n")
            .map_err(|e| HarnessError::io(IoAction::MarkClusterDir, &marker, e))?;
        if let Some(old) = state::read(&dir)? {
            if old.is_orphaned() {
                progress(&Progress::CleaningKilledRun);
                teardown::teardown_dir(&dir)?;
            } else if old.phase != Phase::Down {
                return Err(HarnessError::DirInUse { state: state::state_path(&dir), dir });
            }
        }
        engine::check_socket_path(&dir.join(format!("n{}", spec.nodes)).join("docker.sock"))?;

        let id = claim_id(&dir)?;
        let mut st = ClusterState::new(id.clone(), dir.clone());
        st.swarm_formed = spec.swarm;
        st.nodes = (1..=spec.nodes)
            .map(|i| NodeState {
                name: format!("node{i}"),
                hostname: format!("node{i}"),
                dir: dir.join(format!("n{i}")),
                exec_root: st.run_dir.join(format!("n{i}")),
                socket: dir.join(format!("n{i}")).join("docker.sock"),
                addr: Ipv4Addr::UNSPECIFIED,
                role: if i <= spec.managers || !spec.swarm { Role::Manager } else { Role::Worker },
                netns: None,
                veth: None,
                pid: None,
                host_containerd: None,
            })
            .collect();
        let mut cluster = Cluster {
            info: ClusterInfo::from_state(&st),
            state: StateFile::create(st)?,
            children: Vec::new(),
            registry_child: None,
            finished: false,
        };
        cluster.bring_up(tools, &spec, progress)?;
        Ok(cluster)
    }

    fn bring_up(&mut self, tools: &HostTools, spec: &ClusterSpec, progress: &mut dyn FnMut(&Progress)) -> Result<()> {
        let st = self.state.snapshot();
        let id = st.id.clone();

        let subnet = netns::claim_subnet(tools, &st.dir, &id)?;
        let gateway = subnet.gateway;
        self.state.update(|s| {
            s.subnet = Some(subnet);
            for (i, n) in s.nodes.iter_mut().enumerate() {
                n.addr = netns::node_addr(gateway, i + 1);
            }
        })?;

        let bridge = names::bridge(&id);
        progress(&Progress::CreatingNetwork { bridge: bridge.clone(), gateway, nodes: spec.nodes });
        self.state.update(|s| s.bridge = Some(bridge.clone()))?;
        netns::create_bridge(tools, &bridge, gateway)?;
        self.state.update(|s| s.forward_rule = true)?;
        if let Err(e) = netns::add_forward_rule(tools, &bridge) {
            if netns::bridge_traffic_is_filtered() {
                return Err(e);
            }
        }

        for i in 1..=spec.nodes {
            let (ns, veth) = (names::netns(&id, i), names::veth(&id, i));
            let addr = self.state.update(|s| {
                let n = &mut s.nodes[i - 1];
                n.netns = Some(ns.clone());
                n.veth = Some(veth.clone());
                n.addr
            })?;
            netns::create_node_net(tools, &ns, &veth, &bridge, addr)?;
        }
        if spec.online {
            let cidr = self.state.snapshot().subnet.map(|n| n.cidr).unwrap_or_default();
            progress(&Progress::RoutingOut { cidr: cidr.clone() });
            let ip_forward_was = netns::ip_forward();
            self.state.update(|s| s.online = Some(state::OnlineRecord { ip_forward_was }))?;
            netns::go_online(tools, &bridge, &cidr)?;
            for i in 1..=spec.nodes {
                netns::add_default_route(tools, &names::netns(&id, i), gateway)?;
            }
        }

        let registry =
            if spec.registry { Some(self.start_registry(tools, &id, gateway, &bridge, progress)?) } else { None };

        progress(&Progress::StartingEngines { nodes: spec.nodes });
        let shared_containerd = containerd::host_in_use();
        for i in 0..spec.nodes {
            let node = self.state.update(|s| {
                let n = &mut s.nodes[i];
                n.host_containerd = shared_containerd.then(|| names::containerd_namespace(&id, i + 1));
                n.clone()
            })?;
            let child = engine::spawn(tools, &node, registry)?;
            let pid = child.id();
            self.children.push(Some(child));
            self.state.update(|s| s.nodes[i].pid = Some(pid))?;
        }
        let nodes = self.state.snapshot().nodes;
        for n in &nodes {
            engine::wait_ready(n, n.pid.expect("spawned"), spec.engine_timeout)?;
        }
        if let Some(r) = self.state.snapshot().registry {
            registry_server::wait_ready(&r, r.pid.expect("spawned"), spec.engine_timeout)?;
        }
        let apis: Vec<NodeApi> = nodes.iter().map(NodeApi::new).collect();

        if spec.images {
            progress(&Progress::LoadingImages);
            load_images(tools, &apis)?;
        }
        if spec.swarm {
            progress(&Progress::FormingSwarm { managers: spec.managers, workers: spec.nodes - spec.managers });
            form_swarm(&apis)?;
            swarm::wait_settled(&apis, spec.swarm_timeout, &st.dir)?;
        } else {
            progress(&Progress::OutsideSwarm);
        }

        self.state.update(|s| s.phase = Phase::Running)?;
        self.info = ClusterInfo::from_state(&self.state.snapshot());
        Ok(())
    }

    /// Creates the registry's namespace on the bridge and starts it (it answers by the
    /// time the engines do; [`registry_server::wait_ready`] waits for it).
    fn start_registry(
        &mut self,
        tools: &HostTools,
        id: &str,
        gateway: Ipv4Addr,
        bridge: &str,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Ipv4Addr> {
        let addr = netns::registry_addr(gateway);
        progress(&Progress::StartingRegistry { addr });
        let record = state::RegistryState {
            netns: names::registry_netns(id),
            veth: names::registry_veth(id),
            addr,
            dir: self.state.snapshot().dir.join("registry"),
            pid: None,
        };
        self.state.update(|s| s.registry = Some(record.clone()))?;
        netns::create_node_net(tools, &record.netns, &record.veth, bridge, addr)?;
        let child = registry_server::spawn(tools, &record, &host_stand_ins(tools)?.registry)?;
        let pid = child.id();
        self.registry_child = Some(child);
        self.state.update(|s| {
            if let Some(r) = &mut s.registry {
                r.pid = Some(pid);
            }
        })?;
        Ok(addr)
    }

    pub fn info(&self) -> &ClusterInfo {
        &self.info
    }

    pub fn id(&self) -> &str {
        &self.info.id
    }

    pub fn dir(&self) -> &Path {
        &self.info.dir
    }

    pub fn nodes(&self) -> &[Node] {
        &self.info.nodes
    }

    /// Node by index in [`Cluster::nodes`]: 0 is node1. Panics when out of range.
    pub fn node(&self, idx: usize) -> &Node {
        &self.info.nodes[idx]
    }

    /// Runs `docker ARGS` against node `idx` (0 is node1); Ok(stdout), or an error with stderr.
    pub fn docker(&self, idx: usize, args: &[&str]) -> Result<String> {
        self.node(idx).docker(args)
    }

    /// Runs PROGRAM ARGS inside node `idx`'s network namespace; Ok(stdout).
    pub fn in_netns(&self, idx: usize, program: &str, args: &[&str]) -> Result<String> {
        self.node(idx).in_netns(program, args)
    }

    /// Imports the stand-in images on every node (for clusters started with `images: false`).
    pub fn load_stand_in_images(&self) -> Result<()> {
        let nodes = self.state.snapshot().nodes;
        load_images(check_host()?, &nodes.iter().map(NodeApi::new).collect::<Vec<_>>())
    }

    /// Stops node `idx`'s dockerd (SIGTERM, SIGKILL after 20 s), as `systemctl restart
    /// docker` would, then starts it again on the same data root and waits until it
    /// answers: for tests of clients that must survive an engine restart. Its swarm state
    /// survives; a manager may need a few seconds more before it serves swarm requests.
    pub fn restart_engine(&mut self, idx: usize) -> Result<()> {
        use nix::sys::signal::Signal;
        let tools = check_host()?;
        let node = self.state.snapshot().nodes[idx].clone();
        if let Some(pid) = node.pid.filter(|&p| engine::is_our_dockerd(p, &node)) {
            let child = &mut self.children[idx];
            let mut reap = || {
                if let Some(c) = child {
                    if matches!(c.try_wait(), Ok(Some(_))) {
                        *child = None;
                    }
                }
            };
            crate::process::signal(pid, Signal::SIGTERM);
            if !crate::process::wait_gone(&[pid], Duration::from_secs(20), &mut reap).is_empty() {
                crate::process::signal(pid, Signal::SIGKILL);
                crate::process::wait_gone(&[pid], Duration::from_secs(5), &mut reap);
            }
        }
        // A killed dockerd leaves its pidfile, and a new one refuses to start over it.
        let _ = std::fs::remove_file(node.dir.join("docker.pid"));
        let registry = self.state.snapshot().registry.map(|r| r.addr);
        let child = engine::spawn(tools, &node, registry)?;
        let pid = child.id();
        self.children[idx] = Some(child);
        self.state.update(|s| s.nodes[idx].pid = Some(pid))?;
        self.info.nodes[idx].pid = pid;
        engine::wait_ready(&node, pid, Duration::from_secs(30))
    }

    /// Tears the cluster down; idempotent. Fails with the list of what is left if
    /// anything survived.
    pub fn teardown(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        let mut st = self.state.snapshot();
        let result = teardown::teardown(&mut st, &mut self.children);
        if let Some(mut child) = self.registry_child.take() {
            // Ended by teardown (by its pid); collect it.
            let _ = child.try_wait();
        }
        self.state.update(|s| *s = st)?;
        result
    }

    /// Hands the cluster over to outlive this process (the practice cluster): dropping the
    /// handle no longer tears it down, and [`cleanup_stale`](crate::cleanup_stale) leaves it.
    pub fn detach(mut self) -> Result<ClusterInfo> {
        self.state.update(|s| s.detached = true)?;
        self.finished = true;
        Ok(self.info.clone())
    }

    /// Tears down the cluster recorded in `dir`, from any process (after a killed run).
    pub fn teardown_dir(dir: &Path) -> Result<()> {
        teardown::teardown_dir(dir)
    }

    /// Everything of the cluster in `dir` that still exists (processes, mounts, network
    /// namespaces, links, the FORWARD rule, the subnet claim); empty after a clean teardown.
    pub fn leftovers(dir: &Path) -> Vec<String> {
        teardown::leftovers(dir)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(e) = self.teardown() {
            eprintln!("private-swarm: {e}");
        }
    }
}

/// A fresh id, claimed by creating `/run/private-swarm/<id>`, which records the cluster
/// directory (so [`cleanup_orphans`](crate::cleanup_orphans) finds every cluster).
fn claim_id(cluster_dir: &Path) -> Result<String> {
    std::fs::create_dir_all(RUN_ROOT).map_err(|e| HarnessError::io(IoAction::CreateRunDir, RUN_ROOT, e))?;
    loop {
        let id = names::new_id();
        let dir = Path::new(RUN_ROOT).join(&id);
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                let record = dir.join(state::CLUSTER_DIR_FILE);
                std::fs::write(&record, cluster_dir.as_os_str().as_encoded_bytes())
                    .map_err(|e| HarnessError::io(IoAction::WriteRunDir, &record, e))?;
                return Ok(id);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(HarnessError::io(IoAction::CreateRunDir, &dir, e)),
        }
    }
}

/// The stand-in images made of the host's static busybox, as an archive to load and as
/// what the registry serves: one layer for both.
struct HostStandIns {
    archive: Vec<u8>,
    registry: registry::RegistryContent,
}

/// [`HostStandIns`], built once per process.
fn host_stand_ins(tools: &HostTools) -> Result<Arc<HostStandIns>> {
    static BUILT: OnceLock<Arc<HostStandIns>> = OnceLock::new();
    if let Some(a) = BUILT.get() {
        return Ok(a.clone());
    }
    let source = host_busybox(&tools.busybox)?;
    let layer = stand_in::rootfs_tar(&source)?;
    let built = Arc::new(HostStandIns {
        archive: stand_in::archive_of_layer(&layer, &source)?,
        registry: registry::content(&source, &layer)?,
    });
    Ok(BUILT.get_or_init(|| built).clone())
}

fn load_images(tools: &HostTools, apis: &[NodeApi]) -> Result<()> {
    let built = host_stand_ins(tools)?;
    let archive = &built.archive;
    std::thread::scope(|s| {
        let jobs: Vec<_> = apis.iter().map(|api| s.spawn(|| api.load_images(archive))).collect();
        jobs.into_iter().map(|j| j.join().expect("image import thread panicked")).collect::<Result<Vec<()>>>()
    })
    .map(drop)
}

/// Init on node1, every other node joins as a worker (in parallel), then node2…nodeM are
/// promoted one at a time.
fn form_swarm(apis: &[NodeApi]) -> Result<()> {
    let first = &apis[0];
    swarm::init(first)?;
    if apis.len() == 1 {
        return Ok(());
    }
    let token = swarm::worker_token(first)?;
    std::thread::scope(|s| {
        let jobs: Vec<_> = apis[1..].iter().map(|api| s.spawn(|| swarm::join(api, &token, first.node))).collect();
        jobs.into_iter().map(|j| j.join().expect("join thread panicked")).collect::<Result<Vec<()>>>()
    })?;
    for api in apis[1..].iter().filter(|a| a.node.role == Role::Manager) {
        let id = swarm::own_node_id(api)?;
        swarm::promote(first, &id)?;
    }
    Ok(())
}

#[cfg(test)]
mod spec_tests {
    use super::*;

    #[test]
    fn a_cluster_never_takes_a_shared_directory() {
        for shared in
            ["/", "/tmp", "/tmp/", "/tmp/x/..", "/root", "/home", "/var/tmp", "/var/lib", "/run/private-swarm/x"]
        {
            let e = ClusterSpec::new(shared, 1, 1).validate().unwrap_err().to_string();
            assert!(e.contains("a cluster needs a directory of its own"), "{shared}: {e}");
        }
        if let Some(home) = std::env::var_os("HOME").filter(|h| Path::new(h).components().count() > 2) {
            assert!(ClusterSpec::new(home, 1, 1).validate().is_err());
        }
        for own in ["/tmp/swarm-1", "/var/lib/swarm-lab/practice", "/tmp/lab-grade-tests/c1"] {
            assert!(ClusterSpec::new(own, 1, 1).validate().is_ok(), "{own}");
        }
    }
}
