//! `lab grade --live`, the live class view, on one class: real private engines (a swarm's
//! manager, twice, and its worker), a dead endpoint and a crafted fake engine. The view
//! lists each with the right status, score and integrity flag; in headless Chromium one
//! learner's row reaches 100 without a reload while they build the answer; engine text
//! stays text; while the class is stable a learner's engine receives nothing but its event
//! stream; a foreign Host or another site gets 403; the page's export button and Ctrl-C
//! write the gradebook. Bad input is exit 2 before anything starts (no engine needed).
//!
//! One engine-backed scenario, its engines reused across the assertions (the suite is
//! slow already). Latencies are printed, not asserted (the bench `live_class` measures).

#[path = "../../book/mdbook-lab/tests/book/cdp.rs"]
mod cdp;

use private_swarm::{Cluster, ClusterSpec};
use serde_json::Value;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use swarm_e2e::fake_engine::{FakeEngine, RECORDED_SWARM};
use swarm_e2e::lab_bin;
use swarm_e2e::lab_process::{eventually, http, lab_command, Running};
use swarm_e2e::scratch::temp_dir;
use swarm_e2e::sh;
use swarm_e2e::socket_proxy::SocketProxy;

const TEST_ROOT: &str = "/tmp/lab-class-tests";
const SERVICE_LOOP: &str = "alpine sh -c \"trap 'exit 0' TERM; while true; do sleep 1; done\"";
/// An image name a learner's engine could report, written to run script if parsed as HTML.
const CRAFTED_IMAGE: &str = "<img src=x onerror=window.pwned=1>:latest";

/// A lab with two checks: overlay network `front` (40) and service `web`, two alpine
/// replicas (60).
fn class_lab(dir: &Path) -> PathBuf {
    let labs = dir.join("labs");
    std::fs::create_dir_all(&labs).unwrap();
    std::fs::write(
        labs.join("class-web.toml"),
        r#"id = "class-web"
title = "front and web"
lesson = "first-service.md"
goal = "An overlay network `front` and two alpine replicas of `web`."
answer = """
docker network create --driver overlay front
docker service create --name web --replicas 2 alpine sleep 1d
"""

[[check]]
id = "front"
title = "Overlay network `front` exists"
points = 40
hint = "docker network create --driver overlay …"
fix = "docker network create --driver overlay front"
[check.network]
name = "front"
driver = "overlay"

[[check]]
id = "web"
title = "web runs two alpine tasks"
points = 60
hint = "docker service create --name web --replicas 2 …"
fix = "docker service create --name web --replicas 2 alpine sleep 1d"
[check.service]
name = "web"
image = "alpine:*"
replicas = 2
running = 2
"#,
    )
    .unwrap();
    labs
}

fn live_command(roster: &Path, labs: &Path, extra: &[&str]) -> Command {
    let mut cmd = lab_command(lab_bin!());
    cmd.args(["grade", "class-web", "--roster"]).arg(roster).args(extra).env("SWARM_LAB_LABS", labs);
    cmd
}

/// A running `lab grade --live` and the port of its view.
struct Live {
    lab: Running,
    port: u16,
}

impl Live {
    fn spawn(cmd: Command) -> Live {
        let lab = Running::spawn(cmd);
        let at = lab.wait_line(0, Duration::from_secs(60), |_| true);
        let first = lab.lines()[at].1.clone();
        let port = first
            .strip_prefix("live class view at http://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address on stdout: {first:?}; stderr: {:?}", lab.stderr()));
        Live { lab, port }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn class(&self) -> Value {
        let (status, _, body) = http(self.port, "GET", &self.host(), "/api/class", &[]);
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Polls `/api/class` until `ok` holds for it; fails with the last view.
    fn wait_class(&self, what: &str, timeout: Duration, ok: impl Fn(&Value) -> bool) -> Value {
        eventually(what, timeout, || {
            let class = self.class();
            if ok(&class) {
                Ok(class)
            } else {
                Err(format!("{class:#}"))
            }
        })
    }
}

fn row<'a>(class: &'a Value, learner: &str) -> &'a Value {
    class["learners"].as_array().unwrap().iter().find(|r| r["learner"] == learner).unwrap()
}

fn status_score(class: &Value) -> Vec<(String, String, u64)> {
    class["learners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["learner"].as_str().unwrap().into(), r["status"].as_str().unwrap().into(), r["score"].as_u64().unwrap())
        })
        .collect()
}

/// gradebook.csv as (learner, status, score) rows.
fn gradebook(out: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(out.join("gradebook.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].into(), f[1].into(), f[2].into())
        })
        .collect()
}

fn written(out: &Path) -> bool {
    ["gradebook.csv", "grades.json", "junit.xml"].iter().all(|f| out.join(f).is_file())
}

