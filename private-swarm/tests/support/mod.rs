//! What both test binaries of real clusters start with: a short scratch folder per
//! cluster (clusters of killed earlier runs cleaned up first), and polling with a deadline
//! (`private_swarm::eventually`, the one the whole workspace's tests share).

use std::path::Path;
use std::sync::Once;

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

pub use private_swarm::eventually;
