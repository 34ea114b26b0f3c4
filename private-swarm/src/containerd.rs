//! The containerd side of a node. Normally each dockerd starts its own containerd under
//! its exec root. Where the host already runs containerd (`/run/containerd/containerd.sock`,
//! as on any machine with docker-ce), dockerd uses that one instead, so each node gets
//! containerd namespaces of its own, removed again at teardown. Either way a shim killed
//! with its engine leaves a socket in `/run/containerd/s`, named by a hash of its address,
//! namespace and container id; teardown removes those of the nodes' containers.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::host::{find_binary, run};
use crate::state::NodeState;

/// The host's containerd, which dockerd prefers to starting its own.
pub const HOST_SOCKET: &str = "/run/containerd/containerd.sock";

/// Where containerd keeps shim sockets, whichever containerd started the shim.
const SHIM_SOCKET_DIR: &str = "/run/containerd/s";

/// Namespace dockerd puts its containers in when it has a containerd of its own.
const DOCKER_NAMESPACE: &str = "moby";

/// True when a dockerd started now would use the host's containerd.
pub fn host_in_use() -> bool {
    Path::new(HOST_SOCKET).exists()
}

fn address(node: &NodeState) -> PathBuf {
    match node.host_containerd {
        Some(_) => PathBuf::from(HOST_SOCKET),
        None => node.exec_root.join("containerd/containerd.sock"),
    }
}

/// The shim socket of container `id`, as containerd names it.
fn shim_socket(address: &Path, namespace: &str, id: &str) -> PathBuf {
    let digest = Sha256::digest(address.join(namespace).join(id).as_os_str().as_encoded_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Path::new(SHIM_SOCKET_DIR).join(hex)
}

/// Ids of the node's containers, from its data root.
pub fn container_ids(node: &NodeState) -> Vec<String> {
    std::fs::read_dir(node.dir.join("data/containers"))
        .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// Removes what containerd keeps for a node whose engine is gone: shim sockets of its
/// containers and, on the host's containerd, its namespaces. Best effort.
pub fn remove_leftovers(node: &NodeState) {
    let namespace = node.host_containerd.as_deref().unwrap_or(DOCKER_NAMESPACE);
    for id in container_ids(node) {
        let socket = shim_socket(&address(node), namespace, &id);
        if socket.exists() {
            let _ = std::fs::remove_file(socket);
        }
    }
    if let (Some(ns), Some(ctr)) = (&node.host_containerd, find_binary("ctr")) {
        // A namespace must be empty to go: drop what a killed engine left registered.
        let ctr_in = |ns: &str, args: &[&str]| {
            run(Command::new(&ctr).args(["--address", HOST_SOCKET, "--namespace", ns]).args(args))
        };
        for ns in [ns.clone(), format!("{ns}-plugins")] {
            for id in ctr_in(&ns, &["containers", "list", "-q"]).unwrap_or_default().lines() {
                let _ = ctr_in(&ns, &["tasks", "delete", "--force", id]);
                let _ = ctr_in(&ns, &["containers", "delete", id]);
            }
            let _ = ctr_in(&ns, &["namespaces", "remove", &ns]);
        }
    }
}

/// The node's namespaces still on the host's containerd.
pub fn leftover_namespaces(nodes: &[NodeState]) -> Vec<String> {
    let ours: Vec<String> =
        nodes.iter().filter_map(|n| n.host_containerd.clone()).flat_map(|ns| [format!("{ns}-plugins"), ns]).collect();
    if ours.is_empty() || !host_in_use() {
        return Vec::new();
    }
    let Some(ctr) = find_binary("ctr") else {
        return Vec::new();
    };
    let Ok(listed) = run(Command::new(ctr).args(["--address", HOST_SOCKET, "namespaces", "list", "-q"])) else {
        return Vec::new();
    };
    listed
        .lines()
        .map(str::trim)
        .filter(|l| ours.iter().any(|o| o == l))
        .map(|l| format!("containerd namespace {l} on {HOST_SOCKET}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_sockets_are_named_like_containerd_names_them() {
        // sha256("/run/x/containerd.sock/moby/abc")
        let s = shim_socket(Path::new("/run/x/containerd.sock"), "moby", "abc");
        assert_eq!(s.parent(), Some(Path::new("/run/containerd/s")));
        assert_eq!(s.file_name().unwrap().len(), 64);
    }
}
