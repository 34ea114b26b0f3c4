//! A drill's result: its timeline (and, for a data drill, the counts read before and after)
//! judged against what the drill expects. Judging is pure: the same timeline always gives
//! the same verdict, so it is tested on recorded timelines.

use crate::timeline::Timeline;
use lab_i18n::{drill_text, words, Language};
use lab_schema::Drill;
use serde::Serialize;
use std::time::Duration;

/// How a drill ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DrillStatus {
    /// Every expectation was met.
    Pass,
    /// An expectation was not met, or the swarm could not be put back.
    Fail,
    /// An informational drill: measured and told, never failed.
    Info,
    /// Not run on this swarm (the report says why); nothing was changed.
    Skipped,
}

impl DrillStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DrillStatus::Pass => "pass",
            DrillStatus::Fail => "fail",
            DrillStatus::Info => "info",
            DrillStatus::Skipped => "skipped",
        }
    }

    /// The status in the run's language, for the human report.
    pub fn word(self) -> &'static str {
        match self {
            DrillStatus::Pass => words::DRILL_STATUS_PASS,
            DrillStatus::Fail => words::DRILL_STATUS_FAIL,
            DrillStatus::Info => words::DRILL_STATUS_INFO,
            DrillStatus::Skipped => words::DRILL_STATUS_SKIPPED,
        }
    }
}

/// A count read from a page before and after the fault (`N votes`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataCounts {
    pub before: Option<u64>,
    pub after: Option<u64>,
    /// Why a count could not be read.
    pub error: Option<String>,
}

/// What one drill measured and how it is judged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    pub timeline: Timeline,
    /// The node the fault took away (`node2`), for the report's words.
    pub node: Option<String>,
    pub data: Option<DataCounts>,
    /// What went wrong putting the swarm back; a drill that could not restore fails.
    pub restore_error: Option<String>,
}

/// One drill's line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillResult {
    pub id: String,
    pub title: String,
    pub status: DrillStatus,
    /// Answered probes / probes, from the fault on; `null` when the drill probes nothing.
    pub availability: Option<f64>,
    /// Fault → desired replicas running again (node drills: engine started → node Ready).
    pub recovery_s: Option<f64>,
    pub expected: String,
    pub measured: String,
    pub hint: String,
    #[serde(skip)]
    pub timeline: Timeline,
}

fn secs(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}

/// A drill that did not run: why, and nothing measured.
pub fn skipped(drill: &Drill, why: &str, lang: Language) -> DrillResult {
    DrillResult {
        id: drill.id.clone(),
        title: drill.title.clone(),
        status: DrillStatus::Skipped,
        availability: None,
        recovery_s: None,
        expected: lang.list(words::LIST, &drill_text::expected(drill, lang)),
        measured: lang.fill(words::DRILL_SKIPPED, &[("why", &why)]),
        hint: drill.hint.clone(),
        timeline: Timeline::default(),
    }
}

/// A drill that could not be run to its end (the service was not whole, an engine refused
/// the fault): a failure, with why.
pub fn failed(drill: &Drill, why: &str, lang: Language) -> DrillResult {
    DrillResult { status: DrillStatus::Fail, measured: why.to_string(), ..skipped(drill, why, lang) }
}

