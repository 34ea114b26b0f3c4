//! A minimal blocking Docker Engine API client over a unix socket: one HTTP/1.1 request per
//! connection, JSON in and out. The harness uses it for readiness probes, swarm init/join,
//! image imports and status, so bringing a cluster up spawns no docker CLI at all.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

// Requests carry no version prefix, so each engine answers at its own API version: the
// fields used here are the same from 1.41 (Debian 12's dockerd 20.10) on, and newer
// engines refuse pinned versions older than their minimum (1.44 from Engine 29).

/// How one request can fail, before a caller adds which node it was talking to.
#[derive(Debug)]
pub enum ApiFailure {
    /// Could not connect, write or read: the engine is not there (or hung).
    Transport(std::io::Error),
    /// The engine answered with a status of 400 or more.
    Status { status: u16, message: String },
}

pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Client for one engine socket.
#[derive(Debug, Clone)]
pub struct EngineApi {
    socket: PathBuf,
}

impl EngineApi {
    pub fn new(socket: impl Into<PathBuf>) -> Self {
        EngineApi { socket: socket.into() }
    }

    /// Sends one request, e.g. `POST /swarm/init`.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
        timeout: Duration,
    ) -> Result<Response, ApiFailure> {
        let resp = self.exchange(method, path, body, timeout).map_err(ApiFailure::Transport)?;
        if resp.status >= 400 {
            let message = serde_json::from_slice::<Value>(&resp.body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&resp.body).trim().to_string());
            return Err(ApiFailure::Status { status: resp.status, message });
        }
        Ok(resp)
    }

    pub fn get_json(&self, path: &str, timeout: Duration) -> Result<Value, ApiFailure> {
        let resp = self.request("GET", path, None, timeout)?;
        parse_json(&resp.body)
    }

    /// POSTs a JSON body; returns the JSON answer, or `Value::Null` for an empty one.
    pub fn post_json(&self, path: &str, body: &Value, timeout: Duration) -> Result<Value, ApiFailure> {
        let bytes = serde_json::to_vec(body).expect("a serde_json::Value always serializes");
        let resp = self.request("POST", path, Some(("application/json", &bytes)), timeout)?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        // Some endpoints (swarm init) answer a bare JSON string; others stream JSON lines.
        parse_json(&resp.body).or(Ok(Value::String(String::from_utf8_lossy(&resp.body).into_owned())))
    }

    fn exchange(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
        timeout: Duration,
    ) -> std::io::Result<Response> {
        let mut stream = UnixStream::connect(&self.socket)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n");
        let payload = match body {
            Some((content_type, bytes)) => {
                head.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", bytes.len()));
                bytes
            }
            None => {
                if method == "POST" {
                    head.push_str("Content-Length: 0\r\n");
                }
                &[][..]
            }
        };
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(payload)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        parse_response(&raw)
    }
}

fn parse_json(body: &[u8]) -> Result<Value, ApiFailure> {
    serde_json::from_slice(body).map_err(|e| {
        ApiFailure::Transport(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("bad JSON from engine: {e}"),
        ))
    })
}

fn invalid(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_string())
}

/// Parses a complete HTTP/1.1 response read until EOF, decoding a chunked body.
fn parse_response(raw: &[u8]) -> std::io::Result<Response> {
    let split =
        raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| invalid("truncated HTTP response from engine"))?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| invalid("non-UTF-8 HTTP head"))?;
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("bad HTTP status line from engine"))?;
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked") {
            chunked = true;
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        }
    }
    let body = if chunked {
        decode_chunked(rest)?
    } else {
        let end = length.unwrap_or(rest.len()).min(rest.len());
        rest[..end].to_vec()
    };
    Ok(Response { status, body })
}

fn decode_chunked(mut rest: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(|| invalid("truncated chunk header"))?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| invalid("bad chunk header"))?;
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| invalid("bad chunk size"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or_else(|| invalid("truncated chunk"))?;
        body.extend_from_slice(chunk);
        rest = rest.get(size + 2..).unwrap_or(&[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_chunked_response() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n";
        let r = parse_response(raw).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"{\"a\":1}");
    }

    #[test]
    fn parses_a_content_length_response() {
        let raw = b"HTTP/1.1 404 Not Found\r\nContent-Length: 20\r\n\r\n{\"message\":\"nope\"}\n\n";
        let r = parse_response(raw).unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.body.len(), 20);
    }
}
