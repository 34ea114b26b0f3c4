//! `lab cluster up|env|status|down`: the learner's practice swarm, private Docker engines
//! on this Linux machine (see private-swarm's `practice` module). Progress goes to stderr;
//! `env` prints shell lines on stdout for `eval "$(lab cluster env)"`.

use crate::args::ClusterCommand;
use crate::exit::Exit;
use private_swarm::practice::{DownOutcome, Practice, UpOutcome};

fn progress(line: &str) {
    eprintln!("  {line}");
}

/// Starts (or finds) the practice swarm; prints what a learner does next.
pub(crate) fn up(nodes: usize, managers: usize) -> Result<private_swarm::ClusterInfo, Exit> {
    let practice = Practice::from_env();
    eprintln!("Starting a practice swarm of {nodes} node(s), {managers} manager(s) in {} …", practice.dir().display());
    match practice.up(nodes, managers, &mut |l| progress(l)) {
        Ok(UpOutcome::Started(info)) => {
            eprintln!("Practice swarm is up: {} node(s).", info.nodes.len());
            Ok(info)
        }
        Ok(UpOutcome::AlreadyRunning(info)) => {
            eprintln!(
                "A practice swarm is already running ({} node(s)); using it. `{} cluster down` first to start a different one.",
                info.nodes.len(),
                crate::me()
            );
            Ok(info)
        }
        Err(e) => {
            crate::error(e);
            Err(Exit::Cluster)
        }
    }
}

pub fn run(c: ClusterCommand) -> Exit {
    let practice = Practice::from_env();
    match c {
        ClusterCommand::Up { nodes, managers } => match up(nodes, managers) {
            Ok(info) => {
                for n in &info.nodes {
                    eprintln!(
                        "  {:<6} {:<8} {:<15} {}",
                        n.name,
                        format!("{:?}", n.role).to_lowercase(),
                        n.addr,
                        n.docker_host
                    );
                }
                eprintln!("Point docker at it with:  eval \"$({} cluster env)\"", crate::me());
                Exit::Ok
            }
            Err(e) => e,
        },
        ClusterCommand::Env => match practice.env() {
            Ok(lines) => {
                for l in lines {
                    println!("{l}");
                }
                Exit::Ok
            }
            Err(e) => {
                crate::error(e);
                Exit::Cluster
            }
        },
        ClusterCommand::Status => match practice.status() {
            Ok(st) => {
                println!(
                    "{:<7} {:<15} {:<8} {:<9} {:<12} {:<10} DOCKER_HOST",
                    "NODE", "ADDRESS", "ROLE", "STATUS", "AVAILABILITY", "MANAGER"
                );
                for n in &st.nodes {
                    let role = n.role.map(|r| format!("{r:?}").to_lowercase()).unwrap_or_else(|| "?".into());
                    let mgr =
                        if n.leader { "Leader".to_string() } else { n.manager_status.clone().unwrap_or_default() };
                    let status = if n.engine_running { n.status.clone() } else { "engine down".into() };
                    println!(
                        "{:<7} {:<15} {:<8} {:<9} {:<12} {:<10} {}",
                        n.name, n.addr, role, status, n.availability, mgr, n.docker_host
                    );
                }
                Exit::Ok
            }
            Err(e) => {
                crate::error(e);
                Exit::Cluster
            }
        },
        ClusterCommand::Down => match practice.down(&mut |l| progress(l)) {
            Ok(DownOutcome::Removed { nodes }) => {
                eprintln!("Practice swarm removed ({nodes} node(s)); nothing is left behind.");
                Exit::Ok
            }
            Ok(DownOutcome::NothingRunning) => {
                eprintln!("No practice swarm was running.");
                Exit::Ok
            }
            Err(e) => {
                crate::error(e);
                Exit::Cluster
            }
        },
    }
}
