//! Stand-in images: tiny busybox images tagged with the names the course uses (alpine,
//! redis, postgres, nginx, the voting app…), so services converge on a machine that cannot
//! pull. One rootfs layer (busybox, its applet links, what a dynamically linked busybox needs
//! to run, /etc/passwd and /etc/group, the stand-in scripts) and one image config per
//! behaviour (a [`StandIn`] of [`STAND_INS`], its `kind`) are packed into a `docker
//! save`-style archive, which every node loads in a single `POST /images/load`: the layer is
//! unpacked once per node and all names are tagged by the load itself.
//!
//! Where busybox comes from is the caller's [`BusyboxSource`]: the netns driver takes the
//! host's static busybox ([`host_busybox`](crate::host_busybox), Linux); the docker driver copies the
//! one in its node image out of a node container through the Engine API, so it runs on
//! whatever platform the nodes do. Nothing here runs a host program. The scripts (in
//! `image/`, one file each) use only applets that Debian's busybox and Alpine's (the
//! docker:dind node image's, which has no httpd) both have; every server is `nc -ll -p PORT
//! -e SCRIPT`, one process per connection.
//!
//! Behaviours, as close to the real images as the lessons, the checks and "test the app"
//! need:
//! - `web` (nginx, drupal) answers HTTP on port 80 with a page that names the container that
//!   served it (its hostname), so a learner sees which replica answered;
//! - `elasticsearch` answers its root JSON on 9200 with a `name` of its own per replica (the
//!   real one makes up a random name at start);
//! - the voting app carries a vote over the learner's own networks, by service name, so a
//!   wrong network or name breaks the flow as it does with the real images:
//!   - `vote`: `GET /` shows the two choices (Cats / Dogs, or `OPTION_A` / `OPTION_B` as
//!     the real app reads them) and "Processed by container ID" with its hostname; `POST /`
//!     with `vote=a|b` pushes `{"voter_id":…,"vote":…}` to the list `votes` on `redis:6379`
//!     (`RPUSH`, as the real app), the voter being its `voter_id` cookie (a new random one
//!     when the request has none);
//!   - `redis`: RESP, inline and multibulk (binary-safe), for PING, ECHO, QUIT, SELECT,
//!     RPUSH/LPUSH, LPOP/RPOP, LLEN, DEL, GET/SET, INFO and COMMAND (`-ERR unknown command`
//!     for the rest), keys in files under its working directory /data, a lock around writes;
//!   - `worker`: takes the votes (`LPOP votes`) and writes them to `db:5432`, reconnecting
//!     when either is away, logging as the real worker ("Waiting for db", "Connected to db",
//!     "Processing vote for 'a' by '…'");
//!   - `postgres` (the db): the official image's start-up rule and message (an
//!     uninitialized data directory needs `POSTGRES_PASSWORD`, `POSTGRES_PASSWORD_FILE` or
//!     `POSTGRES_HOST_AUTH_METHOD=trust`, else exit 1), then the votes table, a file in
//!     `$PGDATA` (/var/lib/postgresql/data: a named volume keeps it across tasks, a new one
//!     starts empty), one row per voter, a later vote replacing the earlier as the real
//!     worker's upsert does. The real wire protocol is out of reach in sh, so the worker and
//!     the result page speak a line protocol of their own on 5432: `PING` → `PONG`, `VOTE
//!     VOTER CHOICE` → `OK`, `COUNT` → one `CHOICE N` line per choice then `END`, `QUIT` →
//!     `BYE` (see `image/postgres-session.sh`);
//!   - `result`: `GET /` shows each choice's share and the total ("No votes yet", "1 vote",
//!     "N votes", as the real page), counted in db at every request.
//!
//!   When a link is missing (the name does not resolve, the connection is refused or times
//!   out), the page that depends on it says which name it could not reach ("vote could not
//!   reach redis:6379: name does not resolve") and so does the container's log (stderr of
//!   PID 1, `docker service logs`). The links try `tasks.NAME` before `NAME`: without IPVS
//!   (this workbook's test machines, some VMs and WSL) a service's virtual IP resolves but
//!   never connects, while the task addresses do, and `tasks.NAME` too resolves only on a
//!   network both services share (`image/link.sh`);
//! - `mysql` refuses to start without `MYSQL_ROOT_PASSWORD`, `MYSQL_ALLOW_EMPTY_PASSWORD` or
//!   `MYSQL_RANDOM_ROOT_PASSWORD`, with the real image's message, then accepts TCP on 3306,
//!   its data under /var/lib/mysql;
//! - `shell` (alpine): its CMD is a shell like the real one (busybox has `ping`, for
//!   `alpine ping 8.8.8.8`).
//!
//! postgres and mysql have a health check (their ready file), so swarm only calls their
//! task running once they started properly. Every long-running CMD traps SIGTERM, so
//! stopping a task takes no 10 s grace period, and passes its command's exit status on
//! (`wait $!`), so a stand-in that refuses to start fails its task the way the real image
//! does.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{Result, StandInProblem};

