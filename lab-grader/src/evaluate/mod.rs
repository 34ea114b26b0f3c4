//! Evaluating a lab's checks against one [`Snapshot`]. Every evaluator lists *all* the
//! mismatches it finds, and marks those that may still resolve by themselves (tasks still
//! starting, a replacement task not yet scheduled): a check whose only mismatches can
//! settle, on an object that is still moving, is `converging`, not `fail`.

#[cfg(test)]
mod convergence_tests;
mod movement;
mod network;
mod node;
mod object;
mod service;
mod tasks;
#[cfg(test)]
mod tests;
mod volume;

pub(crate) use service::serde_plain;

use crate::report::{CheckReport, ClusterInfo, Mismatch, Report, Status};
use crate::snapshot::Snapshot;
use bollard::models::{Network, Service, Task, TaskState};
use lab_schema::{Assertion, Check, Lab};
use std::collections::HashMap;

/// What an evaluator found for one check.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub mismatches: Vec<Mismatch>,
    /// For each mismatch: could it resolve without the learner doing anything?
    pub settles: Vec<bool>,
    /// What is still moving in the object under test, one phrase each (`1 task starting`);
    /// empty when nothing moves.
    pub moving: Vec<String>,
    /// Sentences added to the check's hint (stale node entries and how to remove them).
    pub notes: Vec<String>,
    /// What was graded, when it had to be chosen (`service eloquent_ride`).
    pub subject: Option<String>,
}

impl Findings {
    pub fn miss(&mut self, field: impl Into<String>, expected: impl Into<String>, found: impl Into<String>) {
        self.push(field, expected, found, false);
    }
    /// A mismatch that may resolve by itself while the object converges.
    pub fn settling(&mut self, field: impl Into<String>, expected: impl Into<String>, found: impl Into<String>) {
        self.push(field, expected, found, true);
    }
    fn push(&mut self, field: impl Into<String>, expected: impl Into<String>, found: impl Into<String>, settles: bool) {
        self.mismatches.push(Mismatch { field: field.into(), expected: expected.into(), found: found.into() });
        self.settles.push(settles);
    }
    fn status(&self) -> Status {
        if self.mismatches.is_empty() {
            Status::Pass
        } else if !self.moving.is_empty() && self.settles.iter().all(|s| *s) {
            Status::Converging
        } else {
            Status::Fail
        }
    }
}

/// Lookups shared by the evaluators.
pub(crate) struct Ctx<'a> {
    pub snap: &'a Snapshot,
    networks_by_id: HashMap<&'a str, &'a Network>,
}

pub(crate) const STACK_LABEL: &str = "com.docker.stack.namespace";

/// `actual` is the name a lab calls `expected`: the same, or `<stack>_<expected>` for an
/// object a `docker stack deploy` created (its labels carry the stack's namespace).
pub(crate) fn name_matches(actual: &str, labels: Option<&HashMap<String, String>>, expected: &str) -> bool {
    if actual == expected {
        return true;
    }
    labels.and_then(|l| l.get(STACK_LABEL)).is_some_and(|ns| actual == format!("{ns}_{expected}"))
}

/// Lists names for a "found" message, shortest first, at most `max`.
pub(crate) fn list_names(mut names: Vec<String>, max: usize) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names.sort();
    names.dedup();
    let more = names.len().saturating_sub(max);
    names.truncate(max);
    let mut s = names.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

impl<'a> Ctx<'a> {
    pub fn new(snap: &'a Snapshot) -> Self {
        let networks_by_id = snap.networks.iter().filter_map(|n| Some((n.id.as_deref()?, n))).collect();
        Ctx { snap, networks_by_id }
    }

