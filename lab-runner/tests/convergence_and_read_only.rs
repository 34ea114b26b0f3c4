//! Convergence is never reported as failure, `--wait` turns it into a pass, a service that
//! can never converge fails when the wait runs out; and a recording proxy between `lab
//! check` and the engine proves that only GET/HEAD requests are ever sent.

mod support;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::{Arc, Mutex};
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
    std::thread::sleep(std::time::Duration::from_secs(2));
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

/// Forwards a unix socket to the engine and records every HTTP request line it carries.
fn recording_proxy(listen: std::path::PathBuf, engine: String) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let listener = UnixListener::bind(&listen).unwrap();
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let engine = engine.trim_start_matches("unix://").to_string();
            let log = log.clone();
            std::thread::spawn(move || {
                let Ok(server) = UnixStream::connect(&engine) else { return };
                let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut s_read, mut c_write) = (server, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_read, &mut c_write);
                });
                let mut buf = [0u8; 65536];
                loop {
                    let n = match c_read.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    for line in String::from_utf8_lossy(&buf[..n]).split("\r\n") {
                        let mut words = line.split(' ');
                        if let (Some(m), Some(p), Some(v)) = (words.next(), words.next(), words.next()) {
                            if v.starts_with("HTTP/1.") && p.starts_with('/') {
                                log.lock().unwrap().push(format!("{m} {p}"));
                            }
                        }
                    }
                    if s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    seen
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
    for path in ["/info", "/nodes", "/services", "/tasks", "/networks", "/volumes", "/secrets", "/configs"] {
        assert!(seen.iter().any(|r| r.contains(path)), "no request for {path}: {seen:?}");
    }
}
