//! `lab demo LAB`: the whole loop in one command — bring up the practice swarm, apply the
//! lab's reference answer (unless the swarm already has services), and check it.

use super::check;
use super::find_lab;
use super::solve::{apply, DockerCli};
use crate::args::{CheckArgs, ClusterSize, DemoArgs, EngineArgs, Format};
use crate::exit::{Exit, Kind};
use lab_i18n::words;
use std::time::Duration;

pub fn run(a: &DemoArgs) -> Exit {
    let lab = match find_lab(&a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let ClusterSize { nodes, managers } = a.size;
    let options = private_swarm::practice::UpOptions { nodes, managers, ..Default::default() };
    let info = match super::netns_cluster::up(&options) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let lang = crate::lang();
    let me = crate::me();
    if !info.swarm {
        return crate::fail(Kind::PracticeSwarm, lang.fill(words::DEMO_NOT_IN_SWARM_MODE, &[("me", &me)]));
    }
    let host = info.nodes[0].docker_host.clone();
    let source = lang.tr(words::PRACTICE_SWARM).into_owned();
    let endpoint = lab_grader::Endpoint { host: host.clone(), tls: None, context: None, source };
    let docker = DockerCli::new(endpoint);
    let services = docker.read(&["service", "ls", "-q"]).unwrap_or_default();
    if services.trim().is_empty() {
        eprintln!("{}", lang.fill(words::DEMO_APPLYING, &[("lab", &lab.id)]));
        if let Err(e) = apply(&lab, &docker, true) {
            return crate::fail(Kind::NotApplied, e);
        }
    } else {
        eprintln!("{}", lang.fill(words::DEMO_HAS_SERVICES, &[("me", &me)]));
    }
    eprintln!("{}\n", lang.fill(words::DEMO_CHECKING, &[("lab", &lab.id)]));
    let args = CheckArgs {
        lab: lab.id.clone(),
        wait: Some(Duration::from_secs(90)),
        format: Format::Human,
        only: vec![],
        skip: vec![],
        timeout: Duration::from_secs(30),
        watch: false,
        engine: EngineArgs { host: Some(host.clone()), context: None },
        labs: a.labs.clone(),
        fix: false,
    };
    let code = check::run_and_record(&args, false);
    eprintln!(
        "\n{}\n  eval \"$({me} cluster env)\"\n  docker service ls\n  {me} check {}\n  {me} cluster down",
        lang.tr(words::DEMO_TRY_IT),
        lab.id
    );
    code
}