/// Judges what was observed against the drill's expectations.
pub fn judge(drill: &Drill, seen: &Observed, lang: Language) -> DrillResult {
    let t = &seen.timeline;
    let node = seen.node.clone().unwrap_or_else(|| "?".into());
    let service_level = drill.service.is_some() || drill.image.is_some();
    let mut ok = true;
    let mut measured = Vec::new();

    let recovery = if service_level { t.recovery() } else { t.node_recovery() };
    if let Some(limit) = &drill.expect.recovery {
        ok &= recovery.is_some_and(|r| r <= limit.0);
    }
    if drill.expect.recovery.is_some() || service_level {
        measured.push(match (service_level, recovery) {
            (true, Some(r)) => {
                let (one, many) = (words::MEASURED_RECOVERED_ONE, words::MEASURED_RECOVERED_MANY);
                lang.count_fill(last_desired(t) as u64, one, many, &[("seconds", &secs(r))])
            }
            (true, None) => {
                let (running, desired) = last_replicas(t);
                let since = t.end().saturating_sub(t.fault_at().unwrap_or_default());
                lang.fill(
                    words::MEASURED_NOT_RECOVERED,
                    &[("seconds", &secs(since)), ("running", &running), ("desired", &desired)],
                )
            }
            (false, Some(r)) => lang.fill(words::MEASURED_NODE_READY, &[("node", &node), ("seconds", &secs(r))]),
            (false, None) => {
                let since = t.end().saturating_sub(t.restore_at().unwrap_or_default());
                lang.fill(words::MEASURED_NODE_NOT_READY, &[("node", &node), ("seconds", &secs(since))])
            }
        });
    }

    let availability = drill.probe.as_ref().and_then(|_| t.availability());
    if drill.probe.is_some() {
        let (answered, probes) = t.probes();
        measured.push(match availability {
            Some(a) => lang.fill(
                words::MEASURED_ANSWERED,
                &[
                    ("answered", &answered),
                    ("probes", &probes),
                    ("share", &format!("{:.1}%", a * 100.0)),
                    ("gap", &secs(t.longest_outage())),
                ],
            ),
            None => lang.tr(words::MEASURED_NO_PROBE).into_owned(),
        });
    }
    if let Some(min) = drill.expect.availability {
        ok &= availability.is_some_and(|a| a >= min);
    }

    if let Some(want) = drill.expect.quorum {
        let kept = t.quorum_kept();
        ok &= kept == Some(want);
        let (answered, reads) = t.quorum_reads();
        measured.push(if reads == 0 {
            lang.fill(words::MEASURED_NO_QUORUM_READ, &[("node", &node)])
        } else {
            lang.fill(words::MEASURED_QUORUM, &[("answered", &answered), ("reads", &reads), ("node", &node)])
        });
    }

    if let (Some(d), Some(counts)) = (&drill.data, &seen.data) {
        let show = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "?".into());
        let values = [
            ("counts", d.counts.clone()),
            ("service", d.service.clone()),
            ("before", show(counts.before)),
            ("after", show(counts.after)),
        ];
        let values: Vec<(&str, &dyn std::fmt::Display)> =
            values.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
        measured.push(match (&counts.error, counts.before, counts.after) {
            (Some(e), _, _) => {
                lang.fill(words::MEASURED_DATA_UNREAD, &[("counts", &d.counts), ("service", &d.service), ("error", e)])
            }
            (None, Some(b), Some(a)) if a < b => lang.fill(words::MEASURED_DATA_LOST, &values),
            _ => lang.fill(words::MEASURED_DATA, &values),
        });
        ok &= counts.error.is_none() && counts.before.is_some() && counts.after >= counts.before;
    }

    if let Some(e) = &seen.restore_error {
        ok = false;
        measured.push(lang.fill(words::DRILL_RESTORE_FAILED, &[("error", e)]));
    }

    let status = match (drill.informational, ok) {
        // A swarm left changed is never just "informational".
        (true, _) if seen.restore_error.is_none() => DrillStatus::Info,
        (_, true) => DrillStatus::Pass,
        _ => DrillStatus::Fail,
    };
    DrillResult {
        id: drill.id.clone(),
        title: drill.title.clone(),
        status,
        availability,
        recovery_s: recovery.map(|r| (r.as_secs_f64() * 10.0).round() / 10.0),
        expected: lang.list(words::LIST, &drill_text::expected(drill, lang)),
        measured: lang.list(words::LIST, &measured),
        hint: drill.hint.clone(),
        timeline: t.clone(),
    }
}

fn last_replicas(t: &Timeline) -> (usize, usize) {
    t.events
        .iter()
        .rev()
        .find_map(|e| match *e {
            crate::timeline::Event::Replicas { running, desired, .. } => Some((running, desired)),
            _ => None,
        })
        .unwrap_or((0, 0))
}

