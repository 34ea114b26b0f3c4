//! The live class: every learner of a roster followed at once, for `lab grade --live`.
//!
//! Each learner's engine gets one [`watch`](crate::watch()): one read when it connects,
//! then nothing but its open event stream until the swarm changes (bursts coalesced, a
//! re-read once a second only while a check converges, reconnects with backoff). Their
//! outcomes land in one [`LiveClass`]: per learner the latest [`LearnerResult`] (what
//! `lab grade` would have written for them at this moment), when their row last changed,
//! when their score last went up, and since when they have been failing the same check.
//! A change bumps the row's revision and the class's version, which a server's event
//! streams wait on ([`LiveClass::changed`]), so a page gets only the rows that moved.
//!
//! [`LiveClass::grades`] turns the class as it stands into [`ClassGrades`], the same
//! gradebook, grades.json, junit.xml and feedback pages as `lab grade`.

use super::{blank, flag_labels, ClassGrades, GradeStatus, Learner, LearnerResult};
use crate::report::Status;
use crate::run::CheckOptions;
use crate::watch::{watch, WatchEvent, WatchOptions};
use lab_i18n::words;
use lab_schema::Lab;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// The reads that run at once across a class when [`LiveOptions`] sets no limit of its
/// own ([`WatchOptions::reads`]). Each read holds its answers, connections and buffers
/// until it is evaluated; with a class of 200 all reading at once, that was the peak of
/// the process's memory. A read of a 1-node swarm takes one round trip, so even this many
/// at a time keep the first view of a class quick.
pub const READS_AT_ONCE: usize = 32;

/// How to follow a class.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// The watch rules for every learner; `timeout` bounds connecting and each read.
    /// Without a `reads` limit of its own the class shares one of [`READS_AT_ONCE`].
    pub watch: WatchOptions,
    /// The checks graded and the language, as for `lab grade` (`wait` is not used).
    pub check: CheckOptions,
    /// A learner failing the same check for longer than this is stuck.
    pub stuck_after: Duration,
}

/// One learner as the live view holds them.
#[derive(Debug, Clone)]
struct Row {
    /// What `lab grade` would write for this learner now (`report` is the latest read).
    result: LearnerResult,
    /// No outcome yet: the first read has not come back.
    waiting: bool,
    /// Bumped on every change of what the view shows.
    rev: u64,
    updated_at: Option<SystemTime>,
    progress_at: Option<SystemTime>,
    /// The first failing check (in lab order) and since when it has been the one.
    stuck: Option<(String, SystemTime)>,
}

#[derive(Debug)]
struct State {
    rows: Vec<Row>,
    version: u64,
}

/// Every learner's latest outcome, shared between the watchers and the server.
#[derive(Debug)]
pub struct LiveClass {
    /// Shared by every learner's watch (one copy of the lab for the whole class).
    lab: Arc<Lab>,
    /// `lab` in the language of the run, for the titles the page shows.
    shown: Lab,
    opts: LiveOptions,
    started: Instant,
    started_at: SystemTime,
    state: Mutex<State>,
    changed: tokio::sync::watch::Sender<u64>,
}

fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl LiveClass {
    /// A class with every learner waiting for a first answer; nothing is followed yet.
    pub fn new(lab: &Lab, learners: &[Learner], mut opts: LiveOptions) -> Arc<LiveClass> {
        let lang = opts.check.lang;
        if opts.watch.reads.is_none() {
            opts.watch.reads = Some(Arc::new(tokio::sync::Semaphore::new(READS_AT_ONCE)));
        }
        let mut rows: Vec<Row> = learners
            .iter()
            .map(|l| {
                let mut result = blank(lab, l, &opts.check);
                result.message = lang.tr(words::GRADE_LIVE_WAITING).into_owned();
                Row { result, waiting: true, rev: 0, updated_at: None, progress_at: None, stuck: None }
            })
            .collect();
        // Rows naming the same endpoint are flagged before any engine answers.
        let (_, labels) = flag_labels(rows.iter().map(|r| &r.result));
        for (row, labels) in rows.iter_mut().zip(labels) {
            row.result.flags = labels;
        }
        Arc::new(LiveClass {
            lab: Arc::new(lab.clone()),
            shown: lang.lab(lab),
            opts,
            started: Instant::now(),
            started_at: SystemTime::now(),
            state: Mutex::new(State { rows, version: 0 }),
            changed: tokio::sync::watch::channel(0).0,
        })
    }

    /// Starts following every learner (one watch each, all at once); the tasks end when
    /// the returned set is dropped.
    pub fn follow(self: &Arc<LiveClass>, learners: &[Learner]) -> tokio::task::JoinSet<()> {
        let mut set = tokio::task::JoinSet::new();
        for (i, learner) in learners.iter().enumerate() {
            let (class, endpoint) = (self.clone(), learner.endpoint.clone());
            set.spawn(async move {
                let (tx, mut rx) = tokio::sync::mpsc::channel(4);
                let lab = class.lab.clone();
                let opts = class.opts.watch.clone();
                let watching = tokio::spawn(async move { watch(&lab, &endpoint, &opts, tx).await });
                while let Some(event) = rx.recv().await {
                    class.apply(i, event, SystemTime::now());
                }
                watching.abort();
            });
        }
        set
    }

    /// A receiver that sees the class's version change on every change of a row.
    pub fn changed(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Applies one watch outcome of learner `i` (roster order) at time `now`.
    pub fn apply(&self, i: usize, event: WatchEvent, now: SystemTime) {
        let lang = self.opts.check.lang;
        let mut state = self.state.lock().expect("the live class lock is never poisoned");
        let Some(row) = state.rows.get_mut(i) else { return };
        let before = row.result.clone();
        let first = row.waiting;
        row.waiting = false;
        if first {
            row.result.elapsed_ms = self.started.elapsed().as_millis() as u64;
        }
        match event {
            WatchEvent::Report { report, .. } => {
                let r = &mut row.result;
                let passed = report.count(Status::Pass);
                let total = report.checks.len();
                r.status = GradeStatus::Graded;
                r.message = lang.fill(words::GRADED_MESSAGE, &[("passed", &passed), ("total", &total)]);
                if r.score < report.score || before.status != GradeStatus::Graded && row.progress_at.is_none() {
                    row.progress_at = Some(now);
                }
                r.score = report.score;
                r.max_score = report.max_score;
                r.swarm_id = report.cluster.swarm_id.clone();
                r.node_ids = report.cluster.node_ids.clone();
                let failing = report.checks.iter().find(|c| c.status == Status::Fail).map(|c| c.id.clone());
                row.stuck = match (failing, row.stuck.take()) {
                    (Some(id), Some((was, since))) if id == was => Some((id, since)),
                    (Some(id), _) => Some((id, now)),
                    (None, _) => None,
                };
                r.report = Some(*report);
            }
            WatchEvent::Lost { error, node_id, .. } => {
                let r = &mut row.result;
                r.status = GradeStatus::of(&error);
                r.message = error.text(lang);
                r.score = 0;
                r.report = None;
                r.swarm_id.clear();
                // A worker still tells its own node ID, as in `lab grade`'s gradebook.
                r.node_ids = node_id.into_iter().collect();
            }
        }
        let moved = first || shown(&before) != shown(&row.result);
        if moved {
            row.updated_at = Some(now);
            row.rev += 1;
        }
        // A row's identity may flag (or clear) other learners: their rows move too. Only an
        // identity that changed can change a flag.
        let mut any = moved;
        if before.identity() != row.result.identity() {
            let (_, labels) = flag_labels(state.rows.iter().map(|r| &r.result));
            for (row, labels) in state.rows.iter_mut().zip(labels) {
                if row.result.flags != labels {
                    row.result.flags = labels;
                    row.rev += 1;
                    any = true;
                }
            }
        }
        if any {
            state.version += 1;
            let v = state.version;
            drop(state);
            self.changed.send_replace(v);
        }
    }

    /// The whole class as `/api/class` sends it: `{"lab", "title", "max_score", "checks",
    /// "stuck_after_secs", "started_at", "learners": [row…]}`; a row is `{"learner", "status", "score", "max_score",
    /// "checks": {"<id>": "pass|fail|converging"}, "details", "message", "flags", "updated_at",
    /// "progress_at", "stuck_since", "stuck_on"}`.
    pub fn class_json(&self) -> Value {
        let state = self.state.lock().expect("the live class lock is never poisoned");
        let checks: Vec<Value> = super::selected_checks(&self.shown, &self.opts.check)
            .map(|c| json!({ "id": c.id, "title": c.title, "max_points": c.points }))
            .collect();
        json!({
            "lab": self.lab.id,
            "title": self.shown.title,
            "max_score": super::selected_checks(&self.lab, &self.opts.check).map(|c| c.points).sum::<u32>(),
            "checks": checks,
            "stuck_after_secs": self.opts.stuck_after.as_secs(),
            "started_at": rfc3339(self.started_at),
            "learners": state.rows.iter().map(row_json).collect::<Vec<_>>(),
        })
    }

    /// The rows whose revision is above `seen`'s (roster order), and every row's revision
    /// now, for an event stream that sends only what moved.
    pub fn rows_since(&self, seen: &[u64]) -> (Vec<Value>, Vec<u64>) {
        let state = self.state.lock().expect("the live class lock is never poisoned");
        let moved = state
            .rows
            .iter()
            .enumerate()
            .filter(|(i, r)| seen.get(*i).is_none_or(|s| r.rev > *s))
            .map(|(_, r)| row_json(r));
        (moved.collect(), state.rows.iter().map(|r| r.rev).collect())
    }

    /// The class as `lab grade` would write it now. A learner whose engine has not
    /// answered yet is a `timeout`.
    pub fn grades(&self) -> ClassGrades {
        let state = self.state.lock().expect("the live class lock is never poisoned");
        let lang = self.opts.check.lang;
        let results = state
            .rows
            .iter()
            .map(|row| {
                let mut r = row.result.clone();
                if row.waiting {
                    r.status = GradeStatus::Timeout;
                    let secs = format!("{:.1}", self.started.elapsed().as_secs_f64());
                    r.message = lang.fill(words::GRADE_LIVE_NO_ANSWER, &[("seconds", &secs)]);
                    r.elapsed_ms = self.started.elapsed().as_millis() as u64;
                }
                r
            })
            .collect();
        drop(state);
        ClassGrades::new(&self.lab, &self.opts.check, results, self.started.elapsed().as_millis() as u64)
    }
}

/// Each check's id, status and message.
type Marks<'a> = Vec<(&'a str, Status, &'a str)>;

/// What a row shows of a result (the flags are compared apart).
fn shown(r: &LearnerResult) -> (GradeStatus, &str, u32, Option<Marks<'_>>) {
    let checks =
        r.report.as_ref().map(|rep| rep.checks.iter().map(|c| (c.id.as_str(), c.status, c.message.as_str())).collect());
    (r.status, r.message.as_str(), r.score, checks)
}

/// One learner's row: `{"learner", "status", "score", "max_score", "checks": {"<id>":
/// "pass|fail|converging"}, "details": {"<id>": "message"}, "message", "flags",
/// "updated_at", "progress_at", "stuck_since", "stuck_on"}`. `status` is `waiting` until
/// the engine's first answer, then as in grades.json. Times are RFC 3339, or null.
fn row_json(row: &Row) -> Value {
    let r = &row.result;
    let (mut checks, mut details) = (Map::new(), Map::new());
    if let Some(report) = &r.report {
        for c in &report.checks {
            checks.insert(c.id.clone(), Value::String(c.status.as_str().to_string()));
            if c.status != Status::Pass {
                details.insert(c.id.clone(), Value::String(check_detail(c)));
            }
        }
    }
    json!({
        "learner": r.learner,
        "status": if row.waiting { "waiting" } else { r.status.as_str() },
        "score": r.score,
        "max_score": r.max_score,
        "checks": checks,
        "details": details,
        "message": r.message,
        "flags": r.flags,
        "updated_at": row.updated_at.map(rfc3339),
        "progress_at": row.progress_at.map(rfc3339),
        "stuck_since": row.stuck.as_ref().map(|(_, t)| rfc3339(*t)),
        "stuck_on": row.stuck.as_ref().map(|(id, _)| id.clone()),
    })
}

/// A failed or converging check in one line: its message and each mismatch.
fn check_detail(c: &crate::report::CheckReport) -> String {
    let mut parts = vec![c.message.clone()];
    parts.extend(c.mismatches.iter().map(|m| format!("{}: {} ≠ {}", m.field, m.expected, m.found)));
    lab_engine::untrusted::terminal_line(&parts.join("; ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ClusterInfo;
    use crate::test_fixture;
    use lab_engine::connection::ClusterError;
    use lab_engine::endpoint::Endpoint;

    fn lab() -> Lab {
        test_fixture::lab(40, Some(60))
    }

    fn learners(n: usize) -> Vec<Learner> {
        (0..n)
            .map(|i| Learner {
                name: format!("l{i}"),
                line: i as u64 + 2,
                endpoint: Endpoint { host: format!("unix:///l{i}.sock"), tls: None, context: None, source: "t".into() },
            })
            .collect()
    }

    fn report(front: Status, web: Status, swarm: &str) -> WatchEvent {
        let check = |id: &str, status: Status, max: u32| {
            let points = if status == Status::Pass { max } else { 0 };
            test_fixture::check(id, status, points, max, format!("{id} is {}", status.as_str()))
        };
        let checks = vec![check("front", front, 40), check("web", web, 60)];
        let cluster =
            ClusterInfo { swarm_id: swarm.into(), node_ids: vec![format!("{swarm}-n1")], ..Default::default() };
        WatchEvent::Report { report: Box::new(test_fixture::report(checks, cluster)), changes: Vec::new() }
    }

    fn class(n: usize) -> Arc<LiveClass> {
        let opts = LiveOptions {
            watch: WatchOptions::default(),
            check: CheckOptions::default(),
            stuck_after: Duration::from_secs(600),
        };
        LiveClass::new(&lab(), &learners(n), opts)
    }

    fn row(c: &LiveClass, i: usize) -> Value {
        c.class_json()["learners"][i].clone()
    }

    #[test]
    fn a_row_waits_then_shows_status_score_marks_and_only_moved_rows_are_sent_again() {
        let c = class(2);
        assert_eq!(row(&c, 0)["status"], "waiting");
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        c.apply(0, report(Status::Pass, Status::Fail, "s1"), t0);
        let r = row(&c, 0);
        assert_eq!((r["status"].as_str(), r["score"].as_u64()), (Some("graded"), Some(40)));
        assert_eq!(r["checks"], json!({"front": "pass", "web": "fail"}));
        assert_eq!(r["details"]["web"], "web is fail");
        assert_eq!((r["stuck_on"].as_str(), r["stuck_since"].as_str()), (Some("web"), Some("1970-01-12T13:46:40Z")));
        let (moved, seen) = c.rows_since(&[]);
        assert_eq!(moved.len(), 2);
        // Nothing moved: nothing to send; the same report again changes nothing.
        let v = *c.changed().borrow();
        c.apply(0, report(Status::Pass, Status::Fail, "s1"), t0 + Duration::from_secs(5));
        assert_eq!(*c.changed().borrow(), v, "an identical report is no change");
        assert!(c.rows_since(&seen).0.is_empty());
        // Progress: the row moves, stuck clears, and it alone is sent.
        let t1 = t0 + Duration::from_secs(60);
        c.apply(0, report(Status::Pass, Status::Pass, "s1"), t1);
        let (moved, _) = c.rows_since(&seen);
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0]["score"], 100);
        assert_eq!(moved[0]["stuck_since"], Value::Null);
        assert_eq!(moved[0]["progress_at"], "1970-01-12T13:47:40Z");
    }

    #[test]
    fn stuck_since_is_kept_while_the_same_check_fails_and_moves_with_the_next_one() {
        let c = class(1);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        c.apply(0, report(Status::Fail, Status::Fail, "s"), t0);
        assert_eq!(row(&c, 0)["stuck_on"], "front");
        c.apply(0, report(Status::Fail, Status::Converging, "s"), t0 + Duration::from_secs(30));
        assert_eq!(row(&c, 0)["stuck_since"], "1970-01-01T00:01:40Z", "still on front");
        c.apply(0, report(Status::Pass, Status::Fail, "s"), t0 + Duration::from_secs(90));
        assert_eq!(
            (row(&c, 0)["stuck_on"].as_str(), row(&c, 0)["stuck_since"].as_str()),
            (Some("web"), Some("1970-01-01T00:03:10Z"))
        );
    }

    #[test]
    fn a_lost_engine_shows_why_and_two_learners_on_one_swarm_are_flagged() {
        let c = class(3);
        let now = SystemTime::now();
        c.apply(0, report(Status::Pass, Status::Pass, "same"), now);
        c.apply(1, report(Status::Pass, Status::Fail, "same"), now);
        c.apply(2, report(Status::Pass, Status::Fail, "other"), now);
        assert_eq!(row(&c, 0)["flags"], json!(["shared-swarm:l0;l1"]));
        assert_eq!(row(&c, 2)["flags"], json!([]));
        let lost = ClusterError::Unreachable { host: "unix:///l1.sock".into(), why: "gone".into() };
        c.apply(1, WatchEvent::Lost { error: lost, node_id: None, retry_in: Duration::from_secs(1), attempt: 1 }, now);
        let r = row(&c, 1);
        assert_eq!((r["status"].as_str(), r["score"].as_u64()), (Some("unreachable"), Some(0)));
        assert_eq!(row(&c, 0)["flags"], json!([]), "the other learner is no longer flagged");

        let grades = c.grades();
        let statuses: Vec<GradeStatus> = grades.learners.iter().map(|l| l.status).collect();
        assert_eq!(statuses, [GradeStatus::Graded, GradeStatus::Unreachable, GradeStatus::Graded]);
        assert_eq!(grades.learners[0].score, 100);
        assert!(grades.gradebook_csv().lines().nth(1).unwrap().starts_with("l0,graded,100,100"));
    }

    #[test]
    fn flags_match_the_gradebook_a_worker_of_another_swarm_and_one_endpoint_on_two_rows() {
        let mut roster = learners(4);
        roster[3].endpoint.host = roster[2].endpoint.host.clone();
        let opts = LiveOptions {
            watch: WatchOptions::default(),
            check: CheckOptions::default(),
            stuck_after: Duration::from_secs(600),
        };
        let c = LiveClass::new(&lab(), &roster, opts);
        // Before any engine answers: the endpoint written twice.
        assert_eq!(row(&c, 2)["flags"], json!(["same-endpoint:l2;l3"]));
        assert_eq!(row(&c, 0)["flags"], json!([]));
        let now = SystemTime::now();
        // l0 reads the swarm through its manager (nodes s-n1 …); l1's engine is a worker of
        // it and tells its own node ID.
        c.apply(0, report(Status::Pass, Status::Pass, "s"), now);
        let worker = ClusterError::NotManager { host: "unix:///l1.sock".into(), managers: String::new() };
        let lost =
            WatchEvent::Lost { error: worker, node_id: Some("s-n1".into()), retry_in: Duration::ZERO, attempt: 1 };
        c.apply(1, lost, now);
        assert_eq!(row(&c, 1)["status"], "not_manager");
        for i in [0, 1] {
            assert_eq!(row(&c, i)["flags"], json!(["shared-swarm:l0;l1"]), "row {i}");
        }
        // Each row shows the flags the gradebook written now has.
        for (i, r) in c.grades().learners.iter().enumerate() {
            assert_eq!(row(&c, i)["flags"], json!(r.flags), "row {i}");
        }
    }

    #[test]
    fn a_learner_whose_engine_never_answered_is_exported_as_a_timeout() {
        let c = class(1);
        let grades = c.grades();
        assert_eq!(grades.learners[0].status, GradeStatus::Timeout);
        assert!(grades.learners[0].message.contains("has not answered"), "{}", grades.learners[0].message);
    }
}
