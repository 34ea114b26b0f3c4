//! Why a service does not run, as the report tells it: the failed task's error and the last
//! lines of the service's logs, on the checks about that service (service, tasks, volume),
//! only while the check does not pass. `crashy` in the recording died five times in slot 1
//! (exit 3); its log lines are added to the snapshot as the engine would have sent them.

use super::*;
use crate::report::Cause;
use bollard::models::TaskState;
use serde_json::json;

const CRASHY_LOGS: [&str; 2] = ["starting crashy", "fatal: no config at /etc/crashy.conf"];

fn with_logs() -> Snapshot {
    let mut snap = swarm();
    let id = service_mut(&mut snap, "crashy").id.clone().unwrap();
    snap.logs.insert(id, CRASHY_LOGS.iter().map(|l| l.to_string()).collect());
    snap
}

fn crashy_cause(logs: &[&str]) -> Option<Cause> {
    Some(Cause {
        service: "crashy".into(),
        error: "task: non-zero exit (3)".into(),
        logs: logs.iter().map(|l| l.to_string()).collect(),
    })
}

#[test]
fn a_crash_looping_service_fails_with_its_task_error_and_its_last_log_lines() {
    let r = eval(&with_logs(), service_a(json!({ "name": "crashy", "running": 1 })));
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert_eq!(r.cause, crashy_cause(&CRASHY_LOGS));
    // The tasks assertion on the same service tells the same cause.
    let r = eval(&with_logs(), tasks_a(json!({ "service": "crashy", "running": 1 })));
    assert_eq!(r.cause, crashy_cause(&CRASHY_LOGS));
}

#[test]
fn without_logs_the_cause_is_the_task_error_alone() {
    // An engine with no logging driver (or none it can read back) answered no lines.
    let r = eval(&swarm(), service_a(json!({ "name": "crashy", "running": 1 })));
    assert_eq!(r.cause, crashy_cause(&[]));
}

#[test]
fn a_passing_check_carries_no_cause_and_a_healthy_service_has_none() {
    let r = eval(&with_logs(), service_a(json!({ "name": "crashy", "mode": "replicated" })));
    assert_pass(&r);
    assert_eq!(r.cause, None, "the service still crashes, but this check passed");
    let r = eval(&with_logs(), service_a(json!({ "name": "web", "replicas": 5 })));
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.cause, None, "web's tasks all run: {r:#?}");
}

#[test]
fn a_volume_check_on_a_crash_looping_service_fails_with_the_cause_not_converging() {
    // The voting app's db without POSTGRES_*: its volume is mounted but no task runs, and
    // none will: the check fails at once and says why.
    let mut snap = with_logs();
    let crashy = service_mut(&mut snap, "crashy");
    let spec = crashy.spec.as_mut().unwrap();
    let cs = spec.task_template.as_mut().unwrap().container_spec.as_mut().unwrap();
    cs.mounts = Some(vec![serde_json::from_value(
        json!({"Type": "volume", "Source": "db-data", "Target": "/var/lib/postgresql/data"}),
    )
    .unwrap()]);
    let r = eval(&snap, volume_a(json!({ "name": "db-data", "service": "crashy" })));
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert_eq!(r.cause, crashy_cause(&CRASHY_LOGS));
}

#[test]
fn a_container_killed_from_outside_is_no_cause() {
    // The self-healing lesson's `docker container rm -f`: exit 137, then a replacement.
    let mut snap = with_logs();
    let id = service_mut(&mut snap, "crashy").id.clone();
    for t in snap.tasks.iter_mut().filter(|t| t.service_id == id) {
        t.status.as_mut().unwrap().err = Some("task: non-zero exit (137)".into());
    }
    let r = eval(&snap, service_a(json!({ "name": "crashy", "running": 1 })));
    assert_eq!(r.cause, None, "{r:#?}");
}

#[test]
fn a_failure_followed_by_a_running_task_is_no_cause() {
    let mut snap = with_logs();
    let id = service_mut(&mut snap, "crashy").id.clone();
    let mut tasks: Vec<_> = snap.tasks.iter_mut().filter(|t| t.service_id == id).collect();
    tasks.sort_by_key(|t| std::cmp::Reverse(t.version.as_ref().and_then(|v| v.index)));
    tasks[0].desired_state = Some(TaskState::RUNNING);
    tasks[0].status.as_mut().unwrap().state = Some(TaskState::RUNNING);
    let r = eval(&snap, service_a(json!({ "name": "crashy", "running": 2 })));
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.cause, None, "the service was fixed: its newest task runs: {r:#?}");
}

#[test]
fn the_cause_is_in_the_json_report_only_when_there_is_one() {
    let r = eval(&with_logs(), service_a(json!({ "name": "crashy", "running": 1 })));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["cause"], json!({"service": "crashy", "error": "task: non-zero exit (3)", "logs": CRASHY_LOGS}),);
    let passed = serde_json::to_value(eval(&with_logs(), service_a(json!({ "name": "web" })))).unwrap();
    assert!(passed.get("cause").is_none(), "{passed}");
}
