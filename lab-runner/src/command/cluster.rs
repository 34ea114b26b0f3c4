//! `lab cluster up|env|shell|status|down`: the learner's practice swarm. Two drivers share
//! these commands: `netns`, private Docker engines on this Linux machine (root; see
//! private-swarm's `practice` module), handled here, and `docker`, node containers on the
//! user's own engine (see [`super::docker_cluster`]). Progress goes to stderr; `env` prints shell lines on stdout for `eval "$(lab cluster env --node N)"`,
//! `status --format json` prints `{"nodes": [...]}` on stdout (rows documented in
//! private-swarm's `status` module); `shell` runs the learner's `$SHELL` on a node. Roles
//! and readiness are always read from the engines (also when a second `up` finds the swarm
//! running), never from the state file, which only knows how the swarm started.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::args::{ClusterCommand, Driver, DriverArgs, StatusFormat, UpArgs};
use crate::exit::{Exit, Kind};
use private_swarm::practice::{DownOutcome, Practice, UpOptions, UpOutcome};
use private_swarm::{ClusterInfo, NodeStatus};

/// The driver `up` uses when not told: netns as root on Linux, docker otherwise.
fn driver_for_up(asked: Option<Driver>) -> Driver {
    asked.unwrap_or(if cfg!(target_os = "linux") && private_swarm::running_as_root() {
        Driver::Netns
    } else {
        Driver::Docker
    })
}

/// The driver of the cluster `env`, `shell`, `status` and `down` act on when not told:
/// docker unless we are root on Linux; as root, netns when its practice swarm runs, else
/// docker when the user's engine has a docker-driver cluster, else netns.
fn driver_of_existing(d: &DriverArgs) -> Driver {
    if let Some(asked) = d.driver {
        return asked;
    }
    if driver_for_up(None) == Driver::Docker || Practice::from_env().env(1).is_ok() {
        return driver_for_up(None);
    }
    if super::docker_cluster::exists(&d.engine) {
        Driver::Docker
    } else {
        Driver::Netns
    }
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
    let driver = match &c {
        ClusterCommand::Up(up) => driver_for_up(up.driver.driver),
        ClusterCommand::Env { driver, .. }
        | ClusterCommand::Shell { driver, .. }
        | ClusterCommand::Status { driver, .. }
        | ClusterCommand::Down { driver } => driver_of_existing(driver),
    };
    if driver == Driver::Docker {
        return super::docker_cluster::run(c);
    }
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

/// The learner's `$SHELL`, else /bin/sh.
pub(crate) fn shell_program() -> String {
    std::env::var("SHELL").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| "/bin/sh".into())
}

/// Runs `cmd` (the shell `program`, maybe wrapped) with the node's prompt and `env`, the
/// other docker variables removed; rc files for bash and zsh go to `rc_dir`.
pub(crate) fn open_shell(
    node: &str,
    mut cmd: Command,
    program: &str,
    rc_dir: &Path,
    env: &[(&str, String)],
    note: &str,
) -> Result<(), Exit> {
    let prompt = format!("{node}$ ");
    match Path::new(program).file_name().and_then(|n| n.to_str()) {
        // bash and zsh read rc files that usually set their own prompt: ours sources the
        // learner's, then sets the node's prompt.
        Some("bash") => {
            let rc = write_rc(
                rc_dir,
                &format!("{node}.bashrc"),
                &format!("[ -f ~/.bashrc ] && . ~/.bashrc\nPS1='{prompt}'\n"),
            )?;
            cmd.arg("--rcfile").arg(rc).arg("-i");
        }
        Some("zsh") => {
            let dir = rc_dir.join(format!("{node}.zsh"));
            write_rc(&dir, ".zshrc", &format!("[ -f ~/.zshrc ] && . ~/.zshrc\nPROMPT='{prompt}'\n"))?;
            cmd.env("ZDOTDIR", dir);
        }
        _ => {}
    }
    for var in ["DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str()))).env("PS1", &prompt).env("SWARM_LAB_NODE", node);
    eprintln!("A shell on {node} ({note}). `exit` comes back.");
    match cmd.status() {
        Ok(_) => Ok(()),
        Err(e) => Err(crate::fail(
            Kind::BadInput,
            format!("cannot start the shell {program}: {e}; set SHELL to a shell that exists"),
        )),
    }
}

fn write_rc(dir: &Path, name: &str, text: &str) -> Result<PathBuf, Exit> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&path, text))
        .map_err(|e| crate::fail(Kind::PracticeSwarm, format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}
