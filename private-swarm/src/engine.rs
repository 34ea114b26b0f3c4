//! One node's dockerd: its config file, how it is spawned (own session, own network and
//! UTS namespaces, logs to a file, so it outlives whoever started it), how we wait for it,
//! and how Engine API failures are turned into errors that name the node and its log.

use std::ffi::CString;
use std::fs::File;
use std::net::Ipv4Addr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sched::{setns, unshare, CloneFlags};

use crate::api::{ApiFailure, EngineApi};
use crate::error::{HarnessError, IoAction, Result};
use crate::host::HostTools;
use crate::netns::netns_path;
use crate::process;
use crate::state::NodeState;
use stand_in::registry;

/// Longest path the kernel accepts for a unix socket, without the trailing NUL.
const MAX_SOCKET_PATH: usize = 107;

pub fn check_socket_path(path: &Path) -> Result<()> {
    let len = path.as_os_str().len();
    if len > MAX_SOCKET_PATH {
        return Err(HarnessError::SocketPathTooLong { path: path.to_path_buf(), len });
    }
    Ok(())
}

/// The node's daemon.json. With the cluster's `registry` (an offline cluster), docker.io
/// images are pulled through it: a mirror is asked first, and it is plain HTTP.
fn daemon_json(dockerd_major: u32, node: &NodeState, registry: Option<Ipv4Addr>) -> String {
    let mut config = serde_json::Map::new();
    if dockerd_major < 23 {
        // Without it every 20.10 engine shares /etc/docker/key.json and reports the same ID.
        config.insert("deprecated-key-path".into(), node.dir.join("key.json").to_string_lossy().into_owned().into());
    }
    if let Some(addr) = registry {
        let addr = addr.to_string();
        config.insert("registry-mirrors".into(), serde_json::json!([registry::mirror_url(&addr)]));
        config.insert("insecure-registries".into(), serde_json::json!([registry::insecure_entry(&addr)]));
    }
    serde_json::to_string_pretty(&serde_json::Value::Object(config)).expect("config serializes") + "\n"
}

