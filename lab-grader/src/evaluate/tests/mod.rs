//! Evaluator unit tests, driven by snapshots recorded from a real engine
//! (`fixtures/README.md` says how they were made). Each assertion kind and each matcher is
//! graded both ways, pass and fail, and the failures are checked for what they tell the
//! learner: the field, what was expected and what was found.
//!
//! A test that needs a case the recorded swarm does not show (a task still starting, a
//! node down) edits one field of a loaded snapshot and says so.

mod causes;
mod convergence;
mod language;
mod nodes;
mod objects;
mod services;
mod tasks;
mod versions;

use super::evaluate_check;
use crate::report::{CheckReport, Mismatch, Status};
use crate::snapshot::Snapshot;
use bollard::models::Service;
use lab_schema::{Assertion, Check};
use serde_json::Value;

const SWARM_20_10: &str = include_str!("fixtures/swarm-20.10.json");
const CONVERGING_20_10: &str = include_str!("fixtures/converging-20.10.json");
const SWARM_28: &str = include_str!("fixtures/swarm-28.x.json");

fn load(json: &str) -> Snapshot {
    serde_json::from_str(json).expect("a recorded snapshot deserialises")
}

/// The settled 3-node swarm recorded from a 20.10 engine.
pub(super) fn swarm() -> Snapshot {
    load(SWARM_20_10)
}

/// The same swarm right after `service create --name late --replicas 3`: tasks pending.
pub(super) fn converging() -> Snapshot {
    load(CONVERGING_20_10)
}

/// The settled swarm in a 28.x engine's shape.
pub(super) fn swarm_28() -> Snapshot {
    load(SWARM_28)
}

/// Every recorded snapshot, named.
pub(super) fn all_snapshots() -> Vec<(&'static str, Snapshot)> {
    vec![("20.10", swarm()), ("28.x", swarm_28()), ("converging 20.10", converging())]
}

pub(super) fn check(assertion: Assertion) -> Check {
    Check {
        id: "the-check".into(),
        title: "The check".into(),
        points: 10,
        assertion,
        hint: "a hint".into(),
        fix: "a fix".into(),
        wait: None,
    }
}

pub(super) fn eval(snap: &Snapshot, assertion: Assertion) -> CheckReport {
    evaluate_check(&check(assertion), snap)
}

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("the assertion is well formed")
}
pub(super) fn swarm_a(v: Value) -> Assertion {
    Assertion::Swarm(from(v))
}
pub(super) fn node_a(v: Value) -> Assertion {
    Assertion::Node(from(v))
}
pub(super) fn service_a(v: Value) -> Assertion {
    Assertion::Service(from(v))
}
pub(super) fn tasks_a(v: Value) -> Assertion {
    Assertion::Tasks(from(v))
}
pub(super) fn network_a(v: Value) -> Assertion {
    Assertion::Network(from(v))
}
pub(super) fn volume_a(v: Value) -> Assertion {
    Assertion::Volume(from(v))
}
pub(super) fn secret_a(v: Value) -> Assertion {
    Assertion::Secret(from(v))
}
pub(super) fn config_a(v: Value) -> Assertion {
    Assertion::Config(from(v))
}

/// Asserts a pass, with full points and no mismatches.
#[track_caller]
pub(super) fn assert_pass(r: &CheckReport) {
    assert_eq!(r.status, Status::Pass, "expected a pass: {r:#?}");
    assert!(r.mismatches.is_empty(), "{r:#?}");
    assert_eq!(r.points, r.max_points);
    assert!(r.message.starts_with("passed"), "{}", r.message);
}

/// Asserts a fail with exactly one mismatch, and returns it.
#[track_caller]
pub(super) fn one_failure(r: &CheckReport) -> &Mismatch {
    assert_eq!(r.status, Status::Fail, "expected a fail: {r:#?}");
    assert_eq!(r.points, 0);
    assert_eq!(r.mismatches.len(), 1, "expected one mismatch: {r:#?}");
    assert_eq!(r.message, "1 mismatch", "{r:#?}");
    &r.mismatches[0]
}

/// Asserts one mismatch on `field` with `expected`, and `found` containing `found_part`.
#[track_caller]
pub(super) fn assert_fails(r: &CheckReport, field: &str, expected: &str, found_part: &str) {
    let m = one_failure(r);
    assert_eq!(m.field, field, "{m:#?}");
    assert_eq!(m.expected, expected, "{m:#?}");
    assert!(m.found.contains(found_part), "found `{}` lacks `{found_part}`", m.found);
}

/// The recorded service named `name`, for tests that edit one of its fields.
pub(super) fn service_mut<'a>(snap: &'a mut Snapshot, name: &str) -> &'a mut Service {
    snap.services
        .iter_mut()
        .find(|s| s.spec.as_ref().and_then(|s| s.name.as_deref()) == Some(name))
        .unwrap_or_else(|| panic!("the fixture has a service `{name}`"))
}
