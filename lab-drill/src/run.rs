//! Running drills: [`plan`] decides, with GETs only, what a drill would do on this swarm
//! (or why it cannot run); [`run`] injects the fault, records the timeline while probes and
//! replica reads run beside it, and puts the swarm back through a [`Restorer`] that the
//! caller also runs on Ctrl-C or error.
//!
//! What is driver-specific stays behind two small traits the `lab` binary implements:
//! [`Nodes`] (which engines this machine can reach and stop: every node of the practice
//! swarm, only the engine pointed at elsewhere) and [`Probes`] (how to reach a service's
//! port: by dialing its tasks, as `lab cluster forward` does).

use crate::swarm::{self, said, NodeInfo};
use crate::timeline::{Event, Timeline};
use crate::verdict::{DataCounts, Observed};
use bollard::models::{NodeSpecAvailabilityEnum, Service};
use bollard::query_parameters::{RemoveContainerOptions, UpdateNodeOptions, UpdateServiceOptions};
use lab_engine::{Connection, Endpoint};
use lab_i18n::{words, Language};
use lab_schema::{Drill, Fault};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A boxed future, as the traits below return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One way to ask a service's port something: an HTTP `GET /` to the next running task.
pub trait Probe: Send {
    /// The reply (status line, headers and body) when the task answered.
    fn get(&mut self) -> BoxFuture<'_, Result<String, String>>;
}

/// Opens probes for a service's port.
pub trait Probes: Send + Sync {
    fn open<'a>(
        &'a self,
        conn: &'a Connection,
        service: &'a str,
        port: u16,
    ) -> BoxFuture<'a, Result<Box<dyn Probe>, String>>;
}

/// The nodes this machine can reach and stop.
pub trait Nodes: Send + Sync {
    /// Whether the swarm is the practice swarm: drills may stop its engines.
    fn practice(&self) -> bool;
    /// An engine on the node with this hostname, where this machine has one.
    fn engine(&self, hostname: &str) -> Option<Endpoint>;
    /// Stops the node's engine (practice swarm only); blocking.
    fn stop(&self, hostname: &str) -> Result<(), String>;
    /// Starts it again and waits until it answers; blocking.
    fn start(&self, hostname: &str) -> Result<(), String>;
}

/// What a drill does to the swarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    RemoveContainer { node: String, container: String, task: String },
    ForceUpdate,
    StopEngine { node: String, node_id: String },
    Drain { node: String, node_id: String },
}

/// A drill ready to run on this swarm.
#[derive(Debug, Clone)]
pub struct Plan {
    pub drill: Drill,
    pub service: Option<Service>,
    pub action: Action,
}

impl Plan {
    pub fn service_name(&self) -> String {
        self.service.as_ref().map(swarm::service_name).unwrap_or_default()
    }

    /// What the drill will do, in words, with its id (for the plan printed without `--yes`).
    pub fn describe(&self, lang: Language) -> String {
        lang.fill(words::DRILL_PLAN, &[("id", &self.drill.id), ("action", &self.action_text(lang))])
    }

    /// What the drill will do, in words.
    pub fn action_text(&self, lang: Language) -> String {
        let service = self.service_name();
        match &self.action {
            Action::RemoveContainer { node, container, .. } => {
                let short: String = container.chars().take(12).collect();
                lang.fill(
                    words::ACTION_REMOVE_CONTAINER,
                    &[("container", &short), ("service", &service), ("node", node)],
                )
            }
            Action::ForceUpdate => lang.fill(words::ACTION_FORCE_UPDATE, &[("service", &service)]),
            Action::StopEngine { node, .. } => lang.fill(words::ACTION_STOP_ENGINE, &[("node", node)]),
            Action::Drain { node, .. } => lang.fill(words::ACTION_DRAIN, &[("node", node)]),
        }
    }

