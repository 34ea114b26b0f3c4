//! The live workbook against private engines: `lab check --watch` through the recording
//! proxy (a report per change, nothing sent while stable, GET only, Ctrl-C exit codes, an
//! engine killed and restarted mid-watch), and `lab serve` (the API contract, the Host
//! guard, cross-site refusal, 127.0.0.1 only, progress, and in headless Chromium, under
//! the server's Content-Security-Policy with not one violation, the voting-app card going
//! from failing to 100/100 without a reload while the answer is applied).
//!
//! Progress goes to a temp XDG_STATE_HOME, never the real home. Latencies are printed, not
//! asserted (the bench `live_latency` measures them).

#[path = "../../book/mdbook-lab/tests/book/cdp.rs"]
mod cdp;

use private_swarm::{Cluster, ClusterSpec};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use swarm_e2e::lab_bin;
use swarm_e2e::lab_process::{http, Running};
use swarm_e2e::scratch::temp_dir;
use swarm_e2e::sh;
use swarm_e2e::socket_proxy::SocketProxy;

const TEST_ROOT: &str = "/tmp/lab-live-tests";
const SERVICE_LOOP: &str = "alpine sh -c \"trap 'exit 0' TERM; while true; do sleep 1; done\"";

/// A one-node swarm with the stand-in images.
fn swarm(dir: &Path) -> Cluster {
    Cluster::start(ClusterSpec::new(dir.join("c"), 1, 1))
        .unwrap_or_else(|e| panic!("cannot start a private swarm: {e}"))
}

fn docker(cluster: &Cluster, line: &str) {
    sh(&cluster.node(0).docker_host, line);
}

/// A lab with one check: service `web` runs 2 replicas.
fn web_lab(dir: &Path) -> PathBuf {
    let labs = dir.join("labs");
    std::fs::create_dir_all(&labs).unwrap();
    std::fs::write(
        labs.join("watch-web.toml"),
        r#"id = "watch-web"
title = "Two web replicas"
lesson = "first-service.md"
goal = "Run `web` with two replicas."
answer = "docker service create --name web --replicas 2 alpine sleep 1d"

[[check]]
id = "web-running"
title = "web runs two tasks"
points = 100
hint = "docker service create --name web --replicas 2 …"
fix = "docker service create --name web --replicas 2 alpine sleep 1d"
[check.service]
name = "web"
replicas = 2
running = 2
"#,
    )
    .unwrap();
    labs
}

fn lab_command(host: &str, state: &Path, args: &[&str]) -> Command {
    let mut cmd = swarm_e2e::lab_process::lab_command(lab_bin!());
    cmd.args(args).env("DOCKER_HOST", host).env("XDG_STATE_HOME", state);
    cmd
}

