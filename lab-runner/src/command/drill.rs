//! `lab drill LAB`: run the lab's drills against the swarm the docker CLI points at (see
//! the `lab-drill` crate), report like `lab check`, and put the swarm back, also on Ctrl-C.
//!
//! Here live what depends on where the swarm runs: which swarm is the practice swarm (the
//! netns driver's state names its nodes' sockets, the docker driver's labels its node
//! containers; the swarm IDs must match, names are not trusted), which engines `lab` can
//! reach and stop ([`lab_drill::Nodes`]: a netns node's dockerd, a docker node's
//! container), and how a
//! service's port is probed: by dialing its running tasks as `lab cluster forward` does
//! (`task-dial`), which needs no routing mesh ([`lab_drill::Probes`]).

use super::{find_lab, resolve_endpoint};
use crate::args::{DrillArgs, Format};
use crate::driver_text::Worded;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_drill::{DrillReport, DrillResult, Nodes, PlanError, Planned, Probe, Probes, Restorer};
use lab_engine::{Connection, Endpoint};
use lab_i18n::words;
use lab_schema::{Drill, Lab};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use task_dial::{dial_task, MeshRoute, Reach, TaskPicker};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `lab drill` as asked, resolved before the engine is asked anything: the lab, the drills
/// `--only` selects (each one the lab has) and the engine, found once.
pub(crate) struct DrillConfig {
    pub lab: Lab,
    pub drills: Vec<Drill>,
    pub endpoint: Endpoint,
    pub format: Format,
    /// Run on a swarm that is not the practice swarm too.
    pub yes: bool,
    pub timeout: Duration,
}

impl DrillConfig {
    /// `lab drill`'s flags, checked in this order: the lab (one with drills), the drills
    /// `--only` names, the engine. Errors are reported.
    pub fn new(a: &DrillArgs, ui: &Ui) -> Result<DrillConfig, Exit> {
        let lang = ui.lang;
        let lab = find_lab(ui, &a.labs, &a.lab)?;
        if lab.drills.is_empty() {
            let cat = super::load_catalog(ui, &a.labs)?;
            let with: Vec<String> = cat.labs.iter().filter(|l| !l.drills.is_empty()).map(|l| l.id.clone()).collect();
            let file = lab.source.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
            let msg = lang.fill(words::DRILL_NONE, &[("lab", &lab.id), ("file", &file), ("labs", &with.join(", "))]);
            return Err(ui.fail(Kind::Usage, msg));
        }
        let ids: Vec<&str> = lab.drills.iter().map(|d| d.id.as_str()).collect();
        if let Some(id) = a.only.iter().find(|id| lab.drill(id).is_none()) {
            let msg = lang.fill(words::DRILL_UNKNOWN, &[("lab", &lab.id), ("id", id), ("ids", &ids.join(", "))]);
            let hint = lab_schema::spelling::did_you_mean(id, ids.iter().copied());
            return Err(ui.fail(Kind::Usage, format!("{msg}{hint}")));
        }
        let drills = lab.drills.iter().filter(|d| a.only.is_empty() || a.only.contains(&d.id)).cloned().collect();
        let endpoint = resolve_endpoint(ui, &a.engine)?;
        Ok(DrillConfig { lab, drills, endpoint, format: a.format, yes: a.yes, timeout: a.timeout })
    }
}

