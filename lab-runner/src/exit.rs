//! The exit codes of `lab` and the kinds of error behind them: a documented API, as
//! nextest's exit codes are. Every error a command reports has a [`Kind`]; its exit code
//! and its name in `--format json` (`{"error": {"kind", "message"}}`) both come from here.

use lab_engine::ClusterError;
use lab_grader::grade::GradeStatus;
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

/// What kind of error ended a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A flag, argument or combination of them is wrong.
    Usage,
    /// No lab by that name.
    UnknownLab,
    /// A lab file does not load.
    LabFile,
    /// Other bad input: a roster, an output folder, an engine address or context.
    BadInput,
    /// The engine could not be read; the same names `lab grade` writes in its gradebook.
    Cluster(GradeStatus),
    /// The practice swarm could not be started, read or stopped.
    PracticeSwarm,
    /// A command that changes a swarm (`solve`, `demo`) did not finish.
    NotApplied,
}

impl Kind {
    pub fn exit(self) -> Exit {
        match self {
            Kind::Usage | Kind::UnknownLab | Kind::LabFile | Kind::BadInput => Exit::BadInput,
            Kind::Cluster(_) | Kind::PracticeSwarm => Exit::Cluster,
            Kind::NotApplied => Exit::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::UnknownLab => "unknown_lab",
            Kind::LabFile => "lab_file",
            Kind::BadInput => "bad_input",
            Kind::Cluster(s) => s.as_str(),
            Kind::PracticeSwarm => "practice_swarm",
            Kind::NotApplied => "not_applied",
        }
    }
}

impl From<&ClusterError> for Kind {
    fn from(e: &ClusterError) -> Kind {
        Kind::Cluster(GradeStatus::of(e))
    }
}

pub const HELP: &str = "\
Exit codes:
  0  every check passed (or the command succeeded)
  1  a check failed or is still converging (lab grade: a learner could not be graded)
  2  bad input or usage: unknown lab, malformed lab file, bad flag or roster
  3  the cluster cannot be read: unreachable, TLS error, not a swarm, or a worker node

With --format json an error is a JSON object on stdout, {\"error\": {\"kind\", \"message\"}},
with the same exit code. Kinds: usage, unknown_lab, lab_file, bad_input (2); unreachable,
tls_error, not_swarm, not_manager, timeout, error, practice_swarm (3); not_applied (1).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cluster_error_kind_exits_3_under_its_gradebook_name() {
        let e = ClusterError::NotManager { host: "unix:///x".into(), managers: String::new() };
        let k = Kind::from(&e);
        assert_eq!((k.as_str(), k.exit()), ("not_manager", Exit::Cluster));
        for s in GradeStatus::ALL.into_iter().filter(|s| *s != GradeStatus::Graded) {
            assert!(HELP.contains(s.as_str()), "{s} is documented in --help");
        }
        assert_eq!(Kind::Usage.exit(), Exit::BadInput);
    }
}
