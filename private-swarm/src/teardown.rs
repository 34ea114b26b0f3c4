//! Taking a cluster apart from its state record, whoever started it and however far it
//! got: leave the swarm, stop each dockerd (SIGTERM, then SIGKILL), kill whatever else is
//! still running for it, unmount, delete links, namespaces, the FORWARD rule and the
//! bridge, release the subnet. Every step tolerates things already gone, so teardown can
//! run again. [`leftovers`] lists what still exists, for tests to assert on.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::engine::{self, NodeApi};
use crate::error::{HarnessError, Result};
use crate::host::{check_host, HostTools};
use crate::netns;
use crate::process;
use crate::state::{self, ClusterState, NodeState, Phase, Role};
use crate::{containerd, mounts, names, registry_server, swarm};

const LEAVE_TIMEOUT: Duration = Duration::from_secs(5);
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
const KILL_TIMEOUT: Duration = Duration::from_secs(5);

/// Strings that mark a cluster's processes besides its directories.
fn marks(state: &ClusterState) -> Vec<String> {
    vec![format!("{}-{}-", names::PREFIX, state.id)]
}

fn netns_inodes(state: &ClusterState) -> Vec<u64> {
    state
        .nodes
        .iter()
        .filter_map(|n| n.netns.as_deref())
        .chain(state.registry.as_ref().map(|r| r.netns.as_str()))
        .filter_map(|ns| process::netns_inode(&netns::netns_path(ns)))
        .collect()
}

/// Ends the registry by its recorded pid (SIGTERM, SIGKILL if it lingers); what it forked
/// for a request is in its namespace and goes with the rest.
fn stop_registry(state: &ClusterState) {
    let Some(registry) = &state.registry else { return };
    let Some(pid) = registry.pid.filter(|&pid| registry_server::is_ours(pid, registry)) else { return };
    process::signal(pid, Signal::SIGTERM);
    if !process::wait_gone(&[pid], KILL_TIMEOUT, || {}).is_empty() {
        process::signal(pid, Signal::SIGKILL);
        process::wait_gone(&[pid], KILL_TIMEOUT, || {});
    }
}

/// The dockerd pid of each node we can vouch for: recorded (or in its pidfile) and still
/// serving that node's socket.
fn our_dockerds(state: &ClusterState) -> Vec<u32> {
    state
        .nodes
        .iter()
        .filter_map(|n| {
            let from_pidfile =
                std::fs::read_to_string(n.dir.join("docker.pid")).ok().and_then(|s| s.trim().parse().ok());
            [n.pid, from_pidfile].into_iter().flatten().find(|&pid| engine::is_our_dockerd(pid, n))
        })
        .collect()
}

