//! Watching a lab: a new report whenever the swarm changes, for `lab check --watch` and the
//! live cards of `lab serve`.
//!
//! The watcher keeps one `GET /events` stream open (service, node, network, volume,
//! secret, config and container events) and re-reads the swarm with [`Snapshot::take`]
//! when something happens. A burst of events (one `docker service create` sends many) is
//! coalesced into one read: the read starts once the stream has been quiet for
//! [`WatchOptions::quiet`], or after [`WatchOptions::burst`] at the latest. Task state
//! changes of other nodes have no event here, so while a check is converging the swarm is
//! re-read once every [`WatchOptions::interval`]; once it is stable nothing is sent but the
//! open event stream. Reads an event triggers are [`WatchOptions::min_gap`] apart at least.
//!
//! When the engine goes away (restarted, network down) the watcher says so, retries with
//! exponential backoff and resumes; it never gives up. Only GET requests reach the engine.

use crate::evaluate;
use crate::report::{Report, Status};
use crate::snapshot::Snapshot;
use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::StreamExt;
use lab_engine::connection::{ClusterError, Connection};
use lab_engine::endpoint::Endpoint;
use lab_i18n::{words, Language};
use lab_schema::Lab;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, Semaphore};

/// The event types that can change a grade.
pub const EVENT_TYPES: [&str; 7] = ["service", "node", "network", "volume", "secret", "config", "container"];

/// How a watch behaves; the defaults are what `lab check --watch` and `lab serve` use.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub only: Vec<String>,
    pub skip: Vec<String>,
    /// Bounds connecting and each snapshot request.
    pub timeout: Duration,
    /// A burst of events has ended after this long without another one.
    pub quiet: Duration,
    /// Read at the latest this long after the first event of a burst.
    pub burst: Duration,
    /// The re-read period while a check is converging.
    pub interval: Duration,
    /// Reads a burst of events triggers are at least this far apart.
    pub min_gap: Duration,
    /// First and longest wait before reconnecting to an engine that went away.
    pub backoff: (Duration, Duration),
    /// The language of the reports' messages and of the change lines.
    pub lang: Language,
    /// Attach to each failed check the commands that fix it (`lab grade --live`'s
    /// feedback pages, with `lab_fix::PLAN`); the cards and `--watch` leave them out.
    pub fixes: Option<crate::run::PlanFixes>,
    /// The reads (a snapshot and its evaluation, or opening a connection) that may run at
    /// once across every watch sharing this semaphore; a read waits for a permit before
    /// its time limit starts.
    /// `lab grade --live` shares one among a class, so its first wave does not hold every
    /// learner's connections and answers in memory at the same moment. `None`: no limit.
    pub reads: Option<Arc<Semaphore>>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            only: Vec::new(),
            skip: Vec::new(),
            timeout: Duration::from_secs(30),
            quiet: Duration::from_millis(100),
            burst: Duration::from_millis(500),
            interval: Duration::from_secs(1),
            min_gap: Duration::from_millis(250),
            backoff: (Duration::from_millis(250), Duration::from_secs(8)),
            lang: Language::english(),
            fixes: None,
            reads: None,
        }
    }
}

/// What a watch tells its consumer.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    /// A report that differs from the previous one (or the first after connecting).
    Report {
        report: Box<Report>,
        /// What changed since the previous report, one line each (empty for the first).
        changes: Vec<String>,
    },
    /// The engine could not be read; the watch retries after `retry_in`. A worker tells
    /// its own node ID (`node_id`), which is enough to spot a worker of another learner's
    /// swarm.
    Lost { error: ClusterError, node_id: Option<String>, retry_in: Duration, attempt: u32 },
}

/// Watches `lab` on the engine at `endpoint` and sends a [`WatchEvent`] per change, until
/// the receiver is dropped. Never returns an error: a lost engine is reported and retried.
pub async fn watch(lab: &Lab, endpoint: &Endpoint, opts: &WatchOptions, tx: mpsc::Sender<WatchEvent>) {
    let mut last: Option<Report> = None;
    let mut attempt = 0u32;
    loop {
        let error = tokio::select! {
            e = watch_connected(lab, endpoint, opts, &tx, &mut last, &mut attempt) => e,
            _ = tx.closed() => return,
        };
        let Some((error, node_id)) = error else { return };
        attempt += 1;
        let retry_in = backoff(opts.backoff, attempt);
        if tx.send(WatchEvent::Lost { error, node_id, retry_in, attempt }).await.is_err() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(retry_in) => {}
            _ = tx.closed() => return,
        }
    }
}

/// The wait before reconnect attempt `attempt` (1, 2, …): doubling from the first wait up
/// to the longest.
pub fn backoff((first, longest): (Duration, Duration), attempt: u32) -> Duration {
    first.saturating_mul(1u32 << attempt.saturating_sub(1).min(16)).min(longest)
}

/// What ended a connection's worth of watching: the error, and a worker's own node ID.
type Ended = (ClusterError, Option<String>);

