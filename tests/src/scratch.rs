//! What every engine-backed scenario of this crate starts with: the `lab` binary under test
//! ([`lab_bin!`](crate::lab_bin)) and a short scratch folder ([`temp_dir`]) under the test
//! file's own root, where clusters that killed runs left behind are cleaned up first.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

/// The `lab` binary the scenarios run: this crate's `lab-e2e` (the `lab` binary rebuilt
/// here). A macro because Cargo names the binary to integration tests only, at compile time.
#[macro_export]
macro_rules! lab_bin {
    () => {
        std::path::PathBuf::from(env!("CARGO_BIN_EXE_lab-e2e"))
    };
}

/// A new scratch folder named `prefix…` under `root` (short: unix socket paths must stay
/// under about 100 bytes). The first call for a root cleans up the clusters of killed runs
/// there ([`private_swarm::cleanup_stale`]).
pub fn temp_dir(root: &str, prefix: &str) -> tempfile::TempDir {
    static CLEANED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let mut cleaned_roots = CLEANED.lock().unwrap_or_else(|e| e.into_inner());
    if cleaned_roots.insert(root.to_string()) {
        std::fs::create_dir_all(root).unwrap();
        let cleaned = private_swarm::cleanup_stale(Path::new(root)).expect("cleaning up clusters of killed runs");
        if !cleaned.is_empty() {
            eprintln!("cleaned up clusters of killed runs: {cleaned:?}");
        }
    }
    drop(cleaned_roots);
    tempfile::Builder::new().prefix(prefix).tempdir_in(root).unwrap()
}
