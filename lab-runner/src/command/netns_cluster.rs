//! `lab cluster …` with the netns driver: private Docker engines in network namespaces of
//! this Linux machine, as root (see private-swarm's `practice` module). Linux only: elsewhere
//! [`super::cluster`] says so. `status --format json` prints `{"nodes": [...]}` (rows
//! documented in private-swarm's `status` module); `shell` runs the learner's `$SHELL` in a
//! node's network namespace.

use std::path::Path;
use std::process::Command;

use crate::args::{ClusterCommand, StatusFormat, UpArgs};
use crate::exit::{Exit, Kind};
use private_swarm::practice::{DownOutcome, Practice, UpOptions, UpOutcome};
use private_swarm::{ClusterInfo, NodeStatus};

use super::cluster::{open_shell, shell_program};

/// Whether `up` picks this driver when not told: as root.
pub(crate) fn is_default() -> bool {
    private_swarm::running_as_root()
}

/// Whether this machine's netns practice swarm is running.
pub(crate) fn is_running() -> bool {
    Practice::from_env().env(1).is_ok()
}

fn progress(line: &str) {
    eprintln!("  {line}");
}

/// What this machine's missing IPVS means, said once by `up` (the routing-mesh chapter
/// says the same).
pub(crate) const NO_IPVS_NOTE: &str = "\
Note: this machine's kernel has no IPVS (no /proc/net/ip_vs, and the ip_vs module cannot be loaded).
  Ports published through the routing mesh (`-p 8080:80`, ingress mode) will not answer here, and
  neither will service virtual IPs. Services, tasks, overlay networks between containers and every
  `lab check` work. To see load balancing here, use `--endpoint-mode dnsrr` between services or
  `--publish mode=host,...` (see the routing-mesh lesson). On a laptop or VM with IPVS it all works.";

/// Starts (or finds) the practice swarm; prints what a learner does next.
pub(crate) fn up(options: &UpOptions) -> Result<ClusterInfo, Exit> {
    let practice = Practice::from_env();
    let shape = if options.swarm {
        format!("{} node(s), {} manager(s)", options.nodes, options.managers)
    } else {
        format!("{} node(s) outside swarm mode", options.nodes)
    };
    // `up` says "starting …" itself once it has checked the spec and this machine (root,
    // tools), so nothing claims to start what is then refused.
    let info = match practice.up(options, &mut |l| progress(l)) {
        Ok(UpOutcome::Started(info)) => {
            eprintln!("Practice swarm is up: {shape}.");
            info
        }
        Ok(UpOutcome::AlreadyRunning(info)) => {
            eprintln!(
                "A practice swarm is already running ({} node(s){}); using it as it is now. `{} cluster down` first to start a different one.",
                info.nodes.len(),
                if info.swarm { "" } else { ", started outside swarm mode" },
                crate::me()
            );
            info
        }
        Err(e) => return Err(crate::fail(Kind::PracticeSwarm, e)),
    };
    if !private_swarm::ipvs_available() {
        eprintln!("{NO_IPVS_NOTE}");
    }
    Ok(info)
}

pub fn run(c: ClusterCommand) -> Exit {
    let practice = Practice::from_env();
    let result = match c {
        ClusterCommand::Up(up) if up.image.is_some() || !up.publish.is_empty() => {
            Err(crate::fail(Kind::Usage, "--image and --publish work with --driver docker only"))
        }
        ClusterCommand::Up(UpArgs { size, no_swarm, online, .. }) => {
            let options = UpOptions { nodes: size.nodes, managers: size.managers, swarm: !no_swarm, online };
            up(&options).map(|info| print_up(&practice, &info))
        }
        ClusterCommand::Env { node, .. } => practice.env(node).map_err(cluster_error).map(|lines| {
            for l in lines {
                println!("{l}");
            }
        }),
        ClusterCommand::Shell { node, .. } => shell(&practice, node.unwrap_or(1)),
        ClusterCommand::Status { format, .. } => practice.status().map_err(cluster_error).map(|report| match format {
            StatusFormat::Json => {
                println!("{}", serde_json::to_string_pretty(&report).expect("status serializes"));
            }
            StatusFormat::Human => {
                println!(
                    "Driver: netns (private engines in network namespaces of this machine, in {})",
                    practice.dir().display()
                );
                print_status(&report.nodes)
            }
        }),
        ClusterCommand::Down { .. } => {
            practice.down(&mut |l| progress(l)).map_err(cluster_error).map(|outcome| match outcome {
                DownOutcome::Removed { nodes } => eprintln!(
                    "Practice swarm removed ({nodes} node(s)), its folder {} too; nothing is left behind.",
                    practice.dir().display()
                ),
                DownOutcome::NothingRunning => eprintln!("No practice swarm was running."),
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
    crate::fail(kind, e)
}

/// The nodes as their engines report them now (a second `up` may find roles changed since
/// the first), then what to do next.
fn print_up(practice: &Practice, info: &ClusterInfo) {
    match practice.status() {
        Ok(report) => status_table(&report.nodes).iter().for_each(|l| eprintln!("  {l}")),
        Err(e) => {
            crate::error(format!("the swarm is up, but its nodes could not be read: {e}"));
            for n in &info.nodes {
                eprintln!("  {:<6} {:<15} {}", n.name, n.addr, n.docker_host);
            }
        }
    }
    let me = crate::me();
    if info.online {
        eprintln!("The nodes reach the internet through this machine (NAT); services pull the real images.");
        if private_swarm::resolver_is_loopback_only() {
            eprintln!(
                "Warning: /etc/resolv.conf names only a local resolver (like systemd-resolved's 127.0.0.53), which \
                 the nodes cannot reach from their own network: image pulls will fail to resolve registry names. \
                 Point /etc/resolv.conf at a real DNS server (e.g. link /run/systemd/resolve/resolv.conf) and \
                 run `cluster down` and `cluster up --online` again."
            );
        }
    }
    eprintln!("Point docker at node1 with:  eval \"$({me} cluster env)\"");
    if info.nodes.len() > 1 {
        eprintln!("A shell on node2 (the book's `node2$` prompt):  {me} cluster shell node2");
    }
    if !info.swarm {
        eprintln!(
            "The engines are outside swarm mode: start one with `docker swarm init --advertise-addr {}`.",
            info.nodes[0].addr
        );
    }
}

fn print_status(nodes: &[NodeStatus]) {
    status_table(nodes).iter().for_each(|l| println!("{l}"));
}

/// The lines of the node table: a header, then one line per node.
fn status_table(nodes: &[NodeStatus]) -> Vec<String> {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut lines = vec![format!(
        "{:<7} {:<15} {:<9} {:<8} {:<8} {:<12} {:<12} DOCKER_HOST",
        "NODE", "ADDRESS", "SWARM", "ROLE", "STATE", "AVAILABILITY", "MANAGER"
    )];
    for n in nodes {
        let swarm = n.swarm.clone().unwrap_or_else(|| "no engine".into());
        lines.push(format!(
            "{:<7} {:<15} {:<9} {:<8} {:<8} {:<12} {:<12} {}",
            n.name,
            n.address,
            swarm,
            dash(&n.role),
            dash(&n.state),
            dash(&n.availability),
            dash(&n.manager_status),
            n.docker_host
        ));
    }
    lines
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
    let note = format!("DOCKER_HOST={}{}", node.docker_host, if in_netns { ", in its network" } else { "" });
    open_shell(&node.name, cmd, &program, &practice.dir().join("shell"), &env, &note)
}
