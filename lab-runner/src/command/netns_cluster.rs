//! `lab cluster …` with the netns driver: private Docker engines in network namespaces of
//! this Linux machine, as root (see private-swarm's `practice` module). Linux only: elsewhere
//! `super::cluster` says so. The commands are the shared ones of [`super::cluster_driver`];
//! this module holds the driver's words, what its `up` reports and how its `shell` runs
//! the learner's `$SHELL` in a node's network namespace.

use std::path::Path;
use std::process::Command;

use practice_driver::Removed;
use private_swarm::practice::{Practice, UpOptions, UpOutcome};
use private_swarm::ClusterInfo;

use crate::args::UpArgs;
use crate::driver_text::Worded;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_i18n::words;

use super::cluster::Action;
use super::cluster_driver::{self, ClusterDriver, ShellSession};

/// Whether `up` picks this driver when not told: as root.
pub(crate) fn is_default() -> bool {
    private_swarm::running_as_root()
}

/// Whether this machine's netns practice swarm is running.
pub(crate) fn is_running() -> bool {
    Practice::from_env().env(1).is_ok()
}

/// `lab demo`'s practice swarm: starts (or finds) it as `up` does and says which, then
/// whether the routing mesh can carry traffic here.
pub(crate) fn up(ui: &Ui, options: &UpOptions) -> Result<ClusterInfo, Exit> {
    let cluster = NetnsCluster { practice: Practice::from_env(), ui: *ui };
    let info = crate::runtime().block_on(cluster_driver::start(&cluster, options))?;
    ipvs_note(ui);
    Ok(info)
}

/// Without IPVS, says that published ports and VIPs do not answer on this machine.
fn ipvs_note(ui: &Ui) {
    if !private_swarm::ipvs_available() {
        eprintln!("{}", ui.lang.tr(words::NO_IPVS_NOTE));
    }
}

/// This machine's netns practice swarm, as `lab cluster` talks about it.
pub(crate) struct NetnsCluster {
    practice: Practice,
    ui: Ui,
}

/// Runs `action` with this machine's netns practice swarm.
pub fn run(action: Action, ui: &Ui) -> Exit {
    let cluster = NetnsCluster { practice: Practice::from_env(), ui: *ui };
    crate::runtime().block_on(cluster_driver::run(&cluster, action))
}

/// `up`'s options as the learner asked for them; a usage error for the docker driver's own
/// flags (`--image`, `--publish`).
pub(crate) fn options(ui: &Ui, up: &UpArgs) -> Result<UpOptions, Exit> {
    if up.image.is_some() || !up.publish.is_empty() {
        return Err(ui.fail(Kind::Usage, ui.lang.tr(words::CLUSTER_IMAGE_PUBLISH_DOCKER_ONLY)));
    }
    Ok(cluster_driver::up_options(up))
}

impl ClusterDriver for NetnsCluster {
    type Driver = Practice;

    fn driver(&self) -> &Practice {
        &self.practice
    }

    fn ui(&self) -> &Ui {
        &self.ui
    }

    fn fail(&self, e: private_swarm::HarnessError) -> Exit {
        let kind = match e {
            private_swarm::HarnessError::NoSuchNode { .. } => Kind::BadInput,
            _ => Kind::PracticeSwarm,
        };
        self.ui.fail(kind, e.text(self.ui.lang))
    }

    // `up` says "starting …" itself once it has checked the spec and this machine (root,
    // tools), so nothing claims to start what is then refused.

    fn outcome(&self, outcome: &UpOutcome, options: &UpOptions) -> String {
        let lang = self.ui.lang;
        match outcome {
            UpOutcome::Started(_) => {
                let shape = if options.swarm {
                    lang.fill(words::CLUSTER_SHAPE, &[("nodes", &options.nodes), ("managers", &options.managers)])
                } else {
                    lang.fill(words::CLUSTER_SHAPE_NO_SWARM, &[("nodes", &options.nodes)])
                };
                lang.fill(words::CLUSTER_IS_UP, &[("shape", &shape)])
            }
            UpOutcome::AlreadyRunning(info) => {
                let template =
                    if info.swarm { words::CLUSTER_ALREADY_RUNNING } else { words::CLUSTER_ALREADY_RUNNING_NO_SWARM };
                lang.fill(template, &[("nodes", &info.nodes.len()), ("me", &crate::me())])
            }
        }
    }

    /// Whether the routing mesh works here, then the nodes as their engines report them now
    /// (a second `up` may find roles changed since the first), and what online nodes need.
    async fn report(&self, info: &ClusterInfo) {
        ipvs_note(&self.ui);
        let lang = self.ui.lang;
        match self.practice.status() {
            Ok(report) => cluster_driver::node_table(lang, &report.nodes).iter().for_each(|l| eprintln!("  {l}")),
            Err(e) => {
                self.ui.error(lang.fill(words::CLUSTER_NODES_UNREADABLE, &[("error", &e.text(lang))]));
                for n in &info.nodes {
                    eprintln!("  {:<6} {:<15} {}", n.name, n.addr, n.docker_host);
                }
            }
        }
        if info.online {
            eprintln!("{}", lang.tr(words::CLUSTER_ONLINE));
            if private_swarm::resolver_is_loopback_only() {
                eprintln!("{}", lang.tr(words::CLUSTER_LOOPBACK_RESOLVER));
            }
        }
    }

    fn node_count(&self, info: &ClusterInfo) -> usize {
        info.nodes.len()
    }

    const SHELL_HINT: &'static str = words::CLUSTER_SHELL_HINT;

    fn after_next_steps(&self, info: &ClusterInfo) {
        if !info.swarm {
            eprintln!("{}", self.ui.lang.fill(words::CLUSTER_NO_SWARM_NETNS, &[("address", &info.nodes[0].addr)]));
        }
    }

    /// DOCKER_HOST points at the node's engine, and the shell is in the node's network
    /// namespace when we are root (so `curl localhost:PORT` asks that node).
    async fn shell_session(&self, number: usize, program: &str) -> Result<ShellSession, Exit> {
        let node = self.practice.node(number).map_err(|e| self.fail(e))?;
        let in_netns = private_swarm::check_host().is_ok() && Path::new("/run/netns").join(&node.netns).exists();
        let command =
            if in_netns { node.netns_command(program).map_err(|e| self.fail(e))? } else { Command::new(program) };
        let note = if in_netns {
            self.ui.lang.fill(words::SHELL_IN_NETWORK, &[("host", &node.docker_host)])
        } else {
            format!("DOCKER_HOST={}", node.docker_host)
        };
        Ok(ShellSession {
            name: node.name.clone(),
            command,
            env: vec![("DOCKER_HOST", node.docker_host.clone())],
            rc_dir: self.practice.dir().join("shell"),
            note,
        })
    }

    async fn status_header(&self) -> Result<String, Exit> {
        Ok(self.ui.lang.fill(words::CLUSTER_DRIVER_NETNS, &[("dir", &self.practice.dir().display())]))
    }

    fn removed(&self, removed: &Removed) -> String {
        let values: [(&str, &dyn std::fmt::Display); 2] =
            [("nodes", &removed.nodes), ("dir", &self.practice.dir().display())];
        self.ui.lang.fill(words::CLUSTER_REMOVED, &values)
    }

    fn nothing_running(&self) -> String {
        self.ui.lang.tr(words::CLUSTER_NOTHING_RUNNING).into_owned()
    }
}