    /// The network a service attachment names, by ID (what the engine stores) or by name.
    pub fn network(&self, target: &str) -> Option<&'a Network> {
        self.networks_by_id.get(target).copied().or_else(|| {
            self.snap.networks.iter().find(|n| n.name.as_deref() == Some(target)).or_else(|| {
                // A short ID prefix, as `docker` accepts.
                let mut hits =
                    self.snap.networks.iter().filter(|n| n.id.as_deref().is_some_and(|i| i.starts_with(target)));
                match (hits.next(), hits.next()) {
                    (Some(n), None) if target.len() >= 6 => Some(n),
                    _ => None,
                }
            })
        })
    }

    pub fn service_name(s: &Service) -> &str {
        s.spec.as_ref().and_then(|s| s.name.as_deref()).unwrap_or("")
    }

    /// The service a lab calls `name` (exact, or stack-prefixed).
    pub fn service_named(&self, name: &str) -> Option<&'a Service> {
        let exact = self.snap.services.iter().find(|s| Self::service_name(s) == name);
        exact.or_else(|| {
            self.snap
                .services
                .iter()
                .find(|s| name_matches(Self::service_name(s), s.spec.as_ref().and_then(|sp| sp.labels.as_ref()), name))
        })
    }

    pub fn all_service_names(&self) -> Vec<String> {
        self.snap.services.iter().map(|s| Self::service_name(s).to_string()).collect()
    }

    pub fn tasks_of(&self, svc: &Service) -> Vec<&'a Task> {
        let id = svc.id.as_deref().unwrap_or("-");
        self.snap.tasks.iter().filter(|t| t.service_id.as_deref() == Some(id)).collect()
    }
}

pub(crate) fn task_state(t: &Task) -> Option<TaskState> {
    t.status.as_ref().and_then(|s| s.state)
}

/// Evaluates one check.
pub fn evaluate_check(check: &Check, snap: &Snapshot) -> CheckReport {
    let ctx = Ctx::new(snap);
    let f = match &check.assertion {
        Assertion::Swarm(a) => node::swarm(&ctx, a),
        Assertion::Node(a) => node::nodes(&ctx, a),
        Assertion::Service(a) => service::evaluate(&ctx, a),
        Assertion::Tasks(a) => tasks::evaluate(&ctx, a),
        Assertion::Network(a) => network::evaluate(&ctx, a),
        Assertion::Volume(a) => volume::evaluate(&ctx, a),
        Assertion::Secret(a) => object::secret(&ctx, a),
        Assertion::Config(a) => object::config(&ctx, a),
    };
    let status = f.status();
    let subject = f.subject.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
    // Converging says what moves, in English like the mismatches (`Report::localize`
    // leaves a message it does not recognise as it is).
    let message = match status {
        Status::Converging => format!("converging{subject}: {}", f.moving.join(", ")),
        s => crate::report::check_message(s, f.mismatches.len(), &subject, lab_i18n::Language::english()),
    };
    CheckReport {
        id: check.id.clone(),
        title: check.title.clone(),
        status,
        points: if status == Status::Pass { check.points } else { 0 },
        max_points: check.points,
        message,
        hint: if status == Status::Pass || f.notes.is_empty() {
            check.hint.clone()
        } else {
            format!("{} {}", check.hint, f.notes.join(" ")).trim().to_string()
        },
        fix: None,
        fix_note: None,
        mismatches: f.mismatches,
    }
}

/// Evaluates the chosen checks of a lab (all of them when `only` is empty, minus `skip`).
pub fn evaluate(lab: &Lab, snap: &Snapshot, only: &[String], skip: &[String]) -> Report {
    let checks: Vec<CheckReport> = lab
        .checks
        .iter()
        .filter(|c| only.is_empty() || only.contains(&c.id))
        .filter(|c| !skip.contains(&c.id))
        .map(|c| evaluate_check(c, snap))
        .collect();
    finish(lab, snap, checks)
}

pub(crate) fn finish(lab: &Lab, snap: &Snapshot, checks: Vec<CheckReport>) -> Report {
    let score = checks.iter().map(|c| c.points).sum();
    let max_score = checks.iter().map(|c| c.max_points).sum();
    let passed = checks.iter().all(|c| c.status == Status::Pass);
    Report {
        lab: lab.id.clone(),
        title: lab.title.clone(),
        score,
        max_score,
        passed,
        cluster: ClusterInfo {
            swarm_id: snap.swarm_id(),
            node_ids: snap.node_ids(),
            engine_version: snap.engine_version.clone(),
            api_version: snap.api_version.clone(),
        },
        checks,
    }
}