/// Writes the node's config and spawns its dockerd inside the node's network namespace.
/// Without a `registry`, tasks start from the loaded images without asking any registry
/// (`DOCKER_SERVICE_PREFER_OFFLINE_IMAGE`); with one, they pull through it as on a
/// connected machine, so any tag of a known image works.
pub fn spawn(tools: &HostTools, node: &NodeState, registry: Option<Ipv4Addr>) -> Result<Child> {
    std::fs::create_dir_all(&node.dir).map_err(|e| HarnessError::io(IoAction::CreateNodeDir, &node.dir, e))?;
    std::fs::create_dir_all(&node.exec_root)
        .map_err(|e| HarnessError::io(IoAction::CreateExecRoot, &node.exec_root, e))?;
    // Traversable by the docker group, so a learner in it can use the socket without sudo.
    set_mode(&node.dir, 0o755);
    let config = node.dir.join("daemon.json");
    std::fs::write(&config, daemon_json(tools.dockerd_major, node, registry))
        .map_err(|e| HarnessError::io(IoAction::WriteDaemonJson, &config, e))?;
    let log_path = node.log();
    let log = File::create(&log_path).map_err(|e| HarnessError::io(IoAction::CreateDockerdLog, &log_path, e))?;
    let log_err = log.try_clone().map_err(|e| HarnessError::io(IoAction::CreateDockerdLog, &log_path, e))?;

    let ns_name = node.netns.as_deref().expect("the namespace is created before the engine");
    let ns_path = netns_path(ns_name);
    let ns_file = File::open(&ns_path).map_err(|e| HarnessError::io(IoAction::OpenNetns, &ns_path, e))?;
    let hostname = CString::new(node.hostname.as_str()).expect("hostnames have no NUL");

    let mut cmd = Command::new(&tools.dockerd);
    cmd.arg("--config-file")
        .arg(&config)
        .arg("--data-root")
        .arg(node.dir.join("data"))
        .arg("--exec-root")
        .arg(&node.exec_root)
        .arg("--pidfile")
        .arg(node.dir.join("docker.pid"))
        .arg("-H")
        .arg(node.docker_host());
    if let Some(containerd_namespace) = &node.host_containerd {
        cmd.arg("--containerd-namespace")
            .arg(containerd_namespace)
            .arg("--containerd-plugins-namespace")
            .arg(format!("{containerd_namespace}-plugins"));
    }
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env_clear().env("PATH", format!("{path}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    cmd.env(practice_driver::ENGINE_GOGC.0, practice_driver::ENGINE_GOGC.1);
    if registry.is_none() {
        cmd.env("DOCKER_SERVICE_PREFER_OFFLINE_IMAGE", "1");
    }
    cmd.stdin(Stdio::null()).stdout(log).stderr(log_err);
    // SAFETY: between fork and exec this runs only async-signal-safe syscalls on values
    // prepared before the fork (an open fd, a CString); nothing allocates or locks.
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid()?;
            setns(&ns_file, CloneFlags::CLONE_NEWNET)?;
            unshare(CloneFlags::CLONE_NEWUTS)?;
            if nix::libc::sethostname(hostname.as_ptr(), hostname.as_bytes().len()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn().map_err(|e| HarnessError::io(IoAction::StartDockerd { node: node.name.clone() }, &tools.dockerd, e))
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

/// Waits until the node's engine answers `/_ping`, or fails early if its dockerd exits.
pub fn wait_ready(node: &NodeState, pid: u32, timeout: Duration) -> Result<()> {
    let api = EngineApi::new(&node.socket);
    let deadline = Instant::now() + timeout;
    loop {
        if !process::alive(pid) {
            return Err(HarnessError::EngineExited {
                node: node.name.clone(),
                log: node.log(),
                tail: log_tail(&node.log(), 15),
            });
        }
        if api.request("GET", "/_ping", None, Duration::from_secs(2)).is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(HarnessError::EngineNotReady {
                node: node.name.clone(),
                docker_host: node.docker_host(),
                waited: timeout,
                log: node.log(),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// True when `pid` is the dockerd serving this node's socket (not a reused pid).
pub fn is_our_dockerd(pid: u32, node: &NodeState) -> bool {
    process::cmdline(pid).is_some_and(|argv| {
        argv.first().is_some_and(|a| a.ends_with("dockerd")) && argv.iter().any(|a| *a == node.docker_host())
    })
}

/// The last `lines` lines of a log file.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// An Engine API failure on node `node` as an error that names the node (and its log when
/// the engine did not answer).
pub fn api_error(
    node: &str,
    docker_host: &str,
    log: &Path,
    method: &str,
    path: &str,
    failure: ApiFailure,
) -> HarnessError {
    match failure {
        ApiFailure::Transport(source) => HarnessError::EngineUnreachable {
            node: node.into(),
            docker_host: docker_host.into(),
            log: log.to_path_buf(),
            source,
        },
        ApiFailure::Status { status, message } => {
            HarnessError::Api { node: node.into(), method: method.into(), path: path.into(), status, message }
        }
    }
}

/// Engine API client for a node, turning failures into errors that name the node.
pub struct NodeApi<'a> {
    pub node: &'a NodeState,
    api: EngineApi,
}

impl<'a> NodeApi<'a> {
    pub fn new(node: &'a NodeState) -> Self {
        NodeApi { node, api: EngineApi::new(&node.socket) }
    }

    pub fn raw(&self) -> &EngineApi {
        &self.api
    }

    pub fn fail(&self, method: &str, path: &str, failure: ApiFailure) -> HarnessError {
        api_error(&self.node.name, &self.node.docker_host(), &self.node.log(), method, path, failure)
    }

    pub fn get(&self, path: &str) -> Result<serde_json::Value> {
        self.api.get_json(path, Duration::from_secs(30)).map_err(|f| self.fail("GET", path, f))
    }

    pub fn post(&self, path: &str, body: &serde_json::Value) -> Result<serde_json::Value> {
        self.api.post_json(path, body, Duration::from_secs(60)).map_err(|f| self.fail("POST", path, f))
    }

    /// Loads a `docker save` archive (the stand-in images) into the node's engine.
    pub fn load_images(&self, archive: &[u8]) -> Result<()> {
        let path = "/images/load?quiet=1";
        let resp = self
            .api
            .request("POST", path, Some(("application/x-tar", archive)), Duration::from_secs(120))
            .map_err(|f| self.fail("POST", path, f))?;
        load_result(&resp.body).map_err(|detail| HarnessError::ImageLoad { node: self.node.name.clone(), detail })
    }
}

/// The error a load's JSON-lines progress stream reported, if any.
fn load_result(body: &[u8]) -> std::result::Result<(), String> {
    for line in serde_json::Deserializer::from_slice(body).into_iter::<serde_json::Value>() {
        let v = line.map_err(|e| format!("unreadable load progress: {e}"))?;
        if let Some(err) = v.get("error").and_then(serde_json::Value::as_str) {
            return Err(err.to_string());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> NodeState {
        NodeState {
            name: "node1".into(),
            hostname: "node1".into(),
            dir: "/c/n1".into(),
            exec_root: "/run/x/n1".into(),
            socket: "/c/n1/docker.sock".into(),
            addr: Ipv4Addr::new(100, 64, 3, 11),
            role: crate::state::Role::Manager,
            netns: None,
            veth: None,
            pid: None,
            host_containerd: None,
        }
    }

    #[test]
    fn an_offline_cluster_pulls_through_its_registry_as_a_plain_http_mirror() {
        let config: serde_json::Value =
            serde_json::from_str(&daemon_json(20, &node(), Some(Ipv4Addr::new(100, 64, 3, 2)))).unwrap();
        assert_eq!(config["registry-mirrors"], serde_json::json!(["http://100.64.3.2:5000"]));
        assert_eq!(config["insecure-registries"], serde_json::json!(["100.64.3.2:5000"]));
        assert_eq!(config["deprecated-key-path"], "/c/n1/key.json");
        let config: serde_json::Value = serde_json::from_str(&daemon_json(24, &node(), None)).unwrap();
        assert_eq!(config, serde_json::json!({}), "online, or a test cluster: no mirror");
    }

    #[test]
    fn load_stream_reports_errors() {
        assert!(load_result(b"{\"stream\":\"Loaded image: alpine:latest\\n\"}\r\n").is_ok());
        assert_eq!(load_result(b"{\"errorDetail\":{},\"error\":\"boom\"}").unwrap_err(), "boom");
    }
}