#[test]
fn watch_reports_each_change_reads_nothing_while_stable_and_exits_with_the_last_code() {
    let dir = temp_dir(TEST_ROOT, "w");
    let cluster = swarm(dir.path());
    let labs = web_lab(dir.path());
    let state = dir.path().join("state");
    // A corrupt progress file is set aside with a warning, never a crash.
    std::fs::create_dir_all(state.join("swarm-lab")).unwrap();
    std::fs::write(state.join("swarm-lab/progress.json"), "{ not json").unwrap();
    let proxy = SocketProxy::start(dir.path(), 1, &cluster.node(0).docker_host, Duration::ZERO).unwrap();
    let via = &proxy.endpoints()[0];

    let mut cmd = lab_command(via, &state, &["check", "watch-web", "--watch", "--format", "json"]);
    cmd.env("SWARM_LAB_LABS", &labs);
    let watch = Running::spawn(cmd);
    let json = |l: &str| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
    let first = watch.wait_line(0, Duration::from_secs(30), |_| true);
    assert_eq!(json(&watch.lines()[first].1)["passed"], false);

    let changed_at = Instant::now();
    docker(
        &cluster,
        &format!("docker service create --detach --no-resolve-image --name web --replicas 2 {SERVICE_LOOP}"),
    );
    let passed = watch.wait_line(first + 1, Duration::from_secs(60), |l| json(l)["passed"] == true);
    let latency = watch.lines()[passed].0 - changed_at;
    let reports = passed - first;
    eprintln!(
        "watch: the passing report came {latency:?} after the docker CLI returned; {reports} report(s) for the change"
    );
    assert!(reports <= 6, "one change should give a few reports, not {reports}: {:?}", watch.lines());
    for (_, line) in &watch.lines()[first..=passed] {
        assert!(!line.contains('\n') && json(line)["lab"] == "watch-web", "one JSON report per line: {line}");
    }

    // Stable: nothing but the open event stream, and no report. These sleeps stay: they are
    // the windows in which nothing may happen (an absence has no condition to wait on);
    // the first lets the re-reads of the change end.
    std::thread::sleep(Duration::from_millis(1500));
    let (sent, printed) = (proxy.requests().len(), watch.lines().len());
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(proxy.requests().len(), sent, "requests while stable: {:?}", &proxy.requests()[sent..]);
    assert_eq!(watch.lines().len(), printed, "reports while stable");
    let requests = proxy.requests();
    assert!(requests.iter().all(|r| r.starts_with("GET ") || r.starts_with("HEAD ")), "{requests:?}");
    assert!(requests.iter().any(|r| r.contains("/events?")), "{requests:?}");

    assert_eq!(watch.interrupt().0, 0, "Ctrl-C after a passing report exits 0");
    let progress: Value =
        serde_json::from_slice(&std::fs::read(state.join("swarm-lab/progress.json")).unwrap()).unwrap();
    assert_eq!(progress["labs"]["watch-web"]["best_score"], 100, "{progress}");
    let aside =
        std::fs::read_dir(state.join("swarm-lab")).unwrap().flatten().map(|e| e.file_name()).collect::<Vec<_>>();
    assert!(aside.iter().any(|n| n.to_string_lossy().starts_with("progress.json.corrupt-")), "{aside:?}");

    // A failing last report: Ctrl-C exits 1.
    let mut cmd = lab_command(via, &state, &["check", "watch-web", "--watch", "--format", "json"]);
    cmd.env("SWARM_LAB_LABS", &labs);
    let watch = Running::spawn(cmd);
    let first = watch.wait_line(0, Duration::from_secs(30), |l| json(l)["passed"] == true);
    docker(&cluster, "docker service update --detach --replicas 1 web");
    watch.wait_line(first + 1, Duration::from_secs(30), |l| json(l)["passed"] == false);
    assert_eq!(watch.interrupt().0, 1, "Ctrl-C after a failing report exits 1");

    // `lab list` marks the completed lab.
    let list = lab_command(via, &state, &["list", "--format", "json"]).env("SWARM_LAB_LABS", &labs).output().unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list[0]["id"], "watch-web");
    assert_eq!(list[0]["best_score"], 100);
    assert!(list[0]["completed_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{list}");
}

#[test]
fn watch_survives_an_engine_killed_and_restarted() {
    let dir = temp_dir(TEST_ROOT, "r");
    let mut cluster = swarm(dir.path());
    let labs = web_lab(dir.path());
    docker(
        &cluster,
        &format!("docker service create --detach --no-resolve-image --name web --replicas 2 {SERVICE_LOOP}"),
    );
    let mut cmd =
        lab_command(&cluster.node(0).docker_host, &dir.path().join("state"), &["check", "watch-web", "--watch"]);
    cmd.env("SWARM_LAB_LABS", &labs);
    let watch = Running::spawn(cmd);
    let passed = watch.wait_line(0, Duration::from_secs(60), |l| l.contains("score 100/100"));

    cluster.restart_engine(0).expect("restart the engine");
    watch.wait_err(Duration::from_secs(30), |l| l.contains("retrying in"));
    // Resumed: reports after the restart (the tasks restart too, so the check leaves `pass`
    // first), back to passing, then a change is seen through the new event stream. The
    // engine's own shutdown can trigger one more passing report before it goes away, so
    // "back to passing" is looked for only after the check has left `pass`.
    let left = watch.wait_line(passed + 1, Duration::from_secs(90), |l| l.contains("web-running: pass → "));
    let resumed = watch.wait_line(left + 1, Duration::from_secs(90), |l| l.starts_with("score 100/100"));
    docker(&cluster, "docker service rm web >/dev/null");
    watch.wait_line(resumed + 1, Duration::from_secs(30), |l| l.contains("web-running: pass → fail"));
    watch.wait_line(resumed + 1, Duration::from_secs(30), |l| l.starts_with("score 0/100"));
    assert_eq!(watch.interrupt().0, 1);
}

