//! `lab cluster …` with the docker driver: the practice swarm as node containers on the
//! Docker engine `lab` talks to (see the docker-nodes crate). The engine is found as for
//! every command (`--host`, `--context`, `DOCKER_HOST`, contexts), except that the
//! variables `lab cluster env` printed are not taken for it: after
//! `eval "$(lab cluster env)"` DOCKER_HOST names node1, and the engine the nodes run on is
//! remembered in `SWARM_LAB_ENGINE_HOST`. The commands are the shared ones of
//! [`super::cluster_driver`]; this module holds the driver's words, what its `up` reports
//! and how its `shell` points docker at a node.

use std::path::PathBuf;

use docker_nodes::{ClusterInfo, DockerCluster, NodeSetup, NodesError, Removed, UpOptions, UpOutcome};

use crate::args::{ClusterSize, EngineArgs, UpArgs};
use crate::driver_text::Worded;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_i18n::words;

use super::cluster::Action;
use super::cluster_driver::{self, ClusterDriver, ShellSession};

/// Where `env` remembers the engine the nodes run on when DOCKER_HOST named it.
const ENGINE_HOST_VAR: &str = "SWARM_LAB_ENGINE_HOST";

fn cert_dir() -> PathBuf {
    docker_nodes::cert_dir(docker_nodes::DEFAULT_NAME, &|k| std::env::var(k).ok())
}

/// The environment as seen for finding the user's engine: when DOCKER_CERT_PATH is the
/// practice swarm's own (set by `lab cluster env`), DOCKER_HOST and the TLS variables point
/// at node1, so they are replaced by what `env` remembered.
fn engine_env(key: &str) -> Option<String> {
    let ours = std::env::var_os("DOCKER_CERT_PATH").is_some_and(|p| cert_dir() == p);
    match key {
        "DOCKER_HOST" if ours => std::env::var(ENGINE_HOST_VAR).ok(),
        "DOCKER_TLS_VERIFY" | "DOCKER_CERT_PATH" if ours => None,
        _ => std::env::var(key).ok(),
    }
}

/// The engine the nodes run on, found as every command finds it but past the variables
/// `lab cluster env` printed. Errors are reported.
pub(crate) fn engine(ui: &Ui, e: &EngineArgs) -> Result<lab_engine::Endpoint, Exit> {
    super::resolve_endpoint_in(ui, e, &engine_env)
}

fn fail(ui: &Ui, e: NodesError) -> Exit {
    let kind = match e {
        NodesError::Invalid(_) => Kind::Usage,
        _ => Kind::PracticeSwarm,
    };
    ui.fail(kind, e.text(ui.lang))
}

/// The user's engine as [`engine`] finds it, or `None` without a word (a probe prints
/// nothing: under `--format json` an error would be a JSON object on stdout).
pub(crate) fn engine_quietly(e: &EngineArgs) -> Option<lab_engine::Endpoint> {
    lab_engine::endpoint::resolve(&e.request(), &engine_env).ok()
}

/// True when the user's engine answers and has a docker-driver practice swarm (asked only
/// where the netns driver could be meant too). Prints nothing.
#[cfg(target_os = "linux")]
pub(crate) fn exists(e: &EngineArgs) -> bool {
    let Some(ep) = engine_quietly(e) else { return false };
    crate::runtime().block_on(async {
        match DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await {
            Ok(c) => c.info().await.ok().flatten().is_some(),
            Err(_) => false,
        }
    })
}

/// The docker driver's practice swarm on the user's engine (found as `reach` finds it), for
/// `lab drill` to stop and start its nodes. `None` when that engine does not answer.
pub(crate) async fn cluster() -> Option<DockerCluster> {
    let ep = engine_quietly(&EngineArgs::default())?;
    DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await.ok()
}

/// How `lab cluster forward` reaches the tasks of this driver's practice swarm: through
/// the node containers' processes (root, the engine on this machine), else the ports `up
/// --publish` forwarded. `None` when the cluster cannot be read.
pub(crate) async fn reach() -> Option<task_dial::Reach> {
    let ep = engine_quietly(&EngineArgs::default())?;
    let cluster = DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await.ok()?;
    let publish = cluster.info().await.ok()?.map(|i| i.publish).unwrap_or_default();
    reach_of(&cluster, publish).await.ok()
}