/// The recorded swarm with a crafted image on `web` (the other checks as recorded:
/// `front` is an overlay network there).
fn crafted_swarm() -> Value {
    let mut swarm: Value = serde_json::from_str(RECORDED_SWARM).unwrap();
    for s in swarm["services"].as_array_mut().unwrap() {
        if s["Spec"]["Name"] == "web" {
            s["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = Value::String(CRAFTED_IMAGE.into());
        }
    }
    swarm
}

#[test]
fn the_live_class_view_follows_every_learner_and_leaves_the_gradebook() {
    let dir = temp_dir(TEST_ROOT, "lc");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path().join("c"), 2, 1))
        .unwrap_or_else(|e| panic!("cannot start the class's engines: {e}"));
    let labs = class_lab(dir.path());
    let proxy = SocketProxy::start(dir.path(), 1, &cluster.node(0).docker_host, Duration::ZERO).unwrap();
    let fake = FakeEngine::serve(&dir.path().join("fake.sock"), crafted_swarm()).unwrap();
    drop(UnixListener::bind(dir.path().join("dead.sock")).unwrap()); // the file stays, nobody listens
    let roster = dir.path().join("class.csv");
    let rows = [
        format!("ana,{}", proxy.endpoints()[0]),
        format!("cid,{}", cluster.node(1).docker_host),
        format!("dan,unix://{}/dead.sock", dir.path().display()),
        format!("eve,{}", fake.endpoint()),
        format!("fay,{}", cluster.node(0).docker_host),
    ];
    std::fs::write(&roster, format!("learner,endpoint\n{}\n", rows.join("\n"))).unwrap();
    let out = dir.path().join("out");

    let live = Live::spawn(live_command(&roster, &labs, &["--live", "--port", "0", "--out", out.to_str().unwrap()]));
    let started = Instant::now();
    let class = live.wait_class("every learner has an outcome", Duration::from_secs(60), |c| {
        c["learners"].as_array().unwrap().iter().all(|r| r["status"] != "waiting")
    });
    eprintln!("first full view after {:?}", started.elapsed());

    // Status, score and marks of each, in roster order; the shared swarm is flagged.
    assert_eq!((class["lab"].as_str(), class["max_score"].as_u64()), (Some("class-web"), Some(100)));
    assert_eq!(class["export"], true);
    let want = [
        ("ana", "graded", 0),
        ("cid", "not_manager", 0),
        ("dan", "unreachable", 0),
        ("eve", "graded", 40),
        ("fay", "graded", 0),
    ];
    let want: Vec<(String, String, u64)> = want.iter().map(|(l, s, n)| (l.to_string(), s.to_string(), *n)).collect();
    assert_eq!(status_score(&class), want, "{class:#}");
    assert_eq!(row(&class, "ana")["checks"], serde_json::json!({"front": "fail", "web": "fail"}));
    assert_eq!(row(&class, "eve")["checks"], serde_json::json!({"front": "pass", "web": "fail"}));
    assert!(row(&class, "eve")["details"]["web"].as_str().unwrap().contains("<img src=x"), "{class:#}");
    assert_eq!(row(&class, "ana")["stuck_on"], "front");
    assert!(row(&class, "ana")["stuck_since"].is_string() && row(&class, "ana")["updated_at"].is_string());
    assert!(row(&class, "dan")["message"].as_str().unwrap().contains("cannot reach the engine"), "{class:#}");
    assert!(row(&class, "cid")["message"].as_str().unwrap().contains("worker"), "{class:#}");
    // ana and fay read the same swarm through its manager, cid through its worker: one
    // shared swarm, as `lab grade`'s gradebook flags it.
    for l in ["ana", "cid", "fay"] {
        assert_eq!(row(&class, l)["flags"], serde_json::json!(["shared-swarm:ana;cid;fay"]), "{l}");
    }
    assert_eq!(row(&class, "eve")["flags"], serde_json::json!([]));

    // A foreign Host (DNS rebinding) and requests from another site get 403, no CORS.
    let me = live.host();
    let (status, head, body) = http(live.port, "GET", &format!("evil.example:{}", live.port), "/api/class", &[]);
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("ana") && !head.contains("access-control-allow-origin"), "{head}{body}");
    for headers in [[("Origin", "http://evil.example")], [("Sec-Fetch-Site", "cross-site")]] {
        let (status, _, body) = http(live.port, "POST", &me, "/api/class/export", &headers);
        assert_eq!(status, 403, "{headers:?}: {body}");
        let (status, _, _) = http(live.port, "GET", &me, "/api/class", &headers);
        assert_eq!(status, 403, "{headers:?}");
    }
    assert!(!out.join("gradebook.csv").exists(), "a refused export wrote nothing");
    let (status, head, page) = http(live.port, "GET", &me, "/", &[]);
    assert_eq!(status, 200);
    assert!(
        head.contains("content-security-policy: default-src 'self'; script-src 'self'") && head.contains("nosniff"),
        "{head}"
    );
    assert!(page.contains("class.js") && !page.contains("ana"), "the page is a shell; rows come as data");

    // Chromium: the rows, engine text as text, then ana builds the answer.
    let Some(exe) = cdp::chromium() else {
        panic!("this test needs a headless Chromium: apt-get install -y chromium");
    };
    let mut browser = cdp::Browser::launch(&exe);
    let mut page = cdp::Page::open_any(&mut browser, &format!("http://{me}/"));
    let score = |l: &str| format!("document.querySelector('tr[data-learner=\"{l}\"] td.score')");
    page.wait_for(&format!("{} !== null && {}.textContent === '40'", score("eve"), score("eve")));
    assert_eq!(page.eval(&format!("{}.textContent", score("ana"))), "0");
    assert_eq!(page.eval("document.querySelector('tr[data-learner=\"dan\"] td.status').dataset.status"), "unreachable");
    assert_eq!(page.eval("document.querySelector('tr[data-learner=\"cid\"] td.status').dataset.status"), "not_manager");
    assert_eq!(page.eval("document.querySelector('tfoot td.passed[data-check=\"front\"]').textContent"), "1/5");
    let eve_web = page.eval("document.querySelector('tr[data-learner=\"eve\"] td.mark[data-check=\"web\"]').title");
    assert!(eve_web.as_str().unwrap().contains("<img src=x onerror=window.pwned=1>"), "{eve_web}");
    assert_eq!(page.eval("document.querySelectorAll('img').length"), 0, "engine text never becomes markup");
    assert_eq!(page.eval("window.pwned === undefined"), true);
    assert_eq!(
        page.eval("document.querySelector('tr[data-learner=\"ana\"] td.flags').textContent"),
        "shared-swarm:ana;cid;fay"
    );
    page.eval("window.sameDocument = 'yes'; true");

    let docker = |line: &str| sh(&cluster.node(0).docker_host, line);
    docker("docker network create --driver overlay front >/dev/null");
    docker(&format!(
        "docker service create --detach --no-resolve-image --name web --replicas 2 {SERVICE_LOOP} >/dev/null"
    ));
    let applied = Instant::now();
    page.wait_for(&format!("{}.textContent === '100'", score("ana")));
    eprintln!("browser: ana's row showed 100 {:?} after the answer was applied", applied.elapsed());
    assert_eq!(page.eval("window.sameDocument"), "yes", "no reload");
    assert_eq!(
        page.eval("document.querySelectorAll('tr[data-learner=\"ana\"] td.mark[data-status=\"pass\"]').length"),
        2
    );
    assert_eq!(page.eval("document.querySelector('tr[data-learner=\"ana\"]').classList.contains('full')"), true);

    // Stable: ana's engine receives nothing but the open event stream.
    live.wait_class("fay at 100 too", Duration::from_secs(30), |c| {
        row(c, "fay")["score"] == 100 && row(c, "ana")["score"] == 100
    });
    std::thread::sleep(Duration::from_millis(1500));
    let sent = proxy.requests().len();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(proxy.requests().len(), sent, "requests while stable: {:?}", &proxy.requests()[sent..]);
    let requests = proxy.requests();
    assert!(requests.iter().all(|r| r.starts_with("GET ") || r.starts_with("HEAD ")), "{requests:?}");
    assert!(requests.iter().any(|r| r.contains("/events?")), "{requests:?}");
    let fake_requests = fake.requests();
    assert!(fake_requests.iter().all(|r| r.starts_with("GET ") || r.starts_with("HEAD ")), "{fake_requests:?}");

    // The page's export button writes the gradebook as it stands.
    page.click("#class-export");
    page.wait_for("document.querySelector('#class-export-result').dataset.state === 'written'");
    assert!(written(&out), "export wrote the files");
    let book = gradebook(&out);
    assert_eq!(book[0], ("ana".into(), "graded".into(), "100".into()), "{book:?}");
    assert_eq!(book[3], ("eve".into(), "graded".into(), "40".into()), "{book:?}");
    drop(page);
    drop(browser);

    // Ctrl-C: the gradebook, grades.json, junit.xml and feedback pages, then exit 0.
    std::fs::remove_dir_all(&out).unwrap();
    let (code, stderr) = live.lab.interrupt();
    assert_eq!(code, 0, "{stderr}");
    assert!(written(&out), "Ctrl-C wrote the files: {stderr}");
    let book = gradebook(&out);
    let statuses: Vec<(&str, &str, &str)> = book.iter().map(|(l, s, n)| (l.as_str(), s.as_str(), n.as_str())).collect();
    assert_eq!(
        statuses,
        [
            ("ana", "graded", "100"),
            ("cid", "not_manager", "0"),
            ("dan", "unreachable", "0"),
            ("eve", "graded", "40"),
            ("fay", "graded", "100")
        ],
        "{stderr}"
    );
    let grades: Value = serde_json::from_slice(&std::fs::read(out.join("grades.json")).unwrap()).unwrap();
    for i in [0, 1, 4] {
        assert_eq!(grades["learners"][i]["flags"], serde_json::json!(["shared-swarm:ana;cid;fay"]), "{i}");
    }
    for l in ["ana", "cid", "dan", "eve", "fay"] {
        assert!(out.join("feedback").join(format!("{l}.md")).is_file(), "feedback for {l}");
    }
    let eve = std::fs::read_to_string(out.join("feedback/eve.md")).unwrap();
    assert!(eve.contains("**Score: 40/100**") && eve.contains("**Fix:**"), "{eve}");
    assert!(stderr.contains("graded 3 of 5 learners"), "{stderr}");
    assert!(stderr.contains("wrote gradebook.csv, grades.json, junit.xml and 5 feedback pages"), "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "atomic writes leave no temporary file: {leftovers:?}");

    drop(proxy);
    cluster.teardown().unwrap();
    let left = Cluster::leftovers(&dir.path().join("c"));
    assert!(left.is_empty(), "left behind: {left:#?}");
}

