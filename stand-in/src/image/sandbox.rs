//! The stand-in images run without an engine, for the scripts' tests: the rootfs layer made
//! of the host's busybox, unpacked and entered with `chroot` inside fresh network, UTS,
//! mount and PID namespaces. So the scripts run exactly as packed, at their paths in the
//! image, with real service names (the test writes the container's /etc/hosts) and real
//! ports, on a loopback of their own: nothing can reach or leave this machine, parallel
//! tests never share a port, and every process a scenario started dies with it (it is PID 1
//! of its namespace). Needs root, `unshare`, `chroot`, `ip` and a static busybox; without
//! them the tests say so and are skipped, as the other busybox tests are.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::rootfs_tar;

/// Shell functions every scenario can use, run inside the sandbox before it.
const PRELUDE: &str = r#"
# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_port() {
  _i=0
  until nc -w 1 127.0.0.1 "$1" </dev/null >/dev/null 2>&1; do
    _i=$((_i + 1))
    if [ "$_i" -ge 200 ]; then echo "nothing listens on port $1" >&2; exit 99; fi
    sleep 0.05
  done
}
# http METHOD PATH [BODY] [HEADER]: one HTTP/1.0 request to 127.0.0.1:80, the response on stdout.
http() {
  {
    printf '%s %s HTTP/1.0\r\nHost: sandbox\r\n' "$1" "$2"
    [ -z "$4" ] || printf '%s\r\n' "$4"
    if [ -n "$3" ]; then
      printf 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %s\r\n\r\n%s' ${#3} "$3"
    else
      printf '\r\n'
    fi
  } | nc -w 5 127.0.0.1 "${HTTP_PORT:-80}"
}
"#;

pub(super) struct Sandbox {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Sandbox {
    /// A fresh rootfs whose /etc/hosts maps `hosts` (`"127.0.0.1 redis tasks.redis"` lines),
    /// or None when this machine cannot run one (the reason is printed).
    pub(super) fn new(hosts: &str) -> Option<Sandbox> {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("not root: no namespaces for the stand-in sandbox; skipped");
            return None;
        }
        let Some(busybox) = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| Path::new(p).exists()) else {
            eprintln!("no busybox here; skipped");
            return None;
        };
        let Ok(source) = crate::host_busybox(Path::new(busybox)) else {
            eprintln!("{busybox} does not run here; skipped");
            return None;
        };
        let dir = tempfile::Builder::new().prefix("stand-in-sandbox").tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        tar::Archive::new(rootfs_tar(&source).unwrap().as_slice()).unpack(&root).unwrap();
        std::fs::write(root.join("etc/hosts"), format!("127.0.0.1 localhost\n{hosts}\n")).unwrap();
        // Nothing listens on port 53 of the sandbox's loopback: other names fail at once.
        std::fs::write(root.join("etc/resolv.conf"), "nameserver 127.0.0.1\n").unwrap();
        std::fs::write(root.join("etc/nsswitch.conf"), "hosts: files dns\n").unwrap();
        Some(Sandbox { _dir: dir, root })
    }

    /// A path inside the sandbox's rootfs, as the host sees it.
    pub(super) fn path(&self, inside: &str) -> PathBuf {
        self.root.join(inside.trim_start_matches('/'))
    }

    /// Runs `scenario` with /bin/sh inside the sandbox as the container `hostname`; its
    /// stdout, and its stderr. Panics when it does not end within two minutes or fails.
    pub(super) fn run(&self, hostname: &str, scenario: &str) -> (String, String) {
        self.run_with_net(hostname, "", scenario)
    }

    /// [`run`](Self::run), after `net` (host commands: `ip …`) set up the sandbox's network.
    pub(super) fn run_with_net(&self, hostname: &str, net: &str, scenario: &str) -> (String, String) {
        let setup = r#"set -e
ip link set lo up
eval "$3"
hostname "$1"
mount --rbind /dev "$0/dev"
mount -t proc proc "$0/proc"
exec chroot "$0" /bin/sh -c "$2""#;
        let out = Command::new("timeout")
            .args(["--kill-after=5", "120", "unshare", "--net", "--uts", "--mount", "--pid", "--fork", "--kill-child"])
            .args(["sh", "-c", setup])
            .arg(&self.root)
            .arg(hostname)
            .arg(format!("{PRELUDE}\ncd /\n{scenario}"))
            .arg(net)
            .env_clear()
            .env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .output()
            .expect("timeout and unshare run");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "the scenario failed ({}):\n{stdout}\n--- stderr:\n{stderr}", out.status);
        (stdout, stderr)
    }
}