/// A GET through a plain TCP connection with the given Host; (status, headers, body).
fn http_get(port: u16, host: &str, path: &str) -> (u16, String, String) {
    http(port, "GET", host, path, &[])
}

/// The first `report` event of an SSE stream.
fn first_sse_report(port: u16, path: &str) -> Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let mut event = String::new();
    for line in BufReader::new(s).lines() {
        let line = line.unwrap();
        if let Some(e) = line.strip_prefix("event: ") {
            event = e.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            if event == "report" {
                return serde_json::from_str(data).unwrap();
            }
        }
    }
    panic!("the stream ended without a report");
}

#[test]
fn serve_answers_only_loopback_hosts_and_the_card_goes_live_in_chromium() {
    let dir = temp_dir(TEST_ROOT, "s");
    let cluster = swarm(dir.path());
    let host = cluster.node(0).docker_host.clone();
    let state = dir.path().join("state");
    let mut serve = Running::spawn(lab_command(&host, &state, &["serve", "--port", "0"]));
    let line = serve.wait_line(0, Duration::from_secs(120), |l| l.starts_with("serving the book at http://127.0.0.1:"));
    let url = serve.lines()[line].1.split_whitespace().nth(4).unwrap().to_string();
    let port: u16 = url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
    let me = format!("127.0.0.1:{port}");

    // The API contract.
    let (status, head, body) = http_get(port, &me, "/api/labs");
    assert_eq!(status, 200, "{head}");
    assert!(!head.contains("access-control-allow-origin"), "no CORS header: {head}");
    let labs: Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = labs.as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.first(), Some(&"day6-first-service"), "course order: {ids:?}");
    assert_eq!(ids.last(), Some(&"day6-voting-app"), "course order: {ids:?}");
    assert_eq!(labs[4]["chapter"], "Assignment: the voting app");
    assert_eq!((labs[4]["completed_at"].clone(), labs[4]["max_score"].clone()), (Value::Null, 100.into()));
    let (status, _, body) = http_get(port, &me, "/api/labs/day6-voting-app/check");
    assert_eq!(status, 200, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((report["lab"].as_str(), report["passed"].as_bool()), (Some("day6-voting-app"), Some(false)));
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["fix"].is_null()), "fix is null: {report}");
    assert_eq!(first_sse_report(port, "/api/labs/day6-voting-app/watch")["score"], report["score"]);
    assert_eq!(http_get(port, &me, "/api/labs/nope/check").0, 404);
    let (status, _, page) = http_get(port, &format!("localhost:{port}"), "/voting-app.html");
    assert_eq!(status, 200);
    assert!(page.contains("lab-card") && page.contains("window.labLive"), "the learner edition with the script");
    assert!(!page.contains("lab-answer"), "no answers in the served book");
    assert_eq!(http_get(port, &me, "/../../../etc/passwd").0 / 100, 4);

    // The Host guard (DNS rebinding), cross-site refusal, and the loopback-only listener.
    for bad in [format!("evil.example:{port}"), format!("127.0.0.1:{}", port.wrapping_add(1)), "localhost".into()] {
        let (status, _, body) = http_get(port, &bad, "/api/labs");
        assert_eq!(status, 403, "Host {bad}: {body}");
        assert!(!body.contains("day6"), "{body}");
    }
    for cross in [("Origin", "http://evil.example"), ("Sec-Fetch-Site", "cross-site")] {
        let (status, _, body) = http(port, "GET", &me, "/api/labs/day6-voting-app/check", &[cross]);
        assert_eq!(status, 403, "{cross:?}: {body}");
        assert!(!body.contains("day6"), "{body}");
    }
    let gateway = cluster.info().gateway;
    assert!(
        TcpStream::connect((gateway, port)).is_err(),
        "lab serve must not listen on {gateway} (this host's bridge)"
    );

    // Chromium: the voting-app card is failing, then 100/100 while the answer is applied.
    let Some(exe) = cdp::chromium() else {
        if std::env::var("SWARM_LAB_SKIP_BROWSER").is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED the browser part: no Chromium, and SWARM_LAB_SKIP_BROWSER=1");
            return;
        }
        panic!("this test needs a headless Chromium: apt-get install -y chromium (or SWARM_LAB_SKIP_BROWSER=1)");
    };
    let artifacts = artifacts_dir();
    let mut browser = cdp::Browser::launch(&exe);
    let mut page = cdp::Page::open(&mut browser, &format!("{url}voting-app.html"));
    // Every Content-Security-Policy violation from the first byte on, then the page anew.
    page.call("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": CSP_WATCH }));
    page.call("Page.reload", serde_json::json!({}));
    page.wait_for("window.cspViolations !== undefined && document.readyState === 'complete'");
    let score = "document.querySelector('#lab-day6-voting-app .lab-live-score')";
    page.wait_for(&format!("{score} !== null && /^[0-9]+\\/100$/.test({score}.textContent)"));
    page.wait_for(
        "document.querySelector('#lab-day6-voting-app .lab-check[data-status=\"fail\"] .lab-live-detail') !== null",
    );
    assert_ne!(page.eval(&format!("{score}.textContent")), "100/100");
    page.eval("window.sameDocument = 'yes'; true");
    page.screenshot_to("#lab-day6-voting-app", &artifacts, "serve-voting-app-failing.png");

    let solve = lab_command(&host, &state, &["solve", "day6-voting-app", "--yes", "--detach"]).output().unwrap();
    assert!(solve.status.success(), "{}", String::from_utf8_lossy(&solve.stderr));
    let applied = Instant::now();
    page.wait_for(&format!("{score}.textContent === '100/100'"));
    eprintln!("browser: the card showed 100/100 {:?} after the answer was applied", applied.elapsed());
    assert_eq!(page.eval("window.sameDocument"), "yes", "no reload");
    assert_no_csp_violation(&mut page, "voting-app.html");
    assert_eq!(
        page.eval("document.querySelectorAll('#lab-day6-voting-app .lab-check[data-status=\"pass\"]').length"),
        8
    );
    let shot = page.screenshot_to("#lab-day6-voting-app", &artifacts, "serve-voting-app-passed.png");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
    drop(page);

    // Progress: recorded by the server, shown in the introduction and by `lab list`.
    let mut intro = cdp::Page::open_any(&mut browser, &format!("{url}introduction.html"));
    intro.call("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": CSP_WATCH }));
    intro.call("Page.reload", serde_json::json!({}));
    intro.wait_for("window.cspViolations !== undefined && document.readyState === 'complete'");
    intro.wait_for("document.querySelector('.lab-progress-summary') !== null");
    // mdBook's own scripts ran too: the theme is set and the search is wired.
    assert_eq!(intro.eval("typeof path_to_root"), "string");
    assert_eq!(intro.eval("document.documentElement.classList.contains('js')"), true);
    assert_no_csp_violation(&mut intro, "introduction.html");
    // The policy is enforced: a script added inline now does not run, and says so.
    intro.eval(
        "var s = document.createElement('script'); s.textContent = 'window.injected = 1'; \
         document.body.appendChild(s); true",
    );
    intro.wait_for("window.cspViolations.length > 0");
    assert_eq!(intro.eval("window.injected === undefined"), true, "an inline script ran");
    intro.eval("window.cspViolations = []; true");
    let summary = intro.eval("document.querySelector('.lab-progress-summary').textContent");
    assert_eq!(summary, "Your progress: 1 of 5 labs completed.");
    intro.screenshot_to(".lab-progress", &artifacts, "serve-introduction-progress.png");
    let list = lab_command(&host, &state, &["list", "--format", "json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let voting = list.as_array().unwrap().iter().find(|l| l["id"] == "day6-voting-app").unwrap();
    assert_eq!(voting["best_score"], 100, "{list}");
    assert!(voting["completed_at"].is_string(), "{list}");
    let english = http_get(port, &me, "/api/labs/day6-voting-app/check").2;
    serve.kill();

    // In Traditional Chinese: the zh-TW edition, its API's human text and the card's words
    // in Chinese; ids, statuses and points as in English.
    let mut zh = Running::spawn(lab_command(&host, &state, &["--lang", "zh-TW", "serve", "--port", "0"]));
    let line = zh.wait_line(0, Duration::from_secs(120), |l| l.starts_with("serving the book at http://127.0.0.1:"));
    let url = zh.lines()[line].1.split_whitespace().nth(4).unwrap().to_string();
    let port: u16 = url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
    let me = format!("127.0.0.1:{port}");
    let words: Value = serde_json::from_str(&http_get(port, &me, "/api/words").2).unwrap();
    assert_eq!(words["LIVE_CHECK_NOW"], "立即檢查", "{words}");
    let labs: Value = serde_json::from_str(&http_get(port, &me, "/api/labs").2).unwrap();
    assert_eq!(
        (labs[4]["id"].as_str(), labs[4]["chapter"].as_str()),
        (Some("day6-voting-app"), Some("作業：投票應用程式"))
    );
    let (status, _, body) = http_get(port, &me, "/api/labs/day6-voting-app/check");
    assert_eq!(status, 200, "{body}");
    let (chinese, english): (Value, Value) =
        (serde_json::from_str(&body).unwrap(), serde_json::from_str(&english).unwrap());
    let fixed = |r: &Value| {
        let checks = r["checks"].as_array().unwrap().iter();
        (
            r["score"].clone(),
            checks.map(|c| (c["id"].clone(), c["status"].clone(), c["points"].clone())).collect::<Vec<_>>(),
        )
    };
    assert_eq!(fixed(&chinese), fixed(&english));
    assert_eq!(chinese["checks"][0]["message"], "通過", "{chinese}");
    let mut page = cdp::Page::open_any(&mut browser, &format!("{url}voting-app.html"));
    page.wait_for("document.querySelector('#lab-day6-voting-app .lab-live-check') !== null");
    assert_eq!(page.eval("document.querySelector('#lab-day6-voting-app .lab-live-check').textContent"), "立即檢查");
    page.wait_for("document.querySelector('#lab-day6-voting-app .lab-live-score').textContent === '100/100'");
    assert_eq!(
        page.eval("document.querySelector('#lab-day6-voting-app .lab-live-state').textContent"),
        "所有檢查項目都通過：lab 已完成"
    );
    zh.kill();
}

/// Records every `securitypolicyviolation` of a page in `window.cspViolations`.
const CSP_WATCH: &str = "window.cspViolations = []; \
    document.addEventListener('securitypolicyviolation', function (e) { \
      window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber); });";

#[track_caller]
fn assert_no_csp_violation(page: &mut cdp::Page, what: &str) {
    let violations = page.eval("JSON.stringify(window.cspViolations)");
    assert_eq!(violations, "[]", "{what} broke its Content-Security-Policy");
}

fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
