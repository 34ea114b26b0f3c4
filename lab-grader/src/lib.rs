//! The grading engine behind the `lab` CLI: what a swarm should look like, checked against
//! what it is. Reaching the engine (endpoint rules, connection, transports, untrusted engine
//! text) is `lab-engine`'s job; this crate reads the swarm through it.
//!
//! [`snapshot`] reads the swarm once with concurrent GETs,
//! [`evaluate`] grades a lab's checks against that snapshot (the commands that fix what
//! failed are planned by `lab-fix`, handed in as a [`PlanFixes`]), [`run`] re-snapshots while checks converge, and [`report`] renders the result (human, JSON, JUnit, Markdown);
//! [`grade`] grades a whole class from a roster and writes its gradebook; [`mod@watch`] re-grades
//! whenever the swarm changes, and [`progress`] remembers which labs a learner completed
//! (in swarm-lab's state folder). For a service whose tasks fail, the snapshot holds the last
//! lines of its logs, which the report shows as the cause.
//! Nothing here changes a cluster: only GET requests reach the engine.

pub mod evaluate;
pub mod grade;
pub mod progress;
pub mod report;
pub mod run;
pub mod snapshot;
#[cfg(test)]
mod test_fixture;
pub mod watch;

pub use report::{CheckReport, Mismatch, Report, Status};
pub use run::{check_lab, CheckOptions, PlanFixes};
pub use snapshot::Snapshot;
pub use watch::{watch, WatchEvent, WatchOptions};
