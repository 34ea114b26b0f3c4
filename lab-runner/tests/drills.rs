//! `lab drill` on a real netns practice swarm of three managers (one swarm for every drill
//! here: starting one is slow). The voting app's answer passes task-killed, rolling-update
//! (availability ≥ 0.99 with two vote replicas) and node-down; at one vote replica the
//! rolling update measures its downtime and fails; afterwards every node is Ready/Active and
//! `lab check` passes again. Bad input (an unknown drill, a lab without drills) is exit 2
//! with nothing changed.

mod support;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
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

    // One vote replica: the old task stops before the new one answers.
    p.docker("docker service scale --detach vote=1 >/dev/null");
    let (report, code, stderr) = p.drill(&["day6-voting-app", "--only", "rolling-update"]);
    eprintln!("{stderr}\n{}", serde_json::to_string_pretty(&report).unwrap());
    let rolling = drill_of(&report, "rolling-update");
    assert_eq!(rolling["status"], "fail", "{rolling}");
    assert!(rolling["availability"].as_f64().unwrap() < 0.99, "{rolling}");
    assert_eq!(code, 1);
    every_node_ready_and_active(&p);
}