/// One connection's worth of watching. Returns the error that ended it, or `None` when the
/// receiver has gone.
async fn watch_connected(
    lab: &Lab,
    endpoint: &Endpoint,
    opts: &WatchOptions,
    tx: &mpsc::Sender<WatchEvent>,
    last: &mut Option<Report>,
    attempt: &mut u32,
) -> Option<Ended> {
    let permit = read_permit(opts).await;
    let conn = match Connection::open(endpoint, opts.timeout).await {
        Ok(c) => c,
        Err(e) => return Some((e, None)),
    };
    drop(permit);
    let mut events = None;
    let mut resumed = *attempt > 0 || last.is_none();
    loop {
        let permit = read_permit(opts).await;
        let read_at = Instant::now();
        // The stream asks for events from 2 s before the first read on, so no change
        // during that read is missed (a replayed event costs one read that reports nothing
        // new). Counted from the read, not from connecting: under `lab grade --live` the
        // first read may wait seconds for its turn, and every event of that wait would be
        // replayed.
        let events = events.get_or_insert_with(|| {
            let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs().saturating_sub(2);
            let filters = HashMap::from([("type", EVENT_TYPES.to_vec())]);
            conn.docker.events(Some(EventsOptionsBuilder::new().since(&since.to_string()).filters(&filters).build()))
        });
        let read = tokio::time::timeout(opts.timeout, read(lab, &conn, opts)).await;
        drop(permit);
        let report = match read {
            Ok(Ok(r)) => r,
            Ok(Err(e @ ClusterError::NotManager { .. })) => {
                let node = conn.docker.info().await.ok().and_then(|i| i.swarm).and_then(|s| s.node_id);
                return Some((e, node));
            }
            Ok(Err(e)) => return Some((e, None)),
            Err(_) => {
                let secs = opts.timeout.as_secs_f64();
                return Some((ClusterError::Timeout { host: endpoint.host.clone(), secs }, None));
            }
        };
        *attempt = 0;
        let changed = last.as_ref() != Some(&report);
        if changed || resumed {
            let changes = last.as_ref().map(|l| changes_in(l, &report, opts.lang)).unwrap_or_default();
            *last = Some(report.clone());
            if tx.send(WatchEvent::Report { report: Box::new(report.clone()), changes }).await.is_err() {
                return None;
            }
        }
        resumed = false;
        let converging = report.checks.iter().any(|c| c.status == Status::Converging);
        // Wait for the next reason to read: an event (then the end of its burst), or,
        // while converging, the re-read period.
        let next_poll = read_at + opts.interval;
        let first_event = if converging {
            tokio::select! {
                e = events.next() => Some(e),
                _ = tokio::time::sleep_until(next_poll.into()) => None,
            }
        } else {
            Some(events.next().await)
        };
        if let Some(e) = first_event {
            match e {
                Some(Ok(_)) => {}
                Some(Err(e)) => return Some((lab_engine::connection::classify(&endpoint.host, &e), None)),
                None => return Some((stream_ended(endpoint), None)),
            }
            let burst_end = Instant::now() + opts.burst;
            loop {
                let quiet_end = (Instant::now() + opts.quiet).min(burst_end);
                match tokio::time::timeout_at(quiet_end.into(), events.next()).await {
                    Err(_) => break,
                    Ok(Some(Ok(_))) => continue,
                    Ok(Some(Err(e))) => return Some((lab_engine::connection::classify(&endpoint.host, &e), None)),
                    Ok(None) => return Some((stream_ended(endpoint), None)),
                }
            }
            tokio::time::sleep_until((read_at + opts.min_gap).into()).await;
        }
    }
}

/// A turn to open a connection or read, when [`WatchOptions::reads`] limits them.
async fn read_permit(opts: &WatchOptions) -> Option<tokio::sync::SemaphorePermit<'_>> {
    match &opts.reads {
        Some(reads) => Some(reads.acquire().await.expect("the reads semaphore is never closed")),
        None => None,
    }
}

fn stream_ended(endpoint: &Endpoint) -> ClusterError {
    ClusterError::Unreachable { host: endpoint.host.clone(), why: words::EVENT_STREAM_ENDED.into() }
}

async fn read(lab: &Lab, conn: &Connection, opts: &WatchOptions) -> Result<Report, ClusterError> {
    let snap = Snapshot::take(conn).await?;
    let mut report = evaluate::evaluate_in(lab, &snap, &opts.only, &opts.skip, opts.lang);
    report.passed = report.checks.iter().all(|c| c.status == Status::Pass);
    if let Some(plan) = opts.fixes {
        plan(lab, &snap, &mut report, opts.lang);
    }
    Ok(report)
}

/// What changed from `before` to `after`, one line each: the score, and every check whose
/// status, points or mismatches changed (`vote: fail → pass`).
pub fn changes(before: &Report, after: &Report) -> Vec<String> {
    changes_in(before, after, Language::english())
}