/// The busybox the stand-in images are made of, and everything needed to run it.
#[derive(Debug, Clone, Default)]
pub struct BusyboxSource {
    /// The program, stored as /bin/busybox.
    pub binary: Vec<u8>,
    /// What `busybox --list-full` printed: one applet path per line (`bin/sh`,
    /// `usr/bin/wc`), or bare names (`sh`) from a busybox built without its installer.
    pub applets: String,
    /// Files a dynamically linked busybox needs (its loader, its libraries), at their
    /// absolute paths in the source (`/lib/ld-musl-x86_64.so.1`).
    pub files: Vec<SourceFile>,
    /// Symbolic links among those paths, as (absolute path, target):
    /// `/lib/libc.musl-x86_64.so.1` → `ld-musl-x86_64.so.1`.
    pub links: Vec<(String, String)>,
    /// Docker's name for the platform the images are for: `amd64`, `arm64`, `arm`, …
    pub arch: String,
    /// The platform variant where docker has one (`v7` for 32-bit ARM).
    pub variant: Option<String>,
}

/// One file of a [`BusyboxSource`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute: `/lib/x86_64-linux-gnu/libc.so.6`.
    pub path: String,
    pub data: Vec<u8>,
    pub mode: u32,
}

/// Docker's architecture name and variant for a machine name as `uname -m` spells it (and
/// so the Engine API's /info `Architecture`): x86_64 → amd64, aarch64 → arm64, armv7l →
/// arm v7, i686 → 386, as docker normalizes platforms. Unknown names are kept as they are.
pub fn docker_arch(machine: &str) -> (String, Option<String>) {
    let (arch, variant) = match machine.trim().to_ascii_lowercase().as_str() {
        "x86_64" | "x86-64" | "amd64" => ("amd64", None),
        "aarch64" | "arm64" => ("arm64", None),
        "armv7l" | "armv7" | "armhf" => ("arm", Some("v7")),
        "armv6l" | "armv6" | "armel" => ("arm", Some("v6")),
        "armv5tel" | "armv5l" | "armv5" => ("arm", Some("v5")),
        "arm" => ("arm", None),
        "i386" | "i486" | "i586" | "i686" | "x86" | "386" => ("386", None),
        other => return (other.to_string(), None),
    };
    (arch.to_string(), variant.map(str::to_string))
}

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
    /// The image's `ENV` besides PATH, as the real image sets it (`PGDATA=…`).
    env: &'static [&'static str],
    /// The image's `WORKDIR`, when the real image has one (redis keeps its data there).
    workdir: Option<&'static str>,
}

/// How often the engine asks a database stand-in whether it is ready (its health check).
pub const HEALTH_INTERVAL: Duration = Duration::from_secs(2);

