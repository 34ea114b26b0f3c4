//! A private swarm for one test binary, and the `lab` binary run against it.
#![allow(dead_code)]

pub mod forwarding;
pub mod state;
pub mod voting_app;

use private_swarm::{Cluster, ClusterSpec};
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct TestSwarm {
    pub cluster: Cluster,
    /// What the last [`TestSwarm::set_state`] made (`state`).
    made: Mutex<Vec<state::Made>>,
    _dir: tempfile::TempDir,
}

impl TestSwarm {
    /// `nodes` nodes, `managers` managers, in a short temp dir (socket paths must be short).
    pub fn start(nodes: usize, managers: usize) -> TestSwarm {
        let dir = tempfile::Builder::new().prefix("lr").tempdir_in("/tmp").expect("temp dir");
        let cluster = Cluster::start(ClusterSpec::new(dir.path(), nodes, managers))
            .unwrap_or_else(|e| panic!("cannot start a private swarm: {e}"));
        TestSwarm { cluster, made: Mutex::default(), _dir: dir }
    }

    pub fn host(&self, node: usize) -> String {
        self.cluster.node(node).docker_host.clone()
    }

    /// Runs a shell line with DOCKER_HOST pointing at `node`; panics with stderr on failure.
    pub fn sh_on(&self, node: usize, line: &str) -> String {
        let out = Command::new("sh")
            .arg("-c")
            .arg(line)
            .env("DOCKER_HOST", self.host(node))
            .env_remove("DOCKER_CONTEXT")
            .stdin(Stdio::null())
            .output()
            .expect("sh");
        assert!(out.status.success(), "`{line}` failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn sh(&self, line: &str) -> String {
        self.sh_on(0, line)
    }

    /// Runs each line, adding `--detach --no-resolve-image` to `docker service create|update`.
    pub fn apply(&self, script: &str) {
        for line in state::lines(script) {
            self.sh(&line);
        }
    }

    /// Each service's name and `running/desired` tasks, as `docker service ls` shows them
    /// in REPLICAS, read from the Engine API (`GET /services?status=true`): polling it
    /// starts no `docker` process.
    pub fn replicas(&self) -> Result<Vec<(String, String)>, String> {
        self.cluster.node(0).service_replicas().map_err(|e| e.to_string())
    }

    /// Polls [`TestSwarm::replicas`] until `done` holds for it, for up to `timeout`; the
    /// last listing when it never did.
    pub fn wait_replicas(&self, timeout: Duration, done: impl Fn(&[(String, String)]) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let services = self.replicas();
            if services.as_deref().is_ok_and(&done) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("{services:?}"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Removes every service, container, user network, volume, secret and config: an
    /// empty swarm ([`TestSwarm::set_state`] of an empty script).
    pub fn reset(&self) {
        self.set_state("");
    }
}

/// `docker service create|update` without waiting and without asking a registry.
pub fn fast(line: &str) -> String {
    lab_schema::command_line::with_service_flags(line, lab_schema::command_line::ServiceFlags::FAST)
}

pub fn lab_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lab"))
}

/// XDG_STATE_HOME for every `lab` the tests run: progress never goes to the real home.
pub fn state_home() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lab-state")
}

pub fn labs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../labs")
}

/// Runs `lab ARGS` against DOCKER_HOST=`host`, with no colours, `lab` on PATH (so its
/// hints say `lab …` wherever the repository is checked out), in English whatever the
/// machine's locale.
pub fn lab(host: &str, args: &[&str]) -> Output {
    lab_with_env(host, args, &[])
}

/// [`lab`] with extra environment variables (e.g. `LANG=zh_TW.UTF-8`).
pub fn lab_with_env(host: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let bin_dir = lab_bin().parent().map(|d| d.to_path_buf()).unwrap_or_default();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let mut cmd = Command::new(lab_bin());
    cmd.args(args)
        .env("PATH", path)
        .env("XDG_STATE_HOME", state_home())
        .env("DOCKER_HOST", host)
        .env_remove("DOCKER_CONTEXT")
        .env("NO_COLOR", "1")
        .env_remove("SWARM_LAB_LABS")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .stdin(Stdio::null());
    cmd.envs(env.iter().copied());
    cmd.output().expect("run lab")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// `lab check LAB --format json` as JSON, and the exit code.
pub fn check_json(host: &str, lab_id: &str, extra: &[&str]) -> (serde_json::Value, i32) {
    let mut args = vec!["check", lab_id, "--format", "json"];
    args.extend_from_slice(extra);
    let o = lab(host, &args);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("lab check printed no JSON ({e}); stderr: {}", String::from_utf8_lossy(&o.stderr)));
    (v, o.status.code().unwrap_or(-1))
}

/// check id → status, from a JSON report.
pub fn statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
        .collect()
}

/// Forwards a unix socket to the engine and records every HTTP request line it carries.
pub fn recording_proxy(listen: std::path::PathBuf, engine: String) -> Arc<Mutex<Vec<String>>> {
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
