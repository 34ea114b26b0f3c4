//! The exit codes of `lab`: a documented API, as nextest's are.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every check passed (or the command succeeded).
    Ok = 0,
    /// A check failed or is still converging; for `lab grade`, some learner could not be graded.
    Failed = 1,
    /// Bad input or usage: unknown lab, malformed lab file, bad flag or roster.
    BadInput = 2,
    /// The cluster cannot be read: unreachable, TLS error, not a swarm, a worker node.
    Cluster = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

pub const HELP: &str = "\
Exit codes:
  0  every check passed (or the command succeeded)
  1  a check failed or is still converging (lab grade: a learner could not be graded)
  2  bad input or usage: unknown lab, malformed lab file, bad flag or roster
  3  the cluster cannot be read: unreachable, TLS error, not a swarm, or a worker node";
