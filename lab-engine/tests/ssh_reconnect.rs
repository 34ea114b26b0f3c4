//! The ssh transport against a stand-in `ssh` on PATH (this binary's only test, so changing
//! PATH touches no other test): a connection that the far side closed after an answer is
//! opened again for the next request, and an ssh that cannot connect is reported with what
//! ssh said. No network: the stand-in answers on its own stdout, as `docker system
//! dial-stdio` does at the end of a real ssh connection.

use lab_engine::{Connection, Endpoint};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

/// An `ssh` that logs each start, answers one HTTP request like an engine's `/version`, and
/// then exits: the connection closes after every answer. With `refuse` present it fails as
/// ssh does when the key is not accepted.
const STAND_IN_SSH: &str = r#"#!/bin/bash
dir=$(dirname "$0")
echo "$*" >> "$dir/starts"
if [ -e "$dir/refuse" ]; then
  echo "root@lab.example: Permission denied (publickey)." >&2
  exit 255
fi
while IFS= read -r line; do line=${line%$'\r'}; [ -z "$line" ] && break; done
body='{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12"}'
printf 'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nServer: Docker/20.10.24 (linux)\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body"
"#;

fn starts(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("starts")).unwrap_or_default().lines().map(str::to_string).collect()
}

#[tokio::test]
async fn a_closed_ssh_connection_is_opened_again_and_a_refused_one_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let ssh = dir.path().join("ssh");
    std::fs::write(&ssh, STAND_IN_SSH).unwrap();
    std::fs::set_permissions(&ssh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
    // SAFETY (edition 2021: safe call): this binary has one test, so no thread reads PATH meanwhile.
    std::env::set_var("PATH", path);

    let ep = Endpoint { host: "ssh://root@lab.example:2222".into(), tls: None, context: None, source: "--host".into() };
    let conn = Connection::open(&ep, Duration::from_secs(10)).await.unwrap();
    assert!(starts(dir.path()).is_empty(), "opening sends nothing");

    let first = conn.docker.version().await.unwrap();
    assert_eq!(first.version.as_deref(), Some("20.10.24"));
    assert_eq!(conn.engine_version(), "20.10.24");
    // Let the closed connection be noticed first: the next request must not fail on it.
    // A sleep that stays: what it waits for (the pool seeing the fake ssh hang up) cannot
    // be observed from outside; too short a sleep makes the test fail, never pass wrongly.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = conn.docker.version().await.unwrap();
    assert_eq!(second.api_version.as_deref(), Some("1.41"));
    let started = starts(dir.path());
    assert_eq!(started.len(), 2, "one ssh per connection, opened again after it closed: {started:?}");
    assert!(
        started.iter().all(|s| s.contains("-p 2222") && s.ends_with("-- root@lab.example docker system dial-stdio")),
        "{started:?}"
    );
    assert!(started.iter().all(|s| s.contains("BatchMode=yes")), "never asks for a password: {started:?}");

    // The far side now refuses the key: the error carries ssh's own words, and the
    // request is not retried endlessly (one new connection, then the error).
    std::fs::write(dir.path().join("refuse"), "").unwrap();
    // As above: the pooled connection closed, so the next request opens a new one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = conn.docker.version().await.unwrap_err().to_string();
    assert!(err.contains("Permission denied (publickey)"), "{err}");
    assert!(err.contains("root@lab.example"), "{err}");
    assert_eq!(starts(dir.path()).len(), 3, "{:?}", starts(dir.path()));
}
