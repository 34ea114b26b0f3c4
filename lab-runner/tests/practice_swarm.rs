//! `lab cluster up|status|down` on a real practice swarm (root, private dockerds, in a
//! private SWARM_LAB_HOME and XDG_STATE_HOME, with an explicit `--driver netns`, so that
//! nothing, not even the cleanup of a failed `up`, reaches the real default engine or the
//! real state folder): a second `up` reports the roles the engines report now, not the ones
//! the swarm started with.

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
