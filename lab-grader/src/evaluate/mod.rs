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

pub(crate) use movement::failing_task;
pub use service::serde_plain;

use crate::report::{Cause, CheckReport, ClusterInfo, Mismatch, Report, Status};
use crate::snapshot::Snapshot;
use bollard::models::{Network, Service, Task, TaskState};
use lab_i18n::{words, Language};
use lab_schema::{Assertion, Check, Lab, LabDuration};
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
    /// Why the service under test does not run, when one of its tasks failed.
    pub cause: Option<Cause>,
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

/// Lookups shared by the evaluators (and by `lab-fix`, which plans against the same views).
pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    /// The language mismatches and movement are told in (values stay as found).
    pub lang: Language,
    networks_by_id: HashMap<&'a str, &'a Network>,
}

pub(crate) const STACK_LABEL: &str = "com.docker.stack.namespace";

/// `actual` is the name a lab calls `expected`: the same, or `<stack>_<expected>` for an
/// object a `docker stack deploy` created (its labels carry the stack's namespace).
pub fn name_matches(actual: &str, labels: Option<&HashMap<String, String>>, expected: &str) -> bool {
    if actual == expected {
        return true;
    }
    labels.and_then(|l| l.get(STACK_LABEL)).is_some_and(|ns| actual == format!("{ns}_{expected}"))
}

/// Lists names for a "found" message, in sorted order, at most `max`.
pub(crate) fn list_names(lang: Language, mut names: Vec<String>, max: usize) -> String {
    if names.is_empty() {
        return lang.tr(words::NONE).into_owned();
    }
    names.sort();
    names.dedup();
    let more = names.len().saturating_sub(max);
    names.truncate(max);
    let list = lang.list(words::LIST, &names);
    match more {
        0 => list,
        n => lang.fill(words::NAMES_AND_MORE, &[("names", &list), ("n", &n)]),
    }
}

/// A count a lab asks for (`2`, `at least 2`, `2 to 4`), in `lang`.
pub(crate) fn count_text(lang: Language, c: &lab_schema::Count) -> String {
    match (c.min, c.max) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => lang.fill(words::COUNT_RANGE, &[("min", &a), ("max", &b)]),
        (Some(a), None) => lang.fill(words::COUNT_AT_LEAST, &[("n", &a)]),
        (None, Some(b)) => lang.fill(words::COUNT_AT_MOST, &[("n", &b)]),
        (None, None) => lang.tr(words::COUNT_ANY).into_owned(),
    }
}

/// The images a check accepts (`redis:3.2 or redis (any tag)`), in `lang`.
pub(crate) fn image_text(lang: Language, m: &lab_schema::ImageMatch) -> String {
    let patterns: Vec<String> =
        m.0.iter()
            .map(|p| match &p.tag {
                Some(_) => p.to_string(),
                None => lang.fill(words::ANY_TAG, &[("repository", &p.familiar_repository())]),
            })
            .collect();
    lang.list(words::LIST_OR, &patterns)
}

impl<'a> Ctx<'a> {
    /// Lookups over `snap`, with mismatches and movement told in English.
    pub fn new(snap: &'a Snapshot) -> Self {
        Ctx::in_language(snap, Language::english())
    }

    /// Lookups over `snap`, with mismatches and movement told in `lang`.
    pub fn in_language(snap: &'a Snapshot, lang: Language) -> Self {
        let networks_by_id = snap.networks.iter().filter_map(|n| Some((n.id.as_deref()?, n))).collect();
        Ctx { snap, lang, networks_by_id }
    }

    /// Names for a "found" message in the report's language (see `list_names`).
    pub fn names(&self, names: Vec<String>, max: usize) -> String {
        list_names(self.lang, names, max)
    }

    /// Translates a template of [`words`] and fills its placeholders.
    pub fn fill(&self, template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.lang.fill(template, values)
    }

