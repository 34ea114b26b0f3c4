//! Reading /proc: whether a pid is still the process we think it is, and which processes
//! belong to a cluster (engine binaries naming its directories, processes whose root is in
//! its data, processes inside its network namespaces, and their descendants).

use std::collections::{BTreeSet, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Fields of /proc/PID/stat after the command name, which may itself hold spaces.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    Some(after.split_whitespace().map(str::to_string).collect())
}

/// Start time in clock ticks since boot: with the pid, it names one process for good.
pub fn start_time(pid: u32) -> Option<u64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

fn parent(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// Running (not gone, not a zombie waiting to be reaped).
pub fn alive(pid: u32) -> bool {
    match stat_fields(pid) {
        Some(f) => !matches!(f.first().map(String::as_str), Some("Z") | Some("X")),
        None => false,
    }
}

pub fn cmdline(pid: u32) -> Option<Vec<String>> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(raw.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect())
}

/// Inode of a network namespace file (`/proc/PID/ns/net` or `/run/netns/NAME`).
pub fn netns_inode(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.ino())
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|rd| rd.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// True when `text` contains `root` followed by a path separator or the end of a path.
pub fn mentions(text: &str, root: &Path) -> bool {
    let root = root.to_string_lossy();
    let mut from = 0;
    while let Some(i) = text[from..].find(root.as_ref()) {
        let end = from + i + root.len();
        match text[end..].chars().next() {
            None => return true,
            Some(c) if !(c.is_alphanumeric() || "-_.".contains(c)) => return true,
            _ => from = end,
        }
    }
    false
}

/// Engine-side programs whose command line may name a cluster's directories.
fn is_engine_program(argv0: &str) -> bool {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    base.starts_with("docker") || base.starts_with("containerd") || base == "runc"
}

/// One process that belongs to a cluster.
#[derive(Debug, Clone)]
pub struct Member {
    pub pid: u32,
    pub cmdline: String,
}

/// Processes of a cluster, with all their descendants: engine programs whose command line
/// names one of its directories `roots` or contains one of `marks` (its containerd
/// namespaces, when engines share the host's containerd), and processes inside its network
/// namespaces `netns_inodes`. Never includes the calling process.
pub fn members(roots: &[PathBuf], marks: &[String], netns_inodes: &[u64]) -> Vec<Member> {
    collect(roots, marks, netns_inodes, &[], true)
}

/// A process named for good: its pid and start time (so a reused pid is not it).
pub type Started = (u32, u64);

/// `pids` and all their descendants, each with its start time: taken while a parent still
/// lives, it names the processes a dockerd started even after they are re-parented.
pub fn family(pids: &[u32]) -> Vec<Started> {
    collect(&[], &[], &[], pids, false).iter().filter_map(|m| Some((m.pid, start_time(m.pid)?))).collect()
}

/// The processes teardown may kill: those in `started` (still the same processes), those
/// inside the cluster's network namespaces, those whose root is in its directories, and
/// all their descendants. Never chosen by command line: a process that merely names a
/// cluster's directory is not the cluster's.
pub fn owned(roots: &[PathBuf], netns_inodes: &[u64], started: &[Started]) -> Vec<Member> {
    let still: Vec<u32> = started.iter().filter(|(pid, t)| start_time(*pid) == Some(*t)).map(|(pid, _)| *pid).collect();
    collect(roots, &[], netns_inodes, &still, false)
}

fn collect(roots: &[PathBuf], marks: &[String], netns_inodes: &[u64], seeds: &[u32], by_cmdline: bool) -> Vec<Member> {
    let me = std::process::id();
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut picked = BTreeSet::new();
    for pid in all_pids() {
        if pid == me {
            continue;
        }
        if let Some(ppid) = parent(pid) {
            children.entry(ppid).or_default().push(pid);
        }
        if seeds.contains(&pid) || belongs(pid, roots, marks, netns_inodes, by_cmdline) {
            picked.insert(pid);
        }
    }
    let mut queue: Vec<u32> = picked.iter().copied().collect();
    while let Some(pid) = queue.pop() {
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or(&[]) {
            if child != me && picked.insert(child) {
                queue.push(child);
            }
        }
    }
    picked
        .into_iter()
        .filter(|&pid| alive(pid))
        .map(|pid| Member { pid, cmdline: cmdline(pid).unwrap_or_default().join(" ") })
        .collect()
}

fn belongs(pid: u32, roots: &[PathBuf], marks: &[String], netns_inodes: &[u64], by_cmdline: bool) -> bool {
    if let Some(argv) = cmdline(pid).filter(|_| by_cmdline) {
        if argv.first().is_some_and(|a| is_engine_program(a)) {
            let line = argv.join(" ");
            if roots.iter().any(|r| mentions(&line, r)) || marks.iter().any(|m| line.contains(m.as_str())) {
                return true;
            }
        }
    }
    if let Ok(root) = std::fs::read_link(format!("/proc/{pid}/root")) {
        if root != Path::new("/") && roots.iter().any(|r| root.starts_with(r)) {
            return true;
        }
    }
    if !netns_inodes.is_empty() {
        if let Some(ino) = netns_inode(Path::new(&format!("/proc/{pid}/ns/net"))) {
            return netns_inodes.contains(&ino);
        }
    }
    false
}

/// Sends `signal` to `pid` when it is alive; errors (already gone) are ignored.
pub fn signal(pid: u32, signal: Signal) {
    let _ = kill(Pid::from_raw(pid as i32), signal);
}

/// Waits until none of `pids` is alive; returns the ones still alive at the deadline.
/// `reap` is called on every poll so a caller holding `Child` handles can collect zombies.
pub fn wait_gone(pids: &[u32], timeout: Duration, mut reap: impl FnMut()) -> Vec<u32> {
    let deadline = Instant::now() + timeout;
    loop {
        reap();
        let left: Vec<u32> = pids.iter().copied().filter(|&p| alive(p)).collect();
        if left.is_empty() || Instant::now() >= deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_matches_whole_path_components_only() {
        let root = Path::new("/tmp/x/c1");
        assert!(mentions("dockerd --data-root /tmp/x/c1/n1/data", root));
        assert!(mentions("--config /tmp/x/c1", root));
        assert!(!mentions("dockerd --data-root /tmp/x/c10/n1/data", root));
        assert!(!mentions("dockerd --data-root /tmp/x/c1-b/n1", root));
    }

    #[test]
    fn a_process_is_owned_by_being_started_never_by_its_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        // A process that names the directory on its command line.
        let mut named = std::process::Command::new("sleep").arg("30").arg(&root).spawn().unwrap();
        let mut mine = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let started = family(&[mine.id()]);
        assert_eq!(started.len(), 1);
        let picked: Vec<u32> = owned(std::slice::from_ref(&root), &[], &started).iter().map(|m| m.pid).collect();
        assert_eq!(picked, vec![mine.id()]);
        // A recorded pid whose process has been replaced (another start time) is not ours.
        let stale = [(mine.id(), started[0].1 + 1)];
        assert!(owned(&[], &[], &stale).is_empty());
        for c in [&mut named, &mut mine] {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    #[test]
    fn our_own_process_is_alive_and_has_a_start_time() {
        let me = std::process::id();
        assert!(alive(me));
        assert!(start_time(me).is_some());
        assert!(!alive(u32::MAX - 1));
    }
}
