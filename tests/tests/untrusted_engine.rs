//! A learner's engine is untrusted input on the instructor's machine. Fake engines (no
//! root, no dockerd) serve a recorded swarm with hostile strings in it: escape sequences
//! in a node's hostname, a service's name and a task's error, an image name that carries a
//! Markdown heading and an HTML tag, an engine error message that clears the screen, a
//! swarm ID that is a spreadsheet formula, and (for `lab solve`) a node address and a join
//! token that are shell commands. Every sink shows them made harmless, never drops them,
//! and exits as it would with harmless names: `lab check` (human, junit), `--watch` (its
//! reports and its warnings), `lab grade` (stderr, gradebook.csv, grades.json, junit.xml,
//! feedback/*.md), `lab serve`'s API, and `lab solve` (refused before anything runs).
//! `lab serve`'s guard is tested here too, on a fake engine: cross-site requests refused,
//! its headers (CSP, nosniff, no referrer), the cap on event streams, and progress written
//! only for its own pages.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use swarm_e2e::fake_engine::{FakeEngine, RECORDED_SWARM};
use swarm_e2e::lab_bin;
use swarm_e2e::lab_process::{http, lab_command, Running};

const FORMULA: &str = "=HYPERLINK(\"x\",\"click\")";
const ESCAPES: &str = "\x1b]0;owned\x07\x1b[2J\x1b[8m\u{9b}31m";
/// An image name that, written raw into Markdown, starts a heading and an HTML element.
const MARKUP: &str = "\n# Forged heading\n<img src=x onerror=alert(1)>[link](http://x) `code` | cell";

const LAB: &str = r#"
id = "hostile"
title = "A lab graded against a hostile engine"
lesson = "first-service.md"
goal = "Grade a swarm whose engine sends escape sequences."
answer = "docker service create --name vote nginx"

[[check]]
id = "nodes"
title = "Four nodes"
points = 20
hint = "Join a node."
fix = "docker swarm join"
[check.swarm]
nodes = 4

[[check]]
id = "crashy"
title = "crashy runs"
points = 20
hint = "Fix its command."
fix = "docker service update crashy"
[check.service]
name = "crashy"
running = 1

[[check]]
id = "vote"
title = "A service named vote"
points = 20
hint = "Create it."
fix = "docker service create --name vote nginx"
[check.service]
name = "vote"

[[check]]
id = "shop"
title = "shop_redis runs redis 7"
points = 20
hint = "Update its image."
fix = "docker service update --image redis:7 shop_redis"
[check.service]
name = "shop_redis"
image = "redis:7"

[[check]]
id = "web"
title = "web runs nginx"
points = 20
hint = "Use nginx."
fix = "docker service update --image nginx web"
[check.service]
name = "web"
image = "nginx"
"#;

/// The recorded swarm with hostile strings wherever an engine's text is shown.
fn hostile_swarm() -> Value {
    let mut s: Value = serde_json::from_str(RECORDED_SWARM).unwrap();
    s["info"]["Swarm"]["Cluster"]["ID"] = json!(FORMULA);
    for n in s["nodes"].as_array_mut().unwrap() {
        let host = n["Description"]["Hostname"].as_str().unwrap().to_string();
        n["Description"]["Hostname"] = json!(format!("{host}{ESCAPES}"));
    }
    for svc in s["services"].as_array_mut().unwrap() {
        if svc["Spec"]["Name"] == "db" {
            svc["Spec"]["Name"] = json!(format!("db{ESCAPES}"));
        }
    }
    for svc in s["services"].as_array_mut().unwrap() {
        if svc["Spec"]["Name"] == "shop_redis" {
            svc["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = json!(format!("redis:alpine{MARKUP}{ESCAPES}"));
        }
    }
    for t in s["tasks"].as_array_mut().unwrap() {
        t["Status"]["Err"] = json!(format!("non-zero exit{ESCAPES}\r\nPASS  20/20  forged line"));
    }
    s
}

fn lab(dir: &Path, args: &[&str]) -> Output {
    lab_command(lab_bin!()).args(args).arg("--labs").arg(dir.join("labs")).output().expect("run lab")
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("untrusted").tempdir_in("/tmp").unwrap();
    std::fs::create_dir(dir.path().join("labs")).unwrap();
    std::fs::write(dir.path().join("labs/hostile.toml"), LAB).unwrap();
    dir
}

/// No byte a terminal would act on: ESC, BEL, CSI (U+009B), CR. Newlines are ours.
#[track_caller]
fn assert_inert(what: &str, text: &str) {
    let bad: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "{what} carries control characters {bad:?}:\n{text}");
}