/// [`changes`] in `lang`: check ids and scores as they are, statuses in words.
pub fn changes_in(before: &Report, after: &Report, lang: Language) -> Vec<String> {
    let mut out = Vec::new();
    if before.score != after.score {
        let from = format!("{}/{}", before.score, before.max_score);
        let to = format!("{}/{}", after.score, after.max_score);
        out.push(lang.fill(words::CHANGE_SCORE, &[("from", &from), ("to", &to)]));
    }
    let status = |s: Status| lang.tr(s.word()).into_owned();
    for c in &after.checks {
        let id = &c.id;
        match before.checks.iter().find(|b| b.id == c.id) {
            Some(b) if b.status != c.status => out.push(
                lang.fill(words::CHANGE_STATUS, &[("id", id), ("from", &status(b.status)), ("to", &status(c.status))]),
            ),
            Some(b) if b.mismatches != c.mismatches || b.points != c.points => {
                out.push(lang.fill(words::CHANGE_MISMATCHES, &[("id", id), ("status", &status(c.status))]))
            }
            Some(_) => {}
            None => out.push(lang.fill(words::CHANGE_NEW_CHECK, &[("id", id), ("status", &status(c.status))])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CheckReport, ClusterInfo, Mismatch};
    use crate::test_fixture;

    fn check(id: &str, status: Status, points: u32) -> CheckReport {
        test_fixture::check(id, status, points, 50, String::new())
    }

    fn report(checks: Vec<CheckReport>) -> Report {
        test_fixture::report(checks, ClusterInfo::default())
    }

    #[test]
    fn changes_name_the_score_and_each_check_that_moved() {
        let a = report(vec![check("net", Status::Pass, 50), check("vote", Status::Fail, 0)]);
        let b = report(vec![check("net", Status::Pass, 50), check("vote", Status::Pass, 50)]);
        assert_eq!(changes(&a, &b), ["score 50/100 → 100/100", "vote: fail → pass"]);
        assert!(changes(&b, &b).is_empty());
        let zh = Language::parse("zh-TW").unwrap();
        assert_eq!(changes_in(&a, &b, zh), ["得分 50/100 → 100/100", "vote：失敗 → 通過"]);
    }

    #[test]
    fn a_check_that_fails_differently_is_a_change() {
        let a = report(vec![check("vote", Status::Fail, 0)]);
        let mut b = a.clone();
        b.checks[0].mismatches.push(Mismatch { field: "replicas".into(), expected: "2".into(), found: "1".into() });
        assert_eq!(changes(&a, &b), ["vote: still fail, mismatches changed"]);
    }

    /// Serves `socket` as an engine that logs the request line of every connection (with
    /// `tag`) and never answers: a read of it lasts until its time limit.
    #[cfg(unix)]
    fn silent_engine(socket: &std::path::Path, tag: &'static str, log: Arc<std::sync::Mutex<Vec<&'static str>>>) {
        use tokio::io::AsyncBufReadExt;
        let listener = tokio::net::UnixListener::bind(socket).unwrap();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let mut lines = tokio::io::BufReader::new(stream).lines();
                    if let Ok(Some(line)) = lines.next_line().await {
                        assert!(line.starts_with("GET "), "{line}");
                        log.lock().unwrap().push(tag);
                    }
                    while let Ok(Some(_)) = lines.next_line().await {}
                });
            }
        });
    }

    /// Waits until `log` has `n` entries; fails after 20 s.
    async fn logged(log: &std::sync::Mutex<Vec<&'static str>>, n: usize) -> Vec<&'static str> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let now = log.lock().unwrap().clone();
            if now.len() >= n {
                return now;
            }
            assert!(Instant::now() < deadline, "{n} requests expected, got {now:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn watches_sharing_a_reads_limit_take_turns() {
        let lab = test_fixture::lab(100, None);
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let opts = WatchOptions { reads: Some(Arc::new(Semaphore::new(1))), ..Default::default() };
        let mut watches = std::collections::BTreeMap::new();
        let mut receivers = Vec::new();
        for tag in ["a", "b"] {
            let socket = dir.path().join(format!("{tag}.sock"));
            silent_engine(&socket, tag, log.clone());
            let endpoint =
                Endpoint { host: format!("unix://{}", socket.display()), tls: None, context: None, source: "t".into() };
            let (tx, rx) = mpsc::channel(4);
            let (lab, opts) = (lab.clone(), opts.clone());
            watches.insert(tag, tokio::spawn(async move { watch(&lab, &endpoint, &opts, tx).await }));
            receivers.push(rx);
        }
        // A read is 9 requests at once. One engine's read holds the only turn (its engine
        // never answers); the other's waits until that watch ends.
        let first = logged(&log, 9).await;
        assert_eq!(first.len(), 9, "two reads at once: {first:?}");
        assert!(first.iter().all(|t| *t == first[0]), "{first:?}");
        watches[first[0]].abort();
        let all = logged(&log, 18).await;
        assert!(all[9..].iter().all(|t| *t != first[0]), "{all:?}");
        watches.values().for_each(|w| w.abort());
    }

    #[test]
    fn backoff_doubles_up_to_the_longest_wait() {
        let b = (Duration::from_millis(250), Duration::from_secs(8));
        let waits: Vec<u64> = (1..=8).map(|n| backoff(b, n).as_millis() as u64).collect();
        assert_eq!(waits, [250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
    }
}
