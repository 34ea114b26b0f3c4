//! Stand-in images: tiny busybox images tagged with the names the course uses (alpine,
//! redis, postgres, nginx, the voting app…), so services converge on a machine that cannot
//! pull. One rootfs (static busybox, its applet links, /etc/passwd and /etc/group, a web
//! page) is built once per process and imported on every node, once per behaviour, with
//! `CMD`/`EXPOSE`/`VOLUME`/`LABEL` changes; the other names are tags of those imports.
//!
//! Behaviours: web apps answer HTTP on their real port (busybox httpd), redis and postgres
//! accept TCP on 6379 and 5432 (redis answers `+PONG`), workers just stay up, and alpine's
//! CMD is a shell like the real one (busybox has `ping`, for `alpine ping 8.8.8.8`).
//! Every long-running CMD traps SIGTERM, so stopping a task takes no 10 s grace period.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::api::query_escape;
use crate::engine::NodeApi;
use crate::error::{HarnessError, Result};
use crate::host::{run, HostTools};

/// One behaviour and every image name that gets it.
#[derive(Debug, Clone, Copy)]
pub struct StandIn {
    /// Short name, also the value of the image label `org.swarm-lab.stand-in`.
    pub kind: &'static str,
    pub tags: &'static [&'static str],
    /// Ports the image listens on (its `EXPOSE`).
    pub ports: &'static [u16],
    /// Shell command run as PID 1 under a SIGTERM trap; `None` for a bare shell.
    command: Option<&'static str>,
    volumes: &'static [&'static str],
}

/// Every stand-in behaviour, with the names it is tagged with.
pub const STAND_INS: &[StandIn] = &[
    StandIn { kind: "shell", tags: &["alpine", "alpine:latest"], ports: &[], command: None, volumes: &[] },
    StandIn {
        kind: "web",
        tags: &[
            "nginx",
            "drupal",
            "dockersamples/examplevotingapp_vote:before",
            "dockersamples/examplevotingapp_result:before",
            "bretfisher/examplevotingapp_vote",
            "bretfisher/examplevotingapp_result",
        ],
        ports: &[80],
        command: Some("httpd -f -p 80 -h /var/www"),
        volumes: &[],
    },
    StandIn {
        kind: "elasticsearch",
        tags: &["elasticsearch:2"],
        ports: &[9200],
        command: Some("httpd -f -p 9200 -h /var/www/elasticsearch -c /etc/httpd-json.conf"),
        volumes: &["/usr/share/elasticsearch/data"],
    },
    StandIn {
        kind: "redis",
        tags: &["redis:3.2", "redis:alpine"],
        ports: &[6379],
        command: Some("nc -ll -p 6379 -e /usr/local/bin/redis-stand-in"),
        volumes: &["/data"],
    },
    StandIn {
        kind: "postgres",
        tags: &["postgres", "postgres:9.4"],
        ports: &[5432],
        command: Some("nc -ll -p 5432 -e /bin/true"),
        volumes: &["/var/lib/postgresql/data"],
    },
    StandIn {
        kind: "worker",
        tags: &[
            "dockersamples/examplevotingapp_worker",
            "bretfisher/examplevotingapp_worker",
            "bretfisher/examplevotingapp_worker:java",
        ],
        ports: &[],
        command: Some("tail -f /dev/null"),
        volumes: &[],
    },
];

/// Every image name a cluster started with `images: true` has on each node.
pub const STAND_IN_IMAGES: &[&str] = &[
    "alpine",
    "alpine:latest",
    "nginx",
    "drupal",
    "dockersamples/examplevotingapp_vote:before",
    "dockersamples/examplevotingapp_result:before",
    "bretfisher/examplevotingapp_vote",
    "bretfisher/examplevotingapp_result",
    "elasticsearch:2",
    "redis:3.2",
    "redis:alpine",
    "postgres",
    "postgres:9.4",
    "dockersamples/examplevotingapp_worker",
    "bretfisher/examplevotingapp_worker",
    "bretfisher/examplevotingapp_worker:java",
];

/// The stand-in behaviour an image name gets, if any (`alpine` and `alpine:latest` alike).
pub fn stand_in_for(image: &str) -> Option<&'static StandIn> {
    let (repo, tag) = split_reference(image);
    STAND_INS.iter().find(|s| s.tags.iter().any(|t| split_reference(t) == (repo, tag)))
}

