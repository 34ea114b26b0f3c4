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

use crate::args::{ClusterCommand, Driver, DriverArgs};
use crate::exit::Exit;
use crate::ui::Ui;

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

pub fn run(c: ClusterCommand, ui: &Ui) -> Exit {
    let driver = match &c {
        // Forwarding reads the swarm docker points at, whichever driver (if any) runs it.
        ClusterCommand::Forward(args) => return super::forward::run(args, ui),
        ClusterCommand::Up(up) => driver_for_up(up.driver.driver),
        ClusterCommand::Env { driver, .. }
        | ClusterCommand::Shell { driver, .. }
        | ClusterCommand::Status { driver, .. }
        | ClusterCommand::Down { driver } => driver_of_existing(driver),
    };
    match driver {
        Driver::Docker => super::docker_cluster::run(c, ui),
        #[cfg(target_os = "linux")]
        Driver::Netns => super::netns_cluster::run(c, ui),
        #[cfg(not(target_os = "linux"))]
        Driver::Netns => {
            let what = ui.lang.tr(lab_i18n::words::NETNS_DRIVER).into_owned();
            netns_needs_linux(ui, &what, &format!("`{} cluster up --driver docker`", crate::me()))
        }
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
