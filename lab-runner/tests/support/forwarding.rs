//! A running `lab cluster forward`: the first line it prints, the local port it listens
//! on, Ctrl-C, and one HTTP exchange through it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A `lab cluster forward` child; stopped with Ctrl-C (SIGINT) however the test ends.
pub struct Forwarding {
    pub child: Child,
    /// Its first stdout line (`Forwarding 127.0.0.1:PORT → …`, or what it said instead).
    pub line: String,
}

impl Forwarding {
    /// Starts `cmd` (`lab cluster forward …`) with stdout and stderr piped, and reads the
    /// first line it prints on stdout (within 60 s).
    pub fn start(mut cmd: Command) -> Forwarding {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("lab cluster forward");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("lab cluster forward printed no first line within 60 s")
        });
        Forwarding { child, line }
    }

    /// The local port of its first line; fails the test with the line and stderr when the
    /// forward did not start.
    pub fn port(&mut self) -> u16 {
        let port = self.line.strip_prefix("Forwarding 127.0.0.1:").and_then(|l| l.split_whitespace().next());
        match port.and_then(|p| p.parse().ok()) {
            Some(port) => port,
            None => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let err = self.stderr();
                panic!("lab cluster forward did not start: {}{err}", self.line)
            }
        }
    }

    /// Ctrl-C: SIGINT to the child, and its exit status (within 20 s).
    pub fn interrupt(&mut self) -> ExitStatus {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "lab cluster forward did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its stderr, to the end (call once it has exited).
    pub fn stderr(&mut self) -> String {
        let mut err = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut err);
        }
        err
    }
}

impl Drop for Forwarding {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One HTTP exchange with 127.0.0.1:`port`: `request` as written, the whole reply.
pub fn http(port: u16, request: &str) -> Result<String, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    s.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).map_err(|e| e.to_string())?;
    Ok(reply)
}
