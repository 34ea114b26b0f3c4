//! Stand-in images: tiny busybox images tagged with the names the course uses (alpine,
//! redis, postgres, nginx, the voting app…), so services converge on a machine that cannot
//! pull. One rootfs layer (static busybox, its applet links, /etc/passwd and /etc/group, a
//! web page) and one image config per behaviour are packed once per process into a
//! `docker save`-style archive, which every node loads in a single `POST /images/load`: the
//! layer is unpacked once per node and all names are tagged by the load itself.
//!
//! Behaviours, as close to the real images as the lessons and checks need:
//! - web apps answer HTTP on their real port (busybox httpd) with a page that names the
//!   container that served it (its hostname), so a learner sees which replica answered;
//! - elasticsearch answers its root JSON on 9200 with a `name` of its own per replica (the
//!   real one makes up a random name at start);
//! - postgres refuses to start, exit 1 with the real image's message in its log, unless
//!   `POSTGRES_PASSWORD`, `POSTGRES_PASSWORD_FILE` or `POSTGRES_HOST_AUTH_METHOD=trust` is
//!   set (the official images do since early 2020); then it accepts TCP on 5432;
//! - redis accepts TCP on 6379 and answers `+PONG`; workers just stay up; alpine's CMD is
//!   a shell like the real one (busybox has `ping`, for `alpine ping 8.8.8.8`).
//!
//! postgres has a health check (its ready file), so swarm only calls its task running once
//! it started properly. Every long-running CMD traps SIGTERM, so stopping a task takes no 10 s grace period, and
//! passes its command's exit status on (`wait $!`), so a stand-in that refuses to start
//! fails its task the way the real image does.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

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
    /// A file whose existence is the image's health check, when it has one.
    ready_file: Option<&'static str>,
}

/// Every stand-in behaviour, with the names it is tagged with.
pub const STAND_INS: &[StandIn] = &[
    StandIn {
        kind: "shell",
        tags: &["alpine", "alpine:latest"],
        ports: &[],
        command: None,
        volumes: &[],
        ready_file: None,
    },
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
        command: Some("/usr/local/bin/web-stand-in"),
        volumes: &[],
        ready_file: None,
    },
    StandIn {
        kind: "elasticsearch",
        tags: &["elasticsearch:2"],
        ports: &[9200],
        command: Some("/usr/local/bin/elasticsearch-stand-in"),
        volumes: &["/usr/share/elasticsearch/data"],
        ready_file: None,
    },
    StandIn {
        kind: "redis",
        tags: &["redis:3.2", "redis:alpine"],
        ports: &[6379],
        command: Some("nc -ll -p 6379 -e /usr/local/bin/redis-stand-in"),
        volumes: &["/data"],
        ready_file: None,
    },
    StandIn {
        kind: "postgres",
        tags: &["postgres", "postgres:9.4"],
        ports: &[5432],
        command: Some("/usr/local/bin/postgres-stand-in"),
        volumes: &["/var/lib/postgresql/data"],
        ready_file: Some("/tmp/postgres-ready"),
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
        ready_file: None,
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

/// Writes a page naming this container (its hostname), then serves it.
const WEB_SCRIPT: &str = r#"#!/bin/sh
# Stands in for nginx, drupal and the voting app's pages: one page naming this container.
mkdir -p /tmp/www
cat > /tmp/www/index.html <<EOF
<!doctype html>
<title>Swarm Lab stand-in</title>
<h1>Swarm Lab stand-in web app</h1>
<p>Served by container <b id="hostname">$(hostname)</b>.</p>
<p>This image stands in for nginx, drupal and the voting app's vote and result pages
on a practice swarm that cannot pull images. If you can read this, the service is
reachable; the name above tells you which replica answered.</p>
EOF
exec httpd -f -p 80 -h /tmp/www
"#;

/// Writes the root JSON with a name of this replica's own, then serves it.
const ELASTICSEARCH_SCRIPT: &str = r#"#!/bin/sh
# Stands in for elasticsearch:2. The real one names itself after a random Marvel
# character at start; this one after its container (its hostname), different per replica.
mkdir -p /tmp/es
cat > /tmp/es/index.html <<EOF
{
  "name" : "$(hostname)",
  "cluster_name" : "elasticsearch",
  "version" : {
    "number" : "2.4.6",
    "lucene_version" : "5.5.4"
  },
  "tagline" : "You Know, for Search"
}
EOF
exec httpd -f -p 9200 -h /tmp/es -c /etc/httpd-json.conf
"#;

/// Refuses to initialise without a password setting, with the official image's message.
const POSTGRES_SCRIPT: &str = r#"#!/bin/sh
# Stands in for postgres: like the official images since 2020, refuses to initialise a
# database without a superuser password or an explicit opt-out.
if [ -n "$POSTGRES_PASSWORD_FILE" ] && [ -r "$POSTGRES_PASSWORD_FILE" ]; then
  POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
fi
if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != "trust" ]; then
  cat >&2 <<'EOF'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.

       See PostgreSQL documentation about "trust":
       https://www.postgresql.org/docs/current/auth-trust.html
