//! swarm-e2e: the workbook tested end to end. Every lesson's commands are run like
//! doctests against a private swarm ([`session`]), with the documented
//! [`substitution`]s, and each lesson's lab is then graded ([`lab_check`]).
//!
//! [`lesson`] extracts the commands from a chapter; [`mesh`] finds out whether the routing
//! mesh can carry traffic on this kernel. The tests are in `tests/lessons.rs`.

/// A fake engine on a unix socket that serves crafted JSON (untrusted-input tests).
pub mod fake_engine;
pub mod lab_check;
pub mod lab_process;
pub mod lesson;
pub mod mesh;
pub mod scratch;
pub mod session;
/// Latency and a request log between a client and an engine (the `lab grade` scenarios and bench).
pub mod socket_proxy;
pub mod substitution;

use std::path::PathBuf;

/// The book's `src/` directory.
pub fn book_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../book/src")
}

/// Runs a shell line with DOCKER_HOST=`docker_host` (no docker context); fails the test
/// with its stderr when it fails.
pub fn sh(docker_host: &str, line: &str) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(line)
        .env("DOCKER_HOST", docker_host)
        .env_remove("DOCKER_CONTEXT")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "`{line}` failed: {}", String::from_utf8_lossy(&out.stderr));
}
