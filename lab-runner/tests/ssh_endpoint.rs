//! `lab check -H ssh://user@host:port` reaches an engine over SSH the way the docker CLI
//! does (`docker system dial-stdio` on the far side). The SSH server is a private sshd on
//! 127.0.0.1 started by this test, whose sessions point DOCKER_HOST at a private engine.

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

/// A `[127.0.0.1]:port` entry in root's known_hosts, removed (with the folder, if this
/// created it) on drop.
struct KnownHost {
    port: u16,
    created_dir: Option<std::path::PathBuf>,
}

impl KnownHost {
    fn add(port: u16, host_pub: &Path) -> KnownHost {
        let home = std::path::PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()));
        let dir = home.join(".ssh");
        let created_dir = (!dir.exists()).then(|| dir.clone());
        std::fs::create_dir_all(&dir).unwrap();
        let key = std::fs::read_to_string(host_pub).unwrap();
        let key: Vec<&str> = key.split_whitespace().take(2).collect();
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("known_hosts")).unwrap();
        writeln!(f, "[127.0.0.1]:{port} {} {}", key[0], key[1]).unwrap();
        KnownHost { port, created_dir }
    }
}

impl Drop for KnownHost {
    fn drop(&mut self) {
        let _ = Command::new("ssh-keygen")
            .args(["-R", &format!("[127.0.0.1]:{}", self.port)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(d) = &self.created_dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
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
        .arg("-e")
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
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // Trust the test server's host key the way a learner does once (`ssh host`): put it in
    // the user's known_hosts, and take it out again afterwards.
    let _known = KnownHost::add(port, &d.join("hostkey.pub"));

    let host = format!("ssh://root@127.0.0.1:{port}");
    let out = Command::new(lab_bin())
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
            &host,
        ])
        .env("SSH_AUTH_SOCK", &agent_sock)
        .env_remove("DOCKER_HOST")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
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
}