#[test]
fn lab_check_prints_engine_strings_without_their_escape_sequences() {
    let dir = setup();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), hostile_swarm()).unwrap();
    let out = lab(dir.path(), &["check", "hostile", "--host", &engine.endpoint()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_inert("stdout", &stdout);
    assert_inert("stderr", &stderr);
    // The hostile text is still shown, defused, so the instructor sees something is off.
    assert!(stdout.contains("node3\u{FFFD}]0;owned\u{FFFD}\u{FFFD}[2J"), "{stdout}");
    assert!(stdout.contains("db\u{FFFD}]0;owned"), "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with("PASS  20/20  forged")), "a forged line: {stdout}");
    assert!(stdout.contains("PASS  20/20  web runs nginx"), "{stdout}");
    // Only reads reached the engine.
    assert!(engine.requests().iter().all(|r| r.starts_with("GET ")), "{:?}", engine.requests());
}

#[test]
fn an_engine_error_message_is_printed_without_escapes() {
    let dir = setup();
    let mut swarm = hostile_swarm();
    swarm["fail"] = json!({ "*": format!("boom{ESCAPES}") });
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), swarm).unwrap();
    let out = lab(dir.path(), &["check", "hostile", "--host", &engine.endpoint()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_inert("stderr", &stderr);
    assert!(stderr.contains("boom\u{FFFD}]0;owned"), "{stderr}");
}

#[test]
fn lab_grade_writes_formulas_as_text_and_prints_no_escapes() {
    let dir = setup();
    let graded = FakeEngine::serve(&dir.path().join("a.sock"), hostile_swarm()).unwrap();
    let mut broken = hostile_swarm();
    broken["fail"] = json!({ "*": format!("boom{ESCAPES}") });
    let failing = FakeEngine::serve(&dir.path().join("b.sock"), broken).unwrap();
    let roster = dir.path().join("class.csv");
    std::fs::write(&roster, format!("learner,endpoint\nada,{}\nbob,{}\n", graded.endpoint(), failing.endpoint()))
        .unwrap();
    let out_dir = dir.path().join("out");
    let out = lab(
        dir.path(),
        &["grade", "hostile", "--roster", roster.to_str().unwrap(), "--out", out_dir.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "bob could not be graded: {stderr}");
    assert_inert("stderr", &stderr);
    assert!(stderr.contains("boom\u{FFFD}]0;owned"), "{stderr}");

    let csv = std::fs::read_to_string(out_dir.join("gradebook.csv")).unwrap();
    assert_inert("gradebook.csv", &csv);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let swarm_id = header.iter().position(|h| h == "swarm_id").unwrap();
    let ada = r.records().next().unwrap().unwrap();
    assert_eq!(&ada[0], "ada");
    assert_eq!(&ada[swarm_id], format!("'{FORMULA}"), "{csv}");
    assert!(csv.lines().all(|l| !l.split(',').any(|cell| cell.trim_matches('"').starts_with('='))), "{csv}");
    // grades.json keeps the engine's exact text (JSON escapes it) for anyone who audits it.
    let grades: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.join("grades.json")).unwrap()).unwrap();
    assert_eq!(grades["learners"][0]["swarm_id"], json!(FORMULA));
}

/// The Markdown a page renders from `md`: no raw HTML, no heading but ours, and the
/// engine's text still there as text.
#[track_caller]
fn assert_markdown_harmless(what: &str, md: &str, headings: &[&str]) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    assert_inert(what, md);
    let mut in_heading = false;
    let mut heading = String::new();
    let mut text = String::new();
    for event in Parser::new_ext(md, pulldown_cmark::Options::all()) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("{what} has raw HTML {h:?}:\n{md}"),
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                let h = std::mem::take(&mut heading);
                assert!(headings.iter().any(|ok| h.starts_with(ok)), "{what} has a forged heading {h:?}:\n{md}");
            }
            Event::Start(Tag::Link { dest_url, .. }) => panic!("{what} has a link to {dest_url}:\n{md}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("{what} has an image {dest_url}:\n{md}"),
            Event::Text(t) | Event::Code(t) => {
                if in_heading {
                    heading.push_str(&t);
                }
                text.push_str(&t);
            }
            _ => {}
        }
    }
    text
}

