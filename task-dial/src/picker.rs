//! The running tasks of one service, read from a swarm manager (GET `/services/{name}`,
//! `/tasks`, `/nodes`) and handed out round robin, as the routing mesh spreads
//! connections. The picker changes nothing in the swarm; [`TaskPicker::refresh`] re-reads
//! the tasks, so a task replaced after `docker container rm -f` or an update is followed.
//! Values the engine sent (names, errors) are kept as sent: print them through
//! [`lab_engine::untrusted`].

use std::collections::{BTreeMap, HashMap};

use bollard::models::{EndpointPortConfigPublishModeEnum, Task, TaskState as EngineTaskState};
use bollard::query_parameters::{ListServicesOptions, ListTasksOptionsBuilder};
use lab_engine::connection::classify;
use lab_engine::{ClusterError, Connection};

/// The service being dialed, as the manager describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInfo {
    pub id: String,
    pub name: String,
    /// The image of its spec, without the `@sha256:` digest the CLI pins.
    pub image: String,
    /// Its published ports (`--publish`), in the spec's order.
    pub ports: Vec<PublishedPort>,
}

impl ServiceInfo {
    /// The port published for `target` through the routing mesh (ingress mode), if any.
    pub fn ingress_port(&self, target: u16) -> Option<u16> {
        self.ports.iter().find(|p| p.target == target && p.ingress && p.protocol == "tcp").and_then(|p| p.published)
    }
}

/// One `--publish` of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    /// The port inside the tasks.
    pub target: u16,
    /// The port on the nodes; `None` until the swarm assigned one.
    pub published: Option<u16>,
    /// Through the routing mesh (`ingress`) rather than on the task's node only (`host`).
    pub ingress: bool,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
}

/// A task in state `running`, with what it takes to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningTask {
    pub id: String,
    /// `vote.1` (the replica's slot), or `vote.<node ID>` for a global service.
    pub name: String,
    pub node_id: String,
    /// The node's hostname (`node2`); the node ID when the node list did not say.
    pub node: String,
    /// The node's address in the swarm (what it advertised), maybe empty.
    pub node_addr: String,
    pub container_id: String,
    /// The container's first process as the node's engine sees it (in that engine's PID
    /// namespace); 0 when the swarm did not say.
    pub pid: u32,
}

impl RunningTask {
    /// The first 12 characters of the container ID, as `docker ps` shows it (and as the
    /// container's default hostname).
    pub fn short_container(&self) -> &str {
        &self.container_id[..self.container_id.len().min(12)]
    }
}

/// What [`TaskPicker::refresh`] found changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskChange {
    Started(RunningTask),
    Gone(RunningTask),
}

/// The newest task of one slot (or node, for a global service), for saying why nothing
/// runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskState {
    pub name: String,
    /// Hostname of its node; empty when not scheduled.
    pub node: String,
    /// `pending`, `rejected`, `failed`, …
    pub state: String,
    /// The task's error, else its status message.
    pub message: String,
}

/// Why a picker could not be opened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PickError {
    /// No service of that name (or ID); `suggestion` is the closest of `services`.
    #[error("there is no service `{name}`")]
    NoSuchService { name: String, suggestion: Option<String>, services: Vec<String> },
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

/// The running tasks of one service, handed out round robin.
pub struct TaskPicker {
    conn: Connection,
    service: ServiceInfo,
    running: Vec<RunningTask>,
    /// Node ID → (hostname, address).
    nodes: HashMap<String, (String, String)>,
    turn: usize,
}

