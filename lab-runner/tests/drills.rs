//! `lab drill` on a real netns practice swarm of three managers (one swarm for every drill
//! here: starting one is slow). The voting app's answer passes task-killed, rolling-update
//! (availability ≥ 0.99 with two vote replicas) and node-down; at one vote replica the
//! rolling update measures its downtime and fails; afterwards every node is Ready/Active and
//! `lab check` passes again. db-node-drained moves db off its node and reports the
//! counted votes gone (its volume stayed behind). Bad input (an unknown drill, a lab
//! without drills, a manager drill on two managers) is exit 2 with nothing changed.

mod support;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::forwarding::{http, Forwarding};
use support::*;

/// The practice swarm in its own SWARM_LAB_HOME, taken down when the test ends.
struct Practice {
    home: tempfile::TempDir,
}

impl Practice {
    fn up() -> Practice {
        let home = tempfile::Builder::new().prefix("drl").tempdir_in("/tmp").expect("temp dir");
        let p = Practice { home };
        let o = p.lab(&["cluster", "up", "--nodes", "3", "--managers", "3"]);
        assert!(o.status.success(), "cluster up: {}", String::from_utf8_lossy(&o.stderr));
        p
    }

    fn host(&self) -> String {
        let o = self.lab(&["cluster", "env"]);
        let env = String::from_utf8_lossy(&o.stdout).to_string();
        env.lines()
            .find_map(|l| l.strip_prefix("export DOCKER_HOST="))
            .map(|h| h.trim_matches(['\'', '"']).to_string())
            .unwrap_or_else(|| panic!("no DOCKER_HOST in {env}"))
    }

    fn lab(&self, args: &[&str]) -> Output {
        let home: PathBuf = self.home.path().into();
        Command::new(lab_bin())
            .args(args)
            .env("SWARM_LAB_HOME", &home)
            .env("XDG_STATE_HOME", state_home())
            .env("NO_COLOR", "1")
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .stdin(Stdio::null())
            .output()
            .expect("run lab")
    }

