//! Unix-socket proxies in front of one engine, for tests and benches: every connection to
//! one of the proxy's sockets is forwarded to the engine's socket, each request is held
//! back by a fixed delay first (simulated network latency), and every request line
//! (`GET /v1.41/info`) is recorded, so a test can prove a client only read.
//!
//! The proxies run on their own small tokio runtime, so they keep answering while the
//! code under test blocks or runs its own runtime.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

pub struct SocketProxy {
    sockets: Vec<PathBuf>,
    log: Arc<Mutex<Vec<String>>>,
    rt: Option<tokio::runtime::Runtime>,
}

impl SocketProxy {
    /// `count` sockets `DIR/p0.sock`, `DIR/p1.sock`, … forwarding to the engine socket at
    /// `engine` (a path or `unix://` address), each request delayed by `delay`.
    pub fn start(dir: &Path, count: usize, engine: &str, delay: Duration) -> io::Result<SocketProxy> {
        let engine = PathBuf::from(engine.trim_start_matches("unix://"));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("socket-proxy")
            .enable_all()
            .build()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut sockets = Vec::with_capacity(count);
        for i in 0..count {
            let path = dir.join(format!("p{i}.sock"));
            let _ = std::fs::remove_file(&path);
            let listener = {
                let _guard = rt.enter();
                UnixListener::bind(&path)?
            };
            let (engine, log) = (engine.clone(), log.clone());
            rt.spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let (engine, log) = (engine.clone(), log.clone());
                    tokio::spawn(async move {
                        if let Ok(server) = UnixStream::connect(&engine).await {
                            forward(client, server, delay, log).await;
                        }
                    });
                }
            });
            sockets.push(path);
        }
        Ok(SocketProxy { sockets, log, rt: Some(rt) })
    }

    /// `unix://…` addresses of the proxy sockets.
    pub fn endpoints(&self) -> Vec<String> {
        self.sockets.iter().map(|p| format!("unix://{}", p.display())).collect()
    }

    /// Every request line seen so far, as `METHOD PATH`.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for SocketProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
        for s in &self.sockets {
            let _ = std::fs::remove_file(s);
        }
    }
}

/// Request lines (`GET /path HTTP/1.1`) that start a line of `chunk`, as `GET /path`.
fn request_lines(chunk: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(chunk)
        .split("\r\n")
        .filter_map(|line| {
            let mut w = line.split(' ');
            match (w.next(), w.next(), w.next()) {
                (Some(m), Some(p), Some(v))
                    if v.starts_with("HTTP/1.") && p.starts_with('/') && m.chars().all(|c| c.is_ascii_uppercase()) =>
                {
                    Some(format!("{m} {p}"))
                }
                _ => None,
            }
        })
        .collect()
}

async fn forward(client: UnixStream, server: UnixStream, delay: Duration, log: Arc<Mutex<Vec<String>>>) {
    let (mut c_read, mut c_write) = client.into_split();
    let (mut s_read, mut s_write) = server.into_split();
    let back = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut s_read, &mut c_write).await;
        let _ = c_write.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match c_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let requests = request_lines(&buf[..n]);
        if !requests.is_empty() {
            log.lock().unwrap().extend(requests);
            if !delay.is_zero() {
                // The latency this proxy adds on purpose (a slow network), not a synchronisation.
                tokio::time::sleep(delay).await;
            }
        }
        if s_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = s_write.shutdown().await;
    let _ = back.await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_lines_are_found_at_line_starts_only() {
        let chunk = b"GET /v1.41/info HTTP/1.1\r\nHost: x\r\nX: GET /no HTTP/1.1\r\n\r\nHEAD /_ping HTTP/1.1\r\n\r\n";
        assert_eq!(super::request_lines(chunk), ["GET /v1.41/info", "HEAD /_ping"]);
    }
}
