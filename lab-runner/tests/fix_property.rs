//! The fixes `lab check --fix` computes work, on real engines: for every learner state of
//! the corpus (the voting-app mistakes, pairs of them, mistakes in the other labs, empty
//! swarms), every failed check's fix is run exactly as `lab check --fix --format json`
//! prints it, line by line with bash, in report order; then `lab check --wait` must score
//! 100. A line that fails, or a lab left failing, fails the test.
//!
//! Two test-only changes, the ones every engine test here makes: `docker service
//! create|update` get `--detach --no-resolve-image` (no registry; [`support::fast`]) and,
//! after such a line, the test waits for the service to converge, as the CLI's attached
//! mode does for the learner; and an outside address (`8.8.8.8`) becomes `127.0.0.1`, so
//! nothing leaves the machine. One private swarm serves many states one after another
//! ([`TestSwarm::set_state`]: what a state's script makes, rebuilding only what differs
//! from the state before).

mod support;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::voting_app::{script, script_with, MISTAKES};
use support::*;

struct State {
    name: String,
    lab: &'static str,
    setup: String,
}

fn state(name: &str, lab: &'static str, setup: &str) -> State {
    State { name: name.into(), lab, setup: setup.into() }
}

/// Runs one fix line as the learner would paste it into bash.
fn run_line(swarm: &TestSwarm, line: &str) -> Result<(), String> {
    let line = fast(&line.replace("8.8.8.8", "127.0.0.1"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(&line)
        .env("DOCKER_HOST", swarm.host(0))
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null())
        .output()
        .expect("bash");
    if !out.status.success() {
        return Err(format!("`{line}` failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    if let Some(name) = created(&line) {
        wait_running(swarm, &name);
    }
    Ok(())
}

/// The service a `docker service create` line names.
fn created(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.get(..3)? {
        ["docker", "service", "create"] => {
            words.iter().position(|w| *w == "--name").and_then(|i| words.get(i + 1)).map(|s| s.to_string())
        }
        _ => None,
    }
}

/// What `docker service create` without `--detach` waits for before the next line: its
/// tasks running (bounded: a service that cannot start is the check's to report). An
/// update needs no wait: the next line works on the new spec, and `lab check --wait` waits
/// for the tasks.
fn wait_running(swarm: &TestSwarm, name: &str) {
    // Not a synchronisation that may time out silently: ending at the deadline is what
    // `docker service create` does for a service that cannot start, and the check then
    // reports it (the property is about what the fixes do from any state).
    let settled = |services: &[(String, String)]| {
        services.iter().any(|(n, r)| n == name && r.split_once('/').is_some_and(|(a, b)| a == b && a != "0"))
    };
    let _ = swarm.wait_replicas(Duration::from_secs(30), settled);
}

/// Sets up each state, runs its fixes, and returns what went wrong.
/// `prepare` brings the swarm to a state's setup.
fn prove(swarm: &TestSwarm, states: &[State], prepare: impl Fn(&TestSwarm, &State)) -> Vec<String> {
    let host = swarm.host(0);
    let mut problems = Vec::new();
    // FIX_PROPERTY_ONLY=name,name runs only those states (to debug one).
    let only = std::env::var("FIX_PROPERTY_ONLY").unwrap_or_default();
    let chosen = |s: &&State| only.is_empty() || only.split(',').any(|o| o == s.name);
    for s in states.iter().filter(chosen) {
        let t0 = Instant::now();
        prepare(swarm, s);
        let t_apply = t0.elapsed().as_secs_f64();
        let (plain, _) = check_json(&host, s.lab, &[]);
        let t_plain = t0.elapsed().as_secs_f64();
        for c in plain["checks"].as_array().unwrap() {
            if !c["fix"].is_null() {
                problems.push(format!("{}: the default report shows a fix for {}", s.name, c["id"]));
            }
        }
        let (report, _) = check_json(&host, s.lab, &["--fix"]);
        let mut lines = Vec::new();
        for c in report["checks"].as_array().unwrap() {
            if c["status"] == "fail" {
                lines.extend(c["fix"].as_str().unwrap_or_default().lines().map(str::to_string));
            }
        }
        let t_fix = t0.elapsed().as_secs_f64();
        let failed = lines.iter().try_for_each(|l| run_line(swarm, l));
        let t_lines = t0.elapsed().as_secs_f64();
        if let Err(e) = failed {
            problems.push(format!("{}: {e}\nfixes: {}", s.name, lines.join("\n")));
            continue;
        }
        let (after, code) = check_json(&host, s.lab, &["--wait", "60s"]);
        if code != 0 {
            problems.push(format!(
                "{}: --fix said {}\nafter the fixes\n{}\nthe lab scores {}: {}",
                s.name,
                report["checks"],
                lines.join("\n"),
                after["score"],
                after["checks"]
            ));
        }
        eprintln!(
            "{}: {} fix lines, {:.1}s (setup {t_apply:.1}, check {t_plain:.1}, --fix {t_fix:.1}, lines {t_lines:.1})",
            s.name,
            lines.len(),
            t0.elapsed().as_secs_f64()
        );
    }
    problems
}

/// The state's setup, made from what the previous state made ([`TestSwarm::set_state`]).
fn set_up(swarm: &TestSwarm, s: &State) {
    swarm.set_state(&s.setup);
}

fn voting_app_states() -> Vec<State> {
    let mut v: Vec<State> = MISTAKES.iter().map(|m| state(m.name, "day6-voting-app", &script(m))).collect();
    v.push(state("empty_swarm", "day6-voting-app", ""));
    let find = |n: &str| MISTAKES.iter().find(|m| m.name == n).unwrap().replace;
    for (a, b) in [
        ("vote_one_replica", "redis_publishes_6379"),
        ("vote_named_votes", "result_on_low_port"),
        ("db_volume_misnamed", "worker_only_on_frontend"),
        ("vote_published_on_8080", "db_also_on_frontend"),
    ] {
        v.push(state(&format!("{a}+{b}"), "day6-voting-app", &script_with(&[find(a), find(b)])));
    }
    // The results page took port 80 and vote is missing: vote's fix must free port 80 first.
    v.push(state(
        "result_on_80_vote_missing",
        "day6-voting-app",
        &script_with(&[
            ("vote", ""),
            (
                "result",
                "docker service create --name result --network backend -p 80:80 bretfisher/examplevotingapp_result",
            ),
        ]),
    ));
    // backend made with the default driver: a bridge that no service can join.
    v.push(state(
        "backend_is_a_bridge",
        "day6-voting-app",
        &format!("docker network create backend\n{}", script_with(&[("backend", "")])),
    ));
    v
}

fn other_lab_states() -> Vec<State> {
    vec![
        state("first_service_empty", "day6-first-service", ""),
        state("first_service_one_replica", "day6-first-service", "docker service create alpine ping 127.0.0.1"),
        state(
            "first_service_scaled_never_healed",
            "day6-first-service",
            "docker service create --name pinger --replicas 3 alpine ping 127.0.0.1\ndocker service create --name idle alpine sleep 1000",
        ),
        state("overlay_drupal_empty", "day6-overlay-drupal", ""),
        state(
            "psql_without_password",
            "day6-overlay-drupal",
            "docker network create --driver overlay mydrupal\ndocker service create --name psql --network mydrupal postgres\ndocker service create --name drupal --network mydrupal -p 80:80 drupal",
        ),
        state(
            "mydrupal_is_a_bridge_drupal_on_8080",
            "day6-overlay-drupal",
            "docker network create mydrupal\ndocker service create --name drupal -p 8080:80 drupal",
        ),
        state(
            "psql_named_postgres",
            "day6-overlay-drupal",
            "docker network create --driver overlay mydrupal\ndocker service create --name postgres --network mydrupal -e POSTGRES_PASSWORD=x postgres",
        ),
        state("routing_mesh_empty", "day6-routing-mesh", ""),
        state("search_one_replica", "day6-routing-mesh", "docker service create --name search -p 9200:9200 elasticsearch:2"),
        state(
            "search_in_host_mode_on_9201",
            "day6-routing-mesh",
            "docker service create --name search --publish mode=host,published=9201,target=9200 elasticsearch:2",
        ),
    ]
}

/// `fixes = false` in a lab file: `--fix` shows hints only and says why, exit code as
/// always; `lab grade` writes fixes into feedback files unless `--no-fixes`.
fn hints_only_where_the_lab_or_the_grader_says_so(swarm: &TestSwarm) {
    let dir = tempfile::tempdir().unwrap();
    let labs = dir.path().join("labs");
    std::fs::create_dir(&labs).unwrap();
    let text = std::fs::read_to_string(labs_dir().join("day6-routing-mesh.toml")).unwrap();
    let graded = text.replacen("\n[[check]]", "\nfixes = false\n\n[[check]]", 1);
    std::fs::write(labs.join("day6-routing-mesh.toml"), graded).unwrap();
    let run = |args: &[&str]| {
        Command::new(lab_bin())
            .args(args)
            .env("DOCKER_HOST", swarm.host(0))
            .env("NO_COLOR", "1")
            .env("SWARM_LAB_LABS", &labs)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let human = run(&["check", "day6-routing-mesh", "--fix"]);
    assert_eq!(human.status.code(), Some(1));
    let text = stdout(&human);
    assert!(text.contains("No fix commands: this lab turns them off") && !text.contains("fix:"), "{text}");
    let json = run(&["check", "day6-routing-mesh", "--fix", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["fix"].is_null()), "{report}");
    assert!(String::from_utf8_lossy(&json.stderr).contains("No fix commands"));

    std::fs::write(dir.path().join("class.csv"), format!("learner,endpoint\nana,{}\n", swarm.host(0))).unwrap();
    for (flags, with_fix) in [(&[][..], true), (&["--no-fixes"][..], false)] {
        let out = dir.path().join(format!("out{with_fix}"));
        let mut args = vec!["grade", "day6-voting-app", "--roster"];
        let roster = dir.path().join("class.csv");
        args.push(roster.to_str().unwrap());
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(flags);
        let o = Command::new(lab_bin()).args(&args).env_remove("SWARM_LAB_LABS").stdin(Stdio::null()).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let page = std::fs::read_to_string(out.join("feedback/ana.md")).unwrap();
        assert_eq!(page.contains("docker network create --driver overlay frontend"), with_fix, "{page}");
        assert!(page.contains("**Hint:**"), "{page}");
    }
}

/// Fails with every problem [`prove`] found in `states`.
fn assert_all_fixed(problems: &[String], states: &[State]) {
    assert!(
        problems.is_empty(),
        "{} of {} states not fixed:\n\n{}",
        problems.len(),
        states.len(),
        problems.join("\n\n")
    );
}

fn prove_all(swarm: &TestSwarm, states: &[State]) {
    assert_all_fixed(&prove(swarm, states, set_up), states);
}

/// The voting-app states in `QUARTERS` runs of about the same length, each on a swarm of
/// its own, so that the test threads share the work.
const QUARTERS: usize = 4;

/// Quarter `k` (0 to 3) of the voting-app states.
fn voting_app_quarter(k: usize) -> Vec<State> {
    let mut states = voting_app_states();
    let size = states.len().div_ceil(QUARTERS);
    states.drain(..(k * size).min(states.len()));
    states.truncate(size);
    states
}

#[test]
fn voting_app_mistakes_first_quarter_are_fixed_by_the_printed_commands() {
    prove_all(&TestSwarm::start(1, 1), &voting_app_quarter(0));
}

#[test]
fn voting_app_mistakes_second_quarter_are_fixed_by_the_printed_commands() {
    prove_all(&TestSwarm::start(1, 1), &voting_app_quarter(1));
}

#[test]
fn voting_app_mistakes_third_quarter_are_fixed_by_the_printed_commands() {
    prove_all(&TestSwarm::start(1, 1), &voting_app_quarter(2));
}

#[test]
fn voting_app_mistakes_fourth_quarter_are_fixed_by_the_printed_commands() {
    let last = voting_app_quarter(3);
    let covered: usize = (0..QUARTERS).map(|k| voting_app_quarter(k).len()).sum();
    assert_eq!(covered, voting_app_states().len(), "the quarters cover every voting-app state");
    prove_all(&TestSwarm::start(1, 1), &last);
}

#[test]
fn every_mistake_in_the_other_labs_is_fixed_by_the_printed_commands() {
    let total = voting_app_states().len() + other_lab_states().len() + 2;
    assert!(total >= 25, "the corpus has {total} states; the property needs at least 25");
    let swarm = TestSwarm::start(1, 1);
    let states = other_lab_states();
    let problems = prove(&swarm, &states, set_up);
    swarm.set_state("");
    hints_only_where_the_lab_or_the_grader_says_so(&swarm);
    assert_all_fixed(&problems, &states);
}

#[test]
fn a_three_node_swarm_short_of_managers_is_fixed_by_the_printed_commands() {
    let swarm = TestSwarm::start(3, 1);
    let states = vec![
        state("three_nodes_one_manager", "day6-three-node-swarm", ""),
        state("three_nodes_two_managers", "day6-three-node-swarm", "docker node promote node2"),
    ];
    let demote = |s: &TestSwarm, state: &State| {
        s.sh("for n in node2 node3; do [ \"$(docker node inspect -f '{{.Spec.Role}}' $n)\" = worker ] || docker node demote $n >/dev/null; done");
        let deadline = Instant::now() + Duration::from_secs(30);
        while s.sh("docker node ls --format '{{.ManagerStatus}}'").lines().filter(|l| !l.trim().is_empty()).count() > 1
        {
            assert!(Instant::now() < deadline, "node2 and node3 stay managers");
            std::thread::sleep(Duration::from_millis(200));
        }
        s.apply(&state.setup);
    };
    assert_all_fixed(&prove(&swarm, &states, demote), &states);
}

/// Which setup lines [`TestSwarm::set_state`] can keep from one state to the next (its
/// unit test lives here, not in `support`, which every test binary compiles).
#[test]
fn services_with_a_name_and_networks_are_keepable_other_lines_not() {
    use support::state::{keepable, Keepable};
    assert_eq!(
        keepable("docker service create --detach --name vote -p 80:80 --network frontend --network=backend x"),
        Some(Keepable::Service { name: "vote".into(), networks: vec!["frontend".into(), "backend".into()] })
    );
    assert_eq!(
        keepable("docker network create -d overlay backend"),
        Some(Keepable::Network { name: "backend".into() })
    );
    assert_eq!(keepable("docker network create backend"), Some(Keepable::Network { name: "backend".into() }));
    assert_eq!(keepable("docker service create alpine ping 127.0.0.1"), None);
    assert_eq!(keepable("docker node promote node2"), None);
    assert_eq!(keepable("docker volume create v"), None);
}
