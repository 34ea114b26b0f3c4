//! A headless Chromium driven over the Chrome DevTools Protocol (tungstenite, blocking;
//! no async runtime): [`Browser`] launches it, [`Page`] opens a tab, evaluates JavaScript,
//! clicks with real mouse events and takes element screenshots. Shared by this crate's
//! browser test and `lab serve`'s (which includes this file by path).
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "CHROMIUM={} is not a file: point it at a Chromium or Chrome binary", p.display());
        return Some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// A headless Chromium with its DevTools endpoint; killed on drop.
pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn launch(exe: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--window-size=1100,1400",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        // Chromium prints `DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID`.
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = match rx.recv_timeout(TIMEOUT) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("{} did not open its DevTools endpoint within {TIMEOUT:?}", exe.display());
            }
        };
        let addr = url.trim_start_matches("ws://").split('/').next().unwrap().to_string();
        let stream = TcpStream::connect(&addr).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let (ws, _) = tungstenite::client(url.as_str(), stream).expect("DevTools WebSocket handshake");
        Browser { child, ws, next_id: 0, _profile: profile }
    }

    /// Sends a CDP command (to a page session if given) and waits for its result.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_call(session, method, params).unwrap_or_else(|err| panic!("{method} failed: {err}"))
    }

    /// [`Browser::call`], with the protocol's error as `Err` (a page that is navigating
    /// has no context to evaluate in for a moment).
    pub fn try_call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).expect("send to DevTools");
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            let text = match self.ws.read().expect("read from DevTools") {
                Message::Text(t) => t.to_string(),
                _ => continue,
            };
            let reply: Value = serde_json::from_str(&text).unwrap();
            if reply["id"] == json!(id) {
                if let Some(err) = reply.get("error") {
                    return Err(err.clone());
                }
                return Ok(reply["result"].clone());
            }
        }
        panic!("no answer to {method} within {TIMEOUT:?}");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.send(Message::text(json!({"id": 0, "method": "Browser.close"}).to_string()));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A page of the browser, reached through a flattened DevTools session.
pub struct Page<'b> {
    browser: &'b mut Browser,
    session: String,
}

impl Page<'_> {
    /// Opens `url` in a new tab and waits until it has loaded.
    pub fn open_any<'b>(browser: &'b mut Browser, url: &str) -> Page<'b> {
        let target = browser.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = browser.call(None, "Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }));
        let session = attached["sessionId"].as_str().unwrap().to_string();
        let mut page = Page { browser, session };
        page.call("Page.enable", json!({}));
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1100, "height": 1400, "deviceScaleFactor": 1, "mobile": false}),
        );
        page.call("Page.navigate", json!({ "url": url }));
        page.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'");
        page
    }

    /// Opens `url` and waits for its first lab card.
    pub fn open<'b>(browser: &'b mut Browser, url: &str) -> Page<'b> {
        let mut page = Page::open_any(browser, url);
        page.wait_for("document.querySelector('.lab-card') !== null");
        page
    }

    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.browser.call(Some(&session), method, params)
    }

    /// Evaluates JavaScript in the page and returns its (JSON) value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }));
        if let Some(e) = r.get("exceptionDetails") {
            panic!("`{expression}` threw: {e}");
        }
        r["result"]["value"].clone()
    }

    pub fn wait_for(&mut self, condition: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            // While the page navigates, evaluating fails: that is "not yet", not an error.
            let session = self.session.clone();
            let params = json!({ "expression": condition, "returnByValue": true });
            if let Ok(r) = self.browser.try_call(Some(&session), "Runtime.evaluate", params) {
                if r.get("exceptionDetails").is_none() && r["result"]["value"] == json!(true) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for `{condition}`");
    }

    /// A real click: mouse pressed and released at the element's centre.
    pub fn click(&mut self, selector: &str) {
        let js = format!(
            "(() => {{ const e = document.querySelector({selector:?}); e.scrollIntoView({{block: 'center'}});
               const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        );
        let at = self.eval(&js);
        let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1 }),
            );
        }
    }

    /// Saves a PNG of the element (with a small margin) as `dir/name` and returns its path.
    pub fn screenshot_to(&mut self, selector: &str, dir: &Path, name: &str) -> PathBuf {
        let js = format!(
            "(() => {{ const r = document.querySelector({selector:?}).getBoundingClientRect();
               return [r.x + window.scrollX, r.y + window.scrollY, r.width, r.height]; }})()"
        );
        let r = self.eval(&js);
        let n = |i: usize| r[i].as_f64().unwrap();
        let clip = json!({ "x": (n(0) - 12.0).max(0.0), "y": (n(1) - 12.0).max(0.0), "width": n(2) + 24.0, "height": n(3) + 24.0, "scale": 1 });
        let shot = self
            .call("Page.captureScreenshot", json!({ "format": "png", "clip": clip, "captureBeyondViewport": true }));
        let png = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap()).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, &png).unwrap();
        path
    }
}
