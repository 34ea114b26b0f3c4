//! How this machine reaches a task, and [`dial_task`], which does.
//!
//! First choice, as `kubectl port-forward` does: the task container's own network
//! namespace. The swarm reports each running task's first process
//! (`Status.ContainerStatus.PID`) in the PID namespace of the engine that runs it: for the
//! netns practice swarm (and any engine on this machine) that is this machine's, so the
//! namespace is `/proc/PID/ns/net`; for a docker-driver node it is the node container's, whose
//! processes this machine sees under `/proc/<node container PID>/root/proc/`
//! ([`Reach::node_containers`]). The PID is trusted only when that process's cgroup names the
//! task's container. Joining a namespace needs root and Linux.
//!
//! Second choice, where the first cannot be (not root, macOS or Windows, a swarm of other
//! machines): the routing mesh, at the port the service publishes for the target port
//! ([`MeshRoute`]). That works only where the kernel has IPVS.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::picker::{RunningTask, ServiceInfo};

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the routing mesh answers for a port the service publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeshRoute {
    /// On this machine's loopback (`127.0.0.1:PUBLISHED`): an engine on this machine, or
    /// Docker Desktop, which forwards published ports to the host.
    Loopback,
    /// The docker driver's `up --publish HOST:NODE`: node1's port NODE answers at
    /// `127.0.0.1:HOST`; `(HOST, NODE)` pairs. Other published ports are not reachable.
    Forwarded(Vec<(u16, u16)>),
    /// At the address of the node that runs the task (what it advertised to the swarm).
    NodeAddress,
}

/// Why a task cannot be reached from inside its own network namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceGap {
    /// Its process is not on this machine (another machine, a VM such as Docker
    /// Desktop's, or not Linux).
    NotOnThisMachine,
    /// Joining the namespace was refused: it takes root.
    NotPermitted,
}

/// Why the routing mesh cannot carry a connection to the task's port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeshGap {
    /// The service publishes the port through no routing mesh (`--publish` with
    /// `mode=ingress`, the default).
    NotPublished,
    /// Published on the nodes as `published`, but not forwarded to this machine (the
    /// docker driver's `up --publish`).
    NotForwarded { published: u16 },
    /// The mesh did not answer at `addr` (no IPVS in that kernel, or nothing listens).
    Failed { addr: SocketAddr, why: String },
}

/// A task this machine cannot reach, neither way: the error inside an
/// [`io::ErrorKind::Unsupported`] error of [`dial_task`] (see [`unreachable_reason`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{task} on {node} cannot be reached from this machine: {namespace:?}; {mesh:?}")]
pub struct Unreachable {
    pub task: String,
    pub node: String,
    pub namespace: NamespaceGap,
    pub mesh: MeshGap,
}

/// The [`Unreachable`] inside an error of [`dial_task`], if that is what it is.
pub fn unreachable_reason(e: &io::Error) -> Option<&Unreachable> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Unreachable>())
}

/// How this machine reaches the tasks of one swarm.
#[derive(Debug, Clone)]
pub struct Reach {
    /// Where a node's processes are (a `/proc` directory), by node hostname.
    node_procs: HashMap<String, PathBuf>,
    /// Where the processes of the other nodes are, if anywhere.
    other_procs: Option<PathBuf>,
    mesh: MeshRoute,
}

impl Reach {
    /// Tasks whose engines share this machine's PID namespace (the netns practice swarm, an
    /// engine on this Linux machine), else `mesh`.
    pub fn this_machine(mesh: MeshRoute) -> Reach {
        Reach { node_procs: HashMap::new(), other_procs: Some(PathBuf::from("/proc")), mesh }
    }

    /// Only through the routing mesh.
    pub fn mesh_only(mesh: MeshRoute) -> Reach {
        Reach { node_procs: HashMap::new(), other_procs: None, mesh }
    }