fn last_desired(t: &Timeline) -> usize {
    last_replicas(t).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::Event;

    fn lab() -> lab_schema::Lab {
        lab_schema::load_str(
            std::path::Path::new("../labs/day6-voting-app.toml"),
            include_str!("../../labs/day6-voting-app.toml"),
        )
        .expect("the voting-app lab loads")
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// A rolling update of vote: `outage` ms of 5 s without an answer (probes every 100 ms).
    fn rolling(outage: u64, back_at: u64) -> Observed {
        let mut t = Timeline::default();
        t.push(Event::Fault { at: ms(0) });
        for i in 0..50u64 {
            let at = i * 100;
            t.push(Event::Probe { at: ms(at), answered: !(1000..1000 + outage).contains(&at) });
        }
        t.push(Event::Replicas { at: ms(back_at), running: 2, desired: 2 });
        Observed { timeline: t, ..Default::default() }
    }

    #[test]
    fn a_rolling_update_without_downtime_passes() {
        let lab = lab();
        let d = lab.drill("rolling-update").unwrap();
        let r = judge(d, &rolling(0, 4000), Language::english());
        assert_eq!(r.status, DrillStatus::Pass, "{r:?}");
        assert_eq!(r.availability, Some(1.0));
        assert_eq!(r.recovery_s, Some(4.0));
        assert_eq!(
            r.measured,
            "back to 2 replicas 4.0 s after the fault, 50 of 50 probes answered (100.0%), longest gap 0.0 s"
        );
    }

    /// A drill on a 1-replica service said "back to 1 replicas".
    #[test]
    fn one_replica_is_back_to_1_replica_singular() {
        let lab = lab();
        let d = lab.drill("rolling-update").unwrap();
        let mut seen = rolling(0, 4000);
        seen.timeline.events.retain(|e| !matches!(e, Event::Replicas { .. }));
        seen.timeline.push(Event::Replicas { at: ms(4000), running: 1, desired: 1 });
        let r = judge(d, &seen, Language::english());
        assert!(r.measured.starts_with("back to 1 replica 4.0 s after the fault, "), "{}", r.measured);
        let zh = judge(d, &seen, Language::parse("zh-TW").unwrap());
        assert!(zh.measured.starts_with("故障後 4.0 秒恢復到 1 個 replica"), "{}", zh.measured);
    }

    #[test]
    fn downtime_fails_the_rolling_update_and_is_measured() {
        let lab = lab();
        let d = lab.drill("rolling-update").unwrap();
        let r = judge(d, &rolling(1500, 4000), Language::english());
        assert_eq!(r.status, DrillStatus::Fail);
        assert_eq!(r.availability, Some(0.7));
        assert!(r.measured.contains("35 of 50 probes answered (70.0%), longest gap 1.5 s"), "{}", r.measured);
    }

    #[test]
    fn a_late_recovery_fails_and_a_missing_one_says_how_far_it_got() {
        let lab = lab();
        let d = lab.drill("rolling-update").unwrap();
        assert_eq!(judge(d, &rolling(0, 61_000), Language::english()).status, DrillStatus::Fail);
        let mut seen = rolling(0, 4000);
        seen.timeline.events.retain(|e| !matches!(e, Event::Replicas { .. }));
        seen.timeline.push(Event::Replicas { at: ms(4900), running: 1, desired: 2 });
        let r = judge(d, &seen, Language::english());
        assert_eq!((r.status, r.recovery_s), (DrillStatus::Fail, None));
        assert!(r.measured.starts_with("not back to its replicas after 4.9 s (1 of 2 running)"), "{}", r.measured);
    }

    #[test]
    fn a_swarm_not_put_back_fails_even_an_informational_drill() {
        let lab = lab();
        let d = lab.drill("db-node-drained").unwrap();
        let mut seen = rolling(0, 4000);
        seen.data = Some(DataCounts { before: Some(3), after: Some(0), error: None });
        let r = judge(d, &seen, Language::english());
        assert_eq!(r.status, DrillStatus::Info);
        assert!(r.measured.contains("the votes are gone: 3 before, 0 after"), "{}", r.measured);
        seen.restore_error = Some("node2: cannot set availability active".into());
        assert_eq!(judge(d, &seen, Language::english()).status, DrillStatus::Fail);
    }

    #[test]
    fn a_skipped_drill_says_why_and_measures_nothing() {
        let lab = lab();
        let r = skipped(lab.drill("node-down").unwrap(), "no node to spare", Language::english());
        assert_eq!((r.status, r.availability, r.recovery_s), (DrillStatus::Skipped, None, None));
        assert_eq!(r.measured, "skipped: no node to spare");
    }
}
