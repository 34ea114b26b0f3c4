//! Reaching a learner's Docker engine, and nothing else: this crate owns how the workbook
//! finds an engine, connects to it, and treats what the engine sends back.
//!
//! [`endpoint`] finds the engine the way the `docker` CLI does (`--host`, `--context`,
//! `DOCKER_HOST`, contexts, TLS files), [`connection`] connects and pins an API version,
//! its private `transport` module speaks HTTP over a unix socket, named pipe, TCP or
//! [`ssh`], and [`cause`] tells why a request failed in plain words. [`service_logs`] reads the last log
//! lines of a service. Text an engine sent reaches a terminal, a page or a CSV file only
//! through [`untrusted`]. [`dirs`] names the user's home and swarm-lab's state folder.
//!
//! Grading (`lab-grader`), the practice-swarm drivers, drills, `lab serve` and the `lab`
//! binary build on this crate; it depends on none of them, only on `lab-i18n` for the words
//! of its errors.

pub mod cause;
pub mod connection;
pub mod dirs;
pub mod endpoint;
pub mod service_logs;
pub mod ssh;
mod transport;
pub mod untrusted;

pub use connection::{ClusterError, Connection};
pub use endpoint::{Endpoint, EndpointRequest};
