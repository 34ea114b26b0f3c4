//! Convergence is never reported as failure, `--wait` turns it into a pass, a service that
//! can never converge fails when the wait runs out; and a recording proxy between `lab
//! check` and the engine proves that only GET/HEAD requests are ever sent.

mod support;
use support::*;

/// A lab with one check on a service named `slow`.
fn slow_lab(dir: &std::path::Path) {
    std::fs::write(
        dir.join("slow-start.toml"),
        r#"id = "slow-start"
title = "A service that takes a while to become healthy"
lesson = "first-service.md"
goal = "Run `slow`."
answer = "docker service create --name slow alpine sleep 1d"

[[check]]
id = "slow-running"
title = "slow runs one task"
points = 100
hint = "Wait for it."
fix = "docker service ls"
[check.service]
name = "slow"
running = 1
"#,
    )
    .unwrap();
}

fn lab_with(host: &str, labs: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(lab_bin())
        .args(args)
        .env("XDG_STATE_HOME", state_home())
        .env("DOCKER_HOST", host)
        .env("SWARM_LAB_LABS", labs)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn converging_is_reported_then_waited_for_and_never_converging_fails_at_the_deadline() {
    let swarm = TestSwarm::start(1, 1);
    let host = swarm.host(0);
    let labs = tempfile::tempdir().unwrap();
    slow_lab(labs.path());

    // Healthy only after ~8 s: its task stays `starting` until then.
    swarm.sh(&fast("docker service create --name slow --health-cmd 'test -f /tmp/ready' --health-interval 1s --health-retries 30 alpine sh -c \"trap 'exit 0' TERM; sleep 8; touch /tmp/ready; while true; do sleep 1; done\""));
    // Its task started, its health still `starting`: the check has something that moves.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !swarm.sh("docker service ps slow --format '{{.CurrentState}}'").starts_with("Starting") {
        assert!(std::time::Instant::now() < deadline, "slow's task never reached Starting");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let early = lab_with(&host, labs.path(), &["check", "slow-start", "--format", "json"]);
    let report = json(&early);
    assert_eq!(report["checks"][0]["status"], "converging", "{report}");
    assert_eq!(early.status.code(), Some(1), "converging is not a pass");
    let human = lab_with(&host, labs.path(), &["check", "slow-start"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("WAIT") || text.contains("PASS"), "{text}");

    let waited = lab_with(&host, labs.path(), &["check", "slow-start", "--wait", "60s", "--format", "json"]);
    assert_eq!(json(&waited)["checks"][0]["status"], "pass");
    assert_eq!(waited.status.code(), Some(0));

    // Never healthy: tasks cycle through starting and failing for ever.
    swarm.reset();
    swarm.sh(&fast("docker service create --name slow --health-cmd false --health-interval 1s --health-retries 1 alpine sh -c \"trap 'exit 0' TERM; while true; do sleep 1; done\""));
    let never = lab_with(&host, labs.path(), &["check", "slow-start", "--wait", "6s", "--format", "json"]);
    let r = json(&never);
    assert_eq!(r["checks"][0]["status"], "fail", "{r}");
    assert_eq!(never.status.code(), Some(1));
}

#[test]
fn lab_check_sends_only_get_and_head_requests() {
    let swarm = TestSwarm::start(1, 1);
    let dir = tempfile::Builder::new().prefix("px").tempdir_in("/tmp").unwrap();
    let proxy = dir.path().join("p.sock");
    let seen = recording_proxy(proxy.clone(), swarm.host(0));
    let via = format!("unix://{}", proxy.display());

    let before = lab(&via, &["check", "day6-voting-app", "--format", "json"]);
    assert_eq!(before.status.code(), Some(1));
    let solve = lab(&swarm.host(0), &["solve", "day6-voting-app", "--yes", "--detach"]);
    assert!(solve.status.success(), "{}", String::from_utf8_lossy(&solve.stderr));
    for format in ["human", "json", "junit"] {
        let o = lab(&via, &["check", "day6-voting-app", "--wait", "60s", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&o.stdout));
    }
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 9, "the proxy saw the checks' requests: {seen:?}");
    let writes: Vec<&String> = seen.iter().filter(|r| !(r.starts_with("GET ") || r.starts_with("HEAD "))).collect();
    assert!(writes.is_empty(), "lab check sent non-GET requests: {writes:?}");
    for path in ["/swarm", "/nodes", "/services", "/tasks", "/networks", "/volumes"] {
        assert!(seen.iter().any(|r| r.contains(path)), "no request for {path}: {seen:?}");
    }
    // The lab has no secret or config check: those lists are not read.
    for path in ["/secrets", "/configs"] {
        assert!(!seen.iter().any(|r| r.contains(path)), "a request for {path}: {seen:?}");
    }
    // Logs are read only for a service whose tasks fail: none here.
    let logs: Vec<&String> = seen.iter().filter(|r| r.contains("/logs")).collect();
    assert!(logs.is_empty(), "a swarm without failing tasks costs no log request: {logs:?}");
}

/// A lab of one check, written to `dir` as `ID.toml`.
fn one_check_lab(dir: &std::path::Path, id: &str, assertion: &str) {
    std::fs::write(
        dir.join(format!("{id}.toml")),
        format!(
            "id = \"{id}\"\ntitle = \"{id}\"\nlesson = \"first-service.md\"\ngoal = \"g\"\nanswer = \"a\"\n\n\
             [[check]]\nid = \"it\"\ntitle = \"it\"\npoints = 100\nhint = \"Look again.\"\nfix = \"docker service ls\"\n\
             {assertion}\n"
        ),
    )
    .unwrap();
}

const KEEP_RUNNING: &str = "alpine sh -c \"trap 'exit 0' TERM; while true; do sleep 1; done\"";

#[test]
fn a_removed_task_container_converges_without_a_fix_and_a_wrong_setting_fails_at_once() {
    let swarm = TestSwarm::start(1, 1);
    let host = swarm.host(0);
    let labs = tempfile::tempdir().unwrap();
    one_check_lab(
        labs.path(),
        "two-votes",
        "[check.service]\nname = \"vote\"\nreplicas = { min = 2 }\nrunning = { min = 2 }",
    );
    swarm.sh(&fast(&format!("docker service create --name vote --replicas 2 {KEEP_RUNNING}")));
    let ready = lab_with(&host, labs.path(), &["check", "two-votes", "--wait", "60s", "--format", "json"]);
    assert_eq!(ready.status.code(), Some(0), "{}", json(&ready));

    // The self-healing lesson: the replacement waits out the ~5 s restart delay.
    swarm.sh("docker container rm -f $(docker ps -q --filter name=vote. | head -1)");
    let t0 = std::time::Instant::now();
    let mut seen = Vec::new();
    while t0.elapsed() < std::time::Duration::from_secs(4) {
        let r = json(&lab_with(&host, labs.path(), &["check", "two-votes", "--format", "json"]));
        let c = &r["checks"][0];
        assert_ne!(c["status"], "fail", "a replacement in its restart delay is not a failure: {r}");
        if c["status"] == "converging" {
            assert!(c["fix"].as_str().unwrap_or_default().is_empty(), "converging has no fix: {r}");
            assert!(c["message"].as_str().unwrap().contains("restart delay"), "says what moves: {r}");
        }
        seen.push(c["status"].as_str().unwrap().to_string());
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    assert!(seen.iter().any(|s| s == "converging"), "converging was reported: {seen:?}");
    let healed = lab_with(&host, labs.path(), &["check", "two-votes", "--wait", "30s", "--format", "json"]);
    assert_eq!(healed.status.code(), Some(0), "{}", json(&healed));

    // Nothing moves at one replica: `--wait` reports the failure at once, not at the deadline.
    swarm.sh(&fast("docker service update --replicas 1 vote"));
    // The scale-down done (one task left running), so nothing moves when --wait starts.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while swarm.sh("docker service ls --filter name=vote --format '{{.Replicas}}'").trim() != "1/1" {
        assert!(std::time::Instant::now() < deadline, "vote never settled at one replica");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let t0 = std::time::Instant::now();
    let wrong = lab_with(&host, labs.path(), &["check", "two-votes", "--wait", "60s", "--format", "json"]);
    let took = t0.elapsed();
    let r = json(&wrong);
    assert_eq!((wrong.status.code(), r["checks"][0]["status"].as_str()), (Some(1), Some("fail")), "{r}");
    assert!(took < std::time::Duration::from_secs(15), "a wrong setting fails at once, not after {took:?}: {r}");
}

#[test]
fn a_rejoined_node_is_named_stale_and_a_promoted_node_converges_and_is_retried_under_wait() {
    let swarm = TestSwarm::start(2, 1);
    let (manager, node2) = (swarm.host(0), swarm.host(1));
    let labs = tempfile::tempdir().unwrap();
    one_check_lab(
        labs.path(),
        "two-managers",
        "[check.node]\nrole = \"manager\"\nreachability = \"reachable\"\ncount = 2",
    );

    // node2 leaves and joins again: its old entry stays behind, Down.
    let token = swarm.sh("docker swarm join-token -q worker");
    let addr = swarm.cluster.node(0).addr;
    swarm.sh_on(1, "docker swarm leave");
    swarm.sh_on(1, &format!("docker swarm join --token {} {addr}:2377", token.trim()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !swarm.sh("docker node ls --format '{{.Hostname}} {{.Status}}'").contains("node2 Down") {
        assert!(std::time::Instant::now() < deadline, "the old node2 entry never went Down");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let r = json(&lab_with(&manager, labs.path(), &["check", "two-managers", "--format", "json"]));
    let c = &r["checks"][0];
    assert_eq!(c["status"], "fail", "{r}");
    let stale = c["mismatches"].as_array().unwrap().iter().find(|m| m["field"] == "stale nodes").cloned();
    let stale = stale.unwrap_or_else(|| panic!("the stale entry is named: {r}"));
    assert!(stale["found"].as_str().unwrap().contains("node2, worker, down"), "{r}");
    assert!(c["hint"].as_str().unwrap().contains("docker node rm"), "{r}");
    swarm.sh("docker node rm $(docker node ls --filter role=worker --format '{{.ID}} {{.Status}}' | awk '$2==\"Down\"{print $1}')");

    // A worker endpoint is exit 3, naming the manager.
    let worker = lab_with(&node2, labs.path(), &["check", "two-managers"]);
    assert_eq!(worker.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&worker.stderr).contains(&addr.to_string()), "{worker:?}");

    // Moments after promote: node2 converges (not "a worker"), and its own endpoint, not a
    // manager yet, is read again under --wait until it is one.
    swarm.sh("docker node promote node2");
    let waited = std::thread::spawn({
        let (node2, labs) = (node2.clone(), labs.path().to_path_buf());
        move || lab_with(&node2, &labs, &["check", "two-managers", "--wait", "30s", "--format", "json"])
    });
    let r = json(&lab_with(&manager, labs.path(), &["check", "two-managers", "--format", "json"]));
    let c = &r["checks"][0];
    assert_ne!(c["status"], "fail", "a node promoted moments ago is not a failure: {r}");
    assert!(!c.to_string().contains("a worker"), "{r}");
    let waited = waited.join().unwrap();
    assert_eq!(waited.status.code(), Some(0), "{}", String::from_utf8_lossy(&waited.stderr));
}
