//! `lab cluster …` with the netns driver: private Docker engines in network namespaces of
//! this Linux machine, as root (see private-swarm's `practice` module). Linux only: elsewhere
//! [`super::cluster`] says so. `status --format json` prints `{"nodes": [...]}` (rows
//! documented in private-swarm's `status` module); `shell` runs the learner's `$SHELL` in a
//! node's network namespace.

use std::path::Path;
use std::process::Command;

use crate::args::{ClusterCommand, StatusFormat, UpArgs};
use crate::driver_text::Worded;
use crate::exit::{Exit, Kind};
use lab_i18n::words;
use private_swarm::practice::{DownOutcome, Practice, UpOptions, UpOutcome};
use private_swarm::{ClusterInfo, NodeStatus};

use super::cluster::{open_shell, shell_program, status_table, StatusRow};

/// Whether `up` picks this driver when not told: as root.
pub(crate) fn is_default() -> bool {
    private_swarm::running_as_root()
}

/// Whether this machine's netns practice swarm is running.
pub(crate) fn is_running() -> bool {
    Practice::from_env().env(1).is_ok()
}

fn progress(step: &private_swarm::Progress) {
    eprintln!("  {}", step.text(crate::lang()));
}

/// Starts (or finds) the practice swarm; prints what a learner does next.
pub(crate) fn up(options: &UpOptions) -> Result<ClusterInfo, Exit> {
    let practice = Practice::from_env();
    let lang = crate::lang();
    let shape = if options.swarm {
        lang.fill(words::CLUSTER_SHAPE, &[("nodes", &options.nodes), ("managers", &options.managers)])
    } else {
        lang.fill(words::CLUSTER_SHAPE_NO_SWARM, &[("nodes", &options.nodes)])
    };
    // `up` says "starting …" itself once it has checked the spec and this machine (root,
    // tools), so nothing claims to start what is then refused.
    let info = match practice.up(options, &mut |step| progress(step)) {
        Ok(UpOutcome::Started(info)) => {
            eprintln!("{}", lang.fill(words::CLUSTER_IS_UP, &[("shape", &shape)]));
            info
        }
        Ok(UpOutcome::AlreadyRunning(info)) => {
            let template =
                if info.swarm { words::CLUSTER_ALREADY_RUNNING } else { words::CLUSTER_ALREADY_RUNNING_NO_SWARM };
            eprintln!("{}", lang.fill(template, &[("nodes", &info.nodes.len()), ("me", &crate::me())]));
            info
        }
        Err(e) => return Err(crate::fail(Kind::PracticeSwarm, e.text(lang))),
    };
    if !private_swarm::ipvs_available() {
        eprintln!("{}", lang.tr(words::NO_IPVS_NOTE));
    }
    Ok(info)
}

pub fn run(c: ClusterCommand) -> Exit {
    let practice = Practice::from_env();
    let result = match c {
        ClusterCommand::Up(up) if up.image.is_some() || !up.publish.is_empty() => {
            Err(crate::fail(Kind::Usage, crate::lang().tr(words::CLUSTER_IMAGE_PUBLISH_DOCKER_ONLY)))
        }
        ClusterCommand::Up(UpArgs { size, no_swarm, online, .. }) => {
            let options = UpOptions { nodes: size.nodes, managers: size.managers, swarm: !no_swarm, online };
            up(&options).map(|info| print_up(&practice, &info))
        }
        ClusterCommand::Env { node, shell, .. } => {
            practice.env_vars(node).map_err(cluster_error).map(|vars| crate::env_lines::print(&vars, node, shell))
        }
        ClusterCommand::Shell { node, .. } => shell(&practice, node.unwrap_or(1)),
        ClusterCommand::Status { format, .. } => practice.status().map_err(cluster_error).map(|report| match format {
            StatusFormat::Json => {
                println!("{}", lab_engine::untrusted::json(&report, true));
            }
            StatusFormat::Human => {
                println!("{}", crate::lang().fill(words::CLUSTER_DRIVER_NETNS, &[("dir", &practice.dir().display())]));
                print_status(&report.nodes)
            }
        }),
        ClusterCommand::Forward(args) => return super::forward::run(&args),
        ClusterCommand::Down { .. } => {
            practice.down(&mut |step| progress(step)).map_err(cluster_error).map(|outcome| match outcome {
                DownOutcome::Removed { nodes } => eprintln!(
                    "{}",
                    crate::lang()
                        .fill(words::CLUSTER_REMOVED, &[("nodes", &nodes), ("dir", &practice.dir().display())])
                ),
                DownOutcome::NothingRunning => eprintln!("{}", crate::lang().tr(words::CLUSTER_NOTHING_RUNNING)),
            })
        }
    };
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => e,
    }
}

