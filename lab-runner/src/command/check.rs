//! `lab check LAB`: grade the swarm the docker CLI points at, and print the report.

use super::{find_lab, parse_duration, resolve_endpoint};
use crate::args::{CheckArgs, Format, Global};
use crate::exit::Exit;
use lab_grader::report::{human, junit};
use lab_grader::{check_lab, CheckOptions, Connection};

pub fn run(g: &Global, a: &CheckArgs) -> Exit {
    let lab = match find_lab(g, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    for id in a.only.iter().chain(&a.skip) {
        if lab.check(id).is_none() {
            let ids: Vec<&str> = lab.checks.iter().map(|c| c.id.as_str()).collect();
            crate::error(format!("lab {} has no check `{id}` (its checks: {})", lab.id, ids.join(", ")));
            return Exit::BadInput;
        }
    }
    let wait = match a.wait.as_deref().map(|w| parse_duration("wait", w)).transpose() {
        Ok(w) => w,
        Err(e) => return e,
    };
    let timeout = match parse_duration("timeout", &a.timeout) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let endpoint = match resolve_endpoint(g) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let opts = CheckOptions { wait, only: a.only.clone(), skip: a.skip.clone(), ..Default::default() };
    let result = crate::runtime().block_on(async {
        let conn = Connection::open(&endpoint, timeout).await?;
        check_lab(&lab, &conn, &opts).await
    });
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            crate::error(format!("{e} (endpoint from {})", endpoint.source));
            return Exit::Cluster;
        }
    };
    match a.format {
        Format::Human => print!("{}", human::render(&report, human::Style { color: crate::stdout_color() })),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default()),
        Format::Junit => println!("{}", junit::render(&report)),
    }
    if report.passed {
        Exit::Ok
    } else {
        Exit::Failed
    }
}