/// SIGTERMs the dockerds and waits for them to exit, SIGKILLing any still there after
/// STOP_TIMEOUT. A dockerd that has logged "Daemon shutdown complete" is done with its
/// work (containers, networks, mounts) and only waits for its containerd connection to
/// time out, about a second: it is killed at once.
fn stop_dockerds(state: &ClusterState, dockerds: &[u32], reap: &mut dyn FnMut()) {
    let logs: Vec<(u32, PathBuf, u64)> = dockerds
        .iter()
        .filter_map(|&pid| {
            let node = state.nodes.iter().find(|n| engine::is_our_dockerd(pid, n))?;
            let log = node.log();
            let offset = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
            Some((pid, log, offset))
        })
        .collect();
    for &pid in dockerds {
        process::signal(pid, Signal::SIGTERM);
    }
    let deadline = Instant::now() + STOP_TIMEOUT;
    loop {
        reap();
        let alive: Vec<u32> = dockerds.iter().copied().filter(|&p| process::alive(p)).collect();
        if alive.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            for &pid in &alive {
                process::signal(pid, Signal::SIGKILL);
            }
            process::wait_gone(&alive, KILL_TIMEOUT, reap);
            return;
        }
        for (pid, log, offset) in &logs {
            if alive.contains(pid) && logged_since(log, *offset, "Daemon shutdown complete") {
                process::signal(*pid, Signal::SIGKILL);
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn logged_since(log: &Path, offset: u64, needle: &str) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(log) else {
        return false;
    };
    let mut tail = String::new();
    f.seek(SeekFrom::Start(offset)).is_ok() && f.read_to_string(&mut tail).is_ok() && tail.contains(needle)
}

/// Tears the cluster down and records phase `down`. `children` are the `Child` handles of
/// the dockerds when the caller started them (so they get reaped), else empty.
pub fn teardown(state: &mut ClusterState, children: &mut [Option<Child>]) -> Result<()> {
    let tools = check_host()?;
    state.phase = Phase::TearingDown;
    state::write(state)?;

    let inodes = netns_inodes(state);
    let mut reap = || {
        for child in children.iter_mut() {
            if let Some(c) = child {
                if matches!(c.try_wait(), Ok(Some(_))) {
                    *child = None;
                }
            }
        }
    };

    // Leaving first removes the task containers at once, so dockerd stops fast. Workers
    // leave together; managers one at a time, node1 last, so each leaving manager still
    // has live peers to tell (leaving together, they all wait out gossip timeouts).
    let dockerds = our_dockerds(state);
    // What the dockerds started (containerd, shims, containers), named while they live.
    let started = process::family(&dockerds);
    let answering = |n: &&NodeState| n.socket.exists() && dockerds.iter().any(|&pid| engine::is_our_dockerd(pid, n));
    std::thread::scope(|s| {
        for node in state.nodes.iter().filter(|n| n.role == Role::Worker).filter(answering) {
            s.spawn(move || swarm::leave(&NodeApi::new(node), LEAVE_TIMEOUT));
        }
    });
    for node in state.nodes.iter().rev().filter(|n| n.role == Role::Manager).filter(answering) {
        swarm::leave(&NodeApi::new(node), LEAVE_TIMEOUT);
    }
    stop_dockerds(state, &dockerds, &mut reap);
    stop_registry(state);

    // Whatever survived its dockerd: containerd, shims, docker-proxy, container processes;
    // only what the dockerds started or what lives in the cluster's namespaces and dirs.
    let roots = state.roots();
    for _ in 0..3 {
        let rest: Vec<u32> = process::owned(&roots, &inodes, &started).iter().map(|m| m.pid).collect();
        if rest.is_empty() {
            break;
        }
        for &pid in &rest {
            process::signal(pid, Signal::SIGKILL);
        }
        process::wait_gone(&rest, KILL_TIMEOUT, &mut reap);
    }

    remove_container_cgroups(state);
    for node in &state.nodes {
        containerd::remove_leftovers(node);
    }
    let mut problems = mounts::unmount_under(&roots);
    remove_network(tools, state);
    netns::release_claims(&state.id);

    if mounts::under(&roots).is_empty() {
        remove_tree(&state.run_dir, &mut problems);
        for node in &state.nodes {
            remove_tree(&node.dir.join("data"), &mut problems);
            let _ = std::fs::remove_file(node.dir.join("docker.pid"));
            let _ = std::fs::remove_file(&node.socket);
        }
    }

    problems.extend(leftovers_of(state));
    problems.sort();
    problems.dedup();
    // Only a clean teardown is `down`: otherwise cleanup_stale and `up` will try again.
    if problems.is_empty() {
        state.phase = Phase::Down;
    }
    state::write(state)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(HarnessError::TeardownIncomplete { dir: state.dir.clone(), leftovers: problems })
    }
}

/// Removes the cgroups of the nodes' containers. A dockerd that stopped normally has done
/// this already; after a SIGKILL the empty cgroups would stay (cgroup v1 and cgroupfs).
/// `rmdir` only removes an empty cgroup, so a live one is never touched.
fn remove_container_cgroups(state: &ClusterState) {
    let controllers: Vec<PathBuf> = std::fs::read_dir("/sys/fs/cgroup")
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    for node in &state.nodes {
        for id in containerd::container_ids(node) {
            let mut candidates: Vec<PathBuf> = controllers.iter().map(|c| c.join("docker").join(&id)).collect();
            candidates.push(Path::new("/sys/fs/cgroup/docker").join(&id));
            candidates.push(Path::new("/sys/fs/cgroup/system.slice").join(format!("docker-{id}.scope")));
            for cgroup in candidates.iter().filter(|c| c.is_dir()) {
                let _ = std::fs::remove_dir(cgroup);
            }
        }
    }
}

fn remove_tree(path: &Path, problems: &mut Vec<String>) {
    match std::fs::remove_dir_all(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => problems.push(format!("directory {} ({e})", path.display())),
    }
}

fn remove_network(tools: &HostTools, state: &ClusterState) {
    for node in &state.nodes {
        // Deleting the host end takes the peer in the namespace with it, synchronously.
        if let Some(veth) = &node.veth {
            netns::delete_link(tools, veth);
        }
        if let Some(ns) = &node.netns {
            netns::delete_netns(tools, ns);
        }
    }
    if let Some(registry) = &state.registry {
        netns::delete_link(tools, &registry.veth);
        netns::delete_netns(tools, &registry.netns);
    }
    if let Some(bridge) = &state.bridge {
        if state.forward_rule {
            netns::remove_forward_rule(tools, bridge);
        }
        if let (Some(online), Some(subnet)) = (&state.online, &state.subnet) {
            netns::remove_online_rules(tools, bridge, &subnet.cidr);
            if online.ip_forward_was != "1" && !other_online_cluster(state) {
                let _ = netns::set_ip_forward(&online.ip_forward_was);
            }
        }
        netns::delete_link(tools, bridge);
    }
    // Links vanish asynchronously when a namespace goes; give them a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !network_leftovers(Some(tools), state).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether another cluster on this machine is online and still up (it needs ip_forward).
fn other_online_cluster(state: &ClusterState) -> bool {
    let Ok(entries) = std::fs::read_dir(state::RUN_ROOT) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let Ok(dir) = std::fs::read_to_string(entry.path().join(state::CLUSTER_DIR_FILE)) else {
            return false;
        };
        matches!(state::read(Path::new(&dir)), Ok(Some(s))
            if s.id != state.id && s.online.is_some() && s.phase != Phase::Down)
    })
}