fn cluster_error(e: private_swarm::HarnessError) -> Exit {
    let kind = match e {
        private_swarm::HarnessError::NoSuchNode { .. } => Kind::BadInput,
        _ => Kind::PracticeSwarm,
    };
    crate::fail(kind, e.text(crate::lang()))
}

/// The nodes as their engines report them now (a second `up` may find roles changed since
/// the first), then what to do next.
fn print_up(practice: &Practice, info: &ClusterInfo) {
    let lang = crate::lang();
    match practice.status() {
        Ok(report) => node_table(&report.nodes).iter().for_each(|l| eprintln!("  {l}")),
        Err(e) => {
            crate::error(lang.fill(words::CLUSTER_NODES_UNREADABLE, &[("error", &e.text(lang))]));
            for n in &info.nodes {
                eprintln!("  {:<6} {:<15} {}", n.name, n.addr, n.docker_host);
            }
        }
    }
    let me = crate::me();
    if info.online {
        eprintln!("{}", lang.tr(words::CLUSTER_ONLINE));
        if private_swarm::resolver_is_loopback_only() {
            eprintln!("{}", lang.tr(words::CLUSTER_LOOPBACK_RESOLVER));
        }
    }
    eprintln!("{}", lang.fill(words::CLUSTER_POINT_DOCKER, &[("me", &me)]));
    if info.nodes.len() > 1 {
        eprintln!("{}", lang.fill(words::CLUSTER_SHELL_HINT, &[("me", &me)]));
    }
    if !info.swarm {
        eprintln!("{}", lang.fill(words::CLUSTER_NO_SWARM_NETNS, &[("address", &info.nodes[0].addr)]));
    }
}

fn print_status(nodes: &[NodeStatus]) {
    node_table(nodes).iter().for_each(|l| println!("{l}"));
}

/// The lines of the node table: a header, then one line per node.
fn node_table(nodes: &[NodeStatus]) -> Vec<String> {
    let no_engine = crate::lang().tr(words::STATUS_NO_ENGINE).into_owned();
    let rows: Vec<StatusRow> = nodes
        .iter()
        .map(|n| StatusRow {
            name: &n.name,
            address: &n.address,
            swarm: n.swarm.clone().unwrap_or_else(|| no_engine.clone()),
            role: &n.role,
            state: &n.state,
            availability: &n.availability,
            manager_status: &n.manager_status,
            docker_host: &n.docker_host,
        })
        .collect();
    status_table(&rows)
}

/// Runs the learner's `$SHELL` (else /bin/sh) as if logged in on the node: DOCKER_HOST
/// points at its engine, the shell is in the node's network namespace when we are root (so
/// `curl localhost:PORT` asks that node), and the prompt is the book's `node2$ `.
fn shell(practice: &Practice, number: usize) -> Result<(), Exit> {
    let node = practice.node(number).map_err(cluster_error)?;
    let program = shell_program();
    let in_netns = private_swarm::check_host().is_ok() && Path::new("/run/netns").join(&node.netns).exists();
    let cmd = if in_netns { node.netns_command(&program).map_err(cluster_error)? } else { Command::new(&program) };
    let env = [("DOCKER_HOST", node.docker_host.clone())];
    let note = if in_netns {
        crate::lang().fill(words::SHELL_IN_NETWORK, &[("host", &node.docker_host)])
    } else {
        format!("DOCKER_HOST={}", node.docker_host)
    };
    open_shell(&node.name, cmd, &program, &practice.dir().join("shell"), &env, &note)
}