    /// Translates a fixed word of [`words`].
    pub fn tr(&self, word: &str) -> String {
        self.lang.tr(word).into_owned()
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

    /// Why `svc` does not run, when one of its tasks failed: the task's error and the last
    /// lines of the service's logs, as the snapshot read them.
    pub fn cause_of(&self, svc: &Service) -> Option<Cause> {
        let task = failing_task(&self.tasks_of(svc))?;
        let logs = svc.id.as_ref().and_then(|id| self.snap.logs.get(id)).cloned().unwrap_or_default();
        Some(Cause { service: Self::service_name(svc).to_string(), error: movement::task_error(task), logs })
    }
}

pub(crate) fn task_state(t: &Task) -> Option<TaskState> {
    t.status.as_ref().and_then(|s| s.state)
}

/// Evaluates one check, in English.
pub fn evaluate_check(check: &Check, snap: &Snapshot) -> CheckReport {
    evaluate_check_in(check, snap, Language::english())
}

/// What an assertion finds in `snap`, told in `lang`.
fn findings(check: &Check, snap: &Snapshot, lang: Language) -> Findings {
    let ctx = Ctx::in_language(snap, lang);
    match &check.assertion {
        Assertion::Swarm(a) => node::swarm(&ctx, a),
        Assertion::Node(a) => node::nodes(&ctx, a),
        Assertion::Service(a) => service::evaluate(&ctx, a),
        Assertion::Tasks(a) => tasks::evaluate(&ctx, a),
        Assertion::Network(a) => network::evaluate(&ctx, a),
        Assertion::Volume(a) => volume::evaluate(&ctx, a),
        Assertion::Secret(a) => object::secret(&ctx, a),
        Assertion::Config(a) => object::config(&ctx, a),
    }
}

/// `" (service vote)"` for a check whose object had to be chosen, else empty.
fn subject_of(f: &Findings) -> String {
    f.subject.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
}

/// Evaluates one check; its message and mismatches are in `lang`, values as found.
pub fn evaluate_check_in(check: &Check, snap: &Snapshot, lang: Language) -> CheckReport {
    let f = findings(check, snap, lang);
    let status = f.status();
    let subject = subject_of(&f);
    let message = match status {
        Status::Converging => lang
            .fill(words::CONVERGING_MOVING, &[("subject", &subject), ("moving", &lang.list(words::LIST, &f.moving))]),
        s => crate::report::check_message(s, f.mismatches.len(), &subject, lang),
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
        cause: if status == Status::Pass { None } else { f.cause },
    }
}

/// Why a check that was still converging when grading stopped is reported as it is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Unsettled {
    /// `--wait` ran out: the check fails.
    WaitRanOut(LabDuration),
    /// A caller's deadline (`lab grade --timeout`) ended grading: still converging.
    GradingEnded(LabDuration),
}

/// The message of a check that was converging in `snap` and is reported as `why` says:
/// what still moved, told in `lang`.
pub(crate) fn unsettled_message(check: &Check, snap: &Snapshot, lang: Language, why: Unsettled) -> String {
    let f = findings(check, snap, lang);
    let subject = subject_of(&f);
    let moving = lang.list(words::LIST, &f.moving);
    match why {
        Unsettled::WaitRanOut(w) => {
            lang.fill(words::DID_NOT_CONVERGE, &[("wait", &w), ("subject", &subject), ("moving", &moving)])
        }
        Unsettled::GradingEnded(e) => {
            lang.fill(words::GRADING_ENDED, &[("elapsed", &e), ("subject", &subject), ("moving", &moving)])
        }
    }
}

/// Evaluates the chosen checks of a lab (all of them when `only` is empty, minus `skip`),
/// in English.
pub fn evaluate(lab: &Lab, snap: &Snapshot, only: &[String], skip: &[String]) -> Report {
    evaluate_in(lab, snap, only, skip, Language::english())
}

/// [`evaluate`], with messages and mismatches told in `lang`.
pub fn evaluate_in(lab: &Lab, snap: &Snapshot, only: &[String], skip: &[String], lang: Language) -> Report {
    let checks: Vec<CheckReport> = lab
        .checks
        .iter()
        .filter(|c| only.is_empty() || only.contains(&c.id))
        .filter(|c| !skip.contains(&c.id))
        .map(|c| evaluate_check_in(c, snap, lang))
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
