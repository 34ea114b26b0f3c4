//! The lessons are tested like doctests: every command a learner is told to type runs, in
//! book order, on a private swarm of the lesson's shape, and must succeed; then the lab on
//! the lesson's card must score 100 (`lab check LAB --wait 60s`).
//!
//! Two practice swarms, run in parallel, each started the way the book tells learners to:
//! `lab cluster up --no-swarm` (engines outside swarm mode, as those lessons begin with
//! `docker swarm init`), in a `SWARM_LAB_HOME` of its own. One engine for the introduction
//! and the first service, three engines for the three-node lesson and the lessons that
//! build on it. `<nodeN-ip>` is the address `lab cluster status --format json` prints;
//! `lab cluster down` ends each and must leave its folder gone. Substitutions and skips:
//! see `swarm_e2e::substitution` and `swarm_e2e::session`.
//!
//! The chapters' drill sections run too: their `$ lab drill LAB` lines run this build's
//! `lab` against the practice swarm, and every drill they name must run and pass.

use private_swarm::practice::Practice;
use private_swarm::Node;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};
use swarm_e2e::lab_check::lab_check;
use swarm_e2e::lesson::{assignment_of, book_order, Lesson};
use swarm_e2e::session::{Session, SkipReason};
use swarm_e2e::{book_src, mesh, substitution};

/// Lessons run on one engine, in book order.
const ONE_NODE: &[&str] = &["introduction.md", "first-service.md"];
/// Lessons run on three engines, in book order: the three-node lesson builds the swarm the
/// later ones use.
const THREE_NODES: &[&str] = &["three-node-swarm.md", "overlay-networks.md", "routing-mesh.md", "voting-app-answer.md"];
/// Where voting-app.md's "On the practice swarm" box and its "Test the app" section are.
const TEST_THE_APP: (&str, &str) = ("> **On the practice swarm.**", "## Think about it");
/// The assignment's "Start clean" hint (a `text` block of voting-app.md), run before its answer.
const START_CLEAN: &str = "docker service rm drupal psql search";

fn lesson(chapter: &str) -> Lesson {
    Lesson::read(&book_src(), chapter).unwrap_or_else(|e| panic!("{e}"))
}

/// The lab a lesson is graded by: its card, or for an answer chapter its assignment's.
fn lab_of(lesson: &Lesson) -> Option<String> {
    lesson.lab.clone().or_else(|| assignment_of(&lesson.chapter).and_then(|a| self::lesson(&a).lab))
}

/// A practice swarm of `lab cluster up --no-swarm`, in a home of its own; `lab cluster
/// down` when dropped. Fields drop in order: the home goes after `down`.
struct PracticeSwarm {
    nodes: Vec<Node>,
    /// Node addresses as `lab cluster status --format json` printed them.
    addresses: Vec<Ipv4Addr>,
    /// What `up` printed on stderr.
    up_stderr: String,
    down: bool,
    home: tempfile::TempDir,
}

/// Runs the `lab` binary with `SWARM_LAB_HOME=home`.
fn lab(home: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lab-e2e"))
        .args(args)
        .env("SWARM_LAB_HOME", home)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the lab binary runs")
}

impl PracticeSwarm {
    fn up(nodes: usize) -> PracticeSwarm {
        let home = tempfile::Builder::new().prefix("le").tempdir_in("/tmp").expect("temp dir");
        let out = lab(home.path(), &["cluster", "up", "--no-swarm", "--nodes", &nodes.to_string()]);
        let up_stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "lab cluster up --no-swarm: {up_stderr}");

        let out = lab(home.path(), &["cluster", "status", "--format", "json"]);
        assert!(out.status.success(), "lab cluster status: {}", String::from_utf8_lossy(&out.stderr));
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
        let rows = status["nodes"].as_array().expect("a nodes list");
        assert_eq!(rows.len(), nodes, "{status}");
        for row in rows {
            assert_eq!(row["swarm"], "inactive", "up --no-swarm leaves every engine outside swarm mode: {row}");
            assert!(row["role"].is_null() && row["state"].is_null(), "{row}");
        }
        let addresses = rows.iter().map(|r| r["address"].as_str().unwrap().parse().unwrap()).collect();
        let info = Practice::in_dir(home.path().join("practice")).info().expect("the practice swarm runs");
        PracticeSwarm { nodes: info.nodes, addresses, up_stderr, down: false, home }
    }

    fn session(&self) -> Session {
        Session::on_nodes(self.nodes.clone(), self.home.path())
            .with_addresses(self.addresses.clone())
            .with_lab(Path::new(env!("CARGO_BIN_EXE_lab-e2e")), self.home.path())
            .expect("lab on the session's PATH")
    }

    /// `lab cluster down`, which must leave no practice folder behind.
    fn down(mut self) {
        self.down = true;
        let out = lab(self.home.path(), &["cluster", "down"]);
        assert!(out.status.success(), "lab cluster down: {}", String::from_utf8_lossy(&out.stderr));
        let practice = self.home.path().join("practice");
        assert!(!practice.exists(), "lab cluster down left {}", practice.display());
    }
}

