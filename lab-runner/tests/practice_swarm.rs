//! `lab cluster up|status|down` on a real practice swarm (root, private dockerds, in a
//! private SWARM_LAB_HOME and XDG_STATE_HOME, with an explicit `--driver netns`, so that
//! nothing, not even the cleanup of a failed `up`, reaches the real default engine or the
//! real state folder): a second `up` reports the roles the engines report now, not the ones
//! the swarm started with; `lab serve` started before the practice swarm reads it once it is
//! up, and `lab check` (also `--watch`, `lab cluster forward`) on an engine that is not there
//! says how to point at it.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `lab ARGS`; `cluster` subcommands get `--driver netns`.
fn lab(home: &Path, args: &[&str]) -> Output {
    let driver: &[&str] = if args.first() == Some(&"cluster") { &["--driver", "netns"] } else { &[] };
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(args)
        .args(driver)
        .env("SWARM_LAB_HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Takes the practice swarm down however the test ends.
struct Down<'a>(&'a Path);

impl Drop for Down<'_> {
    fn drop(&mut self) {
        let out = lab(self.0, &["cluster", "down"]);
        if !std::thread::panicking() {
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// The role column of `node` in a node table.
fn role_of(table: &str, node: &str) -> String {
    let row = table.lines().map(str::trim).find(|l| l.starts_with(&format!("{node} "))).unwrap_or_else(|| {
        panic!("no row for {node} in:\n{table}");
    });
    row.split_whitespace().nth(3).unwrap().to_string()
}

#[test]
fn a_second_up_shows_the_roles_the_engines_report_now() {
    let home = tempfile::Builder::new().prefix("lp").tempdir_in("/tmp").unwrap();
    let _down = Down(home.path());
    let up = lab(home.path(), &["cluster", "up", "--nodes", "2", "--managers", "1"]);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let first = String::from_utf8_lossy(&up.stderr).to_string();
    assert_eq!(role_of(&first, "node2"), "worker", "{first}");
    // This kernel has no IPVS: up says so, and names what opens a service's port anyway.
    assert!(first.contains("has no IPVS") && first.contains("lab cluster forward SERVICE 8080:80"), "{first}");

    let env = String::from_utf8_lossy(&lab(home.path(), &["cluster", "env"]).stdout).to_string();
    let host = env.lines().find_map(|l| l.strip_prefix("export DOCKER_HOST=")).expect("DOCKER_HOST line").to_string();
    let promoted =
        Command::new("docker").args(["node", "promote", "node2"]).env("DOCKER_HOST", &host).output().unwrap();
    assert!(promoted.status.success(), "{}", String::from_utf8_lossy(&promoted.stderr));

    let again = lab(home.path(), &["cluster", "up", "--nodes", "2", "--managers", "1"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let second = String::from_utf8_lossy(&again.stderr).to_string();
    assert!(second.contains("already running"), "{second}");
    assert_eq!(role_of(&second, "node2"), "manager", "the state file still says worker:\n{second}");
    let status = String::from_utf8_lossy(&lab(home.path(), &["cluster", "status"]).stdout).to_string();
    assert_eq!(role_of(&status, "node2"), "manager", "{status}");
}

/// A docker config folder whose current context is a socket that does not exist: as if
/// nothing named an engine and the default socket were absent, without this test ever
/// touching /var/run/docker.sock.
fn config_without_engine(dir: &Path) -> std::path::PathBuf {
    let config = dir.join("docker-config");
    let name = "no-engine";
    let hash = Command::new("sh").arg("-c").arg(format!("printf %s {name} | sha256sum")).output().unwrap();
    let hash = String::from_utf8_lossy(&hash.stdout).split_whitespace().next().unwrap().to_string();
    let meta = config.join("contexts/meta").join(hash);
    std::fs::create_dir_all(&meta).unwrap();
    let socket = dir.join("absent.sock");
    let endpoints = format!(r#"{{"Name":"{name}","Endpoints":{{"docker":{{"Host":"unix://{}"}}}}}}"#, socket.display());
    std::fs::write(meta.join("meta.json"), endpoints).unwrap();
    std::fs::write(config.join("config.json"), format!(r#"{{"currentContext":"{name}"}}"#)).unwrap();
    config
}

/// `lab serve` with no engine named, its stdout's address read; killed (by its PID) on drop.
struct Serve {
    child: std::process::Child,
    port: u16,
}

impl Serve {
    fn start(home: &Path, config: &Path) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lab"))
            .args(["serve", "--port", "0"])
            .env("SWARM_LAB_HOME", home)
            .env("DOCKER_CONFIG", config)
            .env("XDG_STATE_HOME", home.join("state"))
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
        // The first line, once the book is built: "serving the book at http://127.0.0.1:PORT/ …".
        let line = lines.next().expect("lab serve printed its address").unwrap();
        let url = line.split_whitespace().nth(4).unwrap_or_else(|| panic!("{line}"));
        let port = url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
        Serve { child, port }
    }

    /// GET `path` from the server: (status, body).
    fn get(&self, path: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0), body.to_string())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_started_before_the_practice_swarm_follows_it_and_check_says_to_point_at_it() {
    let home = tempfile::Builder::new().prefix("lf").tempdir_in("/tmp").unwrap();
    let config = config_without_engine(home.path());
    // `lab ARGS` with no engine named and the missing one current, as the learner's shell.
    let learner = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lab"));
        cmd.args(args)
            .env("SWARM_LAB_HOME", home.path())
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("DOCKER_CONFIG", &config)
            .env("SHELL", "/bin/bash")
            .env("NO_COLOR", "1")
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .stdin(Stdio::null());
        cmd
    };
    let check = || learner(&["check", "day6-first-service"]).output().unwrap();
    // Nothing is up: the engine is missing, and nothing else is suggested.
    let before = check();
    assert_eq!(before.status.code(), Some(3));
    let said = String::from_utf8_lossy(&before.stderr).to_string();
    assert!(said.contains("cannot reach the engine") && !said.contains("cluster env"), "{said}");
    let serve = Serve::start(home.path(), &config);
    let (status, body) = serve.get("/api/labs/day6-first-service/check");
    assert_eq!(status, 503, "{body}");

    let _down = Down(home.path());
    let up = lab(home.path(), &["cluster", "up", "--nodes", "1", "--managers", "1"]);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    // `lab check` on the missing engine now says what to run, as it can be pasted.
    let after = check();
    assert_eq!(after.status.code(), Some(3));
    let said = String::from_utf8_lossy(&after.stderr).to_string();
    let pasted = said.contains("`eval \"$(") && said.contains(" cluster env)\"`");
    assert!(said.contains("A practice swarm is up") && pasted, "{said}");
    // The server started first reads the practice swarm, without a restart.
    let (status, body) = serve.get("/api/labs/day6-first-service/check");
    assert_eq!(status, 200, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["lab"], "day6-first-service", "{report}");
    assert!(report["cluster"]["swarm_id"].as_str().is_some_and(|id| !id.is_empty()), "{report}");

    // So do `lab cluster forward` (its first read) and `lab check --watch` (its first loss).
    let forward = learner(&["cluster", "forward", "vote", "8080:80"]).output().unwrap();
    let said = String::from_utf8_lossy(&forward.stderr).to_string();
    assert_eq!(forward.status.code(), Some(3), "{said}");
    assert!(said.contains("A practice swarm is up") && said.contains(" cluster env)\"`"), "{said}");
    let mut watch = learner(&["check", "day6-first-service", "--watch"]).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = watch.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let hinted = loop {
        match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) if line.contains("A practice swarm is up") => break true,
            Ok(line) => seen.push_str(&(line + "\n")),
            Err(_) => break false,
        }
    };
    let _ = watch.kill();
    let _ = watch.wait();
    assert!(hinted, "lab check --watch never named the practice swarm within 30 s:\n{seen}");
}
