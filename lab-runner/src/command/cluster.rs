//! `lab cluster up|env|shell|status|down`: the learner's practice swarm (`forward` is
//! [`super::forward`]'s). Two drivers share these commands: `netns`, private Docker
//! engines on this Linux machine (root; see [`super::netns_cluster`], Linux only), and
//! `docker`, node containers on the user's own engine (see [`super::docker_cluster`]);
//! this module picks one, and [`super::cluster_driver`] runs the command against it
//! (written once for both; the node table is [`super::status_table`]'s, the shell
//! [`super::node_shell`]'s). Progress goes to stderr; `env` prints shell lines on stdout for
//! `eval "$(lab cluster env --node N)"`; `status --format json` prints `{"nodes": [...]}`
//! on stdout. Roles and readiness are always read from the engines (also when a second
//! `up` finds the swarm running), never from a state file, which only knows how the swarm
//! started.

use crate::args::{ClusterCommand, Driver, DriverArgs, StatusFormat, UpArgs};
use crate::env_lines::EnvShell;
use crate::exit::Exit;
use crate::ui::Ui;
use practice_driver::UpOptions;

/// `lab cluster up|env|shell|status|down` as asked, every flag checked and resolved before
/// the driver does anything: the driver, what is asked of it and, for the docker driver,
/// the engine the nodes run on, found once.
pub(crate) struct ClusterConfig {
    pub action: Action,
    pub driver: DriverConfig,
}

/// What a `lab cluster` command asks of the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Up(UpOptions),
    Env { node: usize, shell: Option<EnvShell> },
    Shell { node: usize },
    Status { format: StatusFormat },
    Down,
}

/// The driver a command runs with, and what only it needs.
// One per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum DriverConfig {
    /// Node containers on `engine`, made as `setup` says (`up`'s `--image` and `--publish`).
    Docker { engine: lab_engine::Endpoint, setup: docker_nodes::NodeSetup },
    /// Private engines on this Linux machine.
    #[cfg(target_os = "linux")]
    Netns,
}

/// What a command line asks before the driver is known: `up`'s flags are the driver's to take.
enum Asked {
    Up(UpArgs),
    Other(Action),
}

impl ClusterConfig {
    /// The flags of a `lab cluster` command other than `forward`, checked in this order:
    /// `up`'s size, the driver, the docker driver's engine, what the driver takes of `up`'s
    /// flags. Errors are reported.
    pub fn new(c: ClusterCommand, ui: &Ui) -> Result<ClusterConfig, Exit> {
        let (args, asked) = match c {
            ClusterCommand::Up(up) => {
                up.size.check(ui.lang).map_err(|msg| crate::usage_fail(ui, &msg))?;
                (up.driver.clone(), Asked::Up(up))
            }
            ClusterCommand::Env { node, shell, driver } => (driver, Asked::Other(Action::Env { node, shell })),
            ClusterCommand::Shell { node, driver } => (driver, Asked::Other(Action::Shell { node: node.unwrap_or(1) })),
            ClusterCommand::Status { format, driver } => (driver, Asked::Other(Action::Status { format })),
            ClusterCommand::Down { driver } => (driver, Asked::Other(Action::Down)),
            ClusterCommand::Forward(_) => unreachable!("`lab cluster forward` reads any swarm, with no driver"),
        };
        let chosen = match asked {
            Asked::Up(_) => driver_for_up(args.driver),
            Asked::Other(_) => driver_of_existing(&args),
        };
        let (driver, action) = match (chosen, asked) {
            (Driver::Docker, asked) => {
                let engine = super::docker_cluster::engine(ui, &args.engine)?;
                let (setup, action) = match asked {
                    Asked::Up(up) => {
                        let (options, setup) = super::docker_cluster::options(ui, &up)?;
                        (setup, Action::Up(options))
                    }
                    Asked::Other(action) => (docker_nodes::NodeSetup::default(), action),
                };
                (DriverConfig::Docker { engine, setup }, action)
            }
            #[cfg(target_os = "linux")]
            (Driver::Netns, Asked::Up(up)) => {
                (DriverConfig::Netns, Action::Up(super::netns_cluster::options(ui, &up)?))
            }
            #[cfg(target_os = "linux")]
            (Driver::Netns, Asked::Other(action)) => (DriverConfig::Netns, action),
            #[cfg(not(target_os = "linux"))]
            (Driver::Netns, _) => {
                let what = ui.lang.tr(lab_i18n::words::NETNS_DRIVER).into_owned();
                return Err(netns_needs_linux(ui, &what, &format!("`{} cluster up --driver docker`", crate::me())));
            }
        };
        Ok(ClusterConfig { action, driver })
    }
}

/// The driver `up` uses when not told: netns as root on Linux, docker otherwise.
pub(crate) fn driver_for_up(asked: Option<Driver>) -> Driver {
    #[cfg(target_os = "linux")]
    let netns = super::netns_cluster::is_default();
    #[cfg(not(target_os = "linux"))]
    let netns = false;
    asked.unwrap_or(if netns { Driver::Netns } else { Driver::Docker })
}

/// The driver of the cluster `env`, `shell`, `status` and `down` act on when not told:
/// docker unless we are root on Linux; as root, netns when its practice swarm runs, else
/// docker when the user's engine has a docker-driver cluster, else netns.
fn driver_of_existing(d: &DriverArgs) -> Driver {
    if let Some(asked) = d.driver {
        return asked;
    }
    #[cfg(target_os = "linux")]
    if driver_for_up(None) == Driver::Netns
        && !super::netns_cluster::is_running()
        && super::docker_cluster::exists(&d.engine)
    {
        return Driver::Docker;
    }
    driver_for_up(None)
}

/// Runs a `lab cluster` command with its driver.
pub fn run(c: ClusterConfig, ui: &Ui) -> Exit {
    match c.driver {
        DriverConfig::Docker { engine, setup } => super::docker_cluster::run(engine, setup, c.action, ui),
        #[cfg(target_os = "linux")]
        DriverConfig::Netns => super::netns_cluster::run(c.action, ui),
    }
}

/// Says that `what` needs the netns driver, so Linux and root, and what to do `instead` on
/// this system with the docker driver (exit 2).
#[cfg(not(target_os = "linux"))]
pub(crate) fn netns_needs_linux(ui: &Ui, what: &str, instead: &str) -> Exit {
    let values: [(&str, &dyn std::fmt::Display); 3] =
        [("what", &what), ("os", &std::env::consts::OS), ("instead", &instead)];
    ui.fail(crate::exit::Kind::Usage, ui.lang.fill(lab_i18n::words::NETNS_NEEDS_LINUX, &values))
}
