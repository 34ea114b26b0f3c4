//! Drills: a lab's `[[drill]]` tables run against a live swarm. Each drill injects one
//! fault (a task's container removed, a forced rolling update, a node's engine stopped, a
//! manager lost, a node drained), measures from outside what a user would see, judges it
//! against what the lesson promises, and puts the swarm back, also on Ctrl-C or error.
//!
//! - [`timeline`]: what a drill saw, in order, and availability and recovery computed from it.
//! - [`verdict`]: a timeline judged against a drill's expectations ([`judge`]).
//! - [`report`]: the report in human text (with a timeline per drill), JSON and JUnit.
//! - [`swarm`]: what a drill reads from the swarm (GETs), and which tasks count as running.
//! - [`mod@run`]: planning a drill with GETs only, running it (fault, samplers, hold) and
//!   putting the swarm back ([`Restorer`]); the [`Nodes`] and [`Probes`] traits the `lab`
//!   binary implements for its drivers.
//!
//! Layering: this crate uses `lab-schema` (the drills), `lab-i18n` (their words) and
//! `lab-engine`'s connection; `lab-runner`'s `lab drill` uses it.

pub mod report;
pub mod run;
pub mod swarm;
pub mod timeline;
pub mod verdict;

pub use report::DrillReport;
pub use run::{plan, run, Action, Nodes, Plan, PlanError, Planned, Probe, Probes, Restorer};
pub use timeline::{Event, Timeline};
pub use verdict::{failed, judge, skipped, DataCounts, DrillResult, DrillStatus, Observed};
