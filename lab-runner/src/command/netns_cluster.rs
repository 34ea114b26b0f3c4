//! `lab cluster …` with the netns driver: private Docker engines in network namespaces of
//! this Linux machine, as root (see private-swarm's `practice` module). Linux only: elsewhere
//! `super::cluster` says so. `env`, `status` and `down` are the shared ones of
//! [`super::cluster_driver`]; this module holds the driver's words, its `up` report and its
//! `shell`, which runs the learner's `$SHELL` in a node's network namespace.

use std::path::Path;
use std::process::Command;

use practice_driver::Removed;
use private_swarm::practice::{Practice, UpOptions, UpOutcome};
use private_swarm::ClusterInfo;

use crate::args::{ClusterCommand, UpArgs};
use crate::driver_text::Worded;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_i18n::words;

use super::cluster_driver::{self, progress, ClusterDriver};
use super::node_shell::{open_shell, shell_program};

/// Whether `up` picks this driver when not told: as root.
pub(crate) fn is_default() -> bool {
    private_swarm::running_as_root()
}

/// Whether this machine's netns practice swarm is running.
pub(crate) fn is_running() -> bool {
    Practice::from_env().env(1).is_ok()
}

/// Starts (or finds) the practice swarm; prints what a learner does next.
pub(crate) fn up(ui: &Ui, options: &UpOptions) -> Result<ClusterInfo, Exit> {
    let practice = Practice::from_env();
    let lang = ui.lang;
    let shape = if options.swarm {
        lang.fill(words::CLUSTER_SHAPE, &[("nodes", &options.nodes), ("managers", &options.managers)])
    } else {
        lang.fill(words::CLUSTER_SHAPE_NO_SWARM, &[("nodes", &options.nodes)])
    };
    // `up` says "starting …" itself once it has checked the spec and this machine (root,
    // tools), so nothing claims to start what is then refused.
    let info = match practice.up(options, &mut |step| progress(ui, step)) {
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
        Err(e) => return Err(ui.fail(Kind::PracticeSwarm, e.text(lang))),
    };
    if !private_swarm::ipvs_available() {
        eprintln!("{}", lang.tr(words::NO_IPVS_NOTE));
    }
    Ok(info)
}

/// This machine's netns practice swarm, as `lab cluster` talks about it.
pub(crate) struct NetnsCluster {
    practice: Practice,
    ui: Ui,
}

pub fn run(c: ClusterCommand, ui: &Ui) -> Exit {
    let cluster = NetnsCluster { practice: Practice::from_env(), ui: *ui };
    crate::runtime().block_on(cluster_driver::run(&cluster, c))
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

    async fn up(&self, up: &UpArgs) -> Exit {
        if up.image.is_some() || !up.publish.is_empty() {
            return self.ui.fail(Kind::Usage, self.ui.lang.tr(words::CLUSTER_IMAGE_PUBLISH_DOCKER_ONLY));
        }
        match self::up(&self.ui, &cluster_driver::up_options(up)) {
            Ok(info) => {
                print_up(&self.ui, &self.practice, &info);
                Exit::Ok
            }
            Err(e) => e,
        }
    }

    /// Runs the learner's `$SHELL` (else /bin/sh) as if logged in on the node: DOCKER_HOST
    /// points at its engine, the shell is in the node's network namespace when we are root
    /// (so `curl localhost:PORT` asks that node), and the prompt is the book's `node2$ `.
    async fn shell(&self, number: usize) -> Exit {
        let node = match self.practice.node(number) {
            Ok(n) => n,
            Err(e) => return self.fail(e),
        };
        let program = shell_program();
        let in_netns = private_swarm::check_host().is_ok() && Path::new("/run/netns").join(&node.netns).exists();
        let cmd = if in_netns {
            match node.netns_command(&program) {
                Ok(cmd) => cmd,
                Err(e) => return self.fail(e),
            }
        } else {
            Command::new(&program)
        };
        let env = [("DOCKER_HOST", node.docker_host.clone())];
        let note = if in_netns {
            self.ui.lang.fill(words::SHELL_IN_NETWORK, &[("host", &node.docker_host)])
        } else {
            format!("DOCKER_HOST={}", node.docker_host)
        };
        match open_shell(&self.ui, &node.name, cmd, &program, &self.practice.dir().join("shell"), &env, &note) {
            Ok(()) => Exit::Ok,
            Err(e) => e,
        }
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

/// The nodes as their engines report them now (a second `up` may find roles changed since
/// the first), then what to do next.
fn print_up(ui: &Ui, practice: &Practice, info: &ClusterInfo) {
    let lang = ui.lang;
    match practice.status() {
        Ok(report) => cluster_driver::node_table(lang, &report.nodes).iter().for_each(|l| eprintln!("  {l}")),
        Err(e) => {
            ui.error(lang.fill(words::CLUSTER_NODES_UNREADABLE, &[("error", &e.text(lang))]));
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
