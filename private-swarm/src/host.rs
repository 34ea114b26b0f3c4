//! What the host must provide before a cluster can start: root, and the binaries of the
//! packages docker.io, iptables, iproute2 and busybox-static. Also the small helper that
//! runs one of those binaries and turns a failure into an error carrying its stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::error::{HarnessError, Result};
pub(crate) use stand_in::find_binary;
use stand_in::find_static_busybox;

/// Paths of the host binaries the harness runs, found once per process.
#[derive(Debug, Clone)]
pub struct HostTools {
    pub dockerd: PathBuf,
    pub ip: PathBuf,
    pub iptables: PathBuf,
    pub busybox: PathBuf,
    /// Major version of dockerd (20 for Debian 12's 20.10). Engines from 23 on reject the
    /// `deprecated-key-path` option, older ones need it.
    pub dockerd_major: u32,
}

/// Checks that we are root and that every needed binary is installed; the error says which
/// package to install. Cheap after the first call.
pub fn check_host() -> Result<&'static HostTools> {
    let euid = nix::unistd::geteuid().as_raw();
    if euid != 0 {
        return Err(HarnessError::NotRoot { euid });
    }
    static TOOLS: OnceLock<HostTools> = OnceLock::new();
    if let Some(tools) = TOOLS.get() {
        return Ok(tools);
    }
    let tools = find_tools()?;
    Ok(TOOLS.get_or_init(|| tools))
}

fn find_tools() -> Result<HostTools> {
    let dockerd = require("dockerd", "docker.io")?;
    require("containerd", "docker.io")?;
    let ip = require("ip", "iproute2")?;
    let iptables = require("iptables", "iptables")?;
    let busybox = find_static_busybox()?;
    let version = run(Command::new(&dockerd).arg("--version"))?;
    Ok(HostTools { dockerd, ip, iptables, busybox, dockerd_major: dockerd_major(&version) })
}

/// True when this process runs as root, which the netns practice swarm needs.
pub fn running_as_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn require(binary: &'static str, package: &'static str) -> Result<PathBuf> {
    find_binary(binary).ok_or(HarnessError::MissingBinary { binary, package })
}

fn dockerd_major(version_line: &str) -> u32 {
    // "Docker version 20.10.24+dfsg1, build 5d6db84"
    version_line.split_whitespace().nth(2).and_then(|v| v.split('.').next()).and_then(|m| m.parse().ok()).unwrap_or(20)
}

/// Whether this kernel has IPVS, the load balancer behind swarm's routing mesh (service
/// VIPs and ingress-published ports): `/proc/net/ip_vs` exists, or appears once
/// `modprobe ip_vs` has loaded the module. Without it services run and overlay traffic
/// works, but ingress-published ports and VIPs do not answer.
pub fn ipvs_available() -> bool {
    let present = || Path::new("/proc/net/ip_vs").exists() || Path::new("/sys/module/ip_vs").exists();
    if present() {
        return true;
    }
    if let Some(modprobe) = find_binary("modprobe") {
        let _ = Command::new(modprobe)
            .args(["-q", "ip_vs"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    present()
}

/// Whether every nameserver in `/etc/resolv.conf` is a loopback address (systemd-resolved's
/// 127.0.0.53, a local dnsmasq): such a resolver is not there inside a node's network
/// namespace, so an online node's engine cannot resolve registry names.
pub fn resolver_is_loopback_only() -> bool {
    let text = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    nameservers_are_loopback_only(&text)
}

fn nameservers_are_loopback_only(resolv_conf: &str) -> bool {
    let servers: Vec<std::net::IpAddr> = resolv_conf
        .lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .filter_map(|rest| rest.trim().parse().ok())
        .collect();
    !servers.is_empty() && servers.iter().all(|a| a.is_loopback())
}

/// Runs a command to completion with no stdin; Ok(stdout) on exit 0, otherwise an error
/// that quotes the command line and its stderr.
pub(crate) fn run(cmd: &mut Command) -> Result<String> {
    let line = command_line(cmd);
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| HarnessError::Command {
        command: line.clone(),
        status: "not started".into(),
        stderr: e.to_string(),
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(HarnessError::Command {
            command: line,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

pub(crate) fn command_line(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerd_major_reads_debian_and_upstream_versions() {
        assert_eq!(dockerd_major("Docker version 20.10.24+dfsg1, build 5d6db84"), 20);
        assert_eq!(dockerd_major("Docker version 26.1.5+dfsg1, build a72d7cd"), 26);
        assert_eq!(dockerd_major("garbage"), 20);
    }

    #[test]
    fn a_loopback_resolver_is_told_apart() {
        assert!(nameservers_are_loopback_only("nameserver 127.0.0.53\noptions edns0\n"));
        assert!(!nameservers_are_loopback_only("nameserver 127.0.0.53\nnameserver 192.0.2.1\n"));
        assert!(!nameservers_are_loopback_only("# none\n"));
    }
}