    /// Tasks inside node containers, as the docker driver's practice swarm runs them: the
    /// processes of node `NAME` are under `/proc/PID/root/proc` for each `(NAME, PID)` of
    /// `node_pids`, PID being its node container's process on an engine of this machine (in
    /// reach as root on Linux); else `mesh`, the ports `up --publish` forwarded.
    pub fn node_containers(node_pids: impl IntoIterator<Item = (String, u32)>, mesh: MeshRoute) -> Reach {
        let node_procs =
            node_pids.into_iter().map(|(name, pid)| (name, PathBuf::from(format!("/proc/{pid}/root/proc")))).collect();
        Reach { node_procs, other_procs: None, mesh }
    }

    pub fn mesh(&self) -> &MeshRoute {
        &self.mesh
    }

    /// The network namespace file of `task`'s container, when its process is in reach.
    fn namespace_of(&self, task: &RunningTask) -> Result<PathBuf, NamespaceGap> {
        if !cfg!(target_os = "linux") || task.pid == 0 || task.container_id.is_empty() {
            return Err(NamespaceGap::NotOnThisMachine);
        }
        let procs =
            self.node_procs.get(&task.node).or(self.other_procs.as_ref()).ok_or(NamespaceGap::NotOnThisMachine)?;
        let dir = procs.join(task.pid.to_string());
        // Only the process whose cgroup names the task's container: a PID of another
        // machine's engine may be some other process here.
        match std::fs::read_to_string(dir.join("cgroup")) {
            Ok(cgroup) if cgroup.contains(&task.container_id) => Ok(dir.join("ns").join("net")),
            Ok(_) => Err(NamespaceGap::NotOnThisMachine),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(NamespaceGap::NotPermitted),
            Err(_) => Err(NamespaceGap::NotOnThisMachine),
        }
    }

    /// Where the mesh answers for the service's `port`.
    fn mesh_addr(&self, service: &ServiceInfo, task: &RunningTask, port: u16) -> Result<SocketAddr, MeshGap> {
        let published = service.ingress_port(port).ok_or(MeshGap::NotPublished)?;
        let loopback = |p| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p);
        match &self.mesh {
            MeshRoute::Loopback => Ok(loopback(published)),
            MeshRoute::Forwarded(pairs) => pairs
                .iter()
                .find(|(_, node)| *node == published)
                .map(|(host, _)| loopback(*host))
                .ok_or(MeshGap::NotForwarded { published }),
            MeshRoute::NodeAddress => task
                .node_addr
                .parse::<IpAddr>()
                .map(|ip| SocketAddr::new(ip, published))
                .map_err(|_| MeshGap::Failed { addr: loopback(published), why: "the node has no address".into() }),
        }
    }
}

/// Connects to `port` of `task` (a task of `service`): inside its network namespace when
/// this machine can, else through the routing mesh (see the module's comment). A port
/// nothing listens on fails with [`io::ErrorKind::ConnectionRefused`]; a task out of reach
/// with [`io::ErrorKind::Unsupported`] holding an [`Unreachable`].
pub async fn dial_task(
    reach: &Reach,
    service: &ServiceInfo,
    task: &RunningTask,
    port: u16,
) -> io::Result<tokio::net::TcpStream> {
    let namespace = match reach.namespace_of(task) {
        Ok(ns) => match connect_in(ns, port).await {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => NamespaceGap::NotPermitted,
            done => return done,
        },
        Err(gap) => gap,
    };
    let unreachable =
        |mesh| Unreachable { task: task.name.clone(), node: task.node.clone(), namespace: namespace.clone(), mesh };
    let addr = reach
        .mesh_addr(service, task, port)
        .map_err(|gap| io::Error::new(io::ErrorKind::Unsupported, unreachable(gap)))?;
    match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) => {
            Err(io::Error::new(io::ErrorKind::Unsupported, unreachable(MeshGap::Failed { addr, why: e.to_string() })))
        }
        Err(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            unreachable(MeshGap::Failed { addr, why: io::Error::from(io::ErrorKind::TimedOut).to_string() }),
        )),
    }
}

