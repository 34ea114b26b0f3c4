//! Realistic learner mistakes on the voting-app assignment, each set up as its script makes
//! it on an empty private swarm. Each must fail exactly the checks it should, name the wrong value
//! in a mismatch, and render a human report we review as a snapshot.

mod support;
use support::voting_app::*;
use support::*;

/// How many swarms share the mistakes: each mistake mostly waits on its engine (tasks
/// starting and stopping), so a few swarms side by side finish the list sooner.
const SWARMS: usize = 3;

/// What grading one mistake found.
struct Graded {
    problems: Vec<String>,
    /// The human report.
    human: String,
    /// `check id: fix` for each failed check of `lab check --fix`.
    fixes: String,
}

/// Brings `swarm` to mistake `m` (what its script makes on an empty swarm, rebuilding only
/// what differs from the mistake before: [`TestSwarm::set_state`]) and grades it.
fn grade_mistake(swarm: &TestSwarm, m: &Mistake) -> Graded {
    let host = swarm.host(0);
    let mut problems = Vec::new();
    swarm.set_state(&script(m));
    all_replicas_running(swarm);
    let (report, code) = check_json(&host, "day6-voting-app", &[]);
    assert_eq!(code, 1, "{}", m.name);
    let failed: Vec<String> =
        statuses(&report).into_iter().filter(|(_, s)| s != "pass").map(|(id, s)| format!("{id}:{s}")).collect();
    let mut want: Vec<String> = m.fails.iter().map(|id| format!("{id}:fail")).collect();
    want.sort();
    let mut got = failed.clone();
    got.sort();
    if got != want {
        problems.push(format!("{}: expected {want:?} to fail, got {got:?}", m.name));
    }
    let mismatches = report["checks"].to_string();
    if !mismatches.contains(m.names) {
        problems.push(format!("{}: no mismatch names `{}`: {mismatches}", m.name, m.names));
    }
    let human = stdout(&lab(&host, &["check", "day6-voting-app"]));
    let (with_fixes, _) = check_json(&host, "day6-voting-app", &["--fix"]);
    let mut fixes = String::new();
    for c in with_fixes["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "fail") {
        fixes.push_str(&format!("{}: {}\n", c["id"].as_str().unwrap(), c["fix"].as_str().unwrap_or("(none)")));
    }
    Graded { problems, human, fixes }
}

