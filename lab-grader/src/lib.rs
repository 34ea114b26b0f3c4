//! The grading engine behind the `lab` CLI.
//!
//! [`endpoint`] finds the engine the way the `docker` CLI does, [`connection`] connects and
//! pins an API version, [`snapshot`] reads the swarm once with concurrent GETs,
//! [`evaluate`] grades a lab's checks against that snapshot, [`fix`] computes the commands
//! that fix what failed, [`run`] re-snapshots while checks converge, and [`report`] renders the result (human, JSON, JUnit, Markdown);
//! [`grade`] grades a whole class from a roster and writes its gradebook; [`mod@watch`] re-grades
//! whenever the swarm changes, and [`progress`] remembers which labs a learner completed
//! (in the state folder [`dirs`] names). For a service whose tasks fail, [`service_logs`]
//! reads the last lines of its logs, which the report shows as the cause.
//! Nothing here changes a cluster: only GET requests reach the engine. Text an engine sent
//! reaches a terminal or a CSV file only through [`untrusted`].

pub mod cause;
pub mod connection;
pub mod dirs;
pub mod endpoint;
pub mod evaluate;
pub mod fix;
pub mod grade;
pub mod progress;
pub mod report;
pub mod run;
pub mod service_logs;
pub mod snapshot;
pub mod ssh;
mod transport;
pub mod untrusted;
pub mod watch;

pub use connection::{ClusterError, Connection};
pub use endpoint::{Endpoint, EndpointRequest};
pub use report::{CheckReport, Mismatch, Report, Status};
pub use run::{check_lab, CheckOptions};
pub use snapshot::Snapshot;
pub use watch::{watch, WatchEvent, WatchOptions};