    fn node(&self) -> Option<String> {
        match &self.action {
            Action::RemoveContainer { node, .. } | Action::StopEngine { node, .. } | Action::Drain { node, .. } => {
                Some(node.clone())
            }
            Action::ForceUpdate => None,
        }
    }
}

/// Why a drill cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The swarm cannot take this drill (too few nodes, the service missing): exit 2.
    Usage(String),
    /// The swarm could not be read: exit 3.
    Cluster(String),
}

/// A plan, or a drill that is skipped on this swarm (and why).
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // a handful per run, moved once each
pub enum Planned {
    Run(Plan),
    Skip { drill: Drill, why: String },
}

/// Decides what `drill` does on the swarm behind `conn`, with GETs only.
pub async fn plan(
    conn: &Connection,
    drill: &Drill,
    nodes: &dyn Nodes,
    lab: &str,
    lang: Language,
) -> Result<Planned, PlanError> {
    let all = swarm::nodes(conn).await.map_err(PlanError::Cluster)?;
    let own = swarm::own_node_id(conn).await.map_err(PlanError::Cluster)?;
    let own_name = all.iter().find(|n| n.id == own).map(|n| n.hostname.clone()).unwrap_or_default();
    let ready = all.iter().filter(|n| n.ready).count();
    let needed = drill.fault.min_nodes();
    let usage =
        |template: &str, values: &[(&str, &dyn std::fmt::Display)]| PlanError::Usage(lang.fill(template, values));
    let managers = all.iter().filter(|n| n.manager).count();
    // Losing a manager is about the managers, however many nodes there are.
    if drill.fault == Fault::ManagerLoss && managers < 3 {
        return Err(usage(words::DRILL_TWO_MANAGERS, &[("id", &drill.id), ("managers", &managers)]));
    }
    if ready < needed {
        return Err(usage(words::DRILL_TOO_FEW_NODES, &[("id", &drill.id), ("needed", &needed), ("ready", &ready)]));
    }
    let skip = |why: String| Ok(Planned::Skip { drill: drill.clone(), why });
    let run =
        |service: Option<Service>, action: Action| Ok(Planned::Run(Plan { drill: drill.clone(), service, action }));
    if drill.fault == Fault::ManagerLoss {
        if !nodes.practice() {
            return skip(lang.tr(words::DRILL_NO_ENGINE_STOP).into_owned());
        }
        // Another manager than the one lab talks to; the leader first, as losing it is the
        // harder case (an election).
        let mut candidates: Vec<&NodeInfo> = all.iter().filter(|n| n.manager && n.ready && n.id != own).collect();
        candidates.sort_by_key(|n| (!n.leader, n.hostname.clone()));
        let Some(target) = candidates.first() else {
            return Err(usage(words::DRILL_TWO_MANAGERS, &[("id", &drill.id), ("managers", &managers)]));
        };
        return run(None, Action::StopEngine { node: target.hostname.clone(), node_id: target.id.clone() });
    }

    let service = if drill.fault.needs_service() || drill.service.is_some() || drill.image.is_some() {
        let target = lab_i18n::drill_text::target(drill);
        let Some(s) = swarm::find_service(conn, drill).await.map_err(PlanError::Cluster)? else {
            return Err(usage(words::DRILL_NO_SERVICE, &[("id", &drill.id), ("service", &target), ("lab", &lab)]));
        };
        Some(s)
    } else {
        None
    };
    let name = service.as_ref().map(swarm::service_name).unwrap_or_default();
    let tasks = match &service {
        Some(s) => swarm::tasks(conn, s.id.as_deref().unwrap_or_default()).await.map_err(PlanError::Cluster)?,
        None => Vec::new(),
    };
    let running: Vec<_> = tasks.iter().filter(|t| swarm::is_running(t)).collect();
    if service.is_some() && running.is_empty() {
        return Err(usage(words::DRILL_NO_REPLICAS, &[("id", &drill.id), ("service", &name), ("lab", &lab)]));
    }
    let hostname = |id: &str| all.iter().find(|n| n.id == id).map(|n| n.hostname.clone()).unwrap_or_default();
    match drill.fault {
        Fault::KillTask => {
            let reachable = running.iter().find_map(|t| {
                let node = hostname(t.node_id.as_deref().unwrap_or_default());
                let container = t.status.as_ref()?.container_status.as_ref()?.container_id.clone()?;
                nodes.engine(&node).map(|_| (node, container, t.id.clone().unwrap_or_default()))
            });
            match reachable {
                Some((node, container, task)) => run(service, Action::RemoveContainer { node, container, task }),
                None => skip(lang.fill(words::DRILL_NO_TASK_HERE, &[("service", &name), ("node", &own_name)])),
            }
        }
        Fault::RollingUpdate => run(service, Action::ForceUpdate),
        Fault::NodeDown | Fault::NodeDrained => {
            // Stopped (node-down on the practice swarm) or drained (the rest).
            let stop = drill.fault == Fault::NodeDown && nodes.practice();
            // With a service, a node that runs a task of it; without, a worker first. Never
            // the engine lab talks to when it is stopped (that would stop the drill too);
            // drained, it is taken only when no other node will do.
            let mut candidates: Vec<&NodeInfo> = all.iter().filter(|n| n.ready && !(stop && n.id == own)).collect();
            if service.is_some() {
                let with_task: HashSet<&str> = running.iter().filter_map(|t| t.node_id.as_deref()).collect();
                candidates.retain(|n| with_task.contains(n.id.as_str()));
            }
            candidates.sort_by_key(|n| (n.id == own, n.manager, n.hostname.clone()));
            let Some(target) = candidates.first() else {
                return skip(lang.fill(words::DRILL_ONLY_HERE, &[("service", &name), ("node", &own_name)]));
            };
            // Stopping a manager must leave a majority of the managers (a drained one keeps
            // its vote).
            if stop && target.manager && managers < 3 {
                return Err(usage(words::DRILL_TWO_MANAGERS, &[("id", &drill.id), ("managers", &managers)]));
            }
            let (node, node_id) = (target.hostname.clone(), target.id.clone());
            if stop {
                run(service, Action::StopEngine { node, node_id })
            } else {
                run(service, Action::Drain { node, node_id })
            }
        }
        Fault::ManagerLoss => unreachable!("handled above"),
    }
}

