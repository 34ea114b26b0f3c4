//! What is still moving in a swarm, in words a learner can read: tasks on their way to
//! running, a replacement waiting out the restart delay, an update rolling out, a node
//! being promoted. A check whose mismatches may settle is `converging` only while
//! something it depends on moves; otherwise the mismatch is the learner's to fix.
//!
//! A service that keeps failing (its newest tasks in a slot all failed, or its newest task
//! was rejected) is not moving: it is stuck, and its check fails at once with the task's
//! error. [`failing_task`] names the task whose error (and its service's logs) says why.

use super::{task_state, Ctx};
use bollard::models::{Node, NodeState, Reachability, Service, Task, TaskState};
use lab_i18n::{words, Language};
use std::collections::BTreeMap;

/// Failed tasks in a row, in one slot, that make a service crash-looping rather than
/// recovering. Tasks killed from outside (exit 137: the self-healing lesson's `docker
/// container rm -f`, however often) do not count.
const CRASH_LOOP: usize = 3;

/// The error of a task whose container was killed (SIGKILL: `docker container rm -f`).
const KILLED: &str = "non-zero exit (137)";

/// The error a node gives a task while its engine is back but its swarm part is not yet
/// (moments after the engine restarted: `lab drill`'s node-down, a rebooted VM). It is the
/// node's, not the service's: swarm places the task again, and the next one runs.
const NODE_NOT_IN_SWARM_YET: &str = "when swarm is not active";

fn index(t: &Task) -> u64 {
    t.version.as_ref().and_then(|v| v.index).unwrap_or(0)
}

fn is_failure(t: &Task) -> bool {
    matches!(task_state(t), Some(TaskState::FAILED | TaskState::REJECTED))
}

/// States a task passes through before `running`.
fn is_early(s: TaskState) -> bool {
    matches!(
        s,
        TaskState::NEW
            | TaskState::ALLOCATED
            | TaskState::PENDING
            | TaskState::ASSIGNED
            | TaskState::ACCEPTED
            | TaskState::PREPARING
            | TaskState::READY
            | TaskState::STARTING
    )
}

/// The task's error, or its status message when it has none.
pub(crate) fn task_error(t: &Task) -> String {
    let st = t.status.clone().unwrap_or_default();
    st.err.filter(|e| !e.is_empty()).or(st.message).unwrap_or_default()
}

/// The task's error alone (a pending task's message, `pending task scheduling`, is none).
fn error_of(t: &Task) -> String {
    t.status.as_ref().and_then(|s| s.err.clone()).unwrap_or_default()
}

/// The place a task fills: its slot (replicated) or its node (global).
fn place(t: &Task) -> String {
    match t.slot {
        Some(s) if s > 0 => format!("slot {s}"),
        _ => format!("node {}", t.node_id.as_deref().unwrap_or("")),
    }
}

/// Each place's tasks that are past starting (running or finished), newest first.
fn settled_by_place<'a>(tasks: &[&'a Task]) -> Vec<Vec<&'a Task>> {
    let mut by_place: BTreeMap<String, Vec<&'a Task>> = BTreeMap::new();
    for t in tasks {
        // The newest task may be the next attempt, still starting or waiting out the delay.
        if !task_state(t).is_some_and(is_early) {
            by_place.entry(place(t)).or_default().push(t);
        }
    }
    by_place
        .into_values()
        .map(|mut ts| {
            ts.sort_by_key(|t| std::cmp::Reverse(index(t)));
            ts
        })
        .collect()
}

/// A failure that says something about the service: failed or rejected, not killed from
/// outside, and not refused by a node whose swarm part is not back yet.
fn crashed(t: &Task) -> bool {
    is_failure(t) && {
        let error = task_error(t);
        !error.contains(KILLED) && !error.contains(NODE_NOT_IN_SWARM_YET)
    }
}

/// The error of a place that keeps failing, if any does: its last [`CRASH_LOOP`] tasks
/// all failed, or its newest task was rejected (a node refuses a task, for a missing
/// image or mount source, and refuses the next one the same way).
pub(crate) fn crash_loop(tasks: &[&Task]) -> Option<String> {
    settled_by_place(tasks).into_iter().find_map(|done| {
        let rejected = done.first().is_some_and(|t| task_state(t) == Some(TaskState::REJECTED) && crashed(t));
        let looping = done.len() >= CRASH_LOOP && done[..CRASH_LOOP].iter().all(|t| crashed(t));
        (rejected || looping).then(|| task_error(done[0]))
    })
}

