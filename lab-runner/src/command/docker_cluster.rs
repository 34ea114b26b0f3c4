//! `lab cluster …` with the docker driver: the practice swarm as node containers on the
//! Docker engine `lab` talks to (see the docker-nodes crate). The engine is found as for
//! every command (`--host`, `--context`, `DOCKER_HOST`, contexts), except that the
//! variables `lab cluster env` printed are not taken for it: after
//! `eval "$(lab cluster env)"` DOCKER_HOST names node1, and the engine the nodes run on is
//! remembered in `SWARM_LAB_ENGINE_HOST`.

use std::path::PathBuf;

use docker_nodes::{DockerCluster, DownOutcome, NodesError, UpOptions, UpOutcome};

use crate::args::{ClusterCommand, ClusterSize, EngineArgs, StatusFormat, UpArgs};
use crate::driver_text::Worded;
use crate::exit::{Exit, Kind};
use lab_i18n::words;

/// Where `env` remembers the engine the nodes run on when DOCKER_HOST named it.
const ENGINE_HOST_VAR: &str = "SWARM_LAB_ENGINE_HOST";

fn progress(step: &docker_nodes::Progress) {
    eprintln!("  {}", step.text(crate::lang()));
}

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

fn engine(e: &EngineArgs) -> Result<lab_engine::Endpoint, Exit> {
    let req = lab_engine::EndpointRequest { host: e.host.clone(), context: e.context.clone() };
    lab_engine::endpoint::resolve(&req, &engine_env).map_err(|e| crate::fail(Kind::BadInput, e.text(crate::lang())))
}

fn fail(e: NodesError) -> Exit {
    let kind = match e {
        NodesError::Invalid(_) => Kind::Usage,
        _ => Kind::PracticeSwarm,
    };
    crate::fail(kind, e.text(crate::lang()))
}

/// The user's engine as [`engine`] finds it, or `None` without a word (a probe prints
/// nothing: under `--format json` an error would be a JSON object on stdout).
pub(crate) fn engine_quietly(e: &EngineArgs) -> Option<lab_engine::Endpoint> {
    let req = lab_engine::EndpointRequest { host: e.host.clone(), context: e.context.clone() };
    lab_engine::endpoint::resolve(&req, &engine_env).ok()
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
    let ep = engine(&EngineArgs::default()).ok()?;
    DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await.ok()
}

/// How `lab cluster forward` reaches the tasks of this driver's practice swarm: through
/// the node containers' processes (root, the engine on this machine), else the ports `up
/// --publish` forwarded. `None` when the cluster cannot be read.
pub(crate) async fn reach() -> Option<task_dial::Reach> {
    let ep = engine(&EngineArgs::default()).ok()?;
    let cluster = DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await.ok()?;
    task_dial::Reach::docker_nodes(&cluster).await.ok()
}

/// Node 1 of the docker driver's practice swarm on `user_engine`, when it runs there.
pub(crate) async fn node1(user_engine: &lab_engine::Endpoint) -> Option<lab_engine::Endpoint> {
    let cluster = DockerCluster::connect(user_engine, docker_nodes::DEFAULT_NAME, cert_dir()).await.ok()?;
    let mut ep = cluster.endpoint(1).await.ok()?;
    ep.source = words::PRACTICE_SWARM.into();
    Some(ep)
}

fn options(up: &UpArgs) -> Result<UpOptions, Exit> {
    let publish =
        docker_nodes::node::parse_publish(&up.publish).map_err(|e| crate::fail(Kind::Usage, e.text(crate::lang())))?;
    let opts = UpOptions {
        nodes: up.size.nodes,
        managers: up.size.managers,
        swarm: !up.no_swarm,
        image: up.image.clone().unwrap_or_else(|| docker_nodes::DEFAULT_IMAGE.into()),
        online: up.online,
        publish,
        ..Default::default()
    };
    opts.validate().map_err(fail)?;
    Ok(opts)
}