/// Every stand-in behaviour, with the names it is tagged with.
pub const STAND_INS: &[StandIn] = &[
    StandIn {
        kind: "shell",
        tags: &["alpine", "alpine:latest"],
        ports: &[],
        command: None,
        volumes: &[],
        ready_file: None,
        env: &[],
        workdir: None,
    },
    StandIn {
        kind: "web",
        tags: &["nginx", "drupal"],
        ports: &[80],
        command: Some("/usr/local/bin/web-stand-in"),
        volumes: &[],
        ready_file: None,
        env: &[],
        workdir: None,
    },
    StandIn {
        kind: "vote",
        tags: &["dockersamples/examplevotingapp_vote:before", "bretfisher/examplevotingapp_vote"],
        ports: &[80],
        command: Some("/usr/local/bin/vote-stand-in"),
        volumes: &[],
        ready_file: None,
        env: &[],
        workdir: None,
    },
    StandIn {
        kind: "result",
        tags: &["dockersamples/examplevotingapp_result:before", "bretfisher/examplevotingapp_result"],
        ports: &[80],
        command: Some("/usr/local/bin/result-stand-in"),
        volumes: &[],
        ready_file: None,
        env: &[],
        workdir: None,
    },
    StandIn {
        kind: "elasticsearch",
        tags: &["elasticsearch:2"],
        ports: &[9200],
        command: Some("/usr/local/bin/elasticsearch-stand-in"),
        volumes: &["/usr/share/elasticsearch/data"],
        ready_file: None,
        env: &[],
        workdir: None,
    },
    StandIn {
        kind: "redis",
        tags: &["redis:3.2", "redis:alpine"],
        ports: &[6379],
        command: Some("/usr/local/bin/redis-stand-in"),
        volumes: &["/data"],
        ready_file: None,
        env: &[],
        workdir: Some("/data"),
    },
    StandIn {
        kind: "postgres",
        tags: &["postgres", "postgres:9.4"],
        ports: &[5432],
        command: Some("/usr/local/bin/postgres-stand-in"),
        volumes: &["/var/lib/postgresql/data"],
        ready_file: Some("/tmp/postgres-ready"),
        env: &["PGDATA=/var/lib/postgresql/data"],
        workdir: None,
    },
    StandIn {
        kind: "mysql",
        tags: &["mysql"],
        ports: &[3306],
        command: Some("/usr/local/bin/mysql-stand-in"),
        volumes: &["/var/lib/mysql"],
        ready_file: Some("/tmp/mysql-ready"),
        env: &[],
        workdir: None,
    },
    StandIn {
        kind: "worker",
        tags: &[
            "dockersamples/examplevotingapp_worker",
            "bretfisher/examplevotingapp_worker",
            "bretfisher/examplevotingapp_worker:java",
        ],
        ports: &[],
        command: Some("/usr/local/bin/worker-stand-in"),
        volumes: &[],
        ready_file: None,
        env: &[],
        workdir: None,
    },
];

/// Every image name a cluster started with `images: true` has on each node.
pub const STAND_IN_IMAGES: &[&str] = &[
    "alpine",
    "alpine:latest",
    "nginx",
    "drupal",
    "dockersamples/examplevotingapp_vote:before",
    "bretfisher/examplevotingapp_vote",
    "dockersamples/examplevotingapp_result:before",
    "bretfisher/examplevotingapp_result",
    "elasticsearch:2",
    "redis:3.2",
    "redis:alpine",
    "postgres",
    "postgres:9.4",
    "mysql",
    "dockersamples/examplevotingapp_worker",
    "bretfisher/examplevotingapp_worker",
    "bretfisher/examplevotingapp_worker:java",
];

/// The stand-in behaviour an image name gets, if any (`alpine` and `alpine:latest` alike).
pub fn stand_in_for(image: &str) -> Option<&'static StandIn> {
    let (repo, tag) = split_reference(image);
    STAND_INS.iter().find(|s| s.tags.iter().any(|t| split_reference(t) == (repo, tag)))
}

/// The directories every busybox root filesystem made here starts with: the stand-in
/// images' and the node image the tests build of this machine's docker.io files
/// (`host-image`).
pub const BASE_DIRS: &[&str] = &[
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
    "var/lib",
];

/// The stand-in images' directories besides [`BASE_DIRS`].
const STAND_IN_DIRS: &[&str] = &[
    "usr/local/lib",
    "usr/local/lib/swarm-lab",
    "data",
    "usr/share",
    "usr/share/elasticsearch",
    "usr/share/elasticsearch/data",
    "var/lib/postgresql",
    "var/lib/postgresql/data",
    "var/lib/mysql",
];

/// Every directory of a stand-in image.
fn image_dirs() -> impl Iterator<Item = String> {
    BASE_DIRS.iter().chain(STAND_IN_DIRS).map(|d| d.to_string())
}

/// `/etc/passwd` of a busybox root filesystem: root and nobody.
pub const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
/// `/etc/group` of a busybox root filesystem: root and nogroup.
pub const GROUP: &str = "root:x:0:\nnogroup:x:65534:\n";

/// The stand-in programs, as (path in the image, script). Each script says what it stands
/// in for and how in its opening comment; the two libraries are sourced, not run.
const SCRIPTS: &[(&str, &str)] = &[
    ("usr/local/bin/web-stand-in", include_str!("image/web.sh")),
    ("usr/local/bin/http-stand-in", include_str!("image/http-page.sh")),
    ("usr/local/bin/elasticsearch-stand-in", include_str!("image/elasticsearch.sh")),
    ("usr/local/bin/vote-stand-in", include_str!("image/vote.sh")),
    ("usr/local/bin/vote-session", include_str!("image/vote-session.sh")),
    ("usr/local/bin/result-stand-in", include_str!("image/result.sh")),
    ("usr/local/bin/result-session", include_str!("image/result-session.sh")),
    ("usr/local/bin/worker-stand-in", include_str!("image/worker.sh")),
    ("usr/local/bin/redis-stand-in", include_str!("image/redis.sh")),
    ("usr/local/bin/redis-session", include_str!("image/redis-session.sh")),
    ("usr/local/bin/postgres-stand-in", include_str!("image/postgres.sh")),
    ("usr/local/bin/postgres-session", include_str!("image/postgres-session.sh")),
    ("usr/local/bin/mysql-stand-in", include_str!("image/mysql.sh")),
    ("usr/local/lib/swarm-lab/link.sh", include_str!("image/link.sh")),
    ("usr/local/lib/swarm-lab/http.sh", include_str!("image/http.sh")),
];

