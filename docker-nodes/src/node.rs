//! One node container: how it is configured (image, labels, privileges, the 127.0.0.1-only
//! port of its TLS API, its /var/lib/docker volume), the shell script it runs as PID 1, and
//! how `lab` reaches its engine once it runs.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, Mount, MountType, NetworkingConfig, PortBinding,
};
use bollard::query_parameters::LogsOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;
use lab_engine::endpoint::TlsFiles;
use lab_engine::{Connection, Endpoint};

use crate::certs::NODE_TLS_DIR;
use crate::error::{ApiAction, NodesError, PublishError, Result};
use crate::labels;
use crate::privileges::Privileges;

/// How long one request to a node's engine may take (loading the stand-in images is the
/// longest).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The port of the node's TLS Engine API inside its container.
pub const API_PORT: u16 = 2376;

/// The script a node runs as PID 1 (`sh -c SCRIPT swarm-lab-node PARENT DOCKERD-ARGS…`).
///
/// An offline node (`SWARM_LAB_OFFLINE` set) resolves no names: its resolver is a closed
/// local port, so registry lookups fail at once. PARENT is the cgroup parent for the inner containers, or empty when the node is
/// privileged. Privileged on cgroup v2, with a cgroup namespace of its own, the script first
/// moves itself out of its root cgroup, so dockerd may delegate every controller to the
/// containers it starts. It runs dockerd as a child rather than exec'ing it so that a stop
/// (SIGTERM) lets dockerd stop its containers and then removes the cgroups under PARENT,
/// which live in the host's tree and would otherwise stay behind.
pub const ENTRY_SCRIPT: &str = r#"parent=$1; shift
if [ -z "$parent" ] && [ -f /sys/fs/cgroup/cgroup.controllers ] && [ "$(cat /proc/self/cgroup)" = "0::/" ]; then
  mkdir -p /sys/fs/cgroup/swarm-lab-node
  echo $$ > /sys/fs/cgroup/swarm-lab-node/cgroup.procs
  sed -e 's/ / +/g' -e 's/^/+/' /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control || :
fi
if [ -n "$SWARM_LAB_OFFLINE" ]; then
  echo "nameserver 127.0.0.1" > /etc/resolv.conf