/// The task that tells why a service does not run: of the places whose newest task past
/// starting failed or was rejected (not killed from outside), the newest such task.
pub(crate) fn failing_task<'a>(tasks: &[&'a Task]) -> Option<&'a Task> {
    settled_by_place(tasks)
        .into_iter()
        .filter_map(|done| done.first().copied().filter(|t| crashed(t)))
        .max_by_key(|t| index(t))
}

impl Ctx<'_> {
    /// What is still moving in `svc`, one phrase each (empty: nothing moves).
    pub fn movement(&self, svc: &Service) -> Vec<String> {
        let mut moving = Vec::new();
        let update = svc.update_status.as_ref().and_then(|u| u.state).map(|s| s.to_string()).unwrap_or_default();
        match update.as_str() {
            "updating" => moving.push(self.tr(words::MOVING_UPDATE)),
            "rollback_started" => moving.push(self.tr(words::MOVING_ROLLBACK)),
            _ => {}
        }
        let tasks = self.tasks_of(svc);
        if crash_loop(&tasks).is_some() {
            return moving;
        }
        // Tasks by what holds them: an early state (in English order: `assigned`,
        // `pending`, …), then the restart delay.
        let mut counts: BTreeMap<(bool, String), u64> = BTreeMap::new();
        let mut live = 0u64;
        for t in &tasks {
            let desired = t.desired_state;
            let Some(state) = task_state(t) else { continue };
            if matches!(desired, Some(TaskState::RUNNING | TaskState::READY)) {
                live += 1;
            }
            let what = match desired {
                // The restart supervisor holds a replacement at `ready` for the restart delay.
                Some(TaskState::READY) if is_early(state) => (true, String::new()),
                // Pending with an error: no node fits (constraints, resources); it stays pending.
                Some(TaskState::RUNNING) if state == TaskState::PENDING && !error_of(t).is_empty() => continue,
                Some(TaskState::RUNNING) if is_early(state) => (false, state.to_string()),
                _ => continue,
            };
            *counts.entry(what).or_default() += 1;
        }
        for ((restart_delay, state), n) in counts {
            moving.push(if restart_delay {
                self.lang.count(n, words::ONE_TASK_RESTART_DELAY, words::MANY_TASKS_RESTART_DELAY)
            } else {
                self.lang.count_fill(n, words::ONE_TASK_IN_STATE, words::MANY_TASKS_IN_STATE, &[("state", &state)])
            });
        }
        // Tasks the orchestrator has not created yet (moments after create or scale).
        let replicas = svc
            .spec
            .as_ref()
            .and_then(|s| s.mode.as_ref())
            .and_then(|m| m.replicated.as_ref())
            .and_then(|r| r.replicas);
        if let Some(want) = replicas.filter(|r| *r > 0).map(|r| r as u64) {
            if live < want {
                moving.push(self.fill(words::TASKS_NOT_CREATED, &[("missing", &(want - live)), ("replicas", &want)]));
            }
        }
        moving
    }
}