/// The files of every stand-in image besides busybox and the scripts.
const FILES: &[(&str, &str, u32)] = &[
    ("etc/passwd", PASSWD, 0o644),
    ("etc/group", GROUP, 0o644),
    ("etc/httpd-json.conf", ".html:application/json\n", 0o644),
];

/// The applet paths to link to /bin/busybox, from `busybox --list-full` (bare names go to
/// bin/). Only bin, sbin, usr/bin and usr/sbin, and only plain names: the list comes from
/// a program in an image the learner chose.
pub fn applet_paths(list: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    for line in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (dir, name) = line.rsplit_once('/').unwrap_or(("bin", line));
        let plain = !name.is_empty() && name != "." && name != ".." && !name.chars().any(char::is_control);
        if plain && ["bin", "sbin", "usr/bin", "usr/sbin"].contains(&dir) && (dir, name) != ("bin", "busybox") {
            out.insert(format!("{dir}/{name}"));
        }
    }
    out.into_iter().collect()
}

/// `lib/x86_64-linux-gnu/libc.so.6` from `/lib/x86_64-linux-gnu/libc.so.6`: absolute, with
/// nothing but plain names in between.
fn relative_path(path: &str) -> Result<String> {
    let rest = path.strip_prefix('/').unwrap_or_default();
    let plain = !rest.is_empty()
        && path.len() <= 4096
        && rest.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && !path.chars().any(char::is_control);
    if !plain {
        return Err(StandInProblem::NotPlainPath { path: path.to_string() });
    }
    Ok(rest.to_string())
}

/// The image layer: busybox at /bin/busybox, its applet links, the files and links it needs,
/// and the stand-in scripts.
pub fn rootfs_tar(source: &BusyboxSource) -> Result<Vec<u8>> {
    let tar_err = StandInProblem::Rootfs;
    // Paths of ours the source's files may not replace.
    let mut taken: BTreeSet<String> = image_dirs().collect();
    taken.insert("bin/busybox".into());
    taken.extend(FILES.iter().map(|(p, _, _)| p.to_string()));
    taken.extend(SCRIPTS.iter().map(|(p, _)| p.to_string()));

    let mut extra = Vec::new();
    for f in &source.files {
        extra.push((relative_path(&f.path)?, None, Some(f)));
    }
    for (path, target) in &source.links {
        if target.is_empty() || target.len() > 4096 || target.chars().any(char::is_control) {
            let (path, target) = (path.clone(), target.clone());
            return Err(StandInProblem::BadLinkTarget { path, target });
        }
        extra.push((relative_path(path)?, Some(target.as_str()), None));
    }
    let mut dirs: BTreeSet<String> = image_dirs().collect();
    let mut extra_paths = BTreeSet::new();
    for (path, _, _) in &extra {
        if taken.contains(path) || !extra_paths.insert(path.clone()) {
            return Err(StandInProblem::Twice { path: path.clone() });
        }
        let mut parent = Path::new(path).parent();
        while let Some(p) = parent.and_then(Path::to_str).filter(|p| !p.is_empty()) {
            dirs.insert(p.to_string());
            parent = Path::new(p).parent();
        }
    }
    if let Some(clash) = dirs.iter().find(|d| extra_paths.contains(*d)) {
        return Err(StandInProblem::DirectoryAndFile { path: clash.clone() });
    }

    let mut b = tar::Builder::new(Vec::new());
    for d in &dirs {
        let mode = match d.as_str() {
            "tmp" => 0o1777,
            "root" => 0o700,
            _ => 0o755,
        };
        append_dir(&mut b, d, mode).map_err(tar_err)?;
    }
    append_file(&mut b, "bin/busybox", &source.binary, 0o755).map_err(tar_err)?;
    for (path, target, file) in &extra {
        match (target, file) {
            (Some(target), _) => append_symlink(&mut b, path, target),
            (None, Some(f)) => append_file(&mut b, path, &f.data, f.mode & 0o7777),
            (None, None) => unreachable!("every extra entry is a file or a link"),
        }
        .map_err(tar_err)?;
    }
    for applet in applet_paths(&source.applets).iter().filter(|a| !taken.contains(*a) && !extra_paths.contains(*a)) {
        append_symlink(&mut b, applet, "/bin/busybox").map_err(tar_err)?;
    }
    for (path, text, mode) in FILES {
        append_file(&mut b, path, text.as_bytes(), *mode).map_err(tar_err)?;
    }
    for (path, script) in SCRIPTS {
        let mode = if path.ends_with(".sh") { 0o644 } else { 0o755 };
        append_file(&mut b, path, script.as_bytes(), mode).map_err(tar_err)?;
    }
    b.into_inner().map_err(tar_err)
}

