//! Names of a cluster's host-visible resources, all derived from a per-run id so clusters
//! started in parallel never collide. Interface names stay within the kernel's 15 bytes.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Prefix of every name the harness gives a host resource.
pub const PREFIX: &str = "psw";

/// A random 64-bit value (std's per-process random hash keys, mixed with time and a counter).
pub fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.write_u32(std::process::id());
    h.finish()
}

/// A fresh cluster id: six hex digits.
pub fn new_id() -> String {
    format!("{:06x}", random_u64() & 0xff_ffff)
}

/// The cluster's bridge in the root namespace, e.g. `psw1a2b3c` (9 bytes).
pub fn bridge(id: &str) -> String {
    format!("{PREFIX}{id}")
}

/// Host end of node `n`'s veth pair, e.g. `psw1a2b3cn1` (at most 13 bytes for n < 1000).
pub fn veth(id: &str, n: usize) -> String {
    format!("{PREFIX}{id}n{n}")
}

/// Node `n`'s network namespace, e.g. `psw-1a2b3c-node1` (a file in /run/netns).
pub fn netns(id: &str, n: usize) -> String {
    format!("{PREFIX}-{id}-node{n}")
}

/// The network namespace of the cluster's registry, e.g. `psw-1a2b3c-registry`.
pub fn registry_netns(id: &str) -> String {
    format!("{PREFIX}-{id}-registry")
}

/// Host end of the registry's veth pair, e.g. `psw1a2b3cr` (10 bytes).
pub fn registry_veth(id: &str) -> String {
    format!("{PREFIX}{id}r")
}

/// Containerd namespace for node `n` when the engines share the host's containerd.
pub fn containerd_namespace(id: &str, n: usize) -> String {
    format!("{PREFIX}-{id}-node{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_names_fit_the_kernel_limit() {
        let id = new_id();
        assert_eq!(id.len(), 6);
        assert!(bridge(&id).len() <= 15);
        assert!(veth(&id, 99).len() <= 15);
        assert!(registry_veth(&id).len() <= 15);
        assert_ne!(new_id(), new_id());
    }
}
