//! What a drill saw, in order: probes answered or not, replica counts read from the swarm,
//! quorum reads, and the moments the fault and the restore began. Availability and
//! recovery are computed from a timeline alone, so recorded timelines drive the unit tests
//! and a report can draw the same timeline as text.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One observation, at a time since the drill began.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A probe of the service's port: answered (a connection and a reply) or not.
    Probe { at: Duration, answered: bool },
    /// A read of the service's tasks: how many run where they should (not a task the fault
    /// hit, not on a node that is down), and how many the service wants.
    Replicas { at: Duration, running: usize, desired: usize },
    /// A read of the swarm through a manager the fault left alone: answered or not.
    Quorum { at: Duration, answered: bool },
    /// A node the fault took away is Ready again (as a manager sees it).
    NodeReady { at: Duration },
    /// The fault was injected.
    Fault { at: Duration },
    /// The swarm was being put back (engine started, node set active).
    Restore { at: Duration },
}

impl Event {
    pub fn at(&self) -> Duration {
        match *self {
            Event::Probe { at, .. }
            | Event::Replicas { at, .. }
            | Event::Quorum { at, .. }
            | Event::NodeReady { at }
            | Event::Fault { at }
            | Event::Restore { at } => at,
        }
    }
}

/// A drill's observations, kept in time order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub events: Vec<Event>,
}

impl Timeline {
    /// Adds an observation; one that arrives late (concurrent readers) is put in its place.
    pub fn push(&mut self, e: Event) {
        let at = e.at();
        let i = self.events.partition_point(|x| x.at() <= at);
        self.events.insert(i, e);
    }

    /// When the fault was injected.
    pub fn fault_at(&self) -> Option<Duration> {
        self.events.iter().find_map(|e| match e {
            Event::Fault { at } => Some(*at),
            _ => None,
        })
    }

    /// When the restore began.
    pub fn restore_at(&self) -> Option<Duration> {
        self.events.iter().find_map(|e| match e {
            Event::Restore { at } => Some(*at),
            _ => None,
        })
    }

    /// Probes sent from the fault on: (answered, sent).
    pub fn probes(&self) -> (usize, usize) {
        let from = self.fault_at().unwrap_or_default();
        self.events.iter().fold((0, 0), |(ok, all), e| match e {
            Event::Probe { at, answered } if *at >= from => (ok + usize::from(*answered), all + 1),
            _ => (ok, all),
        })
    }

    /// Share of probes answered from the fault on, 0 to 1; `None` when nothing was probed.
    pub fn availability(&self) -> Option<f64> {
        let (ok, all) = self.probes();
        (all > 0).then(|| ok as f64 / all as f64)
    }

    /// The longest run of unanswered probes from the fault on: from the first probe that
    /// went unanswered to the next one answered (or the last probe).
    pub fn longest_outage(&self) -> Duration {
        let from = self.fault_at().unwrap_or_default();
        let mut longest = Duration::ZERO;
        let mut down_since: Option<Duration> = None;
        let mut last = from;
        for e in &self.events {
            if let Event::Probe { at, answered } = *e {
                if at < from {
                    continue;
                }
                last = at;
                match (answered, down_since) {
                    (false, None) => down_since = Some(at),
                    (true, Some(since)) => {
                        longest = longest.max(at - since);
                        down_since = None;
                    }
                    _ => {}
                }
            }
        }
        if let Some(since) = down_since {
            longest = longest.max(last - since);
        }
        longest
    }

    /// Time from the fault until the service runs its desired replicas again, counting only
    /// tasks the fault did not hit: the first replica read after the fault that shows them
    /// all. `None`: never within the timeline (or no fault, or no replica read).
    pub fn recovery(&self) -> Option<Duration> {
        let fault = self.fault_at()?;
        self.events.iter().find_map(|e| match *e {
            Event::Replicas { at, running, desired } if at >= fault && desired > 0 && running >= desired => {
                Some(at - fault)
            }
            _ => None,
        })
    }

    /// Time from the restore until the node the fault took away was Ready again.
    pub fn node_recovery(&self) -> Option<Duration> {
        let restore = self.restore_at()?;
        self.events.iter().find_map(|e| match *e {
            Event::NodeReady { at } if at >= restore => Some(at - restore),
            _ => None,
        })
    }

    /// Swarm reads while the fault held (from the fault to the restore): (answered, sent).
    pub fn quorum_reads(&self) -> (usize, usize) {
        let from = self.fault_at().unwrap_or_default();
        let to = self.restore_at().unwrap_or(Duration::MAX);
        self.events.iter().fold((0, 0), |(ok, all), e| match e {
            Event::Quorum { at, answered } if *at >= from && *at < to => (ok + usize::from(*answered), all + 1),
            _ => (ok, all),
        })
    }

    /// Whether the swarm kept answering while the fault held: the managers that were left
    /// answered at the end of the fault (a new leader may take a few seconds to be elected,
    /// so the first reads may fail). `None` when no read was made while it held.
    pub fn quorum_kept(&self) -> Option<bool> {
        let from = self.fault_at().unwrap_or_default();
        let to = self.restore_at().unwrap_or(Duration::MAX);
        self.events.iter().rev().find_map(|e| match *e {
            Event::Quorum { at, answered } if at >= from && at < to => Some(answered),
            _ => None,
        })
    }

