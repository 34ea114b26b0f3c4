//! A fake Docker engine on a unix socket, for tests that need an engine to say something a
//! real one would not: it answers the GETs `lab` sends (`/version`, `/info`, `/nodes`,
//! `/services`, `/tasks`, `/networks`, `/volumes`, `/secrets`, `/configs`) from a
//! snapshot's JSON (lab-grader's recorded fixtures, edited by the test), over HTTP/1.1
//! keep-alive, and logs every request line. A snapshot's `"fail": {"/info": "message"}`
//! makes that path (`"*"`: every path) answer HTTP 500 (or `"fail_status"`) with the message. `/events` answers
//! an event stream that stays open and silent until the client hangs up (a swarm that
//! does not change), for `lab check --watch` and `lab serve`. No root, no dockerd.

use serde_json::{json, Value};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A settled 3-node swarm recorded from a 20.10 engine (see its README).
pub const RECORDED_SWARM: &str = include_str!("../../lab-grader/src/evaluate/tests/fixtures/swarm-20.10.json");

pub struct FakeEngine {
    socket: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeEngine {
    /// Serves `snapshot` (a lab-grader `Snapshot` as JSON) on a new socket at `socket`.
    pub fn serve(socket: &Path, snapshot: Value) -> io::Result<FakeEngine> {
        let _ = std::fs::remove_file(socket);
        let listener = UnixListener::bind(socket)?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let snapshot = Arc::new(snapshot);
        let (log2, stop2) = (log.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (snapshot, log) = (snapshot.clone(), log2.clone());
                std::thread::spawn(move || {
                    let _ = answer(conn, &snapshot, &log);
                });
            }
        });
        Ok(FakeEngine { socket: socket.to_path_buf(), log, stop, thread: Some(thread) })
    }

    /// `unix://…`, for `--host` or a roster.
    pub fn endpoint(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Every request line received (`GET /v1.41/info HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for FakeEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = UnixStream::connect(&self.socket); // wakes the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// The body for one request path (API version prefix and query already removed).
fn route(path: &str, s: &Value) -> Option<Value> {
    Some(match path {
        "/_ping" => json!("OK"),
        "/version" => json!({
            "Version": s["engine_version"], "ApiVersion": s["api_version"], "MinAPIVersion": "1.12",
            "Os": "linux", "Arch": "amd64"
        }),
        "/info" => s["info"].clone(),
        "/swarm" => s["info"]["Swarm"]["Cluster"].clone(),
        "/containers/json" => json!([]),
        "/nodes" => s["nodes"].clone(),
        "/services" => s["services"].clone(),
        "/tasks" => s["tasks"].clone(),
        "/networks" => s["networks"].clone(),
        "/volumes" => json!({ "Volumes": s["volumes"], "Warnings": [] }),
        "/secrets" => s["secrets"].clone(),
        "/configs" => s["configs"].clone(),
        _ => return None,
    })
}

fn answer(conn: UnixStream, snapshot: &Value, log: &Mutex<Vec<String>>) -> io::Result<()> {
    let mut out = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request)? == 0 {
            return Ok(());
        }
        let request = request.trim_end().to_string();
        // Headers: read to the blank line (GETs carry no body).
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
                break;
            }
        }
        log.lock().unwrap().push(request.clone());
        let target = request.split_whitespace().nth(1).unwrap_or("/");
        let path = target.split('?').next().unwrap_or("");
        let path = match path.strip_prefix("/v") {
            Some(rest) => rest.find('/').map_or(path, |i| &rest[i..]),
            None => path,
        };
        let method_ok = request.starts_with("GET ") || request.starts_with("HEAD ");
        if path == "/events" && method_ok && snapshot["fail"]["*"].is_null() {
            // A stream with no events yet: held open until the client goes away.
            write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")?;
            out.flush()?;
            let mut rest = Vec::new();
            let _ = std::io::Read::read_to_end(&mut reader, &mut rest);
            return Ok(());
        }
        // `"fail": {"/info": "message"}` in the snapshot: that path answers HTTP 500.
        let failure = snapshot["fail"][path].as_str().or(snapshot["fail"]["*"].as_str());
        let (status, body) = match route(path, snapshot) {
            Some(_) if failure.is_some() => {
                let status = match snapshot["fail_status"].as_u64() {
                    Some(503) => "503 Service Unavailable",
                    _ => "500 Internal Server Error",
                };
                (status, json!({ "message": failure }))
            }
            Some(body) if method_ok => ("200 OK", body),
            Some(_) => ("405 Method Not Allowed", json!({ "message": "the fake engine only reads" })),
            None => ("404 Not Found", json!({ "message": format!("page not found: {path}") })),
        };
        // A HEAD answer has the headers of the GET and no body.
        let body = if request.starts_with("HEAD ") { String::new() } else { body.to_string() };
        write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nApi-Version: {}\r\nContent-Length: {}\r\n\r\n{body}",
            snapshot["api_version"].as_str().unwrap_or("1.41"),
            body.len()
        )?;
        out.flush()?;
    }
}
