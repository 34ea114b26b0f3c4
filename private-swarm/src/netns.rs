//! The network of a cluster: one network namespace per node, joined by veth pairs to a
//! per-cluster bridge in the root namespace that holds the subnet's `.1`, so the host
//! reaches every node's address (needed for `mode=host` published ports).
//!
//! Subnets are `100.64.X.0/24` (the shared address space of RFC 6598): outside docker's
//! default bridge pools (172.17.0.0/16 and up, 192.168.0.0/16) used inside the
//! namespaces, and outside swarm's default overlay pool 10.0.0.0/8. X is claimed with a
//! file `/run/private-swarm/subnets/100.64.X.0` created under an exclusive lock, and a /24
//! that overlaps any address or route already on the host is skipped. Nodes get no default
//! route: nothing a node or its containers send can leave the machine. Only an online
//! cluster (`lab cluster up --online`) gets one, via the bridge, with the host forwarding
//! and masquerading its traffic ([`go_online`]); teardown removes those rules again.

use std::fs::OpenOptions;
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};

use crate::error::{HarnessError, IoAction, Result};
use crate::host::{run, HostTools};
use crate::names;
use crate::state::{self, Phase, SubnetRecord, RUN_ROOT};

/// First two octets of every cluster subnet.
pub const SUBNET_PREFIX: [u8; 2] = [100, 64];

/// Host part of node `n`'s address: node1 is `.11`, node2 `.12`, …
pub fn node_addr(gateway: Ipv4Addr, n: usize) -> Ipv4Addr {
    let o = gateway.octets();
    Ipv4Addr::new(o[0], o[1], o[2], 10 + n as u8)
}

/// The registry's address: `.2`, between the bridge's `.1` and the nodes' `.11` on.
pub fn registry_addr(gateway: Ipv4Addr) -> Ipv4Addr {
    let o = gateway.octets();
    Ipv4Addr::new(o[0], o[1], o[2], 2)
}

fn claims_dir() -> PathBuf {
    Path::new(RUN_ROOT).join("subnets")
}

#[derive(Serialize, Deserialize)]
struct Claim {
    dir: PathBuf,
    id: String,
}

/// Claims a free /24 for the cluster `id` in `dir`.
pub fn claim_subnet(tools: &HostTools, dir: &Path, id: &str) -> Result<SubnetRecord> {
    let claims = claims_dir();
    std::fs::create_dir_all(&claims).map_err(|e| HarnessError::io(IoAction::CreateSubnetClaims, &claims, e))?;
    let lock_path = claims.join(".lock");
    let lock_file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| HarnessError::io(IoAction::OpenSubnetLock, &lock_path, e))?;
    let _lock = Flock::lock(lock_file, FlockArg::LockExclusive)
        .map_err(|(_, e)| HarnessError::io(IoAction::LockSubnetClaims, &lock_path, e.into()))?;

    let taken = host_prefixes(tools)?;
    let start = (names::random_u64() % 256) as usize;
    for k in 0..256 {
        let x = ((start + k) % 256) as u8;
        let net = Ipv4Addr::new(SUBNET_PREFIX[0], SUBNET_PREFIX[1], x, 0);
        let claim_file = claims.join(net.to_string());
        if claim_file.exists() {
            if !claim_is_stale(&claim_file) {
                continue;
            }
            let _ = std::fs::remove_file(&claim_file);
        }
        if taken.iter().any(|&(addr, len)| overlaps(addr, len, net, 24)) {
            continue;
        }
        let claim =
            serde_json::to_vec(&Claim { dir: dir.to_path_buf(), id: id.to_string() }).expect("claim serializes");
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&claim_file)
            .map_err(|e| HarnessError::io(IoAction::WriteSubnetClaim, &claim_file, e))?;
        f.write_all(&claim).map_err(|e| HarnessError::io(IoAction::WriteSubnetClaim, &claim_file, e))?;
        return Ok(SubnetRecord {
            cidr: format!("{net}/24"),
            gateway: Ipv4Addr::new(SUBNET_PREFIX[0], SUBNET_PREFIX[1], x, 1),
            claim_file,
        });
    }
    Err(HarnessError::NoFreeSubnet)
}

/// A claim is stale when the cluster directory it names no longer describes that cluster
/// as holding resources.
fn claim_is_stale(claim_file: &Path) -> bool {
    let Some(claim) = std::fs::read(claim_file).ok().and_then(|b| serde_json::from_slice::<Claim>(&b).ok()) else {
        return true;
    };
    match state::read(&claim.dir) {
        Ok(Some(s)) => s.id != claim.id || s.phase == Phase::Down,
        Ok(None) => true,
        Err(_) => false,
    }
}

