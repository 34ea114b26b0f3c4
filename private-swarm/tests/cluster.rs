//! Real clusters of private engines (no mocks): needs root and the packages docker.io,
//! iptables, iproute2 and busybox-static. Tests run in parallel threads, each with its own
//! cluster, which is itself part of what is tested.

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use private_swarm::practice::{Practice, UpOutcome};
use private_swarm::{Cluster, ClusterSpec, Role, STAND_IN_IMAGES};

/// Short, so the nodes' socket paths stay far below the unix limit.
const TEST_ROOT: &str = "/tmp/private-swarm-tests";

/// A fresh directory for one cluster; clusters left by killed earlier runs are cleaned first.
fn cluster_dir(name: &str) -> tempfile::TempDir {
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

/// Polls `probe` until it returns Some, or panics with `what` and the last observation.
fn eventually<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(v) => return v,
            Err(last) if Instant::now() >= deadline => panic!("{what}: still not true after {timeout:?}; last: {last}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

fn replicas_are(cluster: &Cluster, service: &str, want: &str) {
    eventually(&format!("{service} at {want}"), Duration::from_secs(40), || {
        let out = cluster
            .docker(0, &["service", "ls", "--filter", &format!("name={service}"), "--format", "{{.Replicas}}"])
            .map_err(|e| e.to_string())?;
        if out.trim() == want {
            Ok(())
        } else {
            Err(out)
        }
    });
}

fn assert_nothing_left(dir: &Path) {
    let left = Cluster::leftovers(dir);
    assert!(left.is_empty(), "left behind: {left:#?}");
}

/// Every task of a service, history included: (container id, desired state, state).
fn task_history(cluster: &Cluster, service: &str) -> Vec<(String, String, String)> {
    let ids = cluster.docker(0, &["service", "ps", "-q", service]).unwrap();
    let mut args = vec!["inspect"];
    args.extend(ids.split_whitespace());
    let tasks: Vec<serde_json::Value> = serde_json::from_str(&cluster.docker(0, &args).unwrap()).unwrap();
    let field = |t: &serde_json::Value, p: &str| t.pointer(p).and_then(|v| v.as_str()).unwrap_or("-").to_string();
    tasks
        .iter()
        .map(|t| (field(t, "/Status/ContainerStatus/ContainerID"), field(t, "/DesiredState"), field(t, "/Status/State")))
        .collect()
}

#[test]
fn one_node_service_converges_scales_and_replaces_a_removed_container() {
    let dir = cluster_dir("one");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), 1, 1)).unwrap();
    assert_eq!(cluster.docker(0, &["info", "--format", "{{.Swarm.LocalNodeState}}"]).unwrap().trim(), "active");
    assert_eq!(cluster.docker(0, &["info", "--format", "{{.Name}}"]).unwrap().trim(), "node1");
    let images = cluster.docker(0, &["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]).unwrap();
    for image in STAND_IN_IMAGES {
        let full = if image.contains(':') { image.to_string() } else { format!("{image}:latest") };
        assert!(images.lines().any(|l| l == full), "{full} missing from {images}");
    }

    cluster
        .docker(0, &["service", "create", "--no-resolve-image", "-d", "--name", "web", "--restart-delay", "1s", "nginx"])
        .unwrap();
    replicas_are(&cluster, "web", "1/1");
    cluster.docker(0, &["service", "scale", "-d", "web=3"]).unwrap();
    replicas_are(&cluster, "web", "3/3");

    let victim = cluster
        .docker(0, &["ps", "-q", "--no-trunc", "--filter", "label=com.docker.swarm.service.name=web"])
        .unwrap()
        .lines()
        .next()
        .expect("a running task container")
        .to_string();
    cluster.docker(0, &["container", "rm", "-f", &victim]).unwrap();
    eventually("a replacement task for the removed container", Duration::from_secs(40), || {
        let tasks = task_history(&cluster, "web");
        let old_gone = tasks.iter().any(|(c, desired, _)| *c == victim && desired == "shutdown");
        let running = tasks.iter().filter(|(_, d, s)| d == "running" && s == "running").count();
        if old_gone && running == 3 {
            Ok(())
        } else {
            Err(format!("{tasks:?}"))
        }
    });

    cluster.teardown().unwrap();
    assert_nothing_left(dir.path());
}
