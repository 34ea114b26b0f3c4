//! `lab check LAB --wait W` through the grading library, the code path of the `lab` binary
//! (lab-runner's `check` command is a thin wrapper over these calls).

use lab_engine::{Connection, Endpoint};
use lab_grader::{check_lab, CheckOptions, Report};
use private_swarm::Node;
use std::path::PathBuf;
use std::time::Duration;

/// The workspace's `labs/` directory.
pub fn labs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../labs")
}

/// Grades `labs/<lab_id>.toml` against `node`'s engine, re-reading the swarm for up to
/// `wait` until every check passes (as `lab check --wait`).
pub fn lab_check(node: &Node, lab_id: &str, wait: Duration) -> Result<Report, String> {
    let path = labs_dir().join(format!("{lab_id}.toml"));
    let lab = lab_schema::load_file(&path).map_err(|e| e.one_line_each())?;
    let endpoint = Endpoint { host: node.docker_host.clone(), tls: None, context: None, source: node.name.clone() };
    let opts = CheckOptions { wait: Some(wait), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let conn = Connection::open(&endpoint, Duration::from_secs(10)).await.map_err(|e| e.to_string())?;
        check_lab(&lab, &conn, &opts).await.map_err(|e| e.to_string())
    })
}
