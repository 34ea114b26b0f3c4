//! `lab check LAB`: grade the swarm the docker CLI points at, and print the report.

use super::{find_lab, parse_duration, resolve_endpoint};
use crate::args::{CheckArgs, Format, Global};
use crate::exit::Exit;
use lab_grader::report::{human, junit};
use lab_grader::{check_lab, CheckOptions, Connection, Report, Status};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Progress on stderr while `lab check` re-reads the swarm: one line rewritten in place on
/// a terminal, a plain line every 10 s otherwise (logs, CI).
fn show_wait(r: &Report, elapsed: Duration) {
    static LAST_BUCKET: AtomicU64 = AtomicU64::new(0);
    let pending: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| format!("{} ({})", c.id, c.status.as_str()))
        .collect();
    let line = format!(
        "waiting {:.0}s: {} passed, still waiting on {}",
        elapsed.as_secs_f64(),
        r.count(Status::Pass),
        pending.join(", ")
    );
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K{line}");
    } else {
        let bucket = elapsed.as_secs() / 10 + 1;
        if elapsed.as_secs() >= 10 && LAST_BUCKET.swap(bucket, Ordering::Relaxed) != bucket {
            eprintln!("{line}");
        }
    }
}

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
    let opts = CheckOptions {
        wait,
        only: a.only.clone(),
        skip: a.skip.clone(),
        on_wait: Some(show_wait),
        ..Default::default()
    };
    let result = crate::runtime().block_on(async {
        let conn = Connection::open(&endpoint, timeout).await?;
        check_lab(&lab, &conn, &opts).await
    });
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
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