#[test]
fn bad_input_is_exit_2_before_anything_starts_and_the_view_speaks_zh_tw() {
    let dir = temp_dir(TEST_ROOT, "lb");
    let labs = class_lab(dir.path());
    let d = dir.path();
    let run = |roster: &Path, extra: &[&str]| live_command(roster, &labs, extra).output().unwrap();

    let bad = d.join("bad.csv");
    std::fs::write(&bad, "learner,endpoint\nana,unix:///x.sock\nben,localhost:2375\n").unwrap();
    let o = run(&bad, &["--live", "--port", "0"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 3, column `endpoint`: `localhost:2375` is not an engine address"), "{err}");
    assert!(o.stdout.is_empty(), "nothing served on bad input");

    drop(UnixListener::bind(d.join("dead.sock")).unwrap());
    let good = d.join("good.csv");
    std::fs::write(&good, format!("learner,endpoint\ndan,unix://{}/dead.sock\n", d.display())).unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for (args, says) in [
        (vec!["--live", "--port", port.as_str()], "cannot listen on 127.0.0.1:"),
        (vec!["--live", "--jobs", "8"], "--jobs does not apply to --live"),
        (vec!["--live", "--wait", "5s"], "--wait does not apply to --live"),
        // `lab grade` writes every format at once (--out); there is no --format to pick one.
        (vec!["--live", "--format", "json"], "unexpected argument '--format'"),
        (vec!["--port", "0", "--out", "o"], "--port is for the live class view: add --live"),
        (vec!["--bind", "0.0.0.0", "--out", "o"], "--bind is for the live class view"),
        (vec!["--live", "--port", "http"], "invalid value 'http' for '--port <PORT>'"),
        (vec![], "needs --out DIR"),
    ] {
        let o = run(&good, &args);
        // With --format json, the usage error is JSON on stdout ({"error": {"kind", "message"}}).
        let said = format!("{}{}", String::from_utf8_lossy(&o.stderr), String::from_utf8_lossy(&o.stdout));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {said}");
        assert!(said.contains(says), "{args:?}: {said}");
        assert!(!said.contains("live class view at"), "{args:?}: nothing served");
        if !args.contains(&"--format") {
            assert!(o.stdout.is_empty(), "{args:?}: {said}");
        }
    }
    let o = run(&good, &["--lang", "zh-TW", "--live", "--jobs", "8"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--jobs 不適用於 --live"), "{err}");
    drop(taken);

    // In zh-TW, the page's words are Chinese; without --out, Ctrl-C writes nothing, exit 0.
    let live = Live::spawn(live_command(&good, &labs, &["--lang", "zh-TW", "--live", "--port", "0"]));
    let (status, _, words) = http(live.port, "GET", &live.host(), "/api/words", &[]);
    assert_eq!(status, 200);
    let words: Value = serde_json::from_str(&words).unwrap();
    assert_eq!(words["CLASS_EXPORT"], "匯出成績簿", "{words}");
    let class =
        live.wait_class("dan is unreachable", Duration::from_secs(30), |c| row(c, "dan")["status"] == "unreachable");
    assert_eq!(class["export"], false);
    assert!(row(&class, "dan")["message"].as_str().unwrap().contains("無法連到"), "{class:#}");
    let (status, _, body) = http(live.port, "POST", &live.host(), "/api/class/export", &[]);
    assert_eq!(status, 409, "{body}");
    let (code, stderr) = live.lab.interrupt();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("未寫入任何檔案"), "{stderr}");
}
