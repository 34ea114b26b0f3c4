//! The netns driver's registry process (what it serves is [`crate::registry`]): busybox
//! `nc -ll -e` in a network namespace of its own, on the cluster's bridge at `.2`, in its
//! own session with its log in a file, so it outlives `lab cluster up` like the engines.
//! Its pid is recorded in the cluster state; teardown ends it by that pid (and kills
//! whatever is left in its namespace, as for the nodes).

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sched::{setns, CloneFlags};

use crate::error::{HarnessError, IoAction, Result};
use crate::host::HostTools;
use crate::netns::netns_path;
use crate::process;
use crate::state::RegistryState;
use stand_in::registry::{RegistryContent, PORT, SCRIPT};

/// Writes what the registry serves and starts it in its namespace (created before).
pub fn spawn(tools: &HostTools, registry: &RegistryState, content: &RegistryContent) -> Result<Child> {
    content.write_to(&registry.dir).map_err(|e| HarnessError::io(IoAction::WriteRegistry, &registry.dir, e))?;
    let log_path = log(registry);
    let log = File::create(&log_path).map_err(|e| HarnessError::io(IoAction::WriteRegistry, &log_path, e))?;
    let log_err = log.try_clone().map_err(|e| HarnessError::io(IoAction::WriteRegistry, &log_path, e))?;
    let ns_path = netns_path(&registry.netns);
    let ns_file = File::open(&ns_path).map_err(|e| HarnessError::io(IoAction::OpenNetns, &ns_path, e))?;
    let mut cmd = Command::new(&tools.busybox);
    cmd.args(["nc", "-ll", "-p", &PORT.to_string(), "-e"])
        .arg(&tools.busybox)
        .arg("sh")
        .arg(registry.dir.join(SCRIPT))
        .current_dir(&registry.dir)
        .env_clear()
        .env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    // SAFETY: between fork and exec this runs only async-signal-safe syscalls on an fd
    // opened before the fork; nothing allocates or locks.
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid()?;
            setns(&ns_file, CloneFlags::CLONE_NEWNET)?;
            Ok(())
        });
    }
    cmd.spawn().map_err(|e| HarnessError::io(IoAction::StartRegistry, &tools.busybox, e))
}

/// The registry's log: one line per request (method, path, status).
pub fn log(registry: &RegistryState) -> std::path::PathBuf {
    registry.dir.join("registry.log")
}

/// Waits until the registry answers `GET /v2/` as a V2 registry, from the host (over the
/// bridge); fails early if it exited.
pub fn wait_ready(registry: &RegistryState, pid: u32, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if answers_v2(registry.addr, Duration::from_secs(2)) {
            return Ok(());
        }
        if !process::alive(pid) || Instant::now() >= deadline {
            return Err(HarnessError::RegistryNotReady {
                addr: registry.addr.to_string(),
                waited: timeout,
                log: log(registry),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// True when `addr`:5000 answers `GET /v2/` with the V2 API version header.
pub fn answers_v2(addr: Ipv4Addr, timeout: Duration) -> bool {
    let ask = || -> std::io::Result<String> {
        let mut s = TcpStream::connect_timeout(&SocketAddr::from((addr, PORT)), timeout)?;
        s.set_read_timeout(Some(timeout))?;
        s.write_all(b"GET /v2/ HTTP/1.1\r\nHost: registry\r\n\r\n")?;
        let mut answer = String::new();
        s.take(4096).read_to_string(&mut answer)?;
        Ok(answer)
    };
    ask().is_ok_and(|a| a.starts_with("HTTP/1.1 200 ") && a.contains("Docker-Distribution-API-Version: registry/2.0"))
}

/// True when `pid` is this registry's `nc` (not a reused pid).
pub fn is_ours(pid: u32, registry: &RegistryState) -> bool {
    let script = registry.dir.join(SCRIPT);
    process::cmdline(pid).is_some_and(|argv| {
        argv.get(1).is_some_and(|a| a == "nc") && argv.last().is_some_and(|a| std::path::Path::new(a) == script)
    })
}