impl Drop for PracticeSwarm {
    fn drop(&mut self) {
        if !self.down {
            let out = lab(self.home.path(), &["cluster", "down"]);
            if !out.status.success() {
                eprintln!("lab cluster down: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }
}

fn run_and_grade(session: &mut Session, node1: &Node, chapter: &str) {
    let lesson = lesson(chapter);
    session.run_lesson(&lesson).unwrap_or_else(|e| panic!("{e}"));
    let Some(lab) = lab_of(&lesson) else { return };
    let start = Instant::now();
    let report = lab_check(node1, &lab, Duration::from_secs(60)).unwrap_or_else(|e| panic!("lab check {lab}: {e}"));
    let failing: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.status != lab_grader::Status::Pass)
        .map(|c| format!("{} ({}): {}", c.id, c.status.as_str(), c.message))
        .collect();
    eprintln!("lab check {lab}: {}/{} ({:.1}s)", report.score, report.max_score, start.elapsed().as_secs_f64());
    assert!(report.passed && report.score == 100, "{chapter}: lab check {lab} scored {}: {failing:#?}", report.score);
}

/// three-node-swarm.md, "Reaching each node": `lab cluster shell node2` is a shell on node2
/// with the book's prompt; `lab cluster env --node 2` points docker at node2.
fn reaching_node2_works_as_the_book_says(swarm: &PracticeSwarm) {
    let script = "echo \"prompt=$PS1\"; docker info --format 'engine={{.Name}}'; ip -4 -o addr show eth0";
    let mut shell = std::process::Command::new(env!("CARGO_BIN_EXE_lab-e2e"))
        .args(["cluster", "shell", "node2"])
        .env("SWARM_LAB_HOME", swarm.home.path())
        .env("SHELL", "/bin/sh")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("lab cluster shell");
    std::io::Write::write_all(shell.stdin.as_mut().unwrap(), script.as_bytes()).unwrap();
    let out = shell.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "lab cluster shell node2: {}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("prompt=node2$ "), "{said}");
    assert!(said.contains("engine=node2"), "docker in the shell talks to node2: {said}");
    assert!(said.contains(&format!("inet {}/", swarm.addresses[1])), "the shell is in node2's network: {said}");

    let out = lab(swarm.home.path(), &["cluster", "env", "--node", "2"]);
    let env = String::from_utf8_lossy(&out.stdout);
    assert!(env.contains(&format!("export DOCKER_HOST={}", swarm.nodes[1].docker_host)), "{env}");
    let out = lab(swarm.home.path(), &["cluster", "env", "--node", "4"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The lines of the `text` blocks between `from` and `to` in `chapter` (blockquotes
/// included), in order.
fn text_block_lines(chapter: &str, (from, to): (&str, &str)) -> Vec<String> {
    let text = std::fs::read_to_string(book_src().join(chapter)).unwrap();
    let start = text.find(from).unwrap_or_else(|| panic!("{chapter} no longer has `{from}`"));
    let end = start + text[start..].find(to).unwrap_or_else(|| panic!("{chapter}: no `{to}` after `{from}`"));
    let mut lines = Vec::new();
    let mut inside = false;
    for line in text[start..end].lines() {
        let line = line.trim_start_matches('>').trim();
        match (inside, line) {
            (false, "```text") => inside = true,
            (true, "```") => inside = false,
            (true, l) if !l.is_empty() => lines.push(l.to_string()),
            _ => {}
        }
    }
    lines
}

/// A `lab cluster forward` the test started, stopped (by its PID) when dropped.
struct Forwarding(std::process::Child);

impl Drop for Forwarding {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The total `<div id="result">…</div>` shows: `No votes yet`, `1 vote`, `N votes`.
fn result_total(page: &str) -> Option<u64> {
    let said = page.split(r#"<div id="result">"#).nth(1)?.split('<').next()?;
    match said {
        "No votes yet" => Some(0),
        _ => said.strip_suffix(" votes").or_else(|| said.strip_suffix(" vote"))?.parse().ok(),
    }
}

/// The node that runs `service`'s one running task.
fn node_of(node1: &Node, service: &str) -> String {
    let ps = node1
        .docker(&["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}}"])
        .unwrap_or_else(|e| panic!("docker service ps {service}: {e}"));
    ps.split_whitespace().next().unwrap_or_else(|| panic!("{service} has no running task")).to_string()
}

/// voting-app.md's "On the practice swarm" box and "Test the app", run as a learner who
/// ran `eval "$(lab cluster env)"` would, on the answer just graded: each `lab cluster
/// forward` in the background (its local port 0, so the test takes no fixed port on a
/// shared machine; the port it prints replaces the book's in later lines), `curl` lines
/// on this machine, `docker` lines on node1. Each must succeed. A vote must reach result's
/// total (asked again until it does, as the book says, for at most 60 s), and after the
/// forced db update the total is what the book says: the votes kept when db's new task
/// runs on the old node, `No votes yet` when it moved to another (a new `db-data`).
fn test_the_app_as_the_book_says(swarm: &PracticeSwarm, session: &mut Session) {
    let lines = text_block_lines("voting-app.md", TEST_THE_APP);
    let node1 = &swarm.nodes[0];
    let env = String::from_utf8_lossy(&lab(swarm.home.path(), &["cluster", "env"]).stdout).into_owned();
    let host = env.lines().find_map(|l| l.strip_prefix("export DOCKER_HOST=")).expect("DOCKER_HOST line").to_string();
    let mut forwards = Vec::new();
    // The book's local port → the one the forward listens on.
    let mut ports: Vec<(String, String)> = Vec::new();
    let (mut votes, mut results) = (0u64, 0);
    let mut db_node: Option<String> = None;
    for line in &lines {
        let at = format!("voting-app.md, Test the app: `{line}`");
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["lab", "cluster", "forward", service, ports_arg] => {
                let (book_port, target) = ports_arg.split_once(':').expect("LOCAL:TARGET");
                let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lab-e2e"))
                    .args(["cluster", "forward", service, &format!("0:{target}")])
                    .env("SWARM_LAB_HOME", swarm.home.path())
                    .env("DOCKER_HOST", &host)
                    .env("NO_COLOR", "1")
                    .env_remove("DOCKER_CONTEXT")
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::inherit())
                    .spawn()
                    .expect("lab cluster forward");
                let stdout = child.stdout.take().unwrap();
                let forwarding = Forwarding(child);
                // "Forwarding 127.0.0.1:PORT → vote:80 (2 running tasks); Ctrl-C to stop"
                let first = std::io::BufRead::lines(std::io::BufReader::new(stdout))
                    .next()
                    .unwrap_or_else(|| panic!("{at}: it ended without forwarding"))
                    .unwrap();
                let port = first
                    .split("127.0.0.1:")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .unwrap_or_else(|| panic!("{at}: {first}"));
                eprintln!("{at}: {first}");
                ports.push((format!("127.0.0.1:{book_port}/"), format!("127.0.0.1:{port}/")));
                forwards.push(forwarding);
            }
            ["curl", ..] => {
                let mut run = line.clone();
                for (book, real) in &ports {
                    run = run.replace(book.as_str(), real);
                }
                assert!(run.contains("127.0.0.1:") && run != *line, "{at}: not an address the box forwards");
                let run = substitution::prepare(&run, substitution::HttpClient::Curl);
                let ask = || {
                    let out = std::process::Command::new("sh").args(["-c", &run]).output().unwrap();
                    let said = String::from_utf8_lossy(&out.stdout).into_owned();
                    assert!(
                        out.status.success(),
                        "{at}: {}: {said}{}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr)
                    );
                    said
                };
                if line.contains("vote=") {
                    let page = ask();
                    assert!(page.contains("&#10004;"), "{at}: the ballot marks no choice: {page}");
                    votes += 1;
                    continue;
                }
                results += 1;
                let want = votes;
                let deadline = Instant::now() + Duration::from_secs(60);
                loop {
                    let page = ask();
                    let total = result_total(&page);
                    if total == Some(want) {
                        eprintln!("{at}: {}", page.trim());
                        break;
                    }
                    assert!(
                        Instant::now() < deadline,
                        "{at}: result still shows {total:?}, not {want} vote(s): {page}"
                    );
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
            ["docker", "service", "update", "--force", "db"] => {
                let before = node_of(node1, "db");
                session.run_line(&at, 1, line).unwrap_or_else(|e| panic!("{e}"));
                let after = node_of(node1, "db");
                eprintln!("{at}: db ran on {before}, now on {after}");
                if after != before {
                    votes = 0;
                }
                db_node = Some(after);
            }
            ["docker", ..] => {
                session.run_line(&at, 1, line).unwrap_or_else(|e| panic!("{e}"));
            }
            _ => panic!("{at}: the test does not know how to run this line"),
        }
    }
    assert_eq!(forwards.len(), 2, "the box forwards vote and result: {lines:#?}");
    assert!(
        db_node.is_some() && results >= 2,
        "Test the app votes, reads result, forces db and reads it again: {lines:#?}"
    );
}

#[test]
fn a_result_page_total_is_read_as_the_stand_in_writes_it() {
    for (page, want) in [
        (r#"<div id="result">No votes yet</div>"#, Some(0)),
        (r#"<div id="result">1 vote</div>"#, Some(1)),
        (r#"<div id="result">12 votes</div>"#, Some(12)),
        (r#"<p id="error">result could not reach db:5432</p>"#, None),
    ] {
        assert_eq!(result_total(page), want, "{page}");
    }
}

#[test]
fn the_test_the_app_lines_are_found_in_the_chapter() {
    let lines = text_block_lines("voting-app.md", TEST_THE_APP);
    assert_eq!(lines.first().map(String::as_str), Some("lab cluster forward vote 8080:80"), "{lines:#?}");
    assert!(lines.iter().any(|l| l == "docker service update --force db"), "{lines:#?}");
}

#[test]
fn every_chapter_with_commands_is_run_in_book_order() {
    let summary = std::fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    let with_commands: Vec<String> =
        book_order(&summary).into_iter().filter(|ch| !lesson(ch).commands.is_empty()).collect();
    let tested: Vec<&str> = ONE_NODE.iter().chain(THREE_NODES).copied().collect();
    assert_eq!(
        with_commands, tested,
        "chapters with `console` commands, in SUMMARY.md order, vs the chapters this file runs"
    );
    for ch in
        ["first-service.md", "three-node-swarm.md", "overlay-networks.md", "routing-mesh.md", "voting-app-answer.md"]
    {
        assert!(lab_of(&lesson(ch)).is_some(), "{ch} has no lab card to grade");
    }
}

#[test]
fn no_runnable_line_keeps_an_outside_address() {
    let summary = std::fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    for ch in book_order(&summary) {
        let lesson = lesson(&ch);
        for cmd in &lesson.commands {
            let run = substitution::substitute_addresses(&cmd.text)
                .unwrap_or_else(|e| panic!("{}: `{}`: {e}", lesson.locate(cmd), cmd.text));
            let outside: Vec<_> = substitution::ipv4_literals(&run)
                .into_iter()
                .filter(|a| !a.is_loopback() && !a.is_unspecified())
                .collect();
            assert!(outside.is_empty(), "{}: `{run}` keeps {outside:?}", lesson.locate(cmd));
        }
    }
}

#[test]
fn one_node_lessons_run_and_their_labs_score_100() {
    let start = Instant::now();
    let swarm = PracticeSwarm::up(1);
    let mut session = swarm.session();
    for chapter in ONE_NODE {
        run_and_grade(&mut session, &swarm.nodes[0], chapter);
    }
    assert_eq!(session.skipped(), &[], "nothing on one node needs the routing mesh");

    // A failing command fails the lesson, named by where it is; an outside address is
    // refused before anything runs.
    let err = session.run_line("negative check", 1, "docker network rm no-such-network").unwrap_err().to_string();
    assert!(err.starts_with("negative check: `docker network rm no-such-network` failed on node1"), "{err}");
    let err =
        session.run_line("negative check", 1, "docker service create alpine ping 1.1.1.1").unwrap_err().to_string();
    assert!(err.contains("outside address 1.1.1.1"), "{err}");
    drop(session);
    swarm.down();
    eprintln!("one-node lessons: {:.1}s", start.elapsed().as_secs_f64());
}

#[test]
fn three_node_lessons_run_and_their_labs_score_100() {
    let start = Instant::now();
    let swarm = PracticeSwarm::up(3);
    // `up` says once what this kernel's missing IPVS means.
    let note = swarm.up_stderr.contains("kernel has no IPVS");
    assert_eq!(note, !private_swarm::ipvs_available(), "IPVS note in `up`: {}", swarm.up_stderr);
    assert_eq!(swarm.up_stderr.matches("kernel has no IPVS").count(), usize::from(note));
    reaching_node2_works_as_the_book_says(&swarm);
    let node1 = &swarm.nodes[0];
    let voting_app = std::fs::read_to_string(book_src().join("voting-app.md")).unwrap();
    assert!(voting_app.contains(START_CLEAN), "voting-app.md no longer says `{START_CLEAN}`");
    let mut session = swarm.session();
    for chapter in THREE_NODES {
        if *chapter == "voting-app-answer.md" {
            session.run_line("voting-app.md, hint \"Start clean\"", 1, START_CLEAN).unwrap_or_else(|e| panic!("{e}"));
        }
        run_and_grade(&mut session, node1, chapter);
    }
    test_the_app_as_the_book_says(&swarm, &mut session);

    let skipped = session.skipped();
    // Written straight to the process's stderr, past the test harness's output capture, so
    // a skip shows in every CI log, passing or not: never silent.
    {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "lessons: {} command(s) skipped:", skipped.len());
        for s in skipped {
            let _ = writeln!(err, "  {s}");
        }
    }
    assert!(
        skipped.iter().all(|s| s.reason == SkipReason::NoIpvs && s.command.starts_with("curl ")),
        "only HTTP probes through the routing mesh may be skipped: {skipped:#?}"
    );
    if mesh::has_ipvs(node1) {
        assert_eq!(skipped, &[], "this kernel has IPVS: nothing may be skipped");
    }
    drop(session);
    swarm.down();
    eprintln!("three-node lessons: {:.1}s", start.elapsed().as_secs_f64());
}

#[test]
fn a_rejoined_nodes_duplicate_is_named_in_the_report() {
    let swarm = PracticeSwarm::up(3);
    let node1 = &swarm.nodes[0];
    let mut session = swarm.session();
    // The lesson's swarm, without its drills (three_node_lessons… runs those).
    let mut three_nodes = lesson("three-node-swarm.md");
    three_nodes.commands.retain(|c| !c.text.starts_with("lab drill "));
    session.run_lesson(&three_nodes).unwrap_or_else(|e| panic!("{e}"));
    // The lesson's `docker node promote` returns before node3 is in the managers' raft
    // membership; demoting it before then fails ("can't find manager in raft memberlist").
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = node1.docker(&["node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}"]).unwrap();
        if rows.lines().any(|l| l == "node3 Reachable" || l == "node3 Leader") {
            break;
        }
        assert!(Instant::now() < deadline, "node3 never became a reachable manager: {rows}");
        std::thread::sleep(Duration::from_millis(300));
    }
    // node3 leaves and joins again by hand: the swarm keeps its old entry, Down.
    for (node, line) in [
        (1, "docker node demote node3"),
        (3, "docker swarm leave"),
        (3, "docker swarm join --token <worker-token> <node1-ip>:2377"),
    ] {
        session.run_line("rejoin node3", node, line).unwrap_or_else(|e| panic!("{e}"));
    }
    let stale = {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let rows = node1.docker(&["node", "ls", "--format", "{{.ID}} {{.Hostname}} {{.Status}}"]).unwrap();
            let down: Vec<String> = rows
                .lines()
                .filter(|l| l.ends_with(" node3 Down"))
                .map(|l| l.split_whitespace().next().unwrap().to_string())
                .collect();
            if down.len() == 1 || Instant::now() > deadline {
                assert_eq!(down.len(), 1, "one Down duplicate of node3: {rows}");
                break down[0].clone();
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    };

    let report =
        lab_check(node1, "day6-three-node-swarm", Duration::from_secs(3)).unwrap_or_else(|e| panic!("lab check: {e}"));
    assert!(!report.passed, "{report:#?}");
    let said: String = report
        .checks
        .iter()
        .filter(|c| c.status != lab_grader::Status::Pass)
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    assert!(said.contains("node3"), "the report names the duplicate hostname: {said}");
    assert!(said.contains("docker node rm"), "the report's hint names `docker node rm`: {said}");

    // What the hint says works: remove the stale entry, then node3 is no longer ambiguous.
    node1.docker(&["node", "rm", &stale]).unwrap();
    session.run_line("after docker node rm", 1, "docker node promote node3").unwrap_or_else(|e| panic!("{e}"));
    let report =
        lab_check(node1, "day6-three-node-swarm", Duration::from_secs(30)).unwrap_or_else(|e| panic!("lab check: {e}"));
    assert_eq!(report.score, 100, "{report:#?}");
    drop(session);
    swarm.down();
}