EOF
  exit 1
fi
echo "LOG:  database system is ready to accept connections (swarm-lab stand-in)" >&2
touch /tmp/postgres-ready
exec nc -ll -p 5432 -e /bin/true
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
    rootfs_tar_from(&tools.busybox)
}

/// [`rootfs_tar`] from the static busybox at `busybox`; built once per process.
fn rootfs_tar_from(busybox: &Path) -> Result<Arc<Vec<u8>>> {
    static TAR: OnceLock<Arc<Vec<u8>>> = OnceLock::new();
    if let Some(t) = TAR.get() {
        return Ok(t.clone());
    }
    let built = Arc::new(build_rootfs_tar(busybox)?);
    Ok(TAR.get_or_init(|| built).clone())
}

fn build_rootfs_tar(busybox: &Path) -> Result<Vec<u8>> {
    let binary = std::fs::read(busybox).map_err(|e| HarnessError::io("cannot read busybox", busybox, e))?;
    let applets = run(Command::new(busybox).arg("--list-full"))?;
    let tar_err = |e: std::io::Error| HarnessError::io("cannot build the stand-in rootfs", busybox, e);

    let mut b = tar::Builder::new(Vec::new());
    let mut dirs: Vec<&str> = vec![
        "bin",
        "sbin",
        "usr",
        "usr/bin",
        "usr/sbin",
        "usr/local",
        "usr/local/bin",
        "etc",
        "root",
        "tmp",
        "proc",
        "sys",
        "dev",
        "var",
        "data",
        "usr/share",
        "usr/share/elasticsearch",
        "usr/share/elasticsearch/data",
        "var/lib",
        "var/lib/postgresql",
        "var/lib/postgresql/data",
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
    let files: [(&str, &[u8], u32); 7] = [
        ("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", 0o644),
        ("etc/group", b"root:x:0:\nnogroup:x:65534:\n", 0o644),
        ("etc/httpd-json.conf", b".html:application/json\n", 0o644),
        ("usr/local/bin/web-stand-in", WEB_SCRIPT.as_bytes(), 0o755),
        ("usr/local/bin/elasticsearch-stand-in", ELASTICSEARCH_SCRIPT.as_bytes(), 0o755),
        ("usr/local/bin/postgres-stand-in", POSTGRES_SCRIPT.as_bytes(), 0o755),
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

/// The image archive every node loads, built once per process.
pub fn image_archive(tools: &HostTools) -> Result<Arc<Vec<u8>>> {
    image_archive_from(&tools.busybox)
}

/// The image archive built from the static busybox at `busybox` (see
/// [`find_static_busybox`](crate::host::find_static_busybox)), without root: for engines
/// this crate did not start, e.g. nodes that run as containers and load it through their
/// own API. Built once per process.
pub fn image_archive_from(busybox: &Path) -> Result<Arc<Vec<u8>>> {
    static ARCHIVE: OnceLock<Arc<Vec<u8>>> = OnceLock::new();
    if let Some(a) = ARCHIVE.get() {
        return Ok(a.clone());
    }
    let layer = rootfs_tar_from(busybox)?;
    let built =
        Arc::new(build_archive(&layer).map_err(|e| HarnessError::io("cannot build the stand-in images", busybox, e))?);
    Ok(ARCHIVE.get_or_init(|| built).clone())
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Docker's name for the platform this process (and so the host's busybox) runs on.
fn docker_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm",
        "x86" => "386",
        other => other,
    }
}

impl StandIn {
    /// The image config (what `docker image inspect` shows under Config), for a layer
    /// with the given diff id.
    fn image_config(&self, diff_id: &str) -> Value {
        let cmd = match self.command {
            None => json!(["/bin/sh"]),
            Some(c) => json!(["/bin/sh", "-c", format!("trap 'exit 0' TERM; {c} & wait $!")]),
        };
        let mut config = json!({
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": cmd,
            "Labels": {"org.swarm-lab.stand-in": self.kind},
        });
        if !self.ports.is_empty() {
            config["ExposedPorts"] = self.ports.iter().map(|p| (format!("{p}/tcp"), json!({}))).collect();
        }
        if !self.volumes.is_empty() {
            config["Volumes"] = self.volumes.iter().map(|v| (v.to_string(), json!({}))).collect();
        }
        if let Some(file) = self.ready_file {
            // Swarm reports a task with a health check `starting`, not `running`, until it is
            // healthy: a stand-in that refuses to start is never seen running, not even for
            // the moment before it exits.
            config["Healthcheck"] = json!({
                "Test": ["CMD", "test", "-e", file],
                "Interval": 1_000_000_000u64,
                "Timeout": 2_000_000_000u64,
                "Retries": 30,
            });
        }
        json!({
            "architecture": docker_arch(),
            "os": "linux",
            "created": CREATED,
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{diff_id}")]},
            "history": [{"created": CREATED, "created_by": format!("swarm-lab stand-in ({}): busybox", self.kind)}],
        })
    }
}

/// Fixed, so the archive (and the image ids) are the same on every run.
const CREATED: &str = "2024-01-01T00:00:00Z";

/// A `docker save` archive: one layer shared by one config per behaviour, each tagged
/// with all its names.
fn build_archive(layer: &[u8]) -> std::io::Result<Vec<u8>> {
    let diff_id = sha256_hex(layer);
    let mut b = tar::Builder::new(Vec::new());
    let layer_path = format!("{diff_id}/layer.tar");
    append_dir(&mut b, &diff_id, 0o755)?;
    append_file(&mut b, &layer_path, layer, 0o644)?;
    append_file(&mut b, &format!("{diff_id}/VERSION"), b"1.0", 0o644)?;
    let mut manifest = Vec::new();
    for stand_in in STAND_INS {
        let config = serde_json::to_vec(&stand_in.image_config(&diff_id)).expect("config serializes");
        let config_path = format!("{}.json", sha256_hex(&config));
        append_file(&mut b, &config_path, &config, 0o644)?;
        let repo_tags: Vec<String> = stand_in
            .tags
            .iter()
            .map(|t| {
                let (repo, tag) = split_reference(t);
                format!("{repo}:{tag}")
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        manifest.push(json!({"Config": config_path, "RepoTags": repo_tags, "Layers": [layer_path]}));
    }
    let manifest = serde_json::to_vec(&manifest).expect("manifest serializes");
    append_file(&mut b, "manifest.json", &manifest, 0o644)?;
    b.into_inner()
}

/// Loads every stand-in image into one node's engine.
pub(crate) fn load(node: &NodeApi, archive: &[u8]) -> Result<()> {
    let path = "/images/load?quiet=1";
    let resp = node
        .raw()
        .request("POST", path, Some(("application/x-tar", archive)), std::time::Duration::from_secs(120))
        .map_err(|f| node.fail("POST", path, f))?;
    load_result(&resp.body).map_err(|detail| HarnessError::Swarm {
        node: node.node.name.clone(),
        what: "loading the stand-in images".into(),
        detail,
    })
}

/// The error a load's JSON-lines progress stream reported, if any.
fn load_result(body: &[u8]) -> std::result::Result<(), String> {
    for line in serde_json::Deserializer::from_slice(body).into_iter::<Value>() {
        let v = line.map_err(|e| format!("unreadable load progress: {e}"))?;
        if let Some(err) = v.get("error").and_then(Value::as_str) {
            return Err(err.to_string());
        }
    }
    Ok(())
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
        assert_eq!(
            split_reference("dockersamples/examplevotingapp_vote:before"),
            ("dockersamples/examplevotingapp_vote", "before")
        );
        assert_eq!(stand_in_for("alpine:latest").unwrap().kind, "shell");
        assert_eq!(stand_in_for("redis:alpine").unwrap().ports, &[6379]);
        assert!(stand_in_for("redis:7").is_none());
    }

    #[test]
    fn long_running_commands_trap_term() {
        let web = stand_in_for("nginx").unwrap().image_config("ab");
        assert_eq!(
            web["config"]["Cmd"],
            json!(["/bin/sh", "-c", "trap 'exit 0' TERM; /usr/local/bin/web-stand-in & wait $!"])
        );
        assert_eq!(web["config"]["ExposedPorts"], json!({"80/tcp": {}}));
        assert_eq!(web["rootfs"]["diff_ids"], json!(["sha256:ab"]));
    }

    #[test]
    fn only_postgres_has_a_health_check_and_it_waits_for_the_ready_file() {
        let pg = stand_in_for("postgres:9.4").unwrap().image_config("ab");
        assert_eq!(pg["config"]["Healthcheck"]["Test"], json!(["CMD", "test", "-e", "/tmp/postgres-ready"]));
        assert!(POSTGRES_SCRIPT.contains("touch /tmp/postgres-ready\nexec nc"));
        assert!(POSTGRES_SCRIPT.find("exit 1").unwrap() < POSTGRES_SCRIPT.find("touch").unwrap());
        assert!(stand_in_for("nginx").unwrap().image_config("ab")["config"].get("Healthcheck").is_none());
    }

    #[test]
    fn archive_tags_every_name_once() {
        let archive = build_archive(b"layer").unwrap();
        let mut entries = tar::Archive::new(&archive[..]);
        let mut manifest = String::new();
        for entry in entries.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_str() == Some("manifest.json") {
                std::io::Read::read_to_string(&mut entry, &mut manifest).unwrap();
            }
        }
        let manifest: Vec<Value> = serde_json::from_str(&manifest).unwrap();
        let tags: usize = manifest.iter().map(|m| m["RepoTags"].as_array().unwrap().len()).sum();
        assert_eq!(tags, STAND_IN_IMAGES.len() - 1, "alpine and alpine:latest are one name");
    }

    #[test]
    fn load_stream_reports_errors() {
        assert!(load_result(b"{\"stream\":\"Loaded image: alpine:latest\\n\"}\r\n").is_ok());
        assert_eq!(load_result(b"{\"errorDetail\":{},\"error\":\"boom\"}").unwrap_err(), "boom");
    }
}
