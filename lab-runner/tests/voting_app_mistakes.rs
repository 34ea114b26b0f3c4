//! Realistic learner mistakes on the voting-app assignment, each applied to a fresh state
//! of one private swarm. Each must fail exactly the checks it should, name the wrong value
//! in a mismatch, and render a human report we review as a snapshot.

mod support;
use support::*;

/// The course's current answer, one line per key so a mistake can replace a line. The db
/// mistakes keep `POSTGRES_HOST_AUTH_METHOD=trust`: without it db never runs (as on a real
/// swarm), which would hide the one mistake each of them is about.
const ANSWER: &[(&str, &str)] = &[
    ("backend", "docker network create -d overlay backend"),
    ("frontend", "docker network create -d overlay frontend"),
    ("vote", "docker service create --name vote -p 80:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"),
    ("redis", "docker service create --name redis --network frontend redis:3.2"),
    ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4"),
    ("worker", "docker service create --name worker --network frontend --network backend bretfisher/examplevotingapp_worker"),
    ("result", "docker service create --name result --network backend -p 5001:80 bretfisher/examplevotingapp_result"),
];

struct Mistake {
    name: &'static str,
    /// Which answer line it replaces ("" = none) and with what ("" = drop the line).
    replace: (&'static str, &'static str),
    /// The checks that must fail, and nothing else.
    fails: &'static [&'static str],
    /// A text some mismatch must contain: the wrong value, named.
    names: &'static str,
}

const MISTAKES: &[Mistake] = &[
    Mistake { name: "vote_one_replica", replace: ("vote", "docker service create --name vote -p 80:80 --network frontend bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "1 (replicated)" },
    Mistake { name: "vote_published_on_8080", replace: ("vote", "docker service create --name vote -p 8080:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "8080→80/tcp" },
    Mistake { name: "vote_wrong_container_port", replace: ("vote", "docker service create --name vote -p 80:5000 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "80→5000/tcp" },
    Mistake { name: "vote_named_votes", replace: ("vote", "docker service create --name votes -p 80:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "`votes` looks close" },
    Mistake { name: "redis_publishes_6379", replace: ("redis", "docker service create --name redis --network frontend -p 6379:6379 redis:3.2"), fails: &["redis"], names: "6379→6379/tcp" },
    Mistake { name: "worker_only_on_frontend", replace: ("worker", "docker service create --name worker --network frontend bretfisher/examplevotingapp_worker"), fails: &["worker"], names: "on frontend" },
    Mistake { name: "worker_missing", replace: ("worker", ""), fails: &["worker"], names: "services: db, redis, result, vote" },
    Mistake { name: "db_also_on_frontend", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --network frontend --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4"), fails: &["db"], names: "on backend, frontend" },
    Mistake { name: "db_latest_postgres", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres"), fails: &["db"], names: "postgres:latest" },
    Mistake { name: "db_volume_misnamed", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=dbdata,target=/var/lib/postgresql/data postgres:9.4"), fails: &["db", "volume-db-data"], names: "dbdata" },
    Mistake { name: "db_wrong_mount_target", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgres postgres:9.4"), fails: &["db"], names: "db-data at /var/lib/postgres" },
    Mistake { name: "db_bind_mount", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=bind,source=/tmp,target=/var/lib/postgresql/data postgres:9.4"), fails: &["db", "volume-db-data"], names: "bind" },
    Mistake { name: "result_on_low_port", replace: ("result", "docker service create --name result --network backend -p 500:80 bretfisher/examplevotingapp_result"), fails: &["result"], names: "500→80/tcp" },
    Mistake { name: "result_on_frontend", replace: ("result", "docker service create --name result --network frontend -p 5001:80 bretfisher/examplevotingapp_result"), fails: &["result"], names: "on frontend" },
    Mistake { name: "backend_network_missing", replace: ("backend", ""), fails: &["network-backend", "worker", "db", "result"], names: "your networks: frontend" },
];

fn script(m: &Mistake) -> String {
    let mut lines = Vec::new();
    for (key, line) in ANSWER {
        if *key == m.replace.0 {
            if !m.replace.1.is_empty() {
                lines.push(m.replace.1.to_string());
            }
        } else {
            lines.push(line.to_string());
        }
    }
    // Services cannot join a network that does not exist: drop it from their flags.
    if m.replace.0 == "backend" && m.replace.1.is_empty() {
        lines = lines.iter().map(|l| l.replace(" --network backend", "")).collect();
    }
    lines.join("\n")
}

#[test]
fn each_mistake_fails_exactly_its_checks_and_names_the_wrong_value() {
    let swarm = TestSwarm::start(1, 1);
    let host = swarm.host(0);
    let mut problems = Vec::new();
    for m in MISTAKES {
        swarm.reset();
        swarm.apply(&script(m));
        all_replicas_running(&swarm);
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
        insta::assert_snapshot!(m.name, human);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Waits (up to 20 s) until every service runs all its replicas: each mistake is about a
/// setting, not about tasks still starting (db's stand-in is only running once healthy).
fn all_replicas_running(swarm: &TestSwarm) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let replicas = swarm.sh("docker service ls --format '{{.Replicas}}'");
        let done = replicas.split_whitespace().filter(|r| r.contains('/')).all(|r| {
            let (running, wanted) = r.split_once('/').unwrap();
            running == wanted
        });
        if done || std::time::Instant::now() > deadline {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
