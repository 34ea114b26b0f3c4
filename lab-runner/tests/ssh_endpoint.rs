//! `lab check -H ssh://user@host:port` reaches an engine over SSH the way the docker CLI
//! does (`docker system dial-stdio` on the far side). The SSH server is a private sshd on
//! 127.0.0.1 started by this test, whose sessions point DOCKER_HOST at a private engine;
//! the client trusts it through a known_hosts of the test's own (`~/.ssh` is never touched).

mod support;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use support::*;

/// Kills the processes it holds by PID when dropped.
struct Reaper(Vec<Child>, Vec<u32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
        for pid in &self.1 {
            // SAFETY: signals a process this test started (ssh-agent), by its PID.
            unsafe { libc::kill(*pid as i32, libc::SIGTERM) };
        }
    }
}

/// An `ssh` first on the PATH of the `lab` under test: the system client with this test's
/// own known_hosts and no user or system configuration, so the test trusts its server's
/// host key without touching `~/.ssh`.
fn private_ssh(d: &Path, port: u16, host_pub: &Path) -> std::path::PathBuf {
    let real = ["/usr/bin/ssh", "/bin/ssh"].into_iter().find(|p| Path::new(p).exists()).expect("an OpenSSH client");
    let key = std::fs::read_to_string(host_pub).unwrap();
    let key: Vec<&str> = key.split_whitespace().take(2).collect();
    std::fs::write(d.join("known_hosts"), format!("[127.0.0.1]:{port} {} {}\n", key[0], key[1])).unwrap();
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let wrapper = bin.join("ssh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec {real} -F /dev/null -o UserKnownHostsFile={kh} -o GlobalKnownHostsFile=/dev/null \"$@\"\n",
            kh = d.join("known_hosts").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// The user's known_hosts as it is (None: there is none), to prove the test left it alone.
fn users_known_hosts() -> Option<Vec<u8>> {
    let home = std::path::PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()));
    std::fs::read(home.join(".ssh/known_hosts")).ok()
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(path).status().unwrap();
    assert!(ok.success());
}

#[test]
fn lab_check_over_ssh_reads_the_remote_engine() {
    let sshd_bin = ["/usr/sbin/sshd", "/usr/bin/sshd"].into_iter().find(|p| Path::new(p).exists());
    let sshd_bin = sshd_bin.expect("sshd is missing: scripts/setup --test-tools installs openssh-server for this test");
    let swarm = TestSwarm::start(1, 1);
    swarm.apply("docker network create -d overlay frontend");

    let dir = tempfile::Builder::new().prefix("ssh").tempdir_in("/tmp").unwrap();
    let d = dir.path();
    keygen(&d.join("hostkey"));
    keygen(&d.join("client"));
    std::fs::copy(d.join("client.pub"), d.join("authorized_keys")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(
        d.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nPidFile {d}/sshd.pid\nAuthorizedKeysFile {d}/authorized_keys\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
             StrictModes no\nSetEnv DOCKER_HOST={host}\n",
            hk = d.join("hostkey").display(),
            d = d.display(),
            host = swarm.host(0),
        ),
    )
    .unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap(); // sshd's privilege-separation directory
    let sshd = Command::new(sshd_bin)
        .arg("-D")
        .arg("-E")
        .arg(d.join("sshd.log"))
        .arg("-f")
        .arg(d.join("sshd_config"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let agent_sock = d.join("agent.sock");
    let agent = Command::new("ssh-agent").arg("-a").arg(&agent_sock).output().unwrap();
    let agent_pid: u32 = String::from_utf8_lossy(&agent.stdout)
        .split("SSH_AGENT_PID=")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .and_then(|s| s.parse().ok())
        .expect("ssh-agent pid");
    let _reaper = Reaper(vec![sshd], vec![agent_pid]);
    let added =
        Command::new("ssh-add").arg("-q").arg(d.join("client")).env("SSH_AUTH_SOCK", &agent_sock).status().unwrap();
    assert!(added.success());
    // Wait for sshd to listen.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "sshd does not listen on port {port} after 10s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // Trust the test server's host key as a learner does once, in this test's own files.
    let before = users_known_hosts();
    let bin = private_ssh(d, port, &d.join("hostkey.pub"));
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let connections =
        || std::fs::read_to_string(d.join("sshd.log")).unwrap_or_default().matches("Accepted publickey").count();

    let host = format!("ssh://root@127.0.0.1:{port}");
    let check = |extra: &[&str]| {
        Command::new(lab_bin())
            .env("XDG_STATE_HOME", state_home())
            .args([
                "check",
                "day6-voting-app",
                "--only",
                "network-frontend",
                "--only",
                "network-backend",
                "--format",
                "json",
                "-H",
            ])
            .arg(&host)
            .args(extra)
            .env("SSH_AUTH_SOCK", &agent_sock)
            .env("PATH", &path)
            .env_remove("DOCKER_HOST")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    // Figures (printed, never asserted): a whole `lab check` over ssh, connection included.
    let runs = 5;
    let t0 = std::time::Instant::now();
    for _ in 0..runs {
        check(&[]);
    }
    let mean = t0.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    let per_check = connections() as f64 / runs as f64;
    eprintln!("ssh figures: lab check over ssh (1 snapshot) {mean:.0} ms mean of {runs}, {per_check:.0} ssh connection(s) each");

    let out = check(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}; stderr: {stderr}"));
    let statuses = statuses(&report);
    assert_eq!(
        statuses,
        [("network-frontend".to_string(), "pass".to_string()), ("network-backend".to_string(), "fail".to_string())],
        "{stderr}"
    );
    assert_eq!(report["cluster"]["swarm_id"].as_str().map(|s| !s.is_empty()), Some(true));
    assert_eq!(out.status.code(), Some(1));
    // One ssh connection for the whole check: every request of the snapshot shares it.
    let base = connections();
    assert_eq!(base, runs + 1, "one ssh connection per lab check");

    // Under --wait a failure is read twice, a second apart, before it is reported: both
    // snapshots go over one connection.
    let t0 = std::time::Instant::now();
    let out = check(&["--wait", "2s"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(t0.elapsed() >= std::time::Duration::from_secs(1), "it read the swarm again a second later");
    assert_eq!(connections(), base + 1, "one ssh connection for a whole --wait loop");

    assert_eq!(users_known_hosts(), before, "the test must not touch ~/.ssh/known_hosts");
}