fn append_symlink(b: &mut tar::Builder<Vec<u8>>, path: &str, target: &str) -> std::io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    h.set_mtime(0);
    b.append_link(&mut h, path, target)
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

/// The image archive every node loads: the stand-in images made of `source`.
pub fn image_archive(source: &BusyboxSource) -> Result<Vec<u8>> {
    archive_of_layer(&rootfs_tar(source)?, source)
}

/// The image archive for a layer [`rootfs_tar`] made of `source` (when the caller needs
/// the layer too: the practice swarm's registry serves it).
pub fn archive_of_layer(layer: &[u8], source: &BusyboxSource) -> Result<Vec<u8>> {
    build_archive(layer, source).map_err(StandInProblem::Pack)
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

impl StandIn {
    /// The image config as stored: these bytes are the image (its id is their digest), the
    /// same in the loaded archive and in the practice swarm's registry.
    pub fn config_json(&self, diff_id: &str, source: &BusyboxSource) -> Vec<u8> {
        let config = self.image_config(diff_id, &source.arch, source.variant.as_deref());
        serde_json::to_vec(&config).expect("config serializes")
    }

    /// The image config (what `docker image inspect` shows under Config), for a layer
    /// with the given diff id.
    fn image_config(&self, diff_id: &str, arch: &str, variant: Option<&str>) -> Value {
        let cmd = match self.command {
            None => json!(["/bin/sh"]),
            Some(c) => json!(["/bin/sh", "-c", format!("trap 'exit 0' TERM; {c} & wait $!")]),
        };
        let mut env = vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
        env.extend(self.env);
        let mut config = json!({
            "Env": env,
            "Cmd": cmd,
            "Labels": {"org.swarm-lab.stand-in": self.kind},
        });
        if !self.ports.is_empty() {
            config["ExposedPorts"] = self.ports.iter().map(|p| (format!("{p}/tcp"), json!({}))).collect();
        }
        if !self.volumes.is_empty() {
            config["Volumes"] = self.volumes.iter().map(|v| (v.to_string(), json!({}))).collect();
        }
        if let Some(dir) = self.workdir {
            config["WorkingDir"] = json!(dir);
        }
        if let Some(file) = self.ready_file {
            // Swarm reports a task with a health check `starting`, not `running`, until it is
            // healthy: a stand-in that refuses to start is never seen running, not even for
            // the moment before it exits. Every probe is an exec in the container (runc,
            // containerd and dockerd at work), and the engine keeps probing for as long as
            // the container runs: at one probe a second a running db cost its node about
            // 70 ms of CPU a second, twice what all the rest of the voting app costs. Every
            // 2 s halves that; the first probe comes 2 s after the start (engines before
            // API 1.44 have no faster start interval), and 15 retries keep the 30 s a
            // stand-in has to get ready.
            config["Healthcheck"] = json!({
                "Test": ["CMD", "test", "-e", file],
                "Interval": HEALTH_INTERVAL.as_nanos() as u64,
                "Timeout": 2_000_000_000u64,
                "Retries": 15,
            });
        }
        let mut image = json!({
            "architecture": arch,
            "os": "linux",
            "created": CREATED,
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{diff_id}")]},
            "history": [{"created": CREATED, "created_by": format!("swarm-lab stand-in ({}): busybox", self.kind)}],
        });
        if let Some(v) = variant {
            image["variant"] = json!(v);
        }
        image
    }
}

/// Fixed, so the archive (and the image ids) are the same on every run.
const CREATED: &str = "2024-01-01T00:00:00Z";

/// A `docker save` archive: one layer shared by one config per behaviour, each tagged
/// with all its names.
fn build_archive(layer: &[u8], source: &BusyboxSource) -> std::io::Result<Vec<u8>> {
    let diff_id = sha256_hex(layer);
    let mut b = tar::Builder::new(Vec::new());
    let layer_path = format!("{diff_id}/layer.tar");
    append_dir(&mut b, &diff_id, 0o755)?;
    append_file(&mut b, &layer_path, layer, 0o644)?;
    append_file(&mut b, &format!("{diff_id}/VERSION"), b"1.0", 0o644)?;
    let mut manifest = Vec::new();
    for stand_in in STAND_INS {
        let config = stand_in.config_json(&diff_id, source);
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

#[cfg(all(test, target_os = "linux"))]
mod sandbox;
#[cfg(all(test, target_os = "linux"))]
mod script_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// The script packed at `path` (`usr/local/bin/web-stand-in`).
    fn script(path: &str) -> &'static str {
        SCRIPTS.iter().find(|(p, _)| *p == path).unwrap_or_else(|| panic!("no script {path}")).1
    }
    const WEB_SCRIPT: &str = include_str!("image/web.sh");
    const ELASTICSEARCH_SCRIPT: &str = include_str!("image/elasticsearch.sh");
    const HTTP_SCRIPT: &str = include_str!("image/http-page.sh");

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
        let web = stand_in_for("nginx").unwrap().image_config("ab", "amd64", None);
        assert_eq!(
            web["config"]["Cmd"],
            json!(["/bin/sh", "-c", "trap 'exit 0' TERM; /usr/local/bin/web-stand-in & wait $!"])
        );
        assert_eq!(web["config"]["ExposedPorts"], json!({"80/tcp": {}}));
        assert_eq!(web["rootfs"]["diff_ids"], json!(["sha256:ab"]));
    }

    #[test]
    fn only_the_databases_have_a_health_check_and_it_waits_for_the_ready_file() {
        for (image, kind) in [("postgres:9.4", "postgres"), ("mysql", "mysql")] {
            let db = stand_in_for(image).unwrap().image_config("ab", "amd64", None);
            let ready = format!("/tmp/{kind}-ready");
            assert_eq!(db["config"]["Healthcheck"]["Test"], json!(["CMD", "test", "-e", ready]));
            assert_eq!(db["config"]["Healthcheck"]["Interval"], json!(2_000_000_000u64));
            assert_eq!(db["config"]["Healthcheck"]["Retries"], json!(15), "30 s to get ready");
            let script = script(&format!("usr/local/bin/{kind}-stand-in"));
            assert!(script.contains(&format!("touch {ready}\nexec nc")), "{script}");
            assert!(script.find("exit 1").unwrap() < script.find("touch").unwrap());
        }
        for stand_in in STAND_INS.iter().filter(|s| !["postgres", "mysql"].contains(&s.kind)) {
            assert!(stand_in.image_config("ab", "amd64", None)["config"].get("Healthcheck").is_none());
        }
    }

    #[test]
    fn the_databases_keep_their_data_where_the_real_images_do() {
        let config = |image| stand_in_for(image).unwrap().image_config("ab", "amd64", None)["config"].clone();
        let redis = config("redis:alpine");
        assert_eq!((&redis["WorkingDir"], &redis["Volumes"]), (&json!("/data"), &json!({"/data": {}})));
        let pg = config("postgres");
        assert_eq!(pg["Env"][1], json!("PGDATA=/var/lib/postgresql/data"));
        assert_eq!(pg["Volumes"], json!({"/var/lib/postgresql/data": {}}));
        assert_eq!(config("mysql")["Volumes"], json!({"/var/lib/mysql": {}}));
    }

    #[test]
    fn every_kind_the_registry_maps_to_exists_once() {
        let kinds: Vec<&str> = STAND_INS.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, ["shell", "web", "vote", "result", "elasticsearch", "redis", "postgres", "mysql", "worker"]);
        assert_eq!(stand_in_for("bretfisher/examplevotingapp_vote:latest").unwrap().kind, "vote");
        assert_eq!(stand_in_for("dockersamples/examplevotingapp_result:before").unwrap().kind, "result");
    }

    #[test]
    fn every_program_a_command_or_script_runs_is_packed() {
        let tar = entries(&rootfs_tar(&musl_source()).unwrap());
        let commands = STAND_INS.iter().filter_map(|s| s.command);
        let scripts = SCRIPTS.iter().map(|(_, text)| *text);
        for text in commands.chain(scripts) {
            for used in text.split(|c: char| c.is_whitespace() || c == '"').filter(|w| w.starts_with("/usr/local/")) {
                let (kind, _) = tar.get(&used[1..]).unwrap_or_else(|| panic!("{used} is not in the image"));
                assert_eq!(*kind, tar::EntryType::Regular, "{used}");
            }
        }
        for (path, _) in SCRIPTS {
            let mode = tar::Archive::new(rootfs_tar(&musl_source()).unwrap().as_slice())
                .entries()
                .unwrap()
                .map(|e| e.unwrap())
                .find(|e| e.path().unwrap().to_str() == Some(*path))
                .map(|e| e.header().mode().unwrap())
                .unwrap();
            assert_eq!(mode, if path.ends_with(".sh") { 0o644 } else { 0o755 }, "{path}");
        }
    }

    /// Every entry of a tar: path → (kind, link target or contents).
    fn entries(tar: &[u8]) -> std::collections::BTreeMap<String, (tar::EntryType, Vec<u8>)> {
        let mut out = std::collections::BTreeMap::new();
        for entry in tar::Archive::new(tar).entries().unwrap() {
            let mut e = entry.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let kind = e.header().entry_type();
            let body = match e.link_name().unwrap() {
                Some(target) => target.to_string_lossy().into_owned().into_bytes(),
                None => {
                    let mut data = Vec::new();
                    std::io::Read::read_to_end(&mut e, &mut data).unwrap();
                    data
                }
            };
            assert!(out.insert(path.clone(), (kind, body)).is_none(), "{path} twice");
        }
        out
    }

    fn musl_source() -> BusyboxSource {
        BusyboxSource {
            binary: b"\x7fELF busybox".to_vec(),
            applets: "bin/sh\nusr/bin/nc\nbin/busybox\nsbin/../../etc/shadow\nlib/evil\nusr/bin/..\n\n".into(),
            files: vec![SourceFile {
                path: "/lib/ld-musl-x86_64.so.1".into(),
                data: b"loader".to_vec(),
                mode: 0o100755,
            }],
            links: vec![("/lib/libc.musl-x86_64.so.1".into(), "ld-musl-x86_64.so.1".into())],
            arch: "amd64".into(),
            variant: None,
        }
    }

    #[test]
    fn archive_tags_every_name_once_for_the_source_platform() {
        let source = BusyboxSource { arch: "arm".into(), variant: Some("v7".into()), ..musl_source() };
        let archive = entries(&image_archive(&source).unwrap());
        let manifest: Vec<Value> = serde_json::from_slice(&archive["manifest.json"].1).unwrap();
        let tags: usize = manifest.iter().map(|m| m["RepoTags"].as_array().unwrap().len()).sum();
        assert_eq!(tags, STAND_IN_IMAGES.len() - 1, "alpine and alpine:latest are one name");
        for m in &manifest {
            let config: Value = serde_json::from_slice(&archive[m["Config"].as_str().unwrap()].1).unwrap();
            assert_eq!((config["architecture"].as_str(), config["variant"].as_str()), (Some("arm"), Some("v7")));
        }
    }

    #[test]
    fn the_rootfs_holds_busybox_what_it_needs_and_only_plain_applet_links() {
        let tar = entries(&rootfs_tar(&musl_source()).unwrap());
        assert_eq!(tar["bin/busybox"].1, b"\x7fELF busybox");
        assert_eq!(tar["lib/"].0, tar::EntryType::Directory);
        assert_eq!(tar["lib/ld-musl-x86_64.so.1"], (tar::EntryType::Regular, b"loader".to_vec()));
        assert_eq!(tar["lib/libc.musl-x86_64.so.1"], (tar::EntryType::Symlink, b"ld-musl-x86_64.so.1".to_vec()));
        assert_eq!(tar["bin/sh"], (tar::EntryType::Symlink, b"/bin/busybox".to_vec()));
        assert_eq!(tar["usr/bin/nc"].0, tar::EntryType::Symlink);
        let links: Vec<&String> =
            tar.iter().filter(|(_, (_, target))| target == b"/bin/busybox").map(|(p, _)| p).collect();
        assert_eq!(links, ["bin/sh", "usr/bin/nc"], "no link outside the bin dirs, none over busybox");
        assert_eq!(tar["usr/local/bin/http-stand-in"].0, tar::EntryType::Regular);
    }

    #[test]
    fn bare_applet_names_go_to_bin() {
        // `--list-full` of a busybox built without its installer prints bare names.
        assert_eq!(applet_paths("sh\nnc\n..\nbusybox\n"), ["bin/nc", "bin/sh"]);
    }

    #[test]
    fn source_paths_that_escape_or_replace_ours_are_refused() {
        for bad in ["lib/x.so", "/lib/../etc/x.so", "/lib/./x.so", "/", "/bin/busybox", "/etc/passwd", "/lib/a\nb"] {
            let mut source = musl_source();
            source.files[0].path = bad.into();
            assert!(rootfs_tar(&source).is_err(), "{bad:?}");
        }
        let mut source = musl_source();
        source.links[0].0 = "/lib/ld-musl-x86_64.so.1".into();
        assert!(rootfs_tar(&source).unwrap_err().to_string().contains("there twice"));
        let mut source = musl_source();
        source.links[0].0 = "/lib/ld-musl-x86_64.so.1/x".into();
        assert!(rootfs_tar(&source).unwrap_err().to_string().contains("both a directory and a file"));
    }

    #[test]
    fn uname_machines_map_to_docker_platforms() {
        let arch = |m: &str| docker_arch(m);
        assert_eq!(arch("x86_64"), ("amd64".into(), None));
        assert_eq!(arch("aarch64"), ("arm64".into(), None));
        assert_eq!(arch("armv7l"), ("arm".into(), Some("v7".into())));
        assert_eq!(arch("armv6l"), ("arm".into(), Some("v6".into())));
        assert_eq!(arch("i686"), ("386".into(), None));
        assert_eq!(arch("x86"), ("386".into(), None), "Rust's name for the host");
        assert_eq!(arch("s390x"), ("s390x".into(), None));
    }

    /// The busybox at the usual places, when this machine has one.
    #[cfg(target_os = "linux")]
    fn host_busybox() -> Option<&'static str> {
        ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| Path::new(p).exists())
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_http_responder_answers_any_request_with_the_page() {
        let Some(busybox) = host_busybox() else { return eprintln!("no busybox here; skipped") };
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("index.html");
        std::fs::write(&page, "{\"name\" : \"web.1\"}\n").unwrap();
        let mut child = std::process::Command::new(busybox)
            .args(["sh", "-c", HTTP_SCRIPT])
            .env("STAND_IN_PAGE", &page)
            .env("STAND_IN_TYPE", "application/json")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n\
             {\"name\" : \"web.1\"}\n"
        );
    }

    /// Alpine's busybox (docker:dind's) has no httpd: the web and elasticsearch stand-ins
    /// then serve through nc.
    #[test]
    #[cfg(target_os = "linux")]
    fn a_busybox_without_httpd_serves_the_pages_through_nc() {
        let Some(busybox) = host_busybox() else { return eprintln!("no busybox here; skipped") };
        let dir = tempfile::tempdir().unwrap();
        let responder = dir.path().join("http-stand-in");
        std::fs::write(&responder, HTTP_SCRIPT.replace("#!/bin/sh", &format!("#!{busybox} sh"))).unwrap();
        std::fs::set_permissions(&responder, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        for (script, port, root, kind, says) in [
            (WEB_SCRIPT, 80, "/tmp/www", "text/html", "Swarm Lab stand-in web app"),
            (ELASTICSEARCH_SCRIPT, 9200, "/tmp/es", "application/json", "\"tagline\" : \"You Know, for Search\""),
        ] {
            let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            // This machine's busybox has httpd (and finds applets without PATH): take it away.
            let script = script
                .replace("command -v httpd >/dev/null 2>&1", "false")
                .replace(root, &dir.path().join(&root[5..]).to_string_lossy())
                .replace(&format!("-p {port} "), &format!("-p {free} "))
                .replace("/usr/local/bin/http-stand-in", &responder.to_string_lossy());
            assert!(script.contains(&format!("exec nc -ll -p {free} ")), "{script}");
            let mut server = std::process::Command::new(busybox).args(["sh", "-c", &script]).spawn().unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            let page = loop {
                let got = std::net::TcpStream::connect(("127.0.0.1", free)).and_then(|mut s| {
                    std::io::Write::write_all(&mut s, b"GET / HTTP/1.0\r\n\r\n")?;
                    let mut page = String::new();
                    std::io::Read::read_to_string(&mut s, &mut page)?;
                    Ok(page)
                });
                match got {
                    Ok(page) if !page.is_empty() => break page,
                    _ if std::time::Instant::now() > deadline => panic!("nothing answered on {free}: {got:?}"),
                    _ => std::thread::sleep(std::time::Duration::from_millis(100)),
                }
            };
            server.kill().unwrap();
            server.wait().unwrap();
            assert!(page.starts_with(&format!("HTTP/1.0 200 OK\r\nContent-Type: {kind}\r\n")), "{page}");
            assert!(page.contains(says), "{page}");
        }
    }
}
