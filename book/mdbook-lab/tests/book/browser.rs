//! A real browser: Debian's headless Chromium opens the built voting-app chapter from
//! `file://`, finds the card and its checks, clicks a hint's `<summary>` with a real mouse
//! event, checks the hint opened, and saves screenshots of the card (light and navy
//! themes) to `target/test-artifacts/`. Then the zh-TW edition: the same card in Chinese,
//! a hint opened, and its "English" link followed to the same chapter of the English edition.
//!
//! It talks the Chrome DevTools Protocol over a WebSocket (tungstenite, blocking; no async
//! runtime). Without Chromium the test FAILS, saying how to install it, unless
//! `SWARM_LAB_SKIP_BROWSER=1` is set. Set `CHROMIUM=/path/to/chrome` to use another build.

use crate::harness::{artifacts_dir, BookTest};
use base64::Engine as _;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

const TIMEOUT: Duration = Duration::from_secs(30);

fn chromium() -> Option<PathBuf> {
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
struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch(exe: &Path) -> Browser {
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
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_call(session, method, params).unwrap_or_else(|err| panic!("{method} failed: {err}"))
    }

    /// [`Browser::call`], with DevTools' error (e.g. "navigated" during a page load) returned.
    fn try_call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value, Value> {
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
struct Page<'b> {
    browser: &'b mut Browser,
    session: String,
}

impl Page<'_> {
    fn open<'b>(browser: &'b mut Browser, url: &str) -> Page<'b> {
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
        page.wait_for("document.readyState === 'complete' && document.querySelector('.lab-card') !== null");
        page
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.browser.call(Some(&session), method, params)
    }

    /// Evaluates JavaScript in the page and returns its (JSON) value.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }));
        if let Some(e) = r.get("exceptionDetails") {
            panic!("`{expression}` threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Polls `condition` until it is true; an evaluation cut short by a navigation is retried.
    fn wait_for(&mut self, condition: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            let session = self.session.clone();
            let params = json!({ "expression": condition, "returnByValue": true });
            if let Ok(r) = self.browser.try_call(Some(&session), "Runtime.evaluate", params) {
                if r["result"]["value"] == json!(true) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for `{condition}`");
    }

    /// A real click: mouse pressed and released at the element's centre.
    fn click(&mut self, selector: &str) {
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

    /// Saves a PNG of the element (with a small margin) and returns its path.
    fn screenshot(&mut self, selector: &str, name: &str) -> PathBuf {
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
        let path = artifacts_dir().join(name);
        std::fs::write(&path, &png).unwrap();
        path
    }
}

#[test]
fn chromium_shows_the_card_and_opens_a_hint_on_click() {
    let Some(exe) = chromium() else {
        if std::env::var("SWARM_LAB_SKIP_BROWSER").is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED: no Chromium, and SWARM_LAB_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "this test needs a headless Chromium: install it with `apt-get install -y chromium` \
             (or set CHROMIUM=/path/to/chrome); to skip it on purpose, set SWARM_LAB_SKIP_BROWSER=1"
        );
    };
    let built = BookTest::workbook().solutions(false).build();
    let url = format!("file://{}", built.out.join("voting-app.html").display());
    let lab = crate::harness::lab("day6-voting-app");

    let mut browser = Browser::launch(&exe);
    let mut page = Page::open(&mut browser, &url);

    let card = "#lab-day6-voting-app";
    assert_eq!(page.eval(&format!("document.querySelectorAll('{card} .lab-check').length")), json!(lab.checks.len()));
    let titles =
        page.eval(&format!("[...document.querySelectorAll('{card} .lab-check-title')].map(e => e.textContent)"));
    assert_eq!(titles[0], json!("Overlay network frontend exists"), "{titles}");
    // The stylesheet applies: a bordered card, not bare HTML.
    let border = page.eval(&format!("getComputedStyle(document.querySelector('{card}')).borderLeftWidth"));
    assert_eq!(border, json!("5px"));

    // Not served by `lab serve`: the live-card script is there and leaves the static card alone.
    let inert = "document.querySelector('script.mdbook-lab') !== null && document.querySelector('.lab-live') === null";
    assert_eq!(page.eval(inert), json!(true));

    let details = format!("{card} .lab-check details.lab-hint");
    assert_eq!(page.eval(&format!("document.querySelector('{details}').open")), json!(false));
    let hint_visible = format!("document.querySelector('{details} .lab-hint-body').checkVisibility()");
    assert_eq!(page.eval(&hint_visible), json!(false), "a hint starts folded");
    page.click(&format!("{details} > summary"));
    page.wait_for(&format!("document.querySelector('{details}').open === true"));
    let hint = page.eval(&format!("document.querySelector('{details} .lab-hint-body').innerText"));
    assert!(hint.as_str().unwrap().contains("overlay"), "{hint}");
    assert_eq!(page.eval(&hint_visible), json!(true), "the hint shows once clicked");

    let light = page.screenshot(card, "voting-app-card-light.png");
    // The navy (dark) theme as a reader picks it: mdBook reads it from localStorage on load.
    page.eval("localStorage.setItem('mdbook-theme', 'navy'); location.reload(); true");
    page.wait_for("document.readyState === 'complete' && document.documentElement.classList.contains('navy') && document.querySelector('.lab-card') !== null");
    page.click(&format!("{details} > summary"));
    page.wait_for(&format!("document.querySelector('{details}').open === true"));
    let dark = page.screenshot(card, "voting-app-card-navy.png");
    drop(page);

    // The instructor edition: fix commands and the reference answer in the same card.
    let instructor = BookTest::workbook().solutions(true).build();
    let url = format!("file://{}", instructor.out.join("voting-app.html").display());
    let mut page = Page::open(&mut browser, &url);
    page.eval("localStorage.setItem('mdbook-theme', 'light'); location.reload(); true");
    page.wait_for("document.readyState === 'complete' && document.documentElement.classList.contains('light') && document.querySelector('.lab-card') !== null");
    assert_eq!(page.eval(&format!("document.querySelectorAll('{card} .lab-fix').length")), json!(lab.checks.len()));
    let answer = page.eval(&format!("document.querySelector('{card} .lab-answer code').textContent"));
    assert_eq!(answer, json!(lab.answer.to_shell()));
    let with_answers = page.screenshot(card, "voting-app-card-instructor.png");
    drop(page);

    // The Traditional Chinese edition, beside the English one as `mdbook-lab build` lays them out.
    let editions = BookTest::workbook().solutions(false).all_editions().build();
    let url = format!("file://{}", editions.out.join("zh-TW/voting-app.html").display());
    let mut page = Page::open(&mut browser, &url);
    assert_eq!(page.eval("document.documentElement.lang"), json!("zh-TW"));
    let titles =
        page.eval(&format!("[...document.querySelectorAll('{card} .lab-check-title')].map(e => e.textContent)"));
    assert_eq!(titles[0], json!("Overlay Network frontend 已存在"), "{titles}");
    assert_eq!(page.eval(&format!("document.querySelectorAll('{card} .lab-check').length")), json!(lab.checks.len()));
    page.click(&format!("{details} > summary"));
    page.wait_for(&format!("document.querySelector('{details}').open === true"));
    let hint = page.eval(&format!("document.querySelector('{details} .lab-hint-body').innerText"));
    assert!(hint.as_str().unwrap().contains("網路"), "{hint}");
    let summary = page.eval(&format!("document.querySelector('{details} > summary').textContent"));
    assert_eq!(summary, json!("提示"));
    let chinese = page.screenshot(card, "voting-app-card-zh-TW.png");
    // The edition link leads to the same chapter in English.
    let english = page.eval("document.querySelector('.edition-link').href");
    assert!(english.as_str().unwrap().ends_with("/out/voting-app.html"), "{english}");
    // The link moved into the menu bar, which stays in view while the chapter scrolls.
    let in_bar = page.eval("document.querySelector('#mdbook-menu-bar .right-buttons .edition-link') !== null");
    assert_eq!(in_bar, json!(true));
    page.click(".edition-link");
    page.wait_for("document.readyState === 'complete' && document.documentElement.lang === 'en' && document.querySelector('.lab-card') !== null");
    assert!(page.eval("location.pathname").as_str().unwrap().ends_with("/out/voting-app.html"));
    let back = page.eval("document.querySelector('.edition-link').href");
    assert!(back.as_str().unwrap().ends_with("/out/zh-TW/voting-app.html"), "{back}");
    drop(page);

    for shot in [&light, &dark, &with_answers, &chinese] {
        let size = std::fs::metadata(shot).unwrap().len();
        assert!(size > 10_000, "{} is only {size} bytes", shot.display());
        eprintln!("screenshot: {}", shot.display());
    }
}