fn network_leftovers(tools: Option<&HostTools>, state: &ClusterState) -> Vec<String> {
    let mut left = Vec::new();
    for node in &state.nodes {
        if let Some(ns) = node.netns.as_deref().filter(|ns| netns::netns_exists(ns)) {
            left.push(format!("network namespace {ns}"));
        }
        if let Some(veth) = node.veth.as_deref().filter(|v| netns::link_exists(v)) {
            left.push(format!("link {veth}"));
        }
    }
    if let Some(registry) = &state.registry {
        if netns::netns_exists(&registry.netns) {
            left.push(format!("network namespace {}", registry.netns));
        }
        if netns::link_exists(&registry.veth) {
            left.push(format!("link {}", registry.veth));
        }
    }
    if let Some(bridge) = &state.bridge {
        if netns::link_exists(bridge) {
            left.push(format!("bridge {bridge}"));
        }
        if let Some(tools) = tools {
            if state.forward_rule && netns::forward_rule_present(tools, bridge) {
                left.push(format!("iptables rule FORWARD -i {bridge} -o {bridge} -j ACCEPT"));
            }
            if let (Some(_), Some(subnet)) = (&state.online, &state.subnet) {
                left.extend(
                    netns::online_rules_present(tools, bridge, &subnet.cidr)
                        .into_iter()
                        .map(|r| format!("iptables rule {r}")),
                );
            }
        }
    }
    left
}

/// Processes and mounts that belong under `roots`, one line each.
fn processes_and_mounts(roots: &[PathBuf], marks: &[String], inodes: &[u64]) -> Vec<String> {
    let mut left: Vec<String> = process::members(roots, marks, inodes)
        .into_iter()
        .map(|m| format!("process {} ({})", m.pid, m.cmdline))
        .collect();
    left.extend(mounts::under(roots).into_iter().map(|p| format!("mount {}", p.display())));
    left
}

/// Everything of the cluster recorded in `state` that still exists.
pub fn leftovers_of(state: &ClusterState) -> Vec<String> {
    let tools = check_host().ok();
    let roots = state.roots();
    let mut left = processes_and_mounts(&roots, &marks(state), &netns_inodes(state));
    left.extend(network_leftovers(tools, state));
    left.extend(containerd::leftover_namespaces(&state.nodes));
    left.extend(netns::claims_of(&state.id).into_iter().map(|p| format!("subnet claim {}", p.display())));
    if state.run_dir.exists() {
        left.push(format!("directory {}", state.run_dir.display()));
    }
    left
}