    /// `lab drill` against the practice swarm's node1.
    fn drill(&self, args: &[&str]) -> (serde_json::Value, i32, String) {
        let host = self.host();
        let mut all = vec!["drill"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let home = self.home.path().to_string_lossy().to_string();
        let o = lab_with_env(&host, &all, &[("SWARM_LAB_HOME", &home)]);
        let stderr = String::from_utf8_lossy(&o.stderr).to_string();
        let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {stderr}"));
        (v, o.status.code().unwrap_or(-1), stderr)
    }

    fn docker(&self, line: &str) -> String {
        let o = Command::new("sh")
            .arg("-c")
            .arg(line)
            .env("DOCKER_HOST", self.host())
            .env_remove("DOCKER_CONTEXT")
            .stdin(Stdio::null())
            .output()
            .expect("sh");
        assert!(o.status.success(), "`{line}`: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    }
}

impl Drop for Practice {
    fn drop(&mut self) {
        let o = self.lab(&["cluster", "down"]);
        if !o.status.success() {
            eprintln!("cluster down: {}", String::from_utf8_lossy(&o.stderr));
        }
    }
}

fn drill_of<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["drills"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap_or_else(|| panic!("no {id}: {report}"))
}

fn every_node_ready_and_active(p: &Practice) {
    let nodes = p.docker("docker node ls --format '{{.Status}} {{.Availability}}'");
    for line in nodes.lines() {
        assert_eq!(line.trim(), "Ready Active", "{nodes}");
    }
}

#[test]
fn the_voting_app_answer_passes_its_drills_and_one_vote_replica_fails_the_rolling_update() {
    let p = Practice::up();
    let host = p.host();

    // Bad input first, on the bare swarm: nothing is changed.
    let before = p.docker("docker service ls -q");
    let (v, code, _) = p.drill(&["day6-voting-app", "--only", "rolling-updat"]);
    assert_eq!(code, 2, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("Did you mean `rolling-update`?"), "{msg}");
    let (v, code, _) = p.drill(&["day6-overlay-drupal"]);
    assert_eq!(code, 2, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("has no drills"), "{v}");
    // The lab is not built: a drill has no service to act on.
    let (v, code, _) = p.drill(&["day6-voting-app", "--only", "task-killed"]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(p.docker("docker service ls -q"), before, "nothing changed");

    let solve = lab(&host, &["solve", "day6-voting-app", "--yes", "--detach"]);
    assert!(solve.status.success(), "solve: {}", String::from_utf8_lossy(&solve.stderr));
    let (report, code) = check_json(&host, "day6-voting-app", &["--wait", "90s"]);
    assert_eq!(code, 0, "{report}");

    let (report, code, stderr) =
        p.drill(&["day6-voting-app", "--only", "task-killed", "--only", "rolling-update", "--only", "node-down"]);
    eprintln!("{stderr}\n{}", serde_json::to_string_pretty(&report).unwrap());
    for id in ["task-killed", "rolling-update", "node-down"] {
        assert_eq!(drill_of(&report, id)["status"], "pass", "{id}: {report}");
    }
    let rolling = drill_of(&report, "rolling-update");
    assert!(rolling["availability"].as_f64().unwrap() >= 0.99, "{rolling}");
    assert!(rolling["recovery_s"].as_f64().is_some(), "{rolling}");
    assert_eq!(code, 0, "{report}");
    every_node_ready_and_active(&p);
    let (after, code) = check_json(&host, "day6-voting-app", &["--wait", "90s"]);
    assert_eq!(code, 0, "the lab passes again after the drills: {after}");

    votes_stay_behind_on_a_drained_db_node(&p);

    // One vote replica: the old task stops before the new one answers.
    p.docker("docker service scale --detach vote=1 >/dev/null");
    let (report, code, stderr) = p.drill(&["day6-voting-app", "--only", "rolling-update"]);
    eprintln!("{stderr}\n{}", serde_json::to_string_pretty(&report).unwrap());
    let rolling = drill_of(&report, "rolling-update");
    assert_eq!(rolling["status"], "fail", "{rolling}");
    assert!(rolling["availability"].as_f64().unwrap() < 0.99, "{rolling}");
    assert_eq!(code, 1);
    every_node_ready_and_active(&p);

    // Two managers: losing one would leave no majority, so the drill refuses and says why.
    p.docker("docker node demote node3 >/dev/null");
    let (v, code, _) = p.drill(&["day6-three-node-swarm", "--only", "manager-loss"]);
    assert_eq!(code, 2, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("drill manager-loss needs 3 managers and this swarm has 2"), "{msg}");
    assert!(msg.contains("leaves no majority"), "{msg}");
    p.docker("docker node promote node3 >/dev/null");
    every_node_ready_and_active(&p);
}

/// db-node-drained on the voting app's answer: three votes are counted, the node running
/// db is drained, db starts on another node with an empty `db-data`, and the report says
/// the votes are gone (informational: the run does not fail).
fn votes_stay_behind_on_a_drained_db_node(p: &Practice) {
    let (vote, vote_port) = p.forward("vote");
    for _ in 0..3 {
        // No cookie: each request is a new voter.
        let reply = http(vote_port, "POST / HTTP/1.0\r\nContent-Length: 6\r\n\r\nvote=a").expect("vote answers");
        assert!(reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
    let (result, result_port) = p.forward("result");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let page = http(result_port, "GET / HTTP/1.0\r\n\r\n").unwrap_or_default();
        if page.contains(">3 votes<") {
            break;
        }
        assert!(Instant::now() < deadline, "the worker never counted 3 votes: {page}");
        std::thread::sleep(Duration::from_millis(300));
    }
    drop((vote, result));
    let db_node = p.docker("docker service ps db --filter desired-state=running --format '{{.Node}}'");

    let (report, code, stderr) = p.drill(&["day6-voting-app", "--only", "db-node-drained"]);
    eprintln!("{stderr}\n{}", serde_json::to_string_pretty(&report).unwrap());
    let drained = drill_of(&report, "db-node-drained");
    assert_eq!(drained["status"], "info", "{drained}");
    let measured = drained["measured"].as_str().unwrap();
    assert!(
        measured.contains("the votes are gone: 3 before, 0 after (a named volume stays on its node)"),
        "{measured}"
    );
    assert!(drained["recovery_s"].as_f64().is_some(), "db ran again: {drained}");
    assert_eq!(code, 0, "an informational drill does not fail the run: {report}");
    let moved_to = p.docker("docker service ps db --filter desired-state=running --format '{{.Node}}'");
    assert_ne!(moved_to.trim(), db_node.trim(), "db moved");
    every_node_ready_and_active(p);
}

impl Practice {
    /// `lab cluster forward SERVICE 0:80` on the practice swarm, and the port it listens on.
    fn forward(&self, service: &str) -> (Forwarding, u16) {
        let mut cmd = Command::new(lab_bin());
        cmd.args(["cluster", "forward", service, "0:80"])
            .env("DOCKER_HOST", self.host())
            .env("SWARM_LAB_HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .stdin(Stdio::null());
        let mut forward = Forwarding::start(cmd);
        let port = forward.port();
        (forward, port)
    }
}