pub fn run(c: &DrillConfig, ui: &Ui) -> Exit {
    let (lang, lab, drills, endpoint) = (ui.lang, &c.lab, &c.drills, &c.endpoint);
    crate::runtime().block_on(async {
        let conn = match Connection::open(endpoint, c.timeout).await {
            Ok(c) => c,
            Err(e) => return cluster_fail(ui, &e, endpoint),
        };
        // Reading the swarm first also tells an unreachable engine or a worker (exit 3).
        if let Err(e) = lab_grader::Snapshot::take(&conn).await {
            return cluster_fail(ui, &e, endpoint);
        }
        let (nodes, reach): (Arc<dyn Nodes>, Reach) = if let Some(n) = practice_nodes(&conn).await {
            (Arc::new(n), reach_for(endpoint, true))
        } else if let Some((n, reach)) = docker_practice_nodes(lang, &conn, endpoint).await {
            (Arc::new(n), reach)
        } else {
            let own = lab_drill::swarm::own_node_id(&conn).await.unwrap_or_default();
            let all = lab_drill::swarm::nodes(&conn).await.unwrap_or_default();
            let hostname = all.into_iter().find(|n| n.id == own).map(|n| n.hostname).unwrap_or_default();
            (Arc::new(OtherSwarm { endpoint: endpoint.clone(), hostname }), reach_for(endpoint, false))
        };
        let mut plans = Vec::new();
        for d in drills {
            match lab_drill::plan(&conn, d, nodes.as_ref(), &lab.id, lang).await {
                Ok(p) => plans.push(p),
                Err(PlanError::Usage(msg)) => return ui.fail(Kind::Usage, msg),
                Err(PlanError::Cluster(msg)) => {
                    return ui.fail(Kind::Cluster(lab_grader::grade::GradeStatus::Error), msg)
                }
            }
        }
        if !nodes.practice() && !c.yes {
            let mut lines = vec![lang.fill(words::DRILL_NOT_PRACTICE, &[("host", &endpoint.host)])];
            for p in &plans {
                match p {
                    Planned::Run(plan) => lines.push(format!("  {}", plan.describe(lang))),
                    Planned::Skip { drill, why } => lines.push(format!("  {}: {}", drill.id, lang.fill(words::DRILL_SKIPPED, &[("why", why)]))),
                }
            }
            return ui.fail(Kind::Usage, lines.join("\n"));
        }
        let probes = TaskProbes { reach };
        let mut results: Vec<DrillResult> = Vec::new();
        for p in plans {
            let plan = match p {
                Planned::Run(plan) => plan,
                Planned::Skip { drill, why } => {
                    results.push(lab_drill::skipped(&drill, &why, lang));
                    continue;
                }
            };
            eprintln!("{}", lang.fill(words::DRILL_RUNNING, &[("id", &plan.drill.id), ("action", &plan.action_text(lang))]));
            let restorer = Restorer::default();
            let outcome = tokio::select! {
                r = lab_drill::run(&conn, &plan, nodes.clone(), &probes, &restorer, &lab.id, lang) => r,
                _ = tokio::signal::ctrl_c() => {
                    return match restorer.restore(&conn, nodes.clone()).await {
                        Ok(()) => ui.fail(Kind::NotApplied, lang.tr(words::DRILL_INTERRUPTED)),
                        Err(e) => ui.fail(Kind::NotApplied, lang.fill(words::DRILL_INTERRUPTED_RESTORE_FAILED, &[("error", &e)])),
                    };
                }
            };
            results.push(match outcome {
                Ok(seen) => lab_drill::judge(&plan.drill, &seen, lang),
                Err(why) => lab_drill::verdict::failed(&plan.drill, &why, lang),
            });
        }
        let report = DrillReport { lab: lab.id.clone(), drills: results };
        match c.format {
            Format::Human => print!("{}", report.human(lang, ui.stdout_color())),
            Format::Json => println!("{}", report.json()),
            Format::Junit => println!("{}", report.junit()),
        }
        if report.failed() {
            Exit::Failed
        } else {
            Exit::Ok
        }
    })
}

fn cluster_fail(ui: &Ui, e: &lab_engine::ClusterError, endpoint: &Endpoint) -> Exit {
    let lang = ui.lang;
    let msg = lang.fill(words::ENDPOINT_FROM, &[("error", &e.text(lang)), ("source", &lang.tr(&endpoint.source))]);
    ui.fail(Kind::from(e), msg)
}

/// How to reach tasks: inside their own network namespaces where this machine can (the
/// practice swarm, an engine on this machine), else through the mesh: at the node's address
/// on a swarm of other machines, at loopback for an engine on this one (Docker Desktop).
fn reach_for(endpoint: &Endpoint, practice: bool) -> Reach {
    let local = endpoint.host.starts_with("unix://") || endpoint.host.starts_with("npipe://");
    Reach::this_machine(if practice || !local { MeshRoute::NodeAddress } else { MeshRoute::Loopback })
}