impl TaskPicker {
    /// Reads the service `name` (a name or an ID) and its running tasks. A service without
    /// running tasks opens fine (see [`TaskPicker::running`] and
    /// [`TaskPicker::task_states`]).
    pub async fn open(conn: Connection, name: &str) -> Result<TaskPicker, PickError> {
        let host = conn.endpoint.host.clone();
        let spec = match conn.docker.inspect_service(name, None).await {
            Ok(s) => s,
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
                let listed =
                    conn.docker.list_services(None::<ListServicesOptions>).await.map_err(|e| classify(&host, &e))?;
                let mut services: Vec<String> =
                    listed.into_iter().filter_map(|s| s.spec.and_then(|s| s.name)).collect();
                services.sort();
                let suggestion =
                    lab_schema::spelling::suggestion(name, services.iter().map(String::as_str)).map(str::to_string);
                return Err(PickError::NoSuchService { name: name.to_string(), suggestion, services });
            }
            Err(e) => return Err(PickError::Cluster(classify(&host, &e))),
        };
        let id = spec.id.clone().unwrap_or_default();
        let service_spec = spec.spec.unwrap_or_default();
        let image = service_spec
            .task_template
            .as_ref()
            .and_then(|t| t.container_spec.as_ref())
            .and_then(|c| c.image.clone())
            .unwrap_or_default();
        let image = image.split_once('@').map_or(image.as_str(), |(i, _)| i).to_string();
        // The endpoint as it is (published ports the swarm assigned), else the spec's.
        let ports = spec
            .endpoint
            .and_then(|e| e.ports)
            .filter(|p| !p.is_empty())
            .or_else(|| service_spec.endpoint_spec.and_then(|e| e.ports))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| {
                Some(PublishedPort {
                    target: u16::try_from(p.target_port?).ok()?,
                    published: p.published_port.and_then(|v| u16::try_from(v).ok()).filter(|v| *v > 0),
                    ingress: p.publish_mode != Some(EndpointPortConfigPublishModeEnum::HOST),
                    protocol: p.protocol.map_or_else(|| "tcp".to_string(), |p| p.to_string()),
                })
            })
            .collect();
        let service = ServiceInfo { id, name: service_spec.name.unwrap_or_else(|| name.to_string()), image, ports };
        let mut picker = TaskPicker { conn, service, running: Vec::new(), nodes: HashMap::new(), turn: 0 };
        picker.refresh().await?;
        Ok(picker)
    }

    pub fn service(&self) -> &ServiceInfo {
        &self.service
    }

    /// The running tasks as last read, by name.
    pub fn running(&self) -> &[RunningTask] {
        &self.running
    }

    /// The task whose turn it is (round robin over the running tasks), or `None` when none
    /// runs.
    pub fn next_task(&mut self) -> Option<RunningTask> {
        self.candidates().into_iter().next()
    }

    /// Every running task, starting with the one whose turn it is; the turn moves on by
    /// one. A caller tries them in order when the first cannot be reached (a task that
    /// stopped since the last [`TaskPicker::refresh`]).
    pub fn candidates(&mut self) -> Vec<RunningTask> {
        let order = rotated(&self.running, self.turn);
        self.turn = self.turn.wrapping_add(1);
        order
    }

    /// Re-reads the service's tasks (one GET, plus `/nodes` when a task is on a node not
    /// seen before) and returns what started and what is gone since the last read.
    pub async fn refresh(&mut self) -> Result<Vec<TaskChange>, ClusterError> {
        let tasks = self.tasks(true).await?;
        let unknown_node = tasks.iter().any(|t| t.node_id.as_ref().is_some_and(|n| !self.nodes.contains_key(n)));
        if unknown_node {
            self.read_nodes().await?;
        }
        let mut now: Vec<RunningTask> = tasks
            .iter()
            .filter(|t| t.status.as_ref().and_then(|s| s.state) == Some(EngineTaskState::RUNNING))
            .filter_map(|t| self.running_task(t))
            .collect();
        now.sort_by(|a, b| natural(&a.name).cmp(&natural(&b.name)).then(a.id.cmp(&b.id)));
        let mut changes: Vec<TaskChange> = Vec::new();
        for old in &self.running {
            if !now.iter().any(|t| t.id == old.id) {
                changes.push(TaskChange::Gone(old.clone()));
            }
        }
        for new in &now {
            if !self.running.iter().any(|t| t.id == new.id) {
                changes.push(TaskChange::Started(new.clone()));
            }
        }
        self.running = now;
        Ok(changes)
    }

    /// The newest task of each slot (or node), for saying why none runs.
    pub async fn task_states(&mut self) -> Result<Vec<TaskState>, ClusterError> {
        let tasks = self.tasks(false).await?;
        self.read_nodes().await?;
        let mut newest: BTreeMap<(usize, String), &Task> = BTreeMap::new();
        for t in &tasks {
            let key = match t.slot {
                Some(slot) => (usize::try_from(slot).unwrap_or(0), String::new()),
                None => (0, t.node_id.clone().unwrap_or_default()),
            };
            let stamp = |t: &Task| t.created_at.as_ref().map(|d| d.to_string()).unwrap_or_default();
            if newest.get(&key).is_none_or(|n| stamp(n) < stamp(t)) {
                newest.insert(key, t);
            }
        }
        Ok(newest
            .values()
            .map(|t| {
                let status = t.status.clone().unwrap_or_default();
                TaskState {
                    name: self.task_name(t),
                    node: t.node_id.as_ref().map(|n| self.node_name(n)).unwrap_or_default(),
                    state: status.state.map(|s| s.to_string()).unwrap_or_default(),
                    message: status.err.filter(|e| !e.is_empty()).or(status.message).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// The ports the service's image says it listens on (`EXPOSE`: `80/tcp`), as the
    /// engine read through knows the image; empty when it does not have it.
    pub async fn exposed_ports(&self) -> Vec<String> {
        let Ok(image) = self.conn.docker.inspect_image(&self.service.image).await else { return Vec::new() };
        let mut ports: Vec<String> = image.config.and_then(|c| c.exposed_ports).unwrap_or_default();
        ports.sort();
        ports
    }

    async fn tasks(&self, desired_running: bool) -> Result<Vec<Task>, ClusterError> {
        let mut filters = HashMap::from([("service", vec![self.service.id.as_str()])]);
        if desired_running {
            filters.insert("desired-state", vec!["running"]);
        }
        let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
        let tasks =
            self.conn.docker.list_tasks(Some(opts)).await.map_err(|e| classify(&self.conn.endpoint.host, &e))?;
        // The filter is by ID prefix on some engines: keep this service's own.
        Ok(tasks.into_iter().filter(|t| t.service_id.as_deref() == Some(self.service.id.as_str())).collect())
    }

    async fn read_nodes(&mut self) -> Result<(), ClusterError> {
        let nodes = self.conn.docker.list_nodes(None).await.map_err(|e| classify(&self.conn.endpoint.host, &e))?;
        self.nodes = nodes
            .into_iter()
            .filter_map(|n| {
                let hostname = n.description.and_then(|d| d.hostname).unwrap_or_default();
                let addr = n.status.and_then(|s| s.addr).unwrap_or_default();
                Some((n.id?, (hostname, addr)))
            })
            .collect();
        Ok(())
    }

    fn node_name(&self, id: &str) -> String {
        self.nodes.get(id).map(|(h, _)| h.clone()).filter(|h| !h.is_empty()).unwrap_or_else(|| id.to_string())
    }

    fn task_name(&self, t: &Task) -> String {
        match t.slot {
            Some(slot) => format!("{}.{slot}", self.service.name),
            None => format!("{}.{}", self.service.name, t.node_id.as_deref().unwrap_or_default()),
        }
    }

    fn running_task(&self, t: &Task) -> Option<RunningTask> {
        let container = t.status.as_ref()?.container_status.as_ref()?;
        let node_id = t.node_id.clone()?;
        Some(RunningTask {
            id: t.id.clone()?,
            name: self.task_name(t),
            node: self.node_name(&node_id),
            node_addr: self.nodes.get(&node_id).map(|(_, a)| a.clone()).unwrap_or_default(),
            node_id,
            container_id: container.container_id.clone().unwrap_or_default(),
            pid: container.pid.and_then(|p| u32::try_from(p).ok()).unwrap_or(0),
        })
    }
}

/// `tasks` starting at the one whose turn it is, the others after it in order.
fn rotated<T: Clone>(tasks: &[T], turn: usize) -> Vec<T> {
    if tasks.is_empty() {
        return Vec::new();
    }
    let start = turn % tasks.len();
    tasks[start..].iter().chain(&tasks[..start]).cloned().collect()
}

/// `vote.10` after `vote.9`: names compared with their trailing number as a number.
fn natural(name: &str) -> (&str, u64, &str) {
    match name.rsplit_once('.') {
        Some((head, n)) => match n.parse() {
            Ok(v) => (head, v, ""),
            Err(_) => (head, 0, n),
        },
        None => (name, 0, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_turn_starts_at_the_next_task_and_offers_the_others_after_it() {
        let tasks = ["a", "b", "c"];
        assert_eq!(rotated(&tasks, 0), ["a", "b", "c"]);
        assert_eq!(rotated(&tasks, 1), ["b", "c", "a"]);
        assert_eq!(rotated(&tasks, 5), ["c", "a", "b"]);
        assert!(rotated::<&str>(&[], 3).is_empty());
    }

    #[test]
    fn replicas_sort_by_slot_number() {
        let mut names = ["vote.10", "vote.2", "vote.1"];
        names.sort_by_key(|n| natural(n));
        assert_eq!(names, ["vote.1", "vote.2", "vote.10"]);
    }

    #[test]
    fn the_ingress_port_of_a_target_ignores_host_mode_and_udp() {
        let p = |target, published, ingress, protocol: &str| PublishedPort {
            target,
            published: Some(published),
            ingress,
            protocol: protocol.into(),
        };
        let s = ServiceInfo {
            id: "x".into(),
            name: "web".into(),
            image: "nginx".into(),
            ports: vec![p(80, 8081, false, "tcp"), p(80, 8082, true, "udp"), p(80, 8080, true, "tcp")],
        };
        assert_eq!(s.ingress_port(80), Some(8080));
        assert_eq!(s.ingress_port(443), None);
    }
}