/// How this machine reaches the tasks of `cluster`: through its node containers' processes
/// (see [`task_dial::Reach::node_containers`]), else `publish`, the ports `up --publish`
/// forwarded (from the cluster's info, which the callers have read already). GETs only, on
/// the engine the nodes run on.
pub(crate) async fn reach_of(
    cluster: &DockerCluster,
    publish: Vec<(u16, u16)>,
) -> docker_nodes::Result<task_dial::Reach> {
    Ok(task_dial::Reach::node_containers(cluster.node_pids().await?, task_dial::MeshRoute::Forwarded(publish)))
}

/// Node 1 of the docker driver's practice swarm on `user_engine`, when it runs there.
pub(crate) async fn node1(user_engine: &lab_engine::Endpoint) -> Option<lab_engine::Endpoint> {
    let cluster = DockerCluster::connect(user_engine, docker_nodes::DEFAULT_NAME, cert_dir()).await.ok()?;
    let mut ep = cluster.endpoint(1).await.ok()?;
    ep.source = words::PRACTICE_SWARM.into();
    Some(ep)
}

/// The shared options and the node setup `up` asks for, checked before the engine is
/// asked anything.
pub(crate) fn options(ui: &Ui, up: &UpArgs) -> Result<(UpOptions, NodeSetup), Exit> {
    let publish = docker_nodes::node::parse_publish(&up.publish).map_err(|e| ui.fail(Kind::Usage, e.text(ui.lang)))?;
    let opts = cluster_driver::up_options(up);
    let setup = NodeSetup {
        image: up.image.clone().unwrap_or_else(|| docker_nodes::DEFAULT_IMAGE.into()),
        publish,
        ..Default::default()
    };
    docker_nodes::validate(&opts, &setup).map_err(|e| fail(ui, e))?;
    Ok((opts, setup))
}

/// The docker driver's practice swarm on the user's engine, as `lab cluster` talks about it.
pub(crate) struct DockerNodes {
    cluster: DockerCluster,
    /// The user's engine, as found.
    engine: lab_engine::Endpoint,
    ui: Ui,
}

/// Runs `action` with the docker driver's practice swarm on `ep`, made as `setup` says.
pub fn run(ep: lab_engine::Endpoint, setup: NodeSetup, action: Action, ui: &Ui) -> Exit {
    crate::runtime().block_on(async move {
        let cluster = match DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await {
            Ok(c) => c.with_setup(setup),
            Err(e) => return fail(ui, e),
        };
        cluster_driver::run(&DockerNodes { cluster, engine: ep, ui: *ui }, action).await
    })
}

impl ClusterDriver for DockerNodes {
    type Driver = DockerCluster;

    fn driver(&self) -> &DockerCluster {
        &self.cluster
    }

    fn ui(&self) -> &Ui {
        &self.ui
    }

    fn fail(&self, e: NodesError) -> Exit {
        fail(&self.ui, e)
    }

    fn starting(&self, opts: &UpOptions) -> Option<String> {
        let lang = self.ui.lang;
        let ep = &self.engine;
        let values: [(&str, &dyn std::fmt::Display); 4] = [
            ("nodes", &opts.nodes),
            ("managers", &opts.managers),
            ("host", &ep.host),
            ("source", &lang.tr(&ep.source)),
        ];
        Some(lang.fill(words::CLUSTER_STARTING_DOCKER, &values))
    }

    fn outcome(&self, outcome: &UpOutcome, _options: &UpOptions) -> String {
        let lang = self.ui.lang;
        match outcome {
            UpOutcome::Started(info) => lang.fill(words::CLUSTER_IS_UP_DOCKER, &[("nodes", &info.nodes.len())]),
            UpOutcome::AlreadyRunning(info) => {
                let nodes = info.nodes.len();
                lang.fill(words::CLUSTER_ALREADY_RUNNING_DOCKER, &[("nodes", &nodes), ("me", &crate::me())])
            }
        }
    }

    fn after_failed_up(&self) -> Option<String> {
        Some(self.ui.lang.fill(words::CLUSTER_DOWN_CLEANS_UP, &[("me", &crate::me())]))
    }