/// Removes every claim held by cluster `id` (normally one).
pub fn release_claims(id: &str) {
    let Ok(entries) = std::fs::read_dir(claims_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let owned = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Claim>(&b).ok())
            .is_some_and(|c| c.id == id);
        if owned {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Claim files still held by cluster `id`.
pub fn claims_of(id: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(claims_dir()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            std::fs::read(p).ok().and_then(|b| serde_json::from_slice::<Claim>(&b).ok()).is_some_and(|c| c.id == id)
        })
        .collect()
}

/// IPv4 prefixes the host already uses: its addresses and every route of every table.
fn host_prefixes(tools: &HostTools) -> Result<Vec<(Ipv4Addr, u8)>> {
    let addrs = run(Command::new(&tools.ip).args(["-4", "-o", "addr", "show"]))?;
    let routes = run(Command::new(&tools.ip).args(["-4", "route", "show", "table", "all"]))?;
    Ok(parse_addr_prefixes(&addrs).into_iter().chain(parse_route_prefixes(&routes)).collect())
}

fn parse_prefix(text: &str) -> Option<(Ipv4Addr, u8)> {
    let (addr, len) = text.split_once('/').unwrap_or((text, "32"));
    Some((addr.parse().ok()?, len.parse().ok().filter(|l| *l <= 32)?))
}

fn parse_addr_prefixes(out: &str) -> Vec<(Ipv4Addr, u8)> {
    out.lines()
        .filter_map(|l| {
            let mut t = l.split_whitespace().skip_while(|w| *w != "inet");
            t.next()?;
            parse_prefix(t.next()?)
        })
        .collect()
}

fn parse_route_prefixes(out: &str) -> Vec<(Ipv4Addr, u8)> {
    const TYPES: &[&str] = &[
        "unicast",
        "local",
        "broadcast",
        "multicast",
        "anycast",
        "unreachable",
        "blackhole",
        "prohibit",
        "throw",
        "nat",
    ];
    out.lines()
        .filter_map(|l| {
            let mut t = l.split_whitespace();
            let first = t.next()?;
            let dest = if TYPES.contains(&first) { t.next()? } else { first };
            parse_prefix(dest) // "default" does not parse and is skipped
        })
        .collect()
}

fn overlaps(a: Ipv4Addr, alen: u8, b: Ipv4Addr, blen: u8) -> bool {
    let len = alen.min(blen) as u32;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    (u32::from(a) & mask) == (u32::from(b) & mask)
}

fn ip(tools: &HostTools, args: &[&str]) -> Result<()> {
    run(Command::new(&tools.ip).args(args)).map(drop)
}

/// Creates the bridge with the gateway address and brings it up.
pub fn create_bridge(tools: &HostTools, bridge: &str, gateway: Ipv4Addr) -> Result<()> {
    ip(tools, &["link", "add", bridge, "type", "bridge"])?;
    ip(tools, &["addr", "add", &format!("{gateway}/24"), "dev", bridge])?;
    ip(tools, &["link", "set", bridge, "up"])
}

fn iptables(tools: &HostTools, op: &str, bridge: &str) -> Result<()> {
    let rule = ["FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"];
    run(Command::new(&tools.iptables).arg("-w").arg(op).args(rule)).map(drop)
}

/// Lets traffic between the bridge's own ports through the host's FORWARD chain. Needed
/// where br_netfilter is loaded and the policy is DROP (any host running Docker).
pub fn add_forward_rule(tools: &HostTools, bridge: &str) -> Result<()> {
    iptables(tools, "-I", bridge)
}

pub fn remove_forward_rule(tools: &HostTools, bridge: &str) {
    while iptables(tools, "-D", bridge).is_ok() {}
}

pub fn forward_rule_present(tools: &HostTools, bridge: &str) -> bool {
    iptables(tools, "-C", bridge).is_ok()
}

/// True when a failed FORWARD rule matters: bridged frames pass through iptables.
pub fn bridge_traffic_is_filtered() -> bool {
    std::fs::read_to_string("/proc/sys/net/bridge/bridge-nf-call-iptables").is_ok_and(|v| v.trim() == "1")
}

/// ip_forward of the root namespace.
const IP_FORWARD: &str = "/proc/sys/net/ipv4/ip_forward";

/// The iptables rules of an online cluster: (table, chain, rule). The nodes' traffic to
/// anywhere but the bridge is masqueraded behind the host's address, forwarded out, and
/// the answers are let back in.
pub fn online_rules(bridge: &str, cidr: &str) -> Vec<(&'static str, &'static str, Vec<String>)> {
    let rule = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    vec![
        ("nat", "POSTROUTING", rule(&["-s", cidr, "!", "-o", bridge, "-j", "MASQUERADE"])),
        ("filter", "FORWARD", rule(&["-i", bridge, "!", "-o", bridge, "-j", "ACCEPT"])),
        (
            "filter",
            "FORWARD",
            rule(&["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"]),
        ),
    ]
}

fn iptables_rule(tools: &HostTools, op: &str, table: &str, chain: &str, rule: &[String]) -> Result<()> {
    run(Command::new(&tools.iptables).args(["-w", "-t", table, op, chain]).args(rule)).map(drop)
}

/// The value of `net.ipv4.ip_forward` now ("0" or "1").
pub fn ip_forward() -> String {
    std::fs::read_to_string(IP_FORWARD).map(|v| v.trim().to_string()).unwrap_or_else(|_| "0".into())
}

pub fn set_ip_forward(value: &str) -> Result<()> {
    std::fs::write(IP_FORWARD, value).map_err(|e| HarnessError::io(IoAction::SetIpForward, IP_FORWARD, e))
}

/// Routes the cluster's nodes out through the host: ip_forward on, the [`online_rules`]
/// added. Each node's default route is added by [`add_default_route`].
pub fn go_online(tools: &HostTools, bridge: &str, cidr: &str) -> Result<()> {
    set_ip_forward("1")?;
    for (table, chain, rule) in online_rules(bridge, cidr) {
        iptables_rule(tools, "-I", table, chain, &rule)?;
    }
    Ok(())
}

/// Removes every [`online_rules`] rule of the cluster (all copies); missing ones are fine.
pub fn remove_online_rules(tools: &HostTools, bridge: &str, cidr: &str) {
    for (table, chain, rule) in online_rules(bridge, cidr) {
        while iptables_rule(tools, "-D", table, chain, &rule).is_ok() {}
    }
}

/// The online rules still present, as `iptables -t TABLE -A CHAIN …` lines.
pub fn online_rules_present(tools: &HostTools, bridge: &str, cidr: &str) -> Vec<String> {
    online_rules(bridge, cidr)
        .into_iter()
        .filter(|(table, chain, rule)| iptables_rule(tools, "-C", table, chain, rule).is_ok())
        .map(|(table, chain, rule)| format!("iptables -t {table} -A {chain} {}", rule.join(" ")))
        .collect()
}

/// The node's default route, via the bridge's address (online clusters only).
pub fn add_default_route(tools: &HostTools, netns: &str, gateway: Ipv4Addr) -> Result<()> {
    ip(tools, &["-n", netns, "route", "add", "default", "via", &gateway.to_string()])
}

/// Creates node's namespace and veth pair (`eth0` inside, `veth` on the bridge) and
/// addresses it.
pub fn create_node_net(tools: &HostTools, netns: &str, veth: &str, bridge: &str, addr: Ipv4Addr) -> Result<()> {
    ip(tools, &["netns", "add", netns])?;
    ip(tools, &["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns])?;
    ip(tools, &["link", "set", veth, "master", bridge, "up"])?;
    ip(tools, &["-n", netns, "addr", "add", &format!("{addr}/24"), "dev", "eth0"])?;
    ip(tools, &["-n", netns, "link", "set", "eth0", "up"])?;
    ip(tools, &["-n", netns, "link", "set", "lo", "up"])
}

pub fn netns_path(netns: &str) -> PathBuf {
    Path::new("/run/netns").join(netns)
}

pub fn netns_exists(netns: &str) -> bool {
    netns_path(netns).exists()
}

pub fn link_exists(name: &str) -> bool {
    Path::new("/sys/class/net").join(name).exists()
}

/// Deletes a link (a veth takes its peer with it); a missing link is not an error.
pub fn delete_link(tools: &HostTools, name: &str) {
    if link_exists(name) {
        let _ = ip(tools, &["link", "del", name]);
    }
}

pub fn delete_netns(tools: &HostTools, netns: &str) {
    // `ip netns del` fails while the file is still mounted elsewhere; unmount it then.
    if netns_exists(netns) && ip(tools, &["netns", "del", netns]).is_err() {
        let path = netns_path(netns);
        let _ = nix::mount::umount2(&path, nix::mount::MntFlags::MNT_DETACH);
        let _ = std::fs::remove_file(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_prefixes_in_ip_output() {
        let addrs = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n\
                     2: eth0    inet 100.64.7.20/24 brd 100.64.7.255 scope global eth0\n";
        assert_eq!(
            parse_addr_prefixes(addrs),
            vec![(Ipv4Addr::new(127, 0, 0, 1), 8), (Ipv4Addr::new(100, 64, 7, 20), 24)]
        );
        let routes = "default via 10.0.2.2 dev eth0\n100.64.9.0/24 dev pswab proto kernel scope link src 100.64.9.1\n\
                      local 100.64.9.1 dev pswab table local proto kernel scope host src 100.64.9.1\n";
        assert_eq!(
            parse_route_prefixes(routes),
            vec![(Ipv4Addr::new(100, 64, 9, 0), 24), (Ipv4Addr::new(100, 64, 9, 1), 32)]
        );
    }

    #[test]
    fn overlap_uses_the_shorter_prefix() {
        let net = Ipv4Addr::new(100, 64, 9, 0);
        assert!(overlaps(Ipv4Addr::new(100, 64, 0, 0), 10, net, 24));
        assert!(overlaps(Ipv4Addr::new(100, 64, 9, 77), 32, net, 24));
        assert!(!overlaps(Ipv4Addr::new(100, 64, 10, 0), 24, net, 24));
        assert!(overlaps(Ipv4Addr::new(0, 0, 0, 0), 0, net, 24));
    }

    #[test]
    fn node_addresses_start_at_eleven() {
        assert_eq!(node_addr(Ipv4Addr::new(100, 64, 3, 1), 2), Ipv4Addr::new(100, 64, 3, 12));
    }
}