fi
if [ -n "$parent" ]; then set -- --cgroup-parent "/$parent" "$@"; fi
cleanup() {
  [ -n "$parent" ] || return 0
  for d in /sys/fs/cgroup/*/"$parent" /sys/fs/cgroup/"$parent"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  return 0
}
dockerd "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; cleanup; exit 0' TERM INT
wait $pid
code=$?
cleanup
exit $code
"#;

/// The environment of an offline node: `SWARM_LAB_OFFLINE` makes the entry script point
/// the node's resolver at a closed local port, since dockerd looks a registry's name up
/// before any request (insecure-registry check) and an unanswered lookup takes 10 s.
pub const OFFLINE_ENV: &[&str] =
    &["HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "SWARM_LAB_OFFLINE=1"];

/// An offline node's environment: [`OFFLINE_ENV`], and with the cluster's `registry` (its
/// address) `NO_PROXY` for it, so the mirror is reached directly while the Hub meets the
/// closed proxy; without one, tasks start from the loaded images without asking a registry.
pub fn offline_env(registry: Option<&str>) -> Vec<String> {
    let mut env: Vec<String> = OFFLINE_ENV.iter().map(|v| v.to_string()).collect();
    match registry {
        Some(addr) => env.push(format!("NO_PROXY={addr}")),
        None => env.push("DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1".into()),
    }
    env
}

/// Everything that makes one node container.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub cluster: String,
    pub id: String,
    /// 1, 2, …
    pub index: usize,
    pub manager: bool,
    pub nodes: usize,
    pub swarm: bool,
    pub image: String,
    pub privileges: Privileges,
    pub online: bool,
    /// (host port, node port) pairs forwarded to 127.0.0.1; only node 1 has any.
    pub publish: Vec<(u16, u16)>,
    /// The address of the cluster's offline registry, every engine's mirror (offline only).
    pub registry: Option<String>,
}

impl NodeSpec {
    /// `node1`, `node2`, …: the node's hostname and its name in the swarm.
    pub fn hostname(&self) -> String {
        format!("node{}", self.index)
    }

    /// The container's (and its volume's) name.
    pub fn container_name(&self) -> String {
        labels::node_object_name(&self.cluster, self.index)
    }

    pub fn labels(&self) -> HashMap<String, String> {
        let mut l = labels::common(&self.cluster, &self.id);
        l.insert(labels::NODE.into(), self.hostname());
        l.insert(labels::INDEX.into(), self.index.to_string());
        l.insert(labels::ROLE.into(), if self.manager { "manager" } else { "worker" }.into());
        l.insert(labels::NODES.into(), self.nodes.to_string());
        l.insert(labels::SWARM.into(), self.swarm.to_string());
        l.insert(labels::PRIVILEGES.into(), self.privileges.label().into());
        l.insert(labels::IMAGES.into(), if self.online { "online" } else { "stand-in" }.into());
        l.insert(labels::PUBLISH.into(), publish_label(&self.publish));
        l
    }

    /// The labels of the node's /var/lib/docker volume.
    pub fn volume_labels(&self) -> HashMap<String, String> {
        let mut l = labels::common(&self.cluster, &self.id);
        l.insert(labels::NODE.into(), self.hostname());
        l
    }

    /// The container's configuration, for `POST /containers/create`.
    pub fn create_body(&self) -> ContainerCreateBody {
        let name = self.container_name();
        let parent = self.privileges.cgroup_parent(&name, &self.id).unwrap_or_default();
        let mut entrypoint = vec!["sh".into(), "-c".into(), ENTRY_SCRIPT.into(), "swarm-lab-node".into(), parent];
        entrypoint.extend([
            "--host=unix:///var/run/docker.sock".to_string(),
            format!("--host=tcp://0.0.0.0:{API_PORT}"),
            "--tlsverify".into(),
            format!("--tlscacert={NODE_TLS_DIR}/ca.pem"),
            format!("--tlscert={NODE_TLS_DIR}/cert.pem"),
            format!("--tlskey={NODE_TLS_DIR}/key.pem"),
        ]);
        if let Some(addr) = self.registry.as_deref().filter(|_| !self.online) {
            // docker.io images are asked of a mirror first; it is plain HTTP.
            entrypoint.push(format!("--registry-mirror={}", stand_in::registry::mirror_url(addr)));
            entrypoint.push(format!("--insecure-registry={}", stand_in::registry::insecure_entry(addr)));
        }
        let (gogc, value) = practice_driver::ENGINE_GOGC;
        let mut env = vec![format!("{gogc}={value}")];
        if !self.online {
            // The engine reaches no registry but the cluster's own: its proxy is a closed
            // local port, so a lookup on the Hub fails at once instead of waiting for the
            // network, and no real image replaces a stand-in.
            env.extend(offline_env(self.registry.as_deref()));
        }

        let loopback = |host_port: String| {
            Some(vec![PortBinding { host_ip: Some("127.0.0.1".into()), host_port: Some(host_port) }])
        };
        let mut ports: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
        ports.insert(format!("{API_PORT}/tcp"), loopback(String::new()));
        for (host, node) in &self.publish {
            ports.insert(format!("{node}/tcp"), loopback(host.to_string()));
        }
        let mut hc = HostConfig {
            port_bindings: Some(ports.clone()),
            mounts: Some(vec![Mount {
                target: Some("/var/lib/docker".into()),
                source: Some(name.clone()),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            }]),
            tmpfs: Some(HashMap::from([("/run".to_string(), String::new()), ("/tmp".to_string(), String::new())])),
            network_mode: Some(labels::network_name(&self.cluster)),
            ..Default::default()
        };
        self.privileges.apply(&mut hc);
        let network = labels::network_name(&self.cluster);
        ContainerCreateBody {
            image: Some(self.image.clone()),
            hostname: Some(self.hostname()),
            entrypoint: Some(entrypoint),
            cmd: Some(Vec::new()),
            env: Some(env),
            labels: Some(self.labels()),
            exposed_ports: Some(ports.keys().cloned().collect()),
            stop_timeout: Some(30),
            host_config: Some(hc),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    network,
                    EndpointSettings { aliases: Some(vec![self.hostname()]), ..Default::default() },
                )])),
            }),
            ..Default::default()
        }
    }
}

/// `80:80,8080:5001`, or empty.
pub fn publish_label(publish: &[(u16, u16)]) -> String {
    publish.iter().map(|(h, n)| format!("{h}:{n}")).collect::<Vec<_>>().join(",")
}

/// Reads `--publish` values: `80`, `8080:80`, comma-separated or repeated; each a
/// (127.0.0.1 port, node 1 port) pair.
pub fn parse_publish(values: &[String]) -> std::result::Result<Vec<(u16, u16)>, PublishError> {
    let mut out = Vec::new();
    for item in values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        let port = |s: &str| {
            s.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| PublishError::NotAPort { item: item.to_string(), text: s.to_string() })
        };
        let pair = match item.split_once(':') {
            Some((h, n)) => (port(h)?, port(n)?),
            None => (port(item)?, port(item)?),
        };
        if pair.1 == API_PORT {
            return Err(PublishError::ApiPort { item: item.to_string(), port: API_PORT });
        }
        if out.iter().any(|(h, _)| *h == pair.0) {
            return Err(PublishError::Twice { port: pair.0 });
        }
        out.push(pair);
    }
    Ok(out)
}

/// The endpoint of a node's API published on 127.0.0.1:`port`, with the cluster's client
/// certificate from `cert_dir`.
pub fn endpoint(node: &str, port: u16, cert_dir: &Path) -> Endpoint {
    Endpoint {
        host: format!("tcp://127.0.0.1:{port}"),
        tls: Some(TlsFiles {
            ca: cert_dir.join("ca.pem"),
            cert: cert_dir.join("cert.pem"),
            key: cert_dir.join("key.pem"),
        }),
        context: None,
        source: node.to_string(),
    }
}

/// Waits until the node's engine answers over TLS; fails early, with the container's last
/// log lines, if the node container stops.
pub async fn wait_ready(
    engine: &Docker,
    container: &str,
    node: &str,
    ep: &Endpoint,
    timeout: Duration,
) -> Result<Connection> {
    let deadline = Instant::now() + timeout;
    loop {
        let state = engine
            .inspect_container(container, None)
            .await
            .map_err(|e| NodesError::api(ApiAction::InspectContainer { node: node.to_string() }, e))?
            .state
            .unwrap_or_default();
        if state.running != Some(true) {
            return Err(NodesError::NodeExited {
                node: node.to_string(),
                code: state.exit_code.unwrap_or(-1),
                tail: log_tail(engine, container, 20).await,
            });
        }
        match Connection::open(ep, Duration::from_secs(3)).await {
            // The probe's short timeout would bound every later request (an image load too).
            Ok(_) => {
                return Connection::open(ep, REQUEST_TIMEOUT).await.map_err(|e| NodesError::NodeNotReady {
                    node: node.to_string(),
                    host: ep.host.clone(),
                    container: container.to_string(),
                    waited: timeout,
                    why: Box::new(e),
                })
            }
            Err(e) if Instant::now() >= deadline => {
                return Err(NodesError::NodeNotReady {
                    node: node.to_string(),
                    host: ep.host.clone(),
                    container: container.to_string(),
                    waited: timeout,
                    why: Box::new(e),
                })
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// The last `lines` lines of a container's log (stdout and stderr).
pub async fn log_tail(engine: &Docker, container: &str, lines: usize) -> String {
    let options = LogsOptionsBuilder::new().stdout(true).stderr(true).tail(&lines.to_string()).build();
    let mut stream = engine.logs(container, Some(options));
    let mut text = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        text.push_str(&chunk.to_string());
    }
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(privileges: Privileges) -> NodeSpec {
        NodeSpec {
            cluster: "practice".into(),
            id: "ab12cd34".into(),
            index: 1,
            manager: true,
            nodes: 3,
            swarm: true,
            image: "docker:29-dind".into(),
            privileges,
            online: false,
            publish: vec![(80, 80), (5001, 5001)],
            registry: None,
        }
    }

    #[test]
    fn every_port_is_published_on_loopback_only() {
        let body = spec(Privileges::Privileged).create_body();
        let ports = body.host_config.unwrap().port_bindings.unwrap();
        assert_eq!(ports.len(), 3);
        for (port, bindings) in ports {
            for b in bindings.unwrap() {
                assert_eq!(b.host_ip.as_deref(), Some("127.0.0.1"), "{port}");
            }
        }
    }

    #[test]
    fn the_api_is_tls_with_client_verification() {
        let body = spec(Privileges::Capabilities).create_body();
        let args = body.entrypoint.unwrap();
        assert_eq!(args[4], "swarm-lab-practice-node1-ab12cd34", "cgroup parent");
        assert!(args.contains(&"--tlsverify".to_string()));
        assert!(args.iter().any(|a| a == "--host=tcp://0.0.0.0:2376"));
        assert!(!args.iter().any(|a| a.starts_with("--host=tcp://") && !a.ends_with(":2376")));
        let env = body.env.unwrap();
        assert!(env.contains(&"DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1".to_string()), "{env:?}");
        assert!(env.contains(&"GOGC=400".to_string()), "the engine's Go runtime setting: {env:?}");
        assert_eq!(body.labels.unwrap()[labels::PUBLISH], "80:80,5001:5001");
    }

    #[test]
    fn an_online_node_has_no_closed_proxy_and_says_online() {
        let offline = spec(Privileges::Capabilities).create_body();
        let offline_env = offline.env.unwrap();
        assert!(OFFLINE_ENV.iter().all(|v| offline_env.contains(&v.to_string())), "{offline_env:?}");
        assert_eq!(offline.labels.unwrap()[labels::IMAGES], "stand-in");

        let online = NodeSpec { online: true, ..spec(Privileges::Capabilities) }.create_body();
        let env = online.env.unwrap_or_default();
        assert!(!env.iter().any(|v| v.contains("PROXY") || v.contains("OFFLINE")), "{env:?}");
        assert_eq!(online.labels.unwrap()[labels::IMAGES], "online");
    }

    #[test]
    fn an_offline_node_with_a_registry_pulls_through_it_past_the_closed_proxy() {
        let spec = NodeSpec { registry: Some("172.20.0.2".into()), ..spec(Privileges::Capabilities) };
        let body = spec.create_body();
        let args = body.entrypoint.unwrap();
        assert!(args.contains(&"--registry-mirror=http://172.20.0.2:5000".to_string()), "{args:?}");
        assert!(args.contains(&"--insecure-registry=172.20.0.2:5000".to_string()), "{args:?}");
        let env = body.env.unwrap();
        assert!(env.contains(&"NO_PROXY=172.20.0.2".to_string()), "{env:?}");
        assert!(env.contains(&"HTTP_PROXY=http://127.0.0.1:9".to_string()), "the Hub stays unreachable");
        assert!(!env.iter().any(|v| v.contains("PREFER_OFFLINE")), "tasks pull (through the mirror): {env:?}");

        let online = NodeSpec { online: true, ..spec }.create_body();
        assert!(!online.entrypoint.unwrap().iter().any(|a| a.contains("registry")), "online: no mirror");
    }

    #[test]
    fn publish_reads_ports_and_pairs() {
        assert_eq!(parse_publish(&["80,5001".into()]).unwrap(), vec![(80, 80), (5001, 5001)]);
        assert_eq!(parse_publish(&["8080:80".into(), "9000".into()]).unwrap(), vec![(8080, 80), (9000, 9000)]);
        assert!(parse_publish(&["http".into()]).unwrap_err().to_string().contains("\"http\" is not a port"));
        assert!(parse_publish(&["2376".into()]).is_err());
        assert!(parse_publish(&["80,80".into()]).unwrap_err().to_string().contains("twice"));
        assert_eq!(parse_publish(&[]).unwrap(), vec![]);
    }
}