    /// How the nodes run, each node, the ports `--publish` forwarded and what the engine's
    /// kernel lacks.
    async fn report(&self, info: &ClusterInfo) {
        let lang = self.ui.lang;
        if let Some(p) = info.privileges {
            eprintln!("{}", lang.fill(words::CLUSTER_NODES_RUN_AS, &[("privileges", &p.text(lang))]));
        }
        for n in &info.nodes {
            eprintln!("  {:<6} {:<8} {:<15} {}", n.name, n.role, n.address, n.docker_host);
        }
        for (host, node) in &info.publish {
            eprintln!("  {}", lang.fill(words::CLUSTER_FORWARDED, &[("port", node), ("host_port", host)]));
        }
        if !info.swarm {
            eprintln!("{}", lang.tr(words::CLUSTER_NO_SWARM_DOCKER));
        }
        // The nodes share the kernel of the engine's machine: known only when that is this one.
        #[cfg(target_os = "linux")]
        if self.engine.host.starts_with("unix://") && !private_swarm::ipvs_available() {
            eprintln!("{}", lang.tr(words::NO_IPVS_NOTE_DOCKER));
        }
    }

    fn node_count(&self, info: &ClusterInfo) -> usize {
        info.nodes.len()
    }

    const SHELL_HINT: &'static str = words::CLUSTER_SHELL_HINT_DOCKER;

    /// Docker pointed at node `node` over TLS. The shell runs on this machine (the nodes'
    /// networks are inside the Docker engine): `curl localhost:PORT` reaches node1 only
    /// through `up --publish`.
    async fn shell_session(&self, node: usize, program: &str) -> Result<ShellSession, Exit> {
        use practice_driver::PracticeDriver;
        let vars = self.cluster.env_vars(node).await.map_err(|e| self.fail(e))?;
        let env: Vec<(&str, String)> =
            vars.into_iter().chain(self.env_extra()).filter_map(|(k, v)| Some((k, v?))).collect();
        let note = self.ui.lang.fill(words::SHELL_WITH_TLS, &[("host", &env[0].1)]);
        Ok(ShellSession {
            name: format!("node{node}"),
            command: std::process::Command::new(program),
            env,
            rc_dir: self.cluster.cert_dir().join("shell"),
            note,
        })
    }

    async fn status_header(&self) -> Result<String, Exit> {
        let lang = self.ui.lang;
        let info = self.cluster.info().await.map_err(|e| self.fail(e))?;
        let mode = info
            .and_then(|i| i.privileges)
            .map_or_else(|| lang.tr(words::UNKNOWN_PRIVILEGES).into_owned(), |p| p.label().to_string());
        Ok(lang.fill(words::CLUSTER_DRIVER_DOCKER, &[("host", &self.engine.host), ("mode", &mode)]))
    }

    /// The user's engine, remembered when DOCKER_HOST or `--host` named it (the variables
    /// `env` prints replace DOCKER_HOST).
    fn env_extra(&self) -> Vec<practice_driver::EnvVar> {
        let ep = &self.engine;
        if ep.context.is_none() && (ep.source == "DOCKER_HOST" || ep.source == "--host") {
            vec![(ENGINE_HOST_VAR, Some(ep.host.clone()))]
        } else {
            Vec::new()
        }
    }

    fn removed(&self, r: &Removed) -> String {
        let counts: [(&str, &dyn std::fmt::Display); 4] = [
            ("host", &self.engine.host),
            ("containers", &r.containers),
            ("volumes", &r.volumes),
            ("networks", &r.networks),
        ];
        self.ui.lang.fill(words::CLUSTER_REMOVED_DOCKER, &counts)
    }

    fn nothing_running(&self) -> String {
        self.ui.lang.fill(words::CLUSTER_NOTHING_RUNNING_ON, &[("host", &self.engine.host)])
    }
}

/// `lab demo` with the docker driver: starts (or finds) the practice swarm of `size` in
/// swarm mode on the engine `ep` (found by [`engine`]), as `up` does and says, and returns node1's engine (its TLS files
/// included) and whether the nodes are in swarm mode.
pub(crate) fn up_for_demo(
    ui: &Ui,
    ep: lab_engine::Endpoint,
    size: ClusterSize,
) -> Result<(lab_engine::Endpoint, bool), Exit> {
    let opts = UpOptions { nodes: size.nodes, managers: size.managers, ..Default::default() };
    docker_nodes::validate(&opts, &NodeSetup::default()).map_err(|e| fail(ui, e))?;
    crate::runtime().block_on(async move {
        let cluster =
            DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await.map_err(|e| fail(ui, e))?;
        let nodes = DockerNodes { cluster, engine: ep, ui: *ui };
        let info = cluster_driver::start(&nodes, &opts).await?;
        cluster_driver::report_up(&nodes, &info).await;
        let mut node1 = nodes.cluster.endpoint(1).await.map_err(|e| fail(ui, e))?;
        node1.source = ui.lang.tr(words::PRACTICE_SWARM).into_owned();
        Ok((node1, info.swarm))
    })
}
