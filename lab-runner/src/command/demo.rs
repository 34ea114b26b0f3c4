//! `lab demo LAB`: the whole loop in one command — bring up the practice swarm, apply the
//! lab's reference answer (unless the swarm already has services), and check it.

use super::check;
use super::find_lab;
use super::solve::{apply, DockerCli};
use crate::args::{CheckArgs, ClusterSize, DemoArgs, EngineArgs, Format};
use crate::exit::{Exit, Kind};
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
    if !info.swarm {
        return crate::fail(
            Kind::PracticeSwarm,
            format!(
                "the running practice swarm was started outside swarm mode (`cluster up --no-swarm`); \
                 `{} cluster down` first, then `{} demo` starts one in swarm mode",
                crate::me(),
                crate::me()
            ),
        );
    }
    let host = info.nodes[0].docker_host.clone();
    let endpoint =
        lab_grader::Endpoint { host: host.clone(), tls: None, context: None, source: "the practice swarm".into() };
    let docker = DockerCli::new(endpoint);
    let services = docker.read(&["service", "ls", "-q"]).unwrap_or_default();
    if services.trim().is_empty() {
        eprintln!("Applying the reference answer of {} …", lab.id);
        if let Err(e) = apply(&lab, &docker, true) {
            return crate::fail(Kind::NotApplied, e);
        }
    } else {
        eprintln!(
            "The practice swarm already has services: checking them as they are (`{} cluster down` to start over).",
            crate::me()
        );
    }
    eprintln!("Checking {} (waiting up to 90s for tasks to converge) …\n", lab.id);
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
    let me = crate::me();
    eprintln!(
        "\nTry it yourself:\n  eval \"$({me} cluster env)\"\n  docker service ls\n  {me} check {}\n  {me} cluster down",
        lab.id
    );
    code
}
