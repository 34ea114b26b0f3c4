//! The lessons are tested like doctests: every command a learner is told to type runs, in
//! book order, on a private swarm of the lesson's shape, and must succeed; then the lab on
//! the lesson's card must score 100 (`lab check LAB --wait 60s`).
//!
//! Two clusters, run in parallel: one engine for the introduction and the first service,
//! three engines for the three-node lesson and the lessons that build on it. Both start
//! with engines outside any swarm (the harness forms one; every node leaves it first), as
//! those lessons begin with `docker swarm init`. Substitutions and skips: see
//! `swarm_e2e::substitution` and `swarm_e2e::session`.

use private_swarm::{Cluster, ClusterSpec};
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
/// The assignment's "Start clean" hint (a `text` block of voting-app.md), run before its answer.
const START_CLEAN: &str = "docker service rm drupal psql search";

fn lesson(chapter: &str) -> Lesson {
    Lesson::read(&book_src(), chapter).unwrap_or_else(|e| panic!("{e}"))
}

/// The lab a lesson is graded by: its card, or for an answer chapter its assignment's.
fn lab_of(lesson: &Lesson) -> Option<String> {
    lesson.lab.clone().or_else(|| assignment_of(&lesson.chapter).and_then(|a| self::lesson(&a).lab))
}

/// Private engines and their directory; fields drop in order, so the cluster is torn
/// down before its directory is removed.
struct Engines {
    cluster: Cluster,
    _dir: tempfile::TempDir,
}

/// `nodes` engines with the stand-in images, none of them in a swarm.
fn engines_without_swarm(nodes: usize) -> Engines {
    let dir = tempfile::Builder::new().prefix("le").tempdir_in("/tmp").expect("temp dir");
    let cluster = Cluster::start(ClusterSpec::new(dir.path(), nodes, 1))
        .unwrap_or_else(|e| panic!("cannot start a private swarm: {e}"));
    for i in (0..nodes).rev() {
        cluster.docker(i, &["swarm", "leave", "--force"]).unwrap_or_else(|e| panic!("{e}"));
        let state = cluster.docker(i, &["info", "--format", "{{.Swarm.LocalNodeState}}"]).unwrap();
        assert_eq!(state.trim(), "inactive", "node{} after swarm leave", i + 1);
    }
    Engines { cluster, _dir: dir }
}

fn run_and_grade(session: &mut Session, cluster: &Cluster, chapter: &str) {
    let lesson = lesson(chapter);
    session.run_lesson(&lesson).unwrap_or_else(|e| panic!("{e}"));
    let Some(lab) = lab_of(&lesson) else { return };
    let start = Instant::now();
    let report =
        lab_check(cluster.node(0), &lab, Duration::from_secs(60)).unwrap_or_else(|e| panic!("lab check {lab}: {e}"));
    let failing: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.status != lab_grader::Status::Pass)
        .map(|c| format!("{} ({}): {}", c.id, c.status.as_str(), c.message))
        .collect();
    eprintln!("lab check {lab}: {}/{} ({:.1}s)", report.score, report.max_score, start.elapsed().as_secs_f64());
    assert!(report.passed && report.score == 100, "{chapter}: lab check {lab} scored {}: {failing:#?}", report.score);
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
    let engines = engines_without_swarm(1);
    let cluster = &engines.cluster;
    let mut session = Session::new(cluster);
    for chapter in ONE_NODE {
        run_and_grade(&mut session, cluster, chapter);
    }
    assert_eq!(session.skipped(), &[], "nothing on one node needs the routing mesh");

    // A failing command fails the lesson, named by where it is; an outside address is
    // refused before anything runs.
    let err = session.run_line("negative check", 1, "docker network rm no-such-network").unwrap_err().to_string();
    assert!(err.starts_with("negative check: `docker network rm no-such-network` failed on node1"), "{err}");
    let err =
        session.run_line("negative check", 1, "docker service create alpine ping 1.1.1.1").unwrap_err().to_string();
    assert!(err.contains("outside address 1.1.1.1"), "{err}");
    eprintln!("one-node lessons: {:.1}s", start.elapsed().as_secs_f64());
}

#[test]
fn three_node_lessons_run_and_their_labs_score_100() {
    let start = Instant::now();
    let engines = engines_without_swarm(3);
    let cluster = &engines.cluster;
    let voting_app = std::fs::read_to_string(book_src().join("voting-app.md")).unwrap();
    assert!(voting_app.contains(START_CLEAN), "voting-app.md no longer says `{START_CLEAN}`");
    let mut session = Session::new(cluster);
    for chapter in THREE_NODES {
        if *chapter == "voting-app-answer.md" {
            session.run_line("voting-app.md, hint \"Start clean\"", 1, START_CLEAN).unwrap_or_else(|e| panic!("{e}"));
        }
        run_and_grade(&mut session, cluster, chapter);
    }

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
    if mesh::has_ipvs(cluster.node(0)) {
        assert_eq!(skipped, &[], "this kernel has IPVS: nothing may be skipped");
    }
    eprintln!("three-node lessons: {:.1}s", start.elapsed().as_secs_f64());
}