#[cfg(target_os = "linux")]
async fn connect_in(ns: PathBuf, port: u16) -> io::Result<tokio::net::TcpStream> {
    crate::namespace::connect_in(ns, port, CONNECT_TIMEOUT).await
}

#[cfg(not(target_os = "linux"))]
async fn connect_in(_ns: PathBuf, _port: u16) -> io::Result<tokio::net::TcpStream> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picker::PublishedPort;

    fn service(published: Option<u16>) -> ServiceInfo {
        ServiceInfo {
            id: "s".into(),
            name: "web".into(),
            image: "nginx".into(),
            ports: published
                .map(|p| PublishedPort { target: 80, published: Some(p), ingress: true, protocol: "tcp".into() })
                .into_iter()
                .collect(),
        }
    }

    fn task(pid: u32) -> RunningTask {
        RunningTask {
            id: "t".into(),
            name: "web.1".into(),
            node_id: "n".into(),
            node: "node1".into(),
            node_addr: "10.0.0.5".into(),
            container_id: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
            pid,
        }
    }

    #[test]
    fn a_pid_whose_cgroup_names_another_container_is_not_the_task() {
        // Our own process is no task container: its PID must not be taken for one.
        let reach = Reach::this_machine(MeshRoute::Loopback);
        assert_eq!(reach.namespace_of(&task(std::process::id())), Err(NamespaceGap::NotOnThisMachine));
        assert_eq!(reach.namespace_of(&task(0)), Err(NamespaceGap::NotOnThisMachine));
        assert_eq!(Reach::mesh_only(MeshRoute::Loopback).namespace_of(&task(1)), Err(NamespaceGap::NotOnThisMachine));
    }

    #[test]
    fn a_node_containers_tasks_are_looked_for_under_its_own_proc_only() {
        // node1's processes are under our own PID's root: /proc/<us>/root/proc is /proc, so
        // a task PID there is read from this machine's /proc (here our own process, whose
        // cgroup names no task container); a node that is not listed is out of reach.
        let reach = Reach::node_containers([("node1".to_string(), std::process::id())], MeshRoute::Loopback);
        let here = format!("/proc/{}/root/proc", std::process::id());
        assert_eq!(reach.node_procs.get("node1"), Some(&PathBuf::from(&here)));
        assert_eq!(reach.namespace_of(&task(std::process::id())), Err(NamespaceGap::NotOnThisMachine));
        let on_node2 = RunningTask { node: "node2".into(), ..task(std::process::id()) };
        assert_eq!(reach.other_procs, None);
        assert_eq!(reach.namespace_of(&on_node2), Err(NamespaceGap::NotOnThisMachine));
    }

    #[test]
    fn the_mesh_answers_where_each_route_says() {
        let (s, t) = (service(Some(8080)), task(0));
        let at = |r: MeshRoute| Reach::mesh_only(r).mesh_addr(&s, &t, 80);
        assert_eq!(at(MeshRoute::Loopback), Ok("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(at(MeshRoute::NodeAddress), Ok("10.0.0.5:8080".parse().unwrap()));
        assert_eq!(at(MeshRoute::Forwarded(vec![(18080, 8080)])), Ok("127.0.0.1:18080".parse().unwrap()));
        assert_eq!(at(MeshRoute::Forwarded(vec![(5001, 5001)])), Err(MeshGap::NotForwarded { published: 8080 }));
        let unpublished = Reach::mesh_only(MeshRoute::Loopback).mesh_addr(&service(None), &t, 80);
        assert_eq!(unpublished, Err(MeshGap::NotPublished));
    }

    #[tokio::test]
    async fn an_unreachable_task_says_why_both_ways() {
        let e = dial_task(&Reach::mesh_only(MeshRoute::Loopback), &service(None), &task(0), 80).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        let why = unreachable_reason(&e).expect("an Unreachable inside");
        assert_eq!((&why.namespace, &why.mesh), (&NamespaceGap::NotOnThisMachine, &MeshGap::NotPublished));
    }
}
