//! What both test binaries of real clusters start with: a short scratch folder per
//! cluster (clusters of killed earlier runs cleaned up first), and polling with a deadline.

use std::path::Path;
use std::sync::Once;
use std::time::{Duration, Instant};

/// Short, so the nodes' socket paths stay far below the unix limit.
pub const TEST_ROOT: &str = "/tmp/private-swarm-tests";

/// A fresh directory for one cluster; clusters left by killed earlier runs are cleaned first.
pub fn cluster_dir(name: &str) -> tempfile::TempDir {
    static CLEAN: Once = Once::new();
    CLEAN.call_once(|| {
        std::fs::create_dir_all(TEST_ROOT).unwrap();
        let cleaned = private_swarm::cleanup_stale(Path::new(TEST_ROOT)).expect("cleaning up killed runs");
        if !cleaned.is_empty() {
            eprintln!("cleaned up clusters of killed runs: {cleaned:?}");
        }
    });
    tempfile::Builder::new().prefix(name).tempdir_in(TEST_ROOT).unwrap()
}

/// Polls `probe` until it returns Ok, or panics with `what` and the last observation.
pub fn eventually<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(v) => return v,
            Err(last) if Instant::now() >= deadline => panic!("{what}: still not true after {timeout:?}; last: {last}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}
