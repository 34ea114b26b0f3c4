//! `lab demo LAB`: the whole loop in one command — bring up the practice swarm, apply the
//! lab's reference answer (unless the swarm already has services), and check it.

use super::check;
use super::find_lab;
use super::solve::{apply, DockerCli};
use crate::args::{CheckArgs, Format, Global};
use crate::exit::Exit;

pub fn run(g: &Global, id: &str, nodes: usize, managers: usize) -> Exit {
    let lab = match find_lab(g, id) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let options = private_swarm::practice::UpOptions { nodes, managers, ..Default::default() };
    let info = match super::cluster::up(&options) {
        Ok(i) => i,
        Err(e) => return e,
    };
    if !info.swarm {
        crate::error(format!(
            "the running practice swarm was started outside swarm mode (`cluster up --no-swarm`); \
             `{} cluster down` first, then `{} demo` starts one in swarm mode",
            crate::me(),
            crate::me()
        ));
        return Exit::Cluster;
    }
    let host = info.nodes[0].docker_host.clone();
    let endpoint =
        lab_grader::Endpoint { host: host.clone(), tls: None, context: None, source: "the practice swarm".into() };
    let docker = DockerCli::new(endpoint);
    let services = docker.read(&["service", "ls", "-q"]).unwrap_or_default();
    if services.trim().is_empty() {
        eprintln!("Applying the reference answer of {} …", lab.id);
        if let Err(e) = apply(&lab, &docker, true) {
            crate::error(e);
            return Exit::Failed;
        }
    } else {
        eprintln!(
            "The practice swarm already has services: checking them as they are (`{} cluster down` to start over).",
            crate::me()
        );
    }
    eprintln!("Checking {} (waiting up to 90s for tasks to converge) …\n", lab.id);
    let global = Global { host: Some(host.clone()), context: None, labs: g.labs.clone() };
    let args = CheckArgs {
        lab: lab.id.clone(),
        wait: Some("90s".into()),
        format: Format::Human,
        only: vec![],
        skip: vec![],
        timeout: "30s".into(),
    };
    let code = check::run(&global, &args);
    let me = crate::me();
    eprintln!(
        "\nTry it yourself:\n  eval \"$({me} cluster env)\"\n  docker service ls\n  {me} check {}\n  {me} cluster down",
        lab.id
    );
    code
}