/// What is left of the cluster in `dir`; with no state file, the processes and mounts
/// that name the directory.
pub fn leftovers(dir: &Path) -> Vec<String> {
    match state::read(dir) {
        Ok(Some(state)) => leftovers_of(&state),
        Ok(None) | Err(_) => processes_and_mounts(&[dir.to_path_buf()], &[], &[]),
    }
}

/// Whether private-swarm made `dir` a cluster directory: its marker file is there, or
/// (a cluster from before markers) the cluster's run directory names `dir`.
pub fn made_by_us(dir: &Path) -> bool {
    if dir.join(state::MARKER_FILE).is_file() {
        return true;
    }
    matches!(state::read(dir), Ok(Some(s))
        if std::fs::read_to_string(s.run_dir.join(state::CLUSTER_DIR_FILE)).is_ok_and(|d| Path::new(d.trim()) == dir))
}

/// Tears down the cluster recorded in `dir`, from any process. A directory without a state
/// file only gets its processes killed and its mounts removed. A directory private-swarm
/// did not make is refused.
pub fn teardown_dir(dir: &Path) -> Result<()> {
    if !made_by_us(dir) {
        return Err(HarnessError::NotOurs { dir: dir.to_path_buf() });
    }
    match state::read(dir)? {
        Some(mut state) => teardown(&mut state, &mut []),
        None => {
            check_host()?;
            let roots = [dir.to_path_buf()];
            let pids: Vec<u32> = process::owned(&roots, &[], &[]).iter().map(|m| m.pid).collect();
            for &pid in &pids {
                process::signal(pid, Signal::SIGKILL);
            }
            process::wait_gone(&pids, KILL_TIMEOUT, || {});
            let left = mounts::unmount_under(&roots);
            if left.is_empty() {
                Ok(())
            } else {
                Err(HarnessError::TeardownIncomplete { dir: dir.to_path_buf(), leftovers: left })
            }
        }
    }
}

/// Tears down every cluster under `root` whose owner process is gone (a killed test run)
/// and that was not handed over as a practice cluster. Returns the directories cleaned.
pub fn cleanup_stale(root: &Path) -> Result<Vec<PathBuf>> {
    let orphaned = state::find_under(root)
        .into_iter()
        .filter(|dir| matches!(state::read(dir), Ok(Some(s)) if s.is_orphaned()))
        .collect();
    teardown_each(orphaned)
}

/// Tears down every directory given, going on past failures; the first error wins.
fn teardown_each(dirs: Vec<PathBuf>) -> Result<Vec<PathBuf>> {
    let mut cleaned = Vec::new();
    let mut first_error = None;
    for dir in dirs {
        match teardown_dir(&dir) {
            Ok(()) => cleaned.push(dir),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(cleaned),
    }
}

/// Tears down every cluster on this machine whose owner process is gone and that was not
/// handed over as a practice cluster, wherever its directory is (found through
/// `/run/private-swarm/<id>/cluster-dir`). For CI, before and after a test run.
pub fn cleanup_orphans() -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    let Ok(entries) = std::fs::read_dir(state::RUN_ROOT) else {
        return Ok(dirs);
    };
    for entry in entries.flatten() {
        let run_dir = entry.path();
        let Ok(dir) = std::fs::read_to_string(run_dir.join(state::CLUSTER_DIR_FILE)) else {
            continue;
        };
        let dir = PathBuf::from(dir);
        match state::read(&dir) {
            Ok(Some(s)) if s.run_dir == run_dir && s.is_orphaned() => dirs.push(dir),
            // Killed before its state file was written (or the directory is gone): nothing
            // but the run directory can exist. A minute's grace spares a starting cluster.
            Ok(None)
                if older_than(&run_dir, Duration::from_secs(60))
                    && process::members(std::slice::from_ref(&run_dir), &[], &[]).is_empty() =>
            {
                let _ = std::fs::remove_dir_all(&run_dir);
            }
            _ => {}
        }
    }
    teardown_each(dirs)
}

fn older_than(path: &Path, age: Duration) -> bool {
    std::fs::metadata(path).and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|e| e > age))
}