impl StandIn {
    /// The `--change` lines of its import, as `docker import` takes them.
    pub fn changes(&self) -> Vec<String> {
        let cmd = match self.command {
            None => r#"CMD ["/bin/sh"]"#.to_string(),
            Some(c) => {
                let script = format!("trap 'exit 0' TERM; {c} & wait");
                format!("CMD {}", serde_json::json!(["/bin/sh", "-c", script]))
            }
        };
        let mut changes = vec![cmd, format!("LABEL org.swarm-lab.stand-in={}", self.kind)];
        changes.extend(self.ports.iter().map(|p| format!("EXPOSE {p}")));
        changes.extend(self.volumes.iter().map(|v| format!("VOLUME {v}")));
        changes
    }
}

const WEB_PAGE: &str = "<!doctype html>\n<title>Swarm Lab stand-in</title>\n\
<h1>Swarm Lab stand-in web app</h1>\n\
<p>This image stands in for nginx, drupal and the voting app's vote and result pages \
on a practice swarm that cannot pull images. If you can read this, the service is \
reachable.</p>\n";

const ELASTICSEARCH_ROOT: &str = r#"{
  "name" : "stand-in",
  "cluster_name" : "elasticsearch",
  "version" : {
    "number" : "2.4.6",
    "lucene_version" : "5.5.4"
  },
  "tagline" : "You Know, for Search"
}
"#;

const REDIS_SCRIPT: &str = r#"#!/bin/sh
# Answers like a very small redis: +PONG to PING, +OK to anything else.
while read -r line; do
  line=$(printf '%s' "$line" | tr -d '\r')
  case "$line" in
    '*'*|'$'*) ;;
    [Pp][Ii][Nn][Gg]) printf '+PONG\r\n' ;;
    [Qq][Uu][Ii][Tt]) printf '+OK\r\n'; exit 0 ;;
    *) printf '+OK\r\n' ;;
  esac
done
"#;

/// The rootfs tarball, built once per process from the host's static busybox.
pub fn rootfs_tar(tools: &HostTools) -> Result<Arc<Vec<u8>>> {
    static TAR: OnceLock<Arc<Vec<u8>>> = OnceLock::new();
    if let Some(t) = TAR.get() {
        return Ok(t.clone());
    }
    let built = Arc::new(build_rootfs_tar(&tools.busybox)?);
    Ok(TAR.get_or_init(|| built).clone())
}

fn build_rootfs_tar(busybox: &Path) -> Result<Vec<u8>> {
    let binary = std::fs::read(busybox).map_err(|e| HarnessError::io("cannot read busybox", busybox, e))?;
    let applets = run(Command::new(busybox).arg("--list-full"))?;
    let tar_err = |e: std::io::Error| HarnessError::io("cannot build the stand-in rootfs", busybox, e);

    let mut b = tar::Builder::new(Vec::new());
    let mut dirs: Vec<&str> = vec![
        "bin", "sbin", "usr", "usr/bin", "usr/sbin", "usr/local", "usr/local/bin", "etc", "root", "tmp", "proc",
        "sys", "dev", "var", "var/www", "var/www/elasticsearch", "data", "usr/share", "usr/share/elasticsearch",
        "usr/share/elasticsearch/data", "var/lib", "var/lib/postgresql", "var/lib/postgresql/data",
    ];
    dirs.sort();
    for d in dirs {
        let mode = match d {
            "tmp" => 0o1777,
            "root" => 0o700,
            _ => 0o755,
        };
        append_dir(&mut b, d, mode).map_err(tar_err)?;
    }
    append_file(&mut b, "bin/busybox", &binary, 0o755).map_err(tar_err)?;
    for applet in applets.lines().map(str::trim).filter(|a| !a.is_empty() && *a != "bin/busybox") {
        if let Some(parent) = Path::new(applet).parent() {
            if !["bin", "sbin", "usr/bin", "usr/sbin"].contains(&parent.to_str().unwrap_or("")) {
                continue;
            }
        }
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        h.set_mtime(0);
        b.append_link(&mut h, applet, "/bin/busybox").map_err(tar_err)?;
    }
    let files: [(&str, &[u8], u32); 6] = [
        ("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", 0o644),
        ("etc/group", b"root:x:0:\nnogroup:x:65534:\n", 0o644),
        ("etc/httpd-json.conf", b".html:application/json\n", 0o644),
        ("var/www/index.html", WEB_PAGE.as_bytes(), 0o644),
        ("var/www/elasticsearch/index.html", ELASTICSEARCH_ROOT.as_bytes(), 0o644),
        ("usr/local/bin/redis-stand-in", REDIS_SCRIPT.as_bytes(), 0o755),
    ];
    for (path, data, mode) in files {
        append_file(&mut b, path, data, mode).map_err(tar_err)?;
    }
    b.into_inner().map_err(tar_err)
}