pub fn run(c: ClusterCommand) -> Exit {
    let driver = match &c {
        ClusterCommand::Up(up) => &up.driver,
        ClusterCommand::Env { driver, .. }
        | ClusterCommand::Shell { driver, .. }
        | ClusterCommand::Status { driver, .. }
        | ClusterCommand::Down { driver } => driver,
        ClusterCommand::Forward(args) => return super::forward::run(args),
    };
    let ep = match engine(&driver.engine) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let opts = match &c {
        ClusterCommand::Up(up) => match options(up) {
            Ok(o) => Some(o),
            Err(e) => return e,
        },
        _ => None,
    };
    crate::runtime().block_on(async move {
        let cluster = match DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        match c {
            ClusterCommand::Up(_) => up(&cluster, &ep, &opts.expect("options for up")).await,
            ClusterCommand::Env { node, shell, .. } => env(&cluster, &ep, node, shell).await,
            ClusterCommand::Shell { node, .. } => shell(&cluster, &ep, node.unwrap_or(1)).await,
            ClusterCommand::Status { format, .. } => status(&cluster, &ep, format).await,
            ClusterCommand::Down { .. } => down(&cluster, &ep).await,
            ClusterCommand::Forward(args) => super::forward::run(&args),
        }
    })
}

async fn up(cluster: &DockerCluster, ep: &lab_engine::Endpoint, opts: &UpOptions) -> Exit {
    match start(cluster, ep, opts).await {
        Ok(_) => Exit::Ok,
        Err(e) => e,
    }
}

/// `lab demo` with the docker driver: starts (or finds) the practice swarm of `size` in
/// swarm mode, as `up` does and says, and returns node1's engine (its TLS files
/// included) and whether the nodes are in swarm mode.
pub(crate) fn up_for_demo(engine: &EngineArgs, size: ClusterSize) -> Result<(lab_engine::Endpoint, bool), Exit> {
    let ep = self::engine(engine)?;
    let opts = UpOptions { nodes: size.nodes, managers: size.managers, ..Default::default() };
    opts.validate().map_err(fail)?;
    crate::runtime().block_on(async move {
        let cluster = DockerCluster::connect(&ep, docker_nodes::DEFAULT_NAME, cert_dir()).await.map_err(fail)?;
        let info = start(&cluster, &ep, &opts).await?;
        let mut node1 = cluster.endpoint(1).await.map_err(fail)?;
        node1.source = crate::lang().tr(words::PRACTICE_SWARM).into_owned();
        Ok((node1, info.swarm))
    })
}

/// Starts the cluster (or finds it running) and says what a learner does next.
async fn start(
    cluster: &DockerCluster,
    ep: &lab_engine::Endpoint,
    opts: &UpOptions,
) -> Result<docker_nodes::ClusterInfo, Exit> {
    let lang = crate::lang();
    let me = crate::me();
    eprintln!(
        "{}",
        lang.fill(
            words::CLUSTER_STARTING_DOCKER,
            &[
                ("nodes", &opts.nodes),
                ("managers", &opts.managers),
                ("host", &ep.host),
                ("source", &lang.tr(&ep.source)),
            ],
        )
    );
    let info = match cluster.up(opts, &mut |step| progress(step)).await {
        Ok(UpOutcome::Started(info)) => {
            eprintln!("{}", lang.fill(words::CLUSTER_IS_UP_DOCKER, &[("nodes", &info.nodes.len())]));
            info
        }
        Ok(UpOutcome::AlreadyRunning(info)) => {
            let nodes = info.nodes.len();
            eprintln!("{}", lang.fill(words::CLUSTER_ALREADY_RUNNING_DOCKER, &[("nodes", &nodes), ("me", &me)]));
            info
        }
        Err(e) => {
            let code = fail(e);
            eprintln!("{}", lang.fill(words::CLUSTER_DOWN_CLEANS_UP, &[("me", &me)]));
            return Err(code);
        }
    };
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
    if ep.host.starts_with("unix://") && !private_swarm::ipvs_available() {
        eprintln!("{}", lang.tr(words::NO_IPVS_NOTE_DOCKER));
    }
    eprintln!("{}", lang.fill(words::CLUSTER_POINT_DOCKER, &[("me", &me)]));
    if info.nodes.len() > 1 {
        eprintln!("{}", lang.fill(words::CLUSTER_SHELL_HINT_DOCKER, &[("me", &me)]));
    }
    Ok(info)
}