    /// The time of the last observation.
    pub fn end(&self) -> Duration {
        self.events.last().map(Event::at).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Recorded on a practice swarm: `container rm -f` of one of two vote tasks. The other
    /// task answers throughout; the replacement runs ~5.6 s later (the restart delay).
    fn kill_task_two_replicas() -> Timeline {
        let mut t = Timeline::default();
        t.push(Event::Replicas { at: ms(0), running: 2, desired: 2 });
        t.push(Event::Fault { at: ms(500) });
        for i in 0..40u64 {
            t.push(Event::Probe { at: ms(600 + i * 200), answered: true });
        }
        t.push(Event::Replicas { at: ms(1000), running: 1, desired: 2 });
        t.push(Event::Replicas { at: ms(4000), running: 1, desired: 2 });
        t.push(Event::Replicas { at: ms(6100), running: 2, desired: 2 });
        t
    }

    /// A rolling update of a single replica: the old task stops before the new one answers.
    fn rolling_update_one_replica() -> Timeline {
        let mut t = Timeline::default();
        t.push(Event::Fault { at: ms(0) });
        for i in 0..50u64 {
            let at = ms(100 + i * 100);
            // 1.2 s to 2.9 s: nothing answers.
            t.push(Event::Probe { at, answered: !(1200..3000).contains(&at.as_millis()) });
        }
        t.push(Event::Replicas { at: ms(500), running: 0, desired: 1 });
        t.push(Event::Replicas { at: ms(3100), running: 1, desired: 1 });
        t
    }

    #[test]
    fn availability_counts_probes_from_the_fault_on() {
        let mut t = kill_task_two_replicas();
        assert_eq!(t.availability(), Some(1.0));
        // A probe before the fault does not count.
        t.push(Event::Probe { at: ms(100), answered: false });
        assert_eq!(t.probes(), (40, 40));
        let r = rolling_update_one_replica();
        assert_eq!(r.probes(), (32, 50));
        assert_eq!(r.availability(), Some(0.64));
        assert_eq!(r.longest_outage(), ms(1800));
    }

    #[test]
    fn no_probe_is_no_availability_not_full_availability() {
        let mut t = Timeline::default();
        t.push(Event::Fault { at: ms(0) });
        t.push(Event::Replicas { at: ms(10), running: 1, desired: 1 });
        assert_eq!(t.availability(), None);
        assert_eq!(t.longest_outage(), Duration::ZERO);
    }

    #[test]
    fn recovery_is_the_first_full_read_after_the_fault() {
        assert_eq!(kill_task_two_replicas().recovery(), Some(ms(5600)));
        assert_eq!(rolling_update_one_replica().recovery(), Some(ms(3100)));
        // Full before the fault, never after: not recovered.
        let mut t = Timeline::default();
        t.push(Event::Replicas { at: ms(0), running: 2, desired: 2 });
        t.push(Event::Fault { at: ms(1) });
        t.push(Event::Replicas { at: ms(5), running: 1, desired: 2 });
        assert_eq!(t.recovery(), None);
        // A service scaled to 0 never "recovers": there is nothing to run.
        let mut t = Timeline::default();
        t.push(Event::Fault { at: ms(0) });
        t.push(Event::Replicas { at: ms(5), running: 0, desired: 0 });
        assert_eq!(t.recovery(), None);
    }

    #[test]
    fn events_arriving_late_take_their_place() {
        let mut t = Timeline::default();
        t.push(Event::Fault { at: ms(10) });
        t.push(Event::Replicas { at: ms(30), running: 2, desired: 2 });
        t.push(Event::Replicas { at: ms(20), running: 1, desired: 2 });
        assert_eq!(t.events[1], Event::Replicas { at: ms(20), running: 1, desired: 2 });
        assert_eq!(t.recovery(), Some(ms(20)));
    }

    #[test]
    fn quorum_is_judged_at_the_end_of_the_fault() {
        let mut t = Timeline::default();
        t.push(Event::Fault { at: ms(0) });
        // An election: the first reads fail, then the two managers left answer.
        t.push(Event::Quorum { at: ms(100), answered: false });
        t.push(Event::Quorum { at: ms(1500), answered: true });
        t.push(Event::Quorum { at: ms(3000), answered: true });
        t.push(Event::Restore { at: ms(3500) });
        t.push(Event::Quorum { at: ms(4000), answered: false });
        t.push(Event::NodeReady { at: ms(5200) });
        assert_eq!(t.quorum_kept(), Some(true));
        assert_eq!(t.quorum_reads(), (2, 3));
        assert_eq!(t.node_recovery(), Some(ms(1700)));
        // Two managers of three gone: the reads fail to the end.
        let mut lost = Timeline::default();
        lost.push(Event::Fault { at: ms(0) });
        lost.push(Event::Quorum { at: ms(100), answered: true });
        lost.push(Event::Quorum { at: ms(2000), answered: false });
        lost.push(Event::Restore { at: ms(2500) });
        assert_eq!(lost.quorum_kept(), Some(false));
        assert_eq!(Timeline::default().quorum_kept(), None);
    }
}
