//! `feedback/<learner>.md`: what a learner reads after grading. A graded cluster gets the
//! `lab check` report in Markdown (every failed check with expected and found, hint and
//! fix); a cluster that could not be graded gets what went wrong, what to fix, and the
//! checks that will be graded once it can be read. Integrity flags are for the instructor
//! and never appear here.

use super::{GradeStatus, LabHeader, LearnerResult};
use crate::report::markdown;
use std::fmt::Write;

/// What a learner can do about a cluster that could not be graded.
pub fn what_to_fix(status: GradeStatus, endpoint: &str) -> String {
    match status {
        GradeStatus::Graded => String::new(),
        GradeStatus::Unreachable => format!(
            "Nothing answered at `{endpoint}`. Make sure the engine is running (`docker info` on that machine), that the \
             roster has the address you meant to submit, and that the grading machine can reach it: for `tcp://`, the \
             daemon listens on that address and port and no firewall blocks it; for `ssh://`, your instructor's key is \
             authorised on that machine."
        ),
        GradeStatus::TlsError => format!(
            "The TLS handshake with `{endpoint}` failed. The engine's server certificate must be signed by the CA your \
             instructor has, and name the address in the roster (an IP or DNS entry in its subjectAltName); the engine \
             must trust the CA of the client certificate (`dockerd --tlsverify --tlscacert ca.pem --tlscert server-cert.pem \
             --tlskey server-key.pem`). Try it yourself: `docker --tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey \
             key.pem -H {endpoint} info`."
        ),
        GradeStatus::NotSwarm => "The engine answers, but it is not in swarm mode. Run `docker swarm init` on it (or \
             join it to your swarm), or, if your swarm runs on other machines, point the endpoint at a manager of that swarm."
            .to_string(),
        GradeStatus::NotManager => "The endpoint is a worker node: workers cannot list services, tasks or nodes, so \
             nothing could be graded. Point the endpoint at a manager: on a manager, `docker node ls` shows the managers \
             (MANAGER STATUS `Leader` or `Reachable`); submit that node's address. Or promote this node from a manager: \
             `docker node promote <node>`."
            .to_string(),
        GradeStatus::Timeout => "The engine accepted the connection but did not answer in time. Check that it is healthy \
             (`docker info` should answer at once) and not overloaded, and that nothing in between (a proxy, an SSH tunnel) \
             holds the connection open without forwarding it."
            .to_string(),
        GradeStatus::Error => "The engine answered with an error. Run `docker info` and `docker service ls` against the \
             endpoint and fix what they report."
            .to_string(),
    }
}

/// The feedback page of one learner.
pub fn render(class: &LabHeader, l: &LearnerResult) -> String {
    let mut out = String::new();
    match &l.report {
        Some(report) => out.push_str(&markdown::render(report)),
        None => {
            let _ = writeln!(out, "# {} — {}\n", class.lab, class.title);
            let _ =
                writeln!(out, "**Score: 0/{} — your cluster could not be graded ({})**\n", class.max_score, l.status);
            let _ = writeln!(out, "## What went wrong\n\n{}\n", l.message);
            let _ = writeln!(out, "## What to fix\n\n{}\n", what_to_fix(l.status, &l.endpoint));
            let _ = writeln!(out, "## What will be graded\n\n| check | points |\n|---|---|");
            for c in class.checks {
                let _ = writeln!(out, "| {} | {} |", c.title.replace('|', "\\|"), c.max_points);
            }
        }
    }
    let _ = writeln!(
        out,
        "\n---\n\nGraded by `lab grade` for **{}** at `{}`. Check your swarm yourself at any time with `lab check {}`.",
        l.learner, l.endpoint, class.lab
    );
    out
}