fn append_dir(b: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32) -> std::io::Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_size(0);
    h.set_mode(mode);
    h.set_mtime(0);
    b.append_data(&mut h, format!("{path}/"), std::io::empty())
}

fn append_file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], mode: u32) -> std::io::Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(data.len() as u64);
    h.set_mode(mode);
    h.set_mtime(0);
    b.append_data(&mut h, path, data)
}

/// `("dockersamples/x", "before")` from `dockersamples/x:before`; the tag defaults to latest.
fn split_reference(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, "latest"),
    }
}

/// Imports every stand-in into one node's engine and tags it with all its names.
pub fn load(node: &NodeApi, rootfs: &[u8]) -> Result<()> {
    for stand_in in STAND_INS {
        let (repo, tag) = split_reference(stand_in.tags[0]);
        let mut path = format!("/images/create?fromSrc=-&repo={}&tag={}", query_escape(repo), query_escape(tag));
        for change in stand_in.changes() {
            path.push_str("&changes=");
            path.push_str(&query_escape(&change));
        }
        let resp = node
            .raw()
            .request("POST", &path, Some(("application/x-tar", rootfs)), std::time::Duration::from_secs(60))
            .map_err(|f| node.fail("POST", "/images/create", f))?;
        let id = import_result(&resp.body).map_err(|detail| HarnessError::Swarm {
            node: node.node.name.clone(),
            what: format!("importing the stand-in image {}", stand_in.tags[0]),
            detail,
        })?;
        for name in &stand_in.tags[1..] {
            let (repo, tag) = split_reference(name);
            let tag_path = format!("/images/{id}/tag?repo={}&tag={}", query_escape(repo), query_escape(tag));
            node.raw()
                .request("POST", &tag_path, None, std::time::Duration::from_secs(30))
                .map_err(|f| node.fail("POST", &tag_path, f))?;
        }
    }
    Ok(())
}

/// The image id from an import's JSON-lines progress stream, or the error it reported.
fn import_result(body: &[u8]) -> std::result::Result<String, String> {
    let mut id = None;
    for line in serde_json::Deserializer::from_slice(body).into_iter::<Value>() {
        let v = line.map_err(|e| format!("unreadable import progress: {e}"))?;
        if let Some(err) = v.get("error").and_then(Value::as_str) {
            return Err(err.to_string());
        }
        if let Some(s) = v.get("status").and_then(Value::as_str).filter(|s| s.starts_with("sha256:")) {
            id = Some(s.to_string());
        }
    }
    id.ok_or_else(|| "the engine reported no image id".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_list_matches_the_behaviours() {
        let from_table: Vec<&str> = STAND_INS.iter().flat_map(|s| s.tags.iter().copied()).collect();
        assert_eq!(from_table, STAND_IN_IMAGES);
    }

    #[test]
    fn references_split_into_repo_and_tag() {
        assert_eq!(split_reference("alpine"), ("alpine", "latest"));
        assert_eq!(split_reference("dockersamples/examplevotingapp_vote:before"), ("dockersamples/examplevotingapp_vote", "before"));
        assert_eq!(stand_in_for("alpine:latest").unwrap().kind, "shell");
        assert_eq!(stand_in_for("redis:alpine").unwrap().ports, &[6379]);
        assert!(stand_in_for("redis:7").is_none());
    }

    #[test]
    fn long_running_commands_trap_term() {
        let web = stand_in_for("nginx").unwrap().changes();
        assert_eq!(web[0], r#"CMD ["/bin/sh","-c","trap 'exit 0' TERM; httpd -f -p 80 -h /var/www & wait"]"#);
        assert!(web.contains(&"EXPOSE 80".to_string()));
    }

    #[test]
    fn import_stream_yields_the_id_or_the_error() {
        assert_eq!(import_result(b"{\"status\":\"sha256:abc\"}\r\n").unwrap(), "sha256:abc");
        assert_eq!(import_result(b"{\"errorDetail\":{},\"error\":\"boom\"}").unwrap_err(), "boom");
    }
}