/// What is unsettled about a node: just joined, being promoted or demoted.
pub(crate) fn node_movement(n: &Node, lang: Language) -> Option<String> {
    let name =
        n.description.as_ref().and_then(|d| d.hostname.clone()).unwrap_or_else(|| n.id.clone().unwrap_or_default());
    let role = n.spec.as_ref().and_then(|s| s.role).map(|r| r.to_string()).unwrap_or_default();
    let reach = n.manager_status.as_ref().map(|m| m.reachability);
    let template = if n.status.as_ref().and_then(|s| s.state) == Some(NodeState::UNKNOWN) {
        words::NODE_STATE_UNKNOWN
    } else if role == "manager" && reach.is_none() {
        words::NODE_BEING_PROMOTED
    } else if role == "worker" && reach.is_some() {
        words::NODE_BEING_DEMOTED
    } else if reach == Some(Some(Reachability::UNKNOWN)) {
        words::NODE_REACHABILITY_UNKNOWN
    } else {
        return None;
    };
    Some(lang.fill(template, &[("node", &name)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Snapshot;
    use serde_json::json;

    fn task(id: &str, slot: i64, index: u64, desired: &str, state: &str, err: &str) -> serde_json::Value {
        json!({"ID": id, "ServiceID": "svc", "Slot": slot, "Version": {"Index": index},
               "DesiredState": desired, "Status": {"State": state, "Err": err}})
    }

    fn snap(replicas: u64, tasks: Vec<serde_json::Value>) -> Snapshot {
        serde_json::from_value(json!({
            "services": [{"ID": "svc", "Spec": {"Name": "vote", "Mode": {"Replicated": {"Replicas": replicas}}}}],
            "tasks": tasks,
        }))
        .unwrap()
    }

    fn movement(s: &Snapshot) -> Vec<String> {
        let ctx = Ctx::new(s);
        ctx.movement(&s.services[0])
    }

    #[test]
    fn a_replacement_held_at_ready_is_the_restart_delay() {
        // Recorded after `docker container rm -f` of vote.2: failed task, replacement at ready.
        let s = snap(
            2,
            vec![
                task("a", 1, 21, "running", "running", ""),
                task("b", 2, 27, "shutdown", "failed", "task: non-zero exit (137)"),
                task("c", 2, 28, "ready", "ready", ""),
            ],
        );
        assert_eq!(movement(&s), ["1 task waiting out the restart delay"]);
    }

    #[test]
    fn nothing_moves_when_every_task_runs_or_has_shut_down() {
        let s = snap(1, vec![task("a", 1, 21, "running", "running", ""), task("b", 2, 9, "shutdown", "shutdown", "")]);
        assert!(movement(&s).is_empty());
    }

    #[test]
    fn tasks_not_created_yet_are_moving() {
        let s = snap(3, vec![task("a", 1, 21, "running", "running", "")]);
        assert_eq!(movement(&s), ["2 of 3 tasks not created yet"]);
    }

    #[test]
    fn a_task_pending_scheduling_is_moving() {
        // Recorded right after `docker service create`: a message, no error.
        let pending = json!({"ID": "a", "ServiceID": "svc", "Slot": 1, "Version": {"Index": 5}, "DesiredState": "running",
                             "Status": {"State": "pending", "Message": "pending task scheduling"}});
        assert_eq!(movement(&snap(1, vec![pending])), ["1 task pending"]);
    }

    #[test]
    fn a_pending_task_no_node_fits_is_stuck_not_moving() {
        let s = snap(1, vec![task("a", 1, 5, "running", "pending", "no suitable node (scheduling constraints)")]);
        assert!(movement(&s).is_empty());
    }

    #[test]
    fn a_slot_that_keeps_failing_is_a_crash_loop_not_movement() {
        let mut tasks: Vec<_> =
            (0..3).map(|i| task(&format!("f{i}"), 1, 10 + i, "shutdown", "rejected", "No such image: voet")).collect();
        tasks.push(task("n", 1, 20, "ready", "ready", ""));
        let s = snap(1, tasks);
        assert!(movement(&s).is_empty());
        let ctx = Ctx::new(&s);
        assert_eq!(crash_loop(&ctx.tasks_of(&s.services[0])).as_deref(), Some("No such image: voet"));
    }

    #[test]
    fn containers_removed_by_hand_again_and_again_are_no_crash_loop() {
        let mut tasks: Vec<_> = (0..3)
            .map(|i| task(&format!("k{i}"), 1, 10 + i, "shutdown", "failed", "task: non-zero exit (137)"))
            .collect();
        tasks.push(task("n", 1, 20, "ready", "preparing", ""));
        let s = snap(1, tasks);
        assert_eq!(movement(&s), ["1 task waiting out the restart delay"]);
    }

    #[test]
    fn a_node_promoted_moments_ago_is_moving() {
        let n: Node = serde_json::from_value(json!({
            "Description": {"Hostname": "node2"}, "Spec": {"Role": "manager"}, "Status": {"State": "ready"}
        }))
        .unwrap();
        assert_eq!(
            node_movement(&n, Language::english()).as_deref(),
            Some("node2 is being promoted (reachability not reported yet)")
        );
        let settled: Node = serde_json::from_value(json!({
            "Description": {"Hostname": "node2"}, "Spec": {"Role": "manager"}, "Status": {"State": "ready"},
            "ManagerStatus": {"Reachability": "reachable"}
        }))
        .unwrap();
        assert_eq!(node_movement(&settled, Language::english()), None);
    }
}
