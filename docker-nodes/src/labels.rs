//! The labels that are the cluster's state on the engine, and the names of what it
//! creates. Every container, network and volume of cluster `NAME` carries
//! `org.swarm-lab.cluster=NAME`; containers also say which node they are and how the
//! cluster was started, so `status`, `env` and `down` need no file of ours.

use std::collections::HashMap;

use crate::error::InvalidOption;

/// The cluster name, on everything the cluster creates.
pub const CLUSTER: &str = "org.swarm-lab.cluster";
/// Always `docker`: tells our objects from anything else that might carry the cluster label.
pub const DRIVER: &str = "org.swarm-lab.driver";
/// A random id per `up`, also in the nodes' cgroup parent.
pub const ID: &str = "org.swarm-lab.id";
/// `node1`, `node2`, … (containers and volumes).
pub const NODE: &str = "org.swarm-lab.node";
/// 1, 2, … (containers).
pub const INDEX: &str = "org.swarm-lab.index";
/// `manager` or `worker`: the role `up` gave the node.
pub const ROLE: &str = "org.swarm-lab.role";
/// How many nodes `up` started, so a half-made cluster is recognised.
pub const NODES: &str = "org.swarm-lab.nodes";
/// `true` unless started with `--no-swarm`.
pub const SWARM: &str = "org.swarm-lab.swarm";
/// `privileged` or `capabilities`.
pub const PRIVILEGES: &str = "org.swarm-lab.privileges";
/// `stand-in` (offline) or `online`.
pub const IMAGES: &str = "org.swarm-lab.images";
/// `HOST:NODE,…`: the ports of node 1 forwarded to 127.0.0.1.
pub const PUBLISH: &str = "org.swarm-lab.publish";
/// `true` on the offline registry's container (which is no node).
pub const REGISTRY: &str = "org.swarm-lab.registry";

pub const DRIVER_NAME: &str = "docker";

/// `swarm-lab-NAME`: the network, and the prefix of container and volume names.
pub fn network_name(cluster: &str) -> String {
    format!("swarm-lab-{cluster}")
}

/// `swarm-lab-NAME-nodeI`: node I's container and its /var/lib/docker volume.
pub fn node_object_name(cluster: &str, index: usize) -> String {
    format!("swarm-lab-{cluster}-node{index}")
}

/// `swarm-lab-NAME-registry`: the offline registry's container.
pub fn registry_name(cluster: &str) -> String {
    format!("swarm-lab-{cluster}-registry")
}

/// The labels every object of the cluster carries.
pub fn common(cluster: &str, id: &str) -> HashMap<String, String> {
    HashMap::from([
        (CLUSTER.to_string(), cluster.to_string()),
        (DRIVER.to_string(), DRIVER_NAME.to_string()),
        (ID.to_string(), id.to_string()),
    ])
}

/// The list filter that selects the objects of `cluster`: `label=org.swarm-lab.cluster=NAME`.
pub fn filter(cluster: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{CLUSTER}={cluster}"), format!("{DRIVER}={DRIVER_NAME}")])])
}

/// A cluster name is a short lowercase word, since it ends up in object names.
pub fn check_name(name: &str) -> Result<(), InvalidOption> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(InvalidOption::ClusterName { name: name.to_string() })
    }
}

/// A fresh random id: 8 hex digits.
pub fn new_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_cluster() {
        assert_eq!(network_name("practice"), "swarm-lab-practice");
        assert_eq!(node_object_name("practice", 2), "swarm-lab-practice-node2");
        assert_eq!(filter("x")["label"], vec!["org.swarm-lab.cluster=x", "org.swarm-lab.driver=docker"]);
    }

    #[test]
    fn cluster_names_are_short_lowercase_words() {
        assert!(check_name("practice").is_ok());
        assert!(check_name("class-2").is_ok());
        for bad in ["", "Practice", "a b", "-x", "x/y", &"a".repeat(33)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_differ() {
        assert_ne!(new_id(), new_id());
        assert_eq!(new_id().len(), 8);
    }
}