/// What must be undone, registered before the fault is injected, so that the caller can
/// put the swarm back whatever happens to the drill (error, Ctrl-C).
#[derive(Clone, Default)]
pub struct Restorer {
    pending: Arc<Mutex<Vec<Undo>>>,
}

#[derive(Debug, Clone)]
enum Undo {
    StartEngine { node: String },
    Activate { node_id: String },
}

impl Restorer {
    fn push(&self, u: Undo) {
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).push(u);
    }

    /// Whether anything is left to undo.
    pub fn is_empty(&self) -> bool {
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
    }

    /// Undoes everything registered, newest first; each step is tried even when one fails.
    /// Returns what could not be undone.
    pub async fn restore(&self, conn: &Connection, nodes: Arc<dyn Nodes>) -> Result<(), String> {
        let steps: Vec<Undo> = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let mut errors = Vec::new();
        for step in steps.into_iter().rev() {
            let r = match &step {
                Undo::StartEngine { node } => {
                    let (n, node) = (nodes.clone(), node.clone());
                    tokio::task::spawn_blocking(move || n.start(&node)).await.unwrap_or_else(|e| Err(e.to_string()))
                }
                Undo::Activate { node_id } => set_availability(conn, node_id, NodeSpecAvailabilityEnum::ACTIVE).await,
            };
            if let Err(e) = r {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }
}

async fn set_availability(conn: &Connection, node_id: &str, to: NodeSpecAvailabilityEnum) -> Result<(), String> {
    let node = conn.docker.inspect_node(node_id).await.map_err(|e| said(&e))?;
    let version = node.version.and_then(|v| v.index).unwrap_or(0) as i64;
    let mut spec = node.spec.unwrap_or_default();
    spec.availability = Some(to);
    conn.docker.update_node(node_id, spec, UpdateNodeOptions { version }).await.map_err(|e| said(&e))
}

async fn force_update(conn: &Connection, service_id: &str) -> Result<Vec<String>, String> {
    let s = conn.docker.inspect_service(service_id, None).await.map_err(|e| said(&e))?;
    let version = s.version.and_then(|v| v.index).unwrap_or(0) as i32;
    let mut spec = s.spec.unwrap_or_default();
    let mut template = spec.task_template.unwrap_or_default();
    template.force_update = Some(template.force_update.unwrap_or(0) + 1);
    spec.task_template = Some(template);
    let before = swarm::tasks(conn, service_id).await?;
    conn.docker
        .update_service(service_id, spec, UpdateServiceOptions { version, ..Default::default() }, None)
        .await
        .map_err(|e| said(&e))?;
    Ok(before.iter().filter(|t| swarm::is_running(t)).filter_map(|t| t.id.clone()).collect())
}

/// The count a page shows of `word`: the number in front of it (`>12 votes<` → 12), or
/// of its singular (`1 vote`), or none at all (`No votes yet` → 0), as the voting app's
/// results page words its total.
pub fn count_on(page: &str, word: &str) -> Option<u64> {
    if let Some(n) = count_before(page, word) {
        return Some(n);
    }
    if let Some(one) = word.strip_suffix('s').filter(|w| !w.is_empty()) {
        if let Some(n) = count_before(page, one) {
            return Some(n);
        }
    }
    let none = format!("no {}", word.to_lowercase());
    let lower = page.to_lowercase();
    lower
        .match_indices(&none)
        .any(|(at, _)| !lower[..at].chars().next_back().is_some_and(char::is_alphanumeric))
        .then_some(0)
}

/// The number in front of `word` on a page (`>12 votes<` → 12).
pub fn count_before(page: &str, word: &str) -> Option<u64> {
    let mut from = 0;
    while let Some(i) = page[from..].find(word) {
        let at = from + i;
        let before = page[..at].trim_end();
        let digits: String = before.chars().rev().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && before.len() < at {
            return digits.chars().rev().collect::<String>().parse().ok();
        }
        from = at + word.len();
    }
    None
}

/// What a run shares with its samplers.
struct Shared {
    start: Instant,
    timeline: Mutex<Timeline>,
    hit: Mutex<HashSet<String>>,
    away: Mutex<HashSet<String>>,
}

impl Shared {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn push(&self, e: Event) {
        self.timeline.lock().unwrap_or_else(|p| p.into_inner()).push(e);
    }
    fn snapshot(&self) -> Timeline {
        self.timeline.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// How long a drill may hold its fault before it is judged: the expected recovery and a
/// margin to measure a late one, at most 3 minutes.
fn hold_limit(drill: &Drill) -> Duration {
    let expected = drill.expect.recovery.map(|r| r.0).unwrap_or(Duration::from_secs(60));
    (expected + Duration::from_secs(10)).min(Duration::from_secs(180))
}

const PROBE_EVERY: Duration = Duration::from_millis(100);
const READ_EVERY: Duration = Duration::from_millis(300);
/// The most probes one drill sends (10 a second for 5 minutes).
const MAX_PROBES: usize = 3000;

/// Runs one planned drill: baseline, fault, measurement, restore. The swarm is put back
/// through `restorer` before this returns; a caller that drops this future (Ctrl-C) must
/// call [`Restorer::restore`] itself.
pub async fn run(
    conn: &Connection,
    plan: &Plan,
    nodes: Arc<dyn Nodes>,
    probes: &dyn Probes,
    restorer: &Restorer,
    lab: &str,
    lang: Language,
) -> Result<Observed, String> {
    let drill = &plan.drill;
    let shared = Arc::new(Shared {
        start: Instant::now(),
        timeline: Mutex::new(Timeline::default()),
        hit: Mutex::new(HashSet::new()),
        away: Mutex::new(HashSet::new()),
    });
    let service_id = plan.service.as_ref().and_then(|s| s.id.clone());
    let name = plan.service_name();
    let desired = plan.service.as_ref().and_then(swarm::desired_replicas);

    // The service must be whole before the fault, or the drill measures the learner's
    // half-built swarm.
    if let Some(id) = &service_id {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (running, want) = replicas(conn, id, desired, &HashSet::new(), &HashSet::new()).await?;
            if running >= want && want > 0 {
                break;
            }
            if Instant::now() > deadline {
                return Err(lang.fill(
                    words::DRILL_NOT_CONVERGED,
                    &[("service", &name), ("running", &running), ("desired", &want), ("lab", &lab)],
                ));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    let mut data = None;
    let mut data_probe = None;
    if let Some(d) = &drill.data {
        let mut counts = DataCounts::default();
        match probes.open(conn, &d.service, d.port).await {
            Ok(mut p) => {
                counts.before = read_count(p.as_mut(), &d.counts, Duration::from_secs(10)).await;
                data_probe = Some(p);
            }
            Err(e) => counts.error = Some(e),
        }
        data = Some(counts);
    }

    let mut samplers = Vec::new();
    if let Some(id) = service_id.clone() {
        let (conn, shared) = (conn.clone(), shared.clone());
        samplers.push(tokio::spawn(async move {
            loop {
                let (hit, away) = (
                    shared.hit.lock().unwrap_or_else(|p| p.into_inner()).clone(),
                    shared.away.lock().unwrap_or_else(|p| p.into_inner()).clone(),
                );
                if let Ok((running, desired)) = replicas(&conn, &id, desired, &hit, &away).await {
                    shared.push(Event::Replicas { at: shared.now(), running, desired });
                }
                tokio::time::sleep(READ_EVERY).await;
            }
        }));
    }
    if let Some(p) = &drill.probe {
        let target = p.service.clone().unwrap_or_else(|| name.clone());
        let mut probe = probes.open(conn, &target, p.port).await?;
        let shared = shared.clone();
        samplers.push(tokio::spawn(async move {
            for _ in 0..MAX_PROBES {
                let at = shared.now();
                let answered =
                    matches!(tokio::time::timeout(Duration::from_secs(1), probe.get()).await, Ok(Ok(r)) if !r.is_empty());
                shared.push(Event::Probe { at, answered });
                let spent = shared.now().saturating_sub(at);
                tokio::time::sleep(PROBE_EVERY.saturating_sub(spent)).await;
            }
        }));
    }
    if drill.fault == Fault::ManagerLoss {
        let (conn, shared) = (conn.clone(), shared.clone());
        samplers.push(tokio::spawn(async move {
            loop {
                let at = shared.now();
                let answered =
                    matches!(tokio::time::timeout(Duration::from_secs(3), swarm::nodes(&conn)).await, Ok(Ok(_)));
                shared.push(Event::Quorum { at, answered });
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }));
    }
    let stop = |samplers: Vec<tokio::task::JoinHandle<()>>| {
        for s in samplers {
            s.abort();
        }
    };

    // A second of the swarm as it was, then the fault.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let outcome = inject_and_hold(conn, plan, nodes.clone(), restorer, &shared, service_id.as_deref()).await;
    // A second more of probes after the restore: an app that answers again shows it.
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop(samplers);
    let restore_error = restorer.restore(conn, nodes.clone()).await.err();
    if let Err(e) = outcome {
        return Err(match restore_error {
            Some(r) => format!("{e}; {}", lang.fill(words::DRILL_RESTORE_FAILED, &[("error", &r)])),
            None => e,
        });
    }
    if let (Some(d), Some(counts), Some(p)) = (&drill.data, data.as_mut(), data_probe.as_mut()) {
        counts.after = read_count(p.as_mut(), &d.counts, Duration::from_secs(30)).await;
        if counts.before.is_none() || counts.after.is_none() {
            counts.error.get_or_insert_with(|| format!("no `N {}` on the page of {}", d.counts, d.service));
        }
    }
    Ok(Observed { timeline: shared.snapshot(), node: plan.node(), data, restore_error })
}

/// Reads the count, retrying until `within` (the service may be coming back).
async fn read_count(p: &mut dyn Probe, word: &str, within: Duration) -> Option<u64> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(Ok(page)) = tokio::time::timeout(Duration::from_secs(3), p.get()).await {
            if let Some(n) = count_on(&page, word) {
                return Some(n);
            }
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Healthy running tasks and the replicas wanted (a global service: one per Ready, active
/// node the fault left).
async fn replicas(
    conn: &Connection,
    service_id: &str,
    desired: Option<usize>,
    hit: &HashSet<String>,
    away: &HashSet<String>,
) -> Result<(usize, usize), String> {
    let (tasks, nodes) = tokio::try_join!(swarm::tasks(conn, service_id), swarm::nodes(conn))?;
    let running = swarm::healthy(&tasks, &nodes, hit, away);
    let want = desired.unwrap_or_else(|| nodes.iter().filter(|n| n.ready && n.active && !away.contains(&n.id)).count());
    Ok((running, want))
}

/// Whether the node is back (Ready, active and, a manager, reached by the other managers
/// again: as `lab check` wants it) or, with `ready` false, seen gone.
async fn node_is(conn: &Connection, node_id: &str, ready: bool) -> bool {
    swarm::nodes(conn).await.is_ok_and(|all| {
        all.iter().any(|n| n.id == node_id && n.ready == ready && (!ready || (n.active && n.reachable)))
    })
}

/// Polls `condition` every 300 ms until it holds or `limit` passes.
async fn wait_for<F, Fut>(limit: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if condition().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(READ_EVERY).await;
    }
}

async fn inject_and_hold(
    conn: &Connection,
    plan: &Plan,
    nodes: Arc<dyn Nodes>,
    restorer: &Restorer,
    shared: &Arc<Shared>,
    service_id: Option<&str>,
) -> Result<(), String> {
    let drill = &plan.drill;
    let limit = hold_limit(drill);
    let recovered = || {
        let shared = shared.clone();
        async move { shared.snapshot().recovery().is_some() }
    };
    match &plan.action {
        Action::RemoveContainer { node, container, task } => {
            let endpoint = nodes.engine(node).ok_or_else(|| format!("no engine for {node}"))?;
            let there = Connection::open(&endpoint, Duration::from_secs(10)).await.map_err(|e| e.to_string())?;
            shared.hit.lock().unwrap_or_else(|p| p.into_inner()).insert(task.clone());
            shared.push(Event::Fault { at: shared.now() });
            let options = RemoveContainerOptions { force: true, ..Default::default() };
            there.docker.remove_container(container, Some(options)).await.map_err(|e| said(&e))?;
            wait_for(limit, recovered).await;
        }
        Action::ForceUpdate => {
            let id = service_id.unwrap_or_default();
            shared.push(Event::Fault { at: shared.now() });
            let old = force_update(conn, id).await?;
            shared.hit.lock().unwrap_or_else(|p| p.into_inner()).extend(old);
            wait_for(limit, recovered).await;
        }
        Action::StopEngine { node, node_id } => {
            restorer.push(Undo::StartEngine { node: node.clone() });
            shared.away.lock().unwrap_or_else(|p| p.into_inner()).insert(node_id.clone());
            shared.push(Event::Fault { at: shared.now() });
            let (n, name) = (nodes.clone(), node.clone());
            tokio::task::spawn_blocking(move || n.stop(&name)).await.map_err(|e| e.to_string())??;
            hold(conn, drill, node_id, limit, shared, recovered).await;
            shared.push(Event::Restore { at: shared.now() });
            restorer.restore(conn, nodes.clone()).await?;
            if wait_for(limit, || node_is(conn, node_id, true)).await {
                shared.push(Event::NodeReady { at: shared.now() });
            }
        }
        Action::Drain { node_id, .. } => {
            restorer.push(Undo::Activate { node_id: node_id.clone() });
            shared.away.lock().unwrap_or_else(|p| p.into_inner()).insert(node_id.clone());
            shared.push(Event::Fault { at: shared.now() });
            set_availability(conn, node_id, NodeSpecAvailabilityEnum::DRAIN).await?;
            hold(conn, drill, node_id, limit, shared, recovered).await;
            shared.push(Event::Restore { at: shared.now() });
            restorer.restore(conn, nodes.clone()).await?;
            if wait_for(limit, || node_is(conn, node_id, true)).await {
                shared.push(Event::NodeReady { at: shared.now() });
            }
        }
    }
    Ok(())
}

/// Keeps a node away until what the drill measures has happened: the service back on its
/// replicas; for a node alone, the managers seeing it Down; for a lost manager, the swarm
/// answering again (a new leader) and a few reads more.
async fn hold<F, Fut>(
    conn: &Connection,
    drill: &Drill,
    node_id: &str,
    limit: Duration,
    shared: &Arc<Shared>,
    recovered: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    if drill.service.is_some() || drill.image.is_some() {
        wait_for(limit, recovered).await;
    } else if drill.fault == Fault::ManagerLoss {
        let answered = || {
            let shared = shared.clone();
            async move {
                let t = shared.snapshot();
                let from = t.fault_at().unwrap_or_default();
                t.events
                    .iter()
                    .any(|e| matches!(*e, Event::Quorum { at, answered: true } if at > from + Duration::from_secs(1)))
            }
        };
        wait_for(Duration::from_secs(30), answered).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    } else {
        wait_for(Duration::from_secs(30), || node_is(conn, node_id, false)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_is_the_number_before_its_word() {
        assert_eq!(count_before("<p class=total>12 votes</p>", "votes"), Some(12));
        assert_eq!(count_before("<b>0</b> votes", "votes"), None, "markup between: not this number");
        assert_eq!(count_before(">3 votes<", "votes"), Some(3));
        assert_eq!(count_before("votes: none yet; 7 votes", "votes"), Some(7));
        assert_eq!(count_before("no count here", "votes"), None);
    }

    #[test]
    fn a_count_reads_the_results_page_as_it_words_none_one_and_many() {
        // As the voting app's results page says its total.
        assert_eq!(count_on("<div id=total>No votes yet</div>", "votes"), Some(0));
        assert_eq!(count_on("<div id=total>1 vote</div>", "votes"), Some(1));
        assert_eq!(count_on("<div id=total>12 votes</div>", "votes"), Some(12));
        assert_eq!(count_on("Cats 0% Dogs 0% <p>no count</p>", "votes"), None);
        assert_eq!(count_on("Casino votes are in", "votes"), None, "`no votes` inside a word is not a zero");
    }

    #[test]
    fn a_drill_holds_its_fault_for_the_expected_recovery_and_a_margin() {
        let lab = lab_schema::load_str(
            std::path::Path::new("../labs/day6-voting-app.toml"),
            include_str!("../../labs/day6-voting-app.toml"),
        )
        .unwrap();
        assert_eq!(hold_limit(lab.drill("task-killed").unwrap()), Duration::from_secs(40));
        assert_eq!(hold_limit(lab.drill("rolling-update").unwrap()), Duration::from_secs(70));
    }
}
