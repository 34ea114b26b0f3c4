//! Why the stand-in images cannot be made: of a busybox whose paths the caller gave
//! ([`StandInProblem`]), or of this machine's own busybox ([`HostBusyboxError`]). They
//! display in English; `lab` words them in the learner's language from the same values.

use std::path::PathBuf;

/// Why the stand-in images cannot be made of a busybox and what it needs (a node image's
/// busybox comes with paths of the learner's choosing).
#[derive(Debug, thiserror::Error)]
pub enum StandInProblem {
    #[error("{path:?} is not a plain absolute path")]
    NotPlainPath { path: String },
    #[error("{path}: unusable link target {target:?}")]
    BadLinkTarget { path: String, target: String },
    #[error("/{path} is there twice")]
    Twice { path: String },
    #[error("/{path} is both a directory and a file")]
    DirectoryAndFile { path: String },
    #[error("cannot build the rootfs: {0}")]
    Rootfs(#[source] std::io::Error),
    #[error("cannot pack the images: {0}")]
    Pack(#[source] std::io::Error),
}

/// Result with [`StandInProblem`] as the error.
pub type Result<T, E = StandInProblem> = std::result::Result<T, E>;

/// Why this machine's busybox cannot be had for the stand-in images.
#[derive(Debug, thiserror::Error)]
pub enum HostBusyboxError {
    #[error(
        "`busybox` was not found on PATH or in /usr/sbin, /sbin: install it with `apt-get install -y busybox-static`"
    )]
    NotInstalled,

    #[error(
        "{path} is a dynamically linked busybox; the stand-in images need a static one: \
         `apt-get install -y busybox-static`"
    )]
    NotStatic { path: PathBuf },

    #[error("cannot read busybox ({path}): {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `busybox --list-full` failed; `status` is its exit status, or `not started`.
    #[error("`{command}` failed ({status}): {stderr}")]
    Run { command: String, status: String, stderr: String },
}