/// The netns practice swarm, when the engine `lab` talks to belongs to it: every node's
/// engine is on this machine, and its dockerds can be stopped and started by PID.
#[cfg(target_os = "linux")]
async fn practice_nodes(conn: &Connection) -> Option<PracticeNodes> {
    let practice = private_swarm::practice::Practice::from_env();
    let info = practice.info().ok()?;
    let ours = lab_drill::swarm::swarm_id(conn).await.ok().filter(|id| !id.is_empty())?;
    let first = info.nodes.first()?;
    let node1 = Connection::open(&netns_endpoint(&first.docker_host), Duration::from_secs(5)).await.ok()?;
    let theirs = lab_drill::swarm::swarm_id(&node1).await.ok()?;
    (theirs == ours).then(|| PracticeNodes {
        practice,
        nodes: info.nodes.iter().enumerate().map(|(i, n)| (n.hostname.clone(), i + 1, n.docker_host.clone())).collect(),
    })
}

#[cfg(not(target_os = "linux"))]
async fn practice_nodes(_: &Connection) -> Option<OtherSwarm> {
    None
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn netns_endpoint(host: &str) -> Endpoint {
    Endpoint { host: host.to_string(), tls: None, context: None, source: "practice swarm".into() }
}

#[cfg(target_os = "linux")]
struct PracticeNodes {
    practice: private_swarm::practice::Practice,
    /// hostname, node number, docker host.
    nodes: Vec<(String, usize, String)>,
}

#[cfg(target_os = "linux")]
impl PracticeNodes {
    fn number(&self, hostname: &str) -> Result<usize, String> {
        self.nodes
            .iter()
            .find(|n| n.0 == hostname)
            .map(|n| n.1)
            .ok_or_else(|| format!("{hostname} is not a node of the practice swarm"))
    }
}

#[cfg(target_os = "linux")]
impl Nodes for PracticeNodes {
    fn practice(&self) -> bool {
        true
    }
    fn engine(&self, hostname: &str) -> Option<Endpoint> {
        self.nodes.iter().find(|n| n.0 == hostname).map(|n| netns_endpoint(&n.2))
    }
    fn stop(&self, hostname: &str) -> Result<(), String> {
        self.practice.stop_engine(self.number(hostname)?).map_err(|e| e.to_string())
    }
    fn start(&self, hostname: &str) -> Result<(), String> {
        self.practice.start_engine(self.number(hostname)?).map_err(|e| e.to_string())
    }
}

/// The docker driver's practice swarm, when the engine `lab` talks to is one of its nodes
/// (its client certificate is the cluster's, and node1 is in the same swarm): every node's
/// engine is reached at its published API port, and a node goes down as its container
/// stops. With it, how its tasks are reached (the node containers' processes, else the
/// ports `up --publish` forwarded).
async fn docker_practice_nodes(
    lang: lab_i18n::Language,
    conn: &Connection,
    endpoint: &Endpoint,
) -> Option<(DockerNodes, Reach)> {
    let cert_dir = docker_nodes::cert_dir(docker_nodes::DEFAULT_NAME, &|k| std::env::var(k).ok());
    if endpoint.tls.as_ref().is_none_or(|t| t.ca.parent() != Some(cert_dir.as_path())) {
        return None;
    }
    let cluster = super::docker_cluster::cluster().await?;
    let info = cluster.info().await.ok()??;
    let ours = lab_drill::swarm::swarm_id(conn).await.ok().filter(|id| !id.is_empty())?;
    let node1 = Connection::open(&cluster.endpoint(1).await.ok()?, Duration::from_secs(5)).await.ok()?;
    if lab_drill::swarm::swarm_id(&node1).await.ok()? != ours {
        return None;
    }
    let mut nodes = Vec::new();
    for (i, n) in info.nodes.iter().enumerate() {
        nodes.push((n.name.clone(), i + 1, cluster.endpoint(i + 1).await.ok()));
    }
    let reach = super::docker_cluster::reach_of(&cluster, info.publish.clone())
        .await
        .unwrap_or_else(|_| Reach::mesh_only(MeshRoute::Forwarded(info.publish)));
    let nodes = DockerNodes { cluster, nodes: Mutex::new(nodes), runtime: tokio::runtime::Handle::current(), lang };
    Some((nodes, reach))
}

/// The docker driver's nodes: stopped and started as their containers.
struct DockerNodes {
    cluster: docker_nodes::DockerCluster,
    /// hostname, node number, engine (none while its container is stopped: its API port
    /// is published anew when it starts).
    nodes: Mutex<Vec<(String, usize, Option<Endpoint>)>>,
    /// `stop` and `start` are called from blocking threads; they run the engine requests here.
    runtime: tokio::runtime::Handle,
    /// The language of its errors.
    lang: lab_i18n::Language,
}

impl DockerNodes {
    fn number(&self, hostname: &str) -> Result<usize, String> {
        let nodes = self.nodes.lock().unwrap_or_else(|p| p.into_inner());
        nodes
            .iter()
            .find(|n| n.0 == hostname)
            .map(|n| n.1)
            .ok_or_else(|| format!("{hostname} is not a node of the practice swarm"))
    }

    fn set_engine(&self, number: usize, engine: Option<Endpoint>) {
        let mut nodes = self.nodes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = nodes.iter_mut().find(|n| n.1 == number) {
            n.2 = engine;
        }
    }
}

impl Nodes for DockerNodes {
    fn practice(&self) -> bool {
        true
    }
    fn engine(&self, hostname: &str) -> Option<Endpoint> {
        let nodes = self.nodes.lock().unwrap_or_else(|p| p.into_inner());
        nodes.iter().find(|n| n.0 == hostname).and_then(|n| n.2.clone())
    }
    fn stop(&self, hostname: &str) -> Result<(), String> {
        let number = self.number(hostname)?;
        self.set_engine(number, None);
        self.runtime.block_on(self.cluster.stop_engine(number)).map_err(|e| e.text(self.lang))
    }
    fn start(&self, hostname: &str) -> Result<(), String> {
        let number = self.number(hostname)?;
        let engine = self
            .runtime
            .block_on(self.cluster.start_engine(number, Duration::from_secs(60)))
            .map_err(|e| e.text(self.lang))?;
        self.set_engine(number, Some(engine));
        Ok(())
    }
}

/// A swarm that is not the practice swarm: `lab` reaches only the engine it was pointed
/// at, and stops no engine.
struct OtherSwarm {
    endpoint: Endpoint,
    /// The hostname of the node whose engine that is.
    hostname: String,
}

impl Nodes for OtherSwarm {
    fn practice(&self) -> bool {
        false
    }
    fn engine(&self, hostname: &str) -> Option<Endpoint> {
        (hostname == self.hostname).then(|| self.endpoint.clone())
    }
    fn stop(&self, hostname: &str) -> Result<(), String> {
        Err(format!("lab stops engines only on the practice swarm, not {hostname}"))
    }
    fn start(&self, hostname: &str) -> Result<(), String> {
        Err(format!("lab starts engines only on the practice swarm, not {hostname}"))
    }
}

/// Probes that dial the service's running tasks one after another, as the mesh would.
struct TaskProbes {
    reach: Reach,
}

impl Probes for TaskProbes {
    fn open<'a>(
        &'a self,
        conn: &'a Connection,
        service: &'a str,
        port: u16,
    ) -> lab_drill::run::BoxFuture<'a, Result<Box<dyn Probe>, String>> {
        Box::pin(async move {
            let picker = TaskPicker::open(conn.clone(), service).await.map_err(|e| e.to_string())?;
            let probe: Box<dyn Probe> =
                Box::new(TaskProbe { picker, reach: self.reach.clone(), port, read_at: Instant::now() });
            Ok(probe)
        })
    }
}