#[test]
fn each_mistake_fails_exactly_its_checks_and_names_the_wrong_value() {
    // The mistakes in SWARMS consecutive runs, one swarm each; the last run ends on the
    // last mistake, whose swarm the zh-TW part below grades again.
    let per_swarm = MISTAKES.len().div_ceil(SWARMS);
    let runs: Vec<&[Mistake]> = MISTAKES.chunks(per_swarm).collect();
    let (swarms, graded): (Vec<TestSwarm>, Vec<Vec<Graded>>) = std::thread::scope(|scope| {
        let workers: Vec<_> = runs
            .iter()
            .map(|run| {
                scope.spawn(move || {
                    let swarm = TestSwarm::start(1, 1);
                    let graded = run.iter().map(|m| grade_mistake(&swarm, m)).collect();
                    (swarm, graded)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).unzip()
    });
    let mut problems = Vec::new();
    let mut fixes = String::new();
    for (m, g) in MISTAKES.iter().zip(graded.into_iter().flatten()) {
        problems.extend(g.problems);
        insta::assert_snapshot!(m.name, g.human);
        fixes.push_str(&format!("# {}\n{}", m.name, g.fixes));
    }
    // What `lab check --fix` tells each learner to run (fix_property proves they work).
    insta::assert_snapshot!("fixes", fixes);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The last mistake's swarm, graded in Traditional Chinese: the same ids, statuses and
    // points, human text from the zh-TW catalog.
    let host = swarms.last().unwrap().host(0);
    let zh = [("LANG", "zh_TW.UTF-8")];
    let (english, _) = check_json(&host, "day6-voting-app", &[]);
    let o = lab_with_env(&host, &["check", "day6-voting-app", "--format", "json"], &zh);
    assert_eq!(o.status.code(), Some(1));
    let chinese: serde_json::Value = serde_json::from_slice(&o.stdout).expect("zh-TW JSON report");
    let fixed = |r: &serde_json::Value| {
        let checks = r["checks"].as_array().unwrap().iter();
        let per_check: Vec<_> = checks.map(|c| (c["id"].clone(), c["status"].clone(), c["points"].clone())).collect();
        (r["lab"].clone(), r["score"].clone(), r["max_score"].clone(), r["passed"].clone(), per_check)
    };
    assert_eq!(fixed(&chinese), fixed(&english), "ids, statuses and points never change with the language");
    assert_eq!(chinese["title"], "作業：分散式投票應用程式");
    assert_eq!(chinese["checks"][0]["title"], "Overlay Network `frontend` 已存在");
    let mismatch = &chinese["checks"][1]["mismatches"][0];
    assert_eq!(
        (mismatch["field"].as_str(), mismatch["expected"].as_str()),
        (Some("網路"), Some("名為 `backend` 的網路"))
    );
    // Fix commands are pasted into a shell: the same in every language.
    let (english_fixes, _) = check_json(&host, "day6-voting-app", &["--fix"]);
    let o = lab_with_env(&host, &["check", "day6-voting-app", "--fix", "--format", "json"], &zh);
    let chinese_fixes: serde_json::Value = serde_json::from_slice(&o.stdout).expect("zh-TW JSON report");
    let fix_lines =
        |r: &serde_json::Value| r["checks"].as_array().unwrap().iter().map(|c| c["fix"].clone()).collect::<Vec<_>>();
    assert_eq!(fix_lines(&chinese_fixes), fix_lines(&english_fixes));
    let human = stdout(&lab_with_env(&host, &["check", "day6-voting-app"], &zh));
    insta::assert_snapshot!("backend_network_missing_zh_tw", human);
}

/// Waits (up to 90 s: three swarms start side by side, on a loaded machine) until every service runs all its replicas: each mistake is about a
/// setting, not about tasks still starting (db's stand-in is only running once healthy).
fn all_replicas_running(swarm: &TestSwarm) {
    let all_running = |services: &[(String, String)]| {
        services.iter().filter_map(|(_, r)| r.split_once('/')).all(|(running, wanted)| running == wanted)
    };
    swarm
        .wait_replicas(std::time::Duration::from_secs(90), all_running)
        .unwrap_or_else(|last| panic!("replicas still starting after 90s: {last}"));
}

/// db without POSTGRES_PASSWORD or POSTGRES_HOST_AUTH_METHOD never starts (the official
/// image's rule, which the stand-in keeps): its checks must fail, not converge, and say
/// why in postgres's own words, read from the service's logs.
#[test]
fn a_db_without_a_password_fails_and_the_report_quotes_its_logs() {
    let swarm = TestSwarm::start(1, 1);
    let host = swarm.host(0);
    let no_password = "docker service create --name db --network backend \
                       --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4";
    swarm.apply(&script_with(&[("db", no_password)]));
    // `--wait` re-reads while anything converges: it returns once db is known to be stuck.
    let only = ["--only", "db", "--only", "volume-db-data", "--wait", "60s"];
    let (report, code) = check_json(&host, "day6-voting-app", &only);
    assert_eq!(code, 1, "{report:#}");
    for check in report["checks"].as_array().unwrap() {
        assert_eq!(check["status"], "fail", "stuck, not converging: {check:#}");
        let cause = &check["cause"];
        assert_eq!(cause["service"], "db", "{check:#}");
        assert_eq!(cause["error"], "task: non-zero exit (1)", "{check:#}");
        let logs: Vec<&str> = cause["logs"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
        assert!(logs.iter().any(|l| l.contains("superuser password is not specified")), "{logs:?}");
    }
    // The human report names it too, in the language of the run.
    let human = stdout(&lab(&host, &["check", "day6-voting-app", "--only", "db"]));
    assert!(human.contains("why:  a task of db failed: task: non-zero exit (1)"), "{human}");
    assert!(human.contains("superuser password is not specified"), "{human}");
    let zh = stdout(&lab_with_env(&host, &["check", "day6-voting-app", "--only", "db"], &[("LANG", "zh_TW.UTF-8")]));
    assert!(
        zh.contains("原因： db 的任務失敗：task: non-zero exit (1)")
            && zh.contains("superuser password is not specified"),
        "{zh}"
    );
}
