//! The `lab` binary as the scenarios run it: a command that inherits nothing of this
//! machine's engine, labs, language or colour settings ([`lab_command`]), a running `lab`
//! whose output lines are collected as they come ([`Running`]: `check --watch`, `serve`,
//! `grade --live`), one HTTP exchange with the servers it starts ([`http`]), and the
//! polling the scenarios wait with ([`eventually`]).

pub use private_swarm::eventually;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `bin` (the `lab` under test, [`lab_bin!`](crate::lab_bin)) with no DOCKER_HOST,
/// DOCKER_CONTEXT, SWARM_LAB_LABS or locale from this machine, NO_COLOR set and stdin
/// closed; the scenario adds the engine, labs and state it means.
pub fn lab_command(bin: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("SWARM_LAB_LABS")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null());
    cmd
}

type Lines<T> = Arc<Mutex<Vec<T>>>;

/// A running `lab` whose stdout lines (with their arrival times) and stderr lines are
/// collected; killed when dropped.
pub struct Running {
    child: Child,
    out: Lines<(Instant, String)>,
    err: Lines<String>,
    readers: Vec<JoinHandle<()>>,
}

impl Running {
    /// Starts `cmd` with its stdout and stderr piped to the collectors.
    pub fn spawn(mut cmd: Command) -> Running {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start lab");
        let out: Lines<(Instant, String)> = Arc::default();
        let err: Lines<String> = Arc::default();
        let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let o = out.clone();
        let e = err.clone();
        let readers = vec![
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    o.lock().unwrap().push((Instant::now(), line));
                }
            }),
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    e.lock().unwrap().push(line);
                }
            }),
        ];
        Running { child, out, err, readers }
    }

    /// The stdout lines so far, with the moment each arrived.
    pub fn lines(&self) -> Vec<(Instant, String)> {
        self.out.lock().unwrap().clone()
    }

    /// The stderr lines so far.
    pub fn stderr(&self) -> Vec<String> {
        self.err.lock().unwrap().clone()
    }

    /// Waits for a stdout line (from index `from` on) that satisfies `ok`; returns its
    /// index. Fails the test with both outputs when none comes within `timeout`.
    pub fn wait_line(&self, from: usize, timeout: Duration, ok: impl Fn(&str) -> bool) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.lines().iter().skip(from).position(|(_, l)| ok(l)) {
                return from + i;
            }
            assert!(
                Instant::now() < deadline,
                "no such line within {timeout:?}; stdout: {:?}\nstderr: {:?}",
                self.lines().iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for a stderr line that satisfies `ok`; returns its index.
    pub fn wait_err(&self, timeout: Duration, ok: impl Fn(&str) -> bool) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.err.lock().unwrap().iter().position(|l| ok(l)) {
                return i;
            }
            assert!(Instant::now() < deadline, "no such stderr line; stderr: {:?}", self.stderr());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills it (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill lab");
        let _ = self.child.wait();
    }

    /// Ctrl-C (SIGINT to this child's pid): its exit code and its whole stderr, read to
    /// the end of the pipe.
    pub fn interrupt(mut self) -> (i32, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "lab did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        };
        // The pipes close with the process; the readers then have every line.
        for reader in self.readers.drain(..) {
            while !reader.is_finished() {
                assert!(Instant::now() < deadline, "lab's output stayed open after it exited");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        (status.code().unwrap_or(-1), self.stderr().join("\n"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request to 127.0.0.1:`port` over a plain TCP connection, with `Host: host` and
/// the extra `headers`: (status, lower-cased head, body).
pub fn http(port: u16, method: &str, host: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}