struct TaskProbe {
    picker: TaskPicker,
    reach: Reach,
    port: u16,
    read_at: Instant,
}

impl Probe for TaskProbe {
    fn get(&mut self) -> lab_drill::run::BoxFuture<'_, Result<String, String>> {
        Box::pin(async move {
            // Follow tasks as they are replaced: re-read them twice a second.
            if self.read_at.elapsed() > Duration::from_millis(500) {
                self.read_at = Instant::now();
                let _ = self.picker.refresh().await;
            }
            // As the mesh would: a task that no longer takes connections (stopped since the
            // last read) is passed over for the next one.
            let mut last = "no running task".to_string();
            for task in self.picker.candidates() {
                match dial_task(&self.reach, self.picker.service(), &task, self.port).await {
                    Ok(stream) => return ask(stream).await,
                    Err(e) => last = e.to_string(),
                }
            }
            Err(last)
        })
    }
}

/// An HTTP `GET /` over an open connection; the reply as text.
async fn ask(mut stream: tokio::net::TcpStream) -> Result<String, String> {
    stream.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n").await.map_err(|e| e.to_string())?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 8192];
    while reply.len() < 65536 {
        match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if reply.is_empty() => return Err(e.to_string()),
            Err(_) => break,
        }
    }
    Ok(String::from_utf8_lossy(&reply).into_owned())
}
