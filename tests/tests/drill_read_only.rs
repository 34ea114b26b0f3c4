//! `lab drill` on a one-node swarm that is not the practice swarm. Without `--yes` it prints
//! what each drill would do and exits 2; with `--yes`, a drill the swarm is too small for
//! (`node-down` on one node, `manager-loss` with one manager) is exit 2 with what to do,
//! before any drill runs. Either way every request that reached the engine was a GET (a
//! recording proxy sits between `lab` and the engine).

use private_swarm::{Cluster, ClusterSpec};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;
use swarm_e2e::socket_proxy::SocketProxy;

#[test]
fn drills_on_another_swarm_without_yes_or_too_small_only_read_and_say_why() {
    let dir = tempfile::Builder::new().prefix("drro").tempdir_in("/tmp").unwrap();
    let cluster = Cluster::start(ClusterSpec::new(dir.path().join("c"), 1, 1))
        .unwrap_or_else(|e| panic!("cannot start a private swarm: {e}"));
    let out = cluster
        .docker(
            0,
            &[
                "service",
                "create",
                "--detach",
                "--no-resolve-image",
                "--name",
                "vote",
                "--replicas",
                "2",
                "bretfisher/examplevotingapp_vote",
            ],
        )
        .expect("service create");
    assert!(!out.trim().is_empty());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let replicas = cluster.docker(0, &["service", "ls", "--format", "{{.Replicas}}"]).unwrap();
        if replicas.trim() == "2/2" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "vote never ran 2 replicas: {replicas}");
        std::thread::sleep(Duration::from_millis(300));
    }
    let proxy = SocketProxy::start(dir.path(), 1, &cluster.node(0).docker_host, Duration::ZERO).unwrap();
    let home = dir.path().join("no-practice-swarm");
    let drill = |args: &[&str]| {
        let o = Command::new(PathBuf::from(env!("CARGO_BIN_EXE_lab-e2e")))
            .arg("drill")
            .args(args)
            .env("DOCKER_HOST", &proxy.endpoints()[0])
            .env("SWARM_LAB_HOME", &home)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env("NO_COLOR", "1")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("SWARM_LAB_LABS")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).to_string())
    };
    let (code, stderr) = drill(&["day6-voting-app", "--only", "task-killed", "--only", "rolling-update"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is not the practice swarm"), "{stderr}");
    assert!(stderr.contains("task-killed: remove container"), "{stderr}");
    assert!(stderr.contains("rolling-update: force an update of vote"), "{stderr}");

    // Even with --yes, a swarm of one node cannot take a node-down or manager-loss drill:
    // every drill is planned (GETs) before any runs, so the voting app's kill and update
    // are not run either.
    let (code, stderr) = drill(&["day6-voting-app", "--yes"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("drill node-down needs 2 Ready nodes and this swarm has 1"), "{stderr}");
    assert!(stderr.contains("Nothing was changed; join more nodes first"), "{stderr}");
    let (code, stderr) = drill(&["day6-three-node-swarm", "--only", "manager-loss", "--yes"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("drill manager-loss needs 3 managers and this swarm has 1"), "{stderr}");
    assert!(stderr.contains("make three managers first"), "{stderr}");

    let requests = proxy.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert!(r.starts_with("GET ") || r.starts_with("HEAD "), "only reads, but: {r} (all: {requests:?})");
    }
    let updated =
        cluster.docker(0, &["service", "inspect", "--format", "{{.Spec.TaskTemplate.ForceUpdate}}", "vote"]).unwrap();
    assert_eq!(updated.trim(), "0", "vote was not updated");
    let node = cluster.docker(0, &["node", "ls", "--format", "{{.Status}} {{.Availability}}"]).unwrap();
    assert_eq!(node.trim(), "Ready Active");
}