/// The variables that point docker at node `node` (and remember the user's engine when
/// DOCKER_HOST or --host named it).
async fn node_env(
    cluster: &DockerCluster,
    ep: &lab_engine::Endpoint,
    node: usize,
) -> Result<Vec<(&'static str, String)>, Exit> {
    let node_ep = cluster.endpoint(node).await.map_err(fail)?;
    let mut vars = vec![
        ("DOCKER_HOST", node_ep.host),
        ("DOCKER_TLS_VERIFY", "1".to_string()),
        ("DOCKER_CERT_PATH", cluster.cert_dir().display().to_string()),
    ];
    if ep.context.is_none() && (ep.source == "DOCKER_HOST" || ep.source == "--host") {
        vars.push((ENGINE_HOST_VAR, ep.host.clone()));
    }
    Ok(vars)
}

async fn env(
    cluster: &DockerCluster,
    ep: &lab_engine::Endpoint,
    node: usize,
    shell: Option<crate::env_lines::EnvShell>,
) -> Exit {
    match node_env(cluster, ep, node).await {
        Ok(vars) => {
            let vars: Vec<(&str, Option<String>)> = vars.into_iter().map(|(k, v)| (k, Some(v))).collect();
            crate::env_lines::print(&vars, node, shell);
            Exit::Ok
        }
        Err(e) => e,
    }
}

/// The learner's shell with docker pointed at node `node` and the book's `nodeN$` prompt.
/// It runs on this machine (the nodes' networks are inside the Docker engine): `curl
/// localhost:PORT` reaches node1 only through `up --publish`.
async fn shell(cluster: &DockerCluster, ep: &lab_engine::Endpoint, node: usize) -> Exit {
    let vars = match node_env(cluster, ep, node).await {
        Ok(v) => v,
        Err(e) => return e,
    };
    let program = super::cluster::shell_program();
    let note = crate::lang().fill(words::SHELL_WITH_TLS, &[("host", &vars[0].1)]);
    let rc_dir = cluster.cert_dir().join("shell");
    let name = format!("node{node}");
    match super::cluster::open_shell(&name, std::process::Command::new(&program), &program, &rc_dir, &vars, &note) {
        Ok(()) => Exit::Ok,
        Err(e) => e,
    }
}

async fn status(cluster: &DockerCluster, ep: &lab_engine::Endpoint, format: StatusFormat) -> Exit {
    let info = match cluster.info().await {
        Ok(Some(i)) => i,
        Ok(None) => {
            return fail(NodesError::NotRunning { name: cluster.name().into(), host: ep.host.clone() });
        }
        Err(e) => return fail(e),
    };
    let rows = match cluster.status().await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if format == StatusFormat::Json {
        let doc = serde_json::json!({ "nodes": rows });
        println!("{}", lab_engine::untrusted::json(&doc, true));
        return Exit::Ok;
    }
    let lang = crate::lang();
    let mode =
        info.privileges.map_or_else(|| lang.tr(words::UNKNOWN_PRIVILEGES).into_owned(), |p| p.label().to_string());
    println!("{}", lang.fill(words::CLUSTER_DRIVER_DOCKER, &[("host", &ep.host), ("mode", &mode)]));
    let rows: Vec<super::cluster::StatusRow> = rows
        .iter()
        .map(|r| super::cluster::StatusRow {
            name: &r.name,
            address: &r.address,
            swarm: r.swarm.clone().unwrap_or_else(|| lang.fill(words::STATUS_CONTAINER, &[("state", &r.container)])),
            role: &r.role,
            state: &r.state,
            availability: &r.availability,
            manager_status: &r.manager_status,
            docker_host: &r.docker_host,
        })
        .collect();
    super::cluster::status_table(&rows).iter().for_each(|l| println!("{l}"));
    Exit::Ok
}

async fn down(cluster: &DockerCluster, ep: &lab_engine::Endpoint) -> Exit {
    match cluster.down(&mut |step| progress(step)).await {
        Ok(DownOutcome::Removed { containers, networks, volumes }) => {
            let counts: [(&str, &dyn std::fmt::Display); 4] =
                [("host", &ep.host), ("containers", &containers), ("volumes", &volumes), ("networks", &networks)];
            eprintln!("{}", crate::lang().fill(words::CLUSTER_REMOVED_DOCKER, &counts));
            Exit::Ok
        }
        Ok(DownOutcome::NothingRunning) => {
            eprintln!("{}", crate::lang().fill(words::CLUSTER_NOTHING_RUNNING_ON, &[("host", &ep.host)]));
            Exit::Ok
        }
        Err(e) => fail(e),
    }
}
