//! `lab demo LAB`: the whole loop in one command — bring up the practice swarm (with the
//! driver `lab cluster up` would use, or `--driver`), apply the lab's reference answer
//! (unless the swarm already has services), and check it.

use super::check::{self, CheckConfig};
use super::find_lab;
use super::solve::{apply, DockerCli, FillError};
use crate::args::{ClusterSize, DemoArgs, Driver};
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_i18n::words;
use lab_schema::Lab;

/// `lab demo` as asked, every flag checked and resolved before the practice swarm is
/// started: its size, the lab, the driver (as `cluster up` picks it, or `--driver`) and,
/// for the docker driver, the engine the nodes run on, found once.
pub(crate) struct DemoConfig {
    pub lab: Lab,
    pub size: ClusterSize,
    pub swarm: DemoSwarm,
}

/// Where `lab demo`'s practice swarm runs.
pub(crate) enum DemoSwarm {
    /// The docker driver's node containers, on this engine.
    Docker(lab_engine::Endpoint),
    /// The netns driver's private engines on this Linux machine.
    #[cfg(target_os = "linux")]
    Netns,
}

impl DemoConfig {
    /// `lab demo`'s flags, checked in this order: the size, the lab, the driver, the docker
    /// driver's engine. Errors are reported.
    pub fn new(a: &DemoArgs, ui: &Ui) -> Result<DemoConfig, Exit> {
        a.size.check(ui.lang).map_err(|msg| crate::usage_fail(ui, &msg))?;
        let lab = find_lab(ui, &a.labs, &a.lab)?;
        let swarm = match super::cluster::driver_for_up(a.driver.driver) {
            Driver::Docker => DemoSwarm::Docker(super::docker_cluster::engine(ui, &a.driver.engine)?),
            #[cfg(target_os = "linux")]
            Driver::Netns => DemoSwarm::Netns,
            #[cfg(not(target_os = "linux"))]
            Driver::Netns => {
                return Err(super::cluster::netns_needs_linux(
                    ui,
                    "`lab demo --driver netns`",
                    &format!("`{} demo {} --driver docker`", crate::me(), a.lab),
                ))
            }
        };
        Ok(DemoConfig { lab, size: a.size, swarm })
    }
}

pub fn run(c: &DemoConfig, ui: &Ui) -> Exit {
    let lab = &c.lab;
    let lang = ui.lang;
    let me = crate::me();
    let (endpoint, swarm) = match practice_swarm(ui, c) {
        Ok(up) => up,
        Err(e) => return e,
    };
    if !swarm {
        return ui.fail(Kind::PracticeSwarm, lang.fill(words::DEMO_NOT_IN_SWARM_MODE, &[("me", &me)]));
    }
    let docker = DockerCli::new(endpoint.clone());
    let services = docker.read(&["service", "ls", "-q"]).unwrap_or_default();
    if services.trim().is_empty() {
        eprintln!("{}", lang.fill(words::DEMO_APPLYING, &[("lab", &lab.id)]));
        match apply(lang, lab, &docker, true) {
            Ok(()) => {}
            Err(FillError::Refused(e)) => return ui.fail(Kind::BadInput, e),
            Err(FillError::Other(e)) => return ui.fail(Kind::NotApplied, e),
        }
    } else {
        eprintln!("{}", lang.fill(words::DEMO_HAS_SERVICES, &[("me", &me)]));
    }
    eprintln!("{}\n", lang.fill(words::DEMO_CHECKING, &[("lab", &lab.id)]));
    let code = check::run(&CheckConfig::for_demo(ui, lab.clone(), endpoint));
    eprintln!(
        "\n{}\n  eval \"$({me} cluster env)\"\n  docker service ls\n  {me} check {}\n  {me} cluster down",
        lang.tr(words::DEMO_TRY_IT),
        lab.id
    );
    code
}

/// Starts (or finds) the practice swarm, and returns node1's engine and whether the nodes
/// are in swarm mode.
fn practice_swarm(ui: &Ui, c: &DemoConfig) -> Result<(lab_engine::Endpoint, bool), Exit> {
    match &c.swarm {
        DemoSwarm::Docker(engine) => super::docker_cluster::up_for_demo(ui, engine.clone(), c.size),
        #[cfg(target_os = "linux")]
        DemoSwarm::Netns => {
            let (nodes, managers) = (c.size.nodes, c.size.managers);
            let options = private_swarm::practice::UpOptions { nodes, managers, ..Default::default() };
            let info = super::netns_cluster::up(ui, &options)?;
            let source = ui.lang.tr(words::PRACTICE_SWARM).into_owned();
            let host = info.nodes[0].docker_host.clone();
            Ok((lab_engine::Endpoint { host, tls: None, context: None, source }, info.swarm))
        }
    }
}