#[test]
fn lab_grade_feedback_and_junit_show_engine_text_as_text() {
    let dir = setup();
    let graded = FakeEngine::serve(&dir.path().join("a.sock"), hostile_swarm()).unwrap();
    let mut broken = hostile_swarm();
    broken["fail"] = json!({ "*": format!("boom{ESCAPES}{MARKUP}") });
    let failing = FakeEngine::serve(&dir.path().join("b.sock"), broken).unwrap();
    let roster = dir.path().join("class.csv");
    std::fs::write(&roster, format!("learner,endpoint\nada,{}\nbob,{}\n", graded.endpoint(), failing.endpoint()))
        .unwrap();
    let out_dir = dir.path().join("out");
    let out = lab(
        dir.path(),
        &["grade", "hostile", "--roster", roster.to_str().unwrap(), "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    let ada = std::fs::read_to_string(out_dir.join("feedback/ada.md")).unwrap();
    let text =
        assert_markdown_harmless("feedback/ada.md", &ada, &["hostile", "shop_redis", "crashy", "A service", "Four"]);
    assert!(text.contains("# Forged heading") && text.contains("<img src=x onerror=alert(1)>"), "dropped:\n{ada}");
    assert!(text.contains("redis:alpine"), "{ada}");
    let bob = std::fs::read_to_string(out_dir.join("feedback/bob.md")).unwrap();
    let text = assert_markdown_harmless(
        "feedback/bob.md",
        &bob,
        &["hostile", "What went wrong", "What to fix", "What will be graded"],
    );
    assert!(text.contains("boom\u{FFFD}]0;owned") && text.contains("# Forged heading"), "dropped:\n{bob}");

    let junit = std::fs::read_to_string(out_dir.join("junit.xml")).unwrap();
    assert_inert("junit.xml", &junit.replace(['\t', '\r'], " "));
    assert!(!junit.contains("<img"), "{junit}");
    assert!(junit.contains("&lt;img src=x onerror=alert(1)&gt;"), "dropped: {junit}");
    let grades = std::fs::read_to_string(out_dir.join("grades.json")).unwrap();
    assert_inert("grades.json", &grades);
    let grades: Value = serde_json::from_str(&grades).unwrap();
    assert_eq!(grades["learners"][0]["swarm_id"], json!(FORMULA));
}

/// The same swarm with harmless names, for exit codes: a crafted value changes nothing but
/// how it is shown.
fn harmless_swarm() -> Value {
    let mut s: Value = serde_json::from_str(RECORDED_SWARM).unwrap();
    for svc in s["services"].as_array_mut().unwrap() {
        if svc["Spec"]["Name"] == "shop_redis" {
            svc["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = json!("redis:alpine");
        }
    }
    s
}

#[test]
fn crafted_names_change_no_exit_code() {
    let dir = setup();
    let hostile = FakeEngine::serve(&dir.path().join("h.sock"), hostile_swarm()).unwrap();
    let harmless = FakeEngine::serve(&dir.path().join("p.sock"), harmless_swarm()).unwrap();
    for format in ["human", "json", "junit"] {
        let a = lab(dir.path(), &["check", "hostile", "--format", format, "--host", &hostile.endpoint()]);
        let b = lab(dir.path(), &["check", "hostile", "--format", format, "--host", &harmless.endpoint()]);
        assert_eq!(a.status.code(), b.status.code(), "--format {format}");
        assert_inert(format, &String::from_utf8_lossy(&a.stdout).replace('\t', " "));
    }
    let junit = lab(dir.path(), &["check", "hostile", "--format", "junit", "--host", &hostile.endpoint()]);
    let junit = String::from_utf8_lossy(&junit.stdout);
    assert!(junit.contains("redis:alpine") && junit.contains("&lt;img"), "dropped: {junit}");
}

/// A running `lab` whose output lines arrive on channels.
/// `lab ARGS --labs DIR/labs` running, with `env`.
fn spawn(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Running {
    let mut cmd = lab_command(lab_bin!());
    cmd.args(args).arg("--labs").arg(dir.join("labs"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    Running::spawn(cmd)
}

/// The stdout lines up to and including the first that `done` accepts (within 60 s).
fn stdout_until(lab: &Running, done: impl Fn(&str) -> bool) -> String {
    let last = lab.wait_line(0, Duration::from_secs(60), done);
    lab.lines()[..=last].iter().map(|(_, l)| format!("{l}\n")).collect()
}

/// The stderr lines up to and including the first that `done` accepts (within 60 s).
fn stderr_until(lab: &Running, done: impl Fn(&str) -> bool) -> String {
    let last = lab.wait_err(Duration::from_secs(60), done);
    lab.stderr()[..=last].iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn lab_check_watch_prints_reports_and_warnings_without_escapes() {
    let dir = setup();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), hostile_swarm()).unwrap();
    let state = dir.path().join("state");
    let watch = spawn(
        dir.path(),
        &["check", "hostile", "--watch", "--host", &engine.endpoint()],
        &[("XDG_STATE_HOME", &state)],
    );
    let report = stdout_until(&watch, |l| l.contains("web runs nginx"));
    assert_inert("watch report", &report);
    assert!(report.contains("db\u{FFFD}]0;owned"), "{report}");
    drop(watch);

    let mut broken = hostile_swarm();
    broken["fail"] = json!({ "*": format!("boom{ESCAPES}") });
    let failing = FakeEngine::serve(&dir.path().join("f.sock"), broken).unwrap();
    let watch = spawn(
        dir.path(),
        &["check", "hostile", "--watch", "--host", &failing.endpoint()],
        &[("XDG_STATE_HOME", &state)],
    );
    let warning = stderr_until(&watch, |l| l.contains("boom"));
    assert_inert("watch warning", &warning);
    assert!(warning.contains("boom\u{FFFD}]0;owned"), "{warning}");
}

/// A worker whose `/info` names managers with escape sequences in their addresses.
fn worker_swarm() -> Value {
    let mut s = hostile_swarm();
    s["info"]["Swarm"]["ControlAvailable"] = json!(false);
    s["info"]["Swarm"]["RemoteManagers"] = json!([{ "NodeID": "x", "Addr": format!("10.0.0.9:2377{ESCAPES}") }]);
    s["fail"] =
        json!({ "/services": "This node is not a swarm manager.", "/nodes": "This node is not a swarm manager." });
    s["fail_status"] = json!(503);
    s
}

#[test]
fn a_worker_naming_crafted_managers_is_reported_without_escapes() {
    let dir = setup();
    let engine = FakeEngine::serve(&dir.path().join("w.sock"), worker_swarm()).unwrap();
    let out = lab(dir.path(), &["check", "hostile", "--host", &engine.endpoint()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_inert("stderr", &stderr);
    assert!(stderr.contains("10.0.0.9:2377\u{FFFD}]0;owned"), "{stderr}");
    // --watch reports it as a warning while it waits for a manager.
    let state = dir.path().join("state");
    let watch = spawn(
        dir.path(),
        &["check", "hostile", "--watch", "--host", &engine.endpoint()],
        &[("XDG_STATE_HOME", &state)],
    );
    let warning = stderr_until(&watch, |l| l.contains("10.0.0.9"));
    assert_inert("watch warning", &warning);
    assert!(warning.contains("10.0.0.9:2377\u{FFFD}]0;owned"), "{warning}");
}

/// `GET path` on 127.0.0.1:`port`: status and body.
fn http_get(port: u16, path: &str) -> (u16, String) {
    let (status, _, body) = http(port, "GET", &format!("127.0.0.1:{port}"), path, &[]);
    (status, body)
}

#[test]
fn lab_serve_sends_engine_text_as_json_strings() {
    let dir = setup();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), hostile_swarm()).unwrap();
    let (_serve, port) = serve_on(dir.path(), &engine.endpoint(), &dir.path().join("state"));
    let (status, body) = http_get(port, "/api/labs/hostile/check");
    assert_eq!(status, 200, "{body}");
    // JSON escapes every control character: the raw answer is inert, the value exact.
    assert_inert("the API's answer", &body);
    let report: Value = serde_json::from_str(&body).unwrap();
    let shop = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "shop").unwrap();
    let found = shop["mismatches"][0]["found"].as_str().unwrap();
    assert!(found.contains(MARKUP) && found.contains(ESCAPES), "{shop}");
    // The event stream's report: the same exact JSON, inert on the wire.
    let event = {
        use std::io::{BufRead, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        write!(
            s,
            "GET /api/labs/hostile/watch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let lines = std::io::BufReader::new(s).lines().map(Result::unwrap);
        let mut lines = lines.skip_while(|l| !l.starts_with("data: "));
        lines.next().expect("a report event")["data: ".len()..].to_string()
    };
    assert_inert("the event stream", &event);
    let streamed: Value = serde_json::from_str(&event).unwrap();
    assert_eq!(streamed["checks"], report["checks"]);
}

/// The hostile swarm whose `/info` and `/swarm` give a node address and join tokens that
/// are shell commands.
fn command_swarm(dir: &Path) -> Value {
    let mut s = hostile_swarm();
    let touch = |name: &str| format!("{}/{name}", dir.display());
    s["info"]["Swarm"]["NodeAddr"] = json!(format!("10.0.0.1;touch {}", touch("addr")));
    s["info"]["Swarm"]["Cluster"]["JoinTokens"] =
        json!({ "Worker": format!("SWMTKN-1-x$(touch {})", touch("token")), "Manager": "SWMTKN-1-y" });
    s
}

const SOLVE_LAB: &str = r#"
id = "join"
title = "Join a node"
lesson = "first-service.md"
goal = "Join."
answer = """
docker service ls
docker swarm join --token <worker-token> <node1-ip>:2377
"""

[[check]]
id = "nodes"
title = "Four nodes"
points = 100
hint = "Join a node."
fix = "docker swarm join"
[check.swarm]
nodes = 4
"#;

const LIST_LAB: &str = r#"
id = "list"
title = "List the services"
lesson = "first-service.md"
goal = "List."
answer = "docker service ls"

[[check]]
id = "nodes"
title = "Four nodes"
points = 100
hint = "Join a node."
fix = "docker swarm join"
[check.swarm]
nodes = 4
"#;

#[test]
fn lab_solve_refuses_engine_values_that_are_not_what_their_placeholder_allows() {
    let dir = setup();
    std::fs::write(dir.path().join("labs/join.toml"), SOLVE_LAB).unwrap();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), command_swarm(dir.path())).unwrap();
    let out = lab(dir.path(), &["solve", "join", "--yes", "--host", &engine.endpoint()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("addr").exists() && !dir.path().join("token").exists(), "a command ran:\n{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert_inert("stderr", &stderr);
    // Refused before anything ran: not even the first line, and only reads reached the engine.
    assert!(!stderr.contains("$ docker service ls"), "{stderr}");
    assert!(
        engine.requests().iter().all(|r| r.starts_with("GET ") || r.starts_with("HEAD ")),
        "{:?}",
        engine.requests()
    );
    assert!(stderr.contains("<node1-ip>") || stderr.contains("<worker-token>"), "{stderr}");
    assert!(stderr.contains("touch"), "the value is shown: {stderr}");
}

#[test]
fn lab_solve_prints_what_the_engine_says_without_escapes() {
    let dir = setup();
    std::fs::write(dir.path().join("labs/list.toml"), LIST_LAB).unwrap();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), hostile_swarm()).unwrap();
    let out = lab(dir.path(), &["solve", "list", "--yes", "--host", &engine.endpoint()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_inert("stdout", &stdout);
    assert_inert("stderr", &stderr);
    assert!(stderr.contains("db\u{FFFD}]0;owned"), "the service list is shown: {stderr}");
}

/// `lab serve` of the book on the fake engine at `endpoint`, and its port.
fn serve_on(dir: &Path, endpoint: &str, state: &Path) -> (Running, u16) {
    let book = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../book");
    let serve = spawn(
        dir,
        &["serve", "--port", "0", "--book", book.to_str().unwrap(), "--host", endpoint],
        &[("XDG_STATE_HOME", state)],
    );
    let line = stdout_until(&serve, |l| l.starts_with("serving the book at"));
    let port = line.split("127.0.0.1:").nth(1).map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>());
    let port: u16 = port.and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no port in {line}"));
    (serve, port)
}

/// Opens `GET path` with `headers` and reads the answer's head: the connection (still
/// open, for event streams), the status and the head in lower case.
fn open_get(port: u16, path: &str, headers: &[(&str, &str)]) -> (std::net::TcpStream, u16, String) {
    use std::io::{BufRead, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n").unwrap();
    let mut head = String::new();
    let mut reader = std::io::BufReader::new(s.try_clone().unwrap());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (s, status, head.to_lowercase())
}

#[test]
fn lab_serve_refuses_cross_site_requests_sends_its_policy_and_caps_event_streams() {
    let dir = setup();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), harmless_swarm()).unwrap();
    let (_serve, port) = serve_on(dir.path(), &engine.endpoint(), &dir.path().join("state"));
    let own = format!("http://127.0.0.1:{port}");
    for (headers, status) in [
        (vec![("Origin", "http://evil.example")], 403),
        (vec![("Origin", "http://localhost:8080")], 403),
        (vec![("Origin", "null")], 403),
        (vec![("Sec-Fetch-Site", "cross-site")], 403),
        (vec![("Sec-Fetch-Site", "same-site")], 403),
        (vec![("Origin", own.as_str())], 200),
        (vec![("Sec-Fetch-Site", "same-origin")], 200),
        (vec![], 200),
    ] {
        let (_, got, head) = open_get(port, "/api/labs", &[&headers[..], &[("Connection", "close")]].concat());
        assert_eq!(got, status, "{headers:?}: {head}");
        assert!(!head.contains("access-control-allow-origin"), "{head}");
    }
    // A page of the book: its own inline scripts by hash, nothing inline else, no eval.
    let (_, status, head) = open_get(port, "/voting-app.html", &[("Connection", "close")]);
    assert_eq!(status, 200, "{head}");
    let csp =
        head.lines().find_map(|l| l.strip_prefix("content-security-policy: ")).unwrap_or_else(|| panic!("{head}"));
    let scripts = csp.split(';').map(str::trim).find_map(|d| d.strip_prefix("script-src ")).unwrap();
    assert!(scripts.starts_with("'self' 'sha256-"), "{csp}");
    assert!(!scripts.contains("unsafe"), "{csp}");
    assert!(csp.contains("connect-src 'self'") && csp.contains("object-src 'none'"), "{csp}");
    assert!(
        head.contains("x-content-type-options: nosniff") && head.contains("referrer-policy: no-referrer"),
        "{head}"
    );
    let (_, _, api_head) = open_get(port, "/api/labs", &[("Connection", "close")]);
    assert!(
        api_head.contains("x-content-type-options: nosniff") && api_head.contains("content-security-policy"),
        "{api_head}"
    );

    // At most 16 event streams: the 17th gets 429 until one of them is closed.
    let watch = "/api/labs/hostile/watch";
    let mut streams: Vec<_> = (0..16)
        .map(|i| {
            let (s, status, head) = open_get(port, watch, &[("Accept", "text/event-stream")]);
            assert_eq!(status, 200, "stream {i}: {head}");
            s
        })
        .collect();
    let (_, status, head) = open_get(port, watch, &[("Accept", "text/event-stream"), ("Connection", "close")]);
    assert_eq!(status, 429, "{head}");
    let closed = streams.pop().unwrap();
    closed.shutdown(std::net::Shutdown::Both).unwrap();
    drop(closed);
    // The server notices a closed stream when it next writes to it (a keep-alive comment
    // at the latest): wait for that, failing after 60 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (s, status, head) = open_get(port, watch, &[("Accept", "text/event-stream")]);
        if status == 200 {
            streams.push(s);
            break;
        }
        assert_eq!(status, 429, "{head}");
        assert!(std::time::Instant::now() < deadline, "a closed stream's place was never freed");
        // A poll interval of the wait above, not a synchronisation.
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// A lab the recorded swarm passes.
const PASSING_LAB: &str = r#"
id = "passing"
title = "web runs nginx"
lesson = "first-service.md"
goal = "Run web."
answer = "docker service create --name web nginx"

[[check]]
id = "web"
title = "web runs nginx"
points = 100
hint = "Use nginx."
fix = "docker service update --image nginx web"
[check.service]
name = "web"
image = "nginx"
"#;

#[test]
fn lab_serve_records_progress_only_for_checks_from_its_own_pages() {
    let dir = setup();
    std::fs::write(dir.path().join("labs/passing.toml"), PASSING_LAB).unwrap();
    let engine = FakeEngine::serve(&dir.path().join("e.sock"), harmless_swarm()).unwrap();
    let state = dir.path().join("state");
    let (_serve, port) = serve_on(dir.path(), &engine.endpoint(), &state);
    let progress = state.join("swarm-lab/progress.json");
    let (_, status, head) = open_get(port, "/api/labs/passing/check", &[("Connection", "close")]);
    assert_eq!(status, 200, "{head}");
    assert!(!progress.exists(), "a request from no page of ours (curl, a script) recorded progress");
    let (_, status, _) =
        open_get(port, "/api/labs/passing/check", &[("Sec-Fetch-Site", "cross-site"), ("Connection", "close")]);
    assert_eq!(status, 403);
    assert!(!progress.exists());
    let (_, status, head) =
        open_get(port, "/api/labs/passing/check", &[("Sec-Fetch-Site", "same-origin"), ("Connection", "close")]);
    assert_eq!(status, 200, "{head}");
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&progress).unwrap()).unwrap();
    assert_eq!(recorded["labs"]["passing"]["best_score"], 100, "{recorded}");
}
