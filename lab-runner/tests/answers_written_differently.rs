//! Right answers written differently must pass: other flags and spellings for the same
//! spec, other accepted images, more replicas, a high port of the learner's choosing, and
//! the whole app deployed as a stack (`<stack>_name` services, networks and volume). Also
//! `lab check` finding its engine through docker contexts, as the docker CLI does.

mod support;
use support::*;

#[test]
fn the_same_voting_app_spelled_differently_scores_100() {
    let swarm = TestSwarm::start(1, 1);
    swarm.apply(
        "docker network create --driver=overlay --attachable frontend
         docker network create -d overlay --opt encrypted backend
         docker service create --name vote --publish published=80,target=80,protocol=tcp --replicas 3 --network name=frontend dockersamples/examplevotingapp_vote:before
         docker service create --name redis --replicas 2 --network frontend redis:alpine
         docker service create --name db --network backend -e POSTGRES_PASSWORD=secret --mount source=db-data,target=/var/lib/postgresql/data/ postgres:9.4
         docker service create --name result --network backend -p 8888:80 bretfisher/examplevotingapp_result",
    );
    // The worker attached by network ID, as some learners copy it from `docker network ls`.
    let frontend_id =
        swarm.sh("docker network inspect -f '{{.Id}}' frontend").trim().chars().take(12).collect::<String>();
    swarm.sh(&fast(&format!("docker service create --name worker --network {frontend_id} --network backend bretfisher/examplevotingapp_worker:java")));
    swarm.sh("docker service scale --detach vote=4 >/dev/null");
    let (report, code) = check_json(&swarm.host(0), "day6-voting-app", &["--wait", "60s"]);
    assert_eq!((report["score"].as_u64(), code), (Some(100), 0), "{}", serde_json::to_string_pretty(&report).unwrap());
}

#[test]
fn the_voting_app_as_a_stack_scores_100() {
    let swarm = TestSwarm::start(1, 1);
    let dir = tempfile::tempdir().unwrap();
    let compose = dir.path().join("voting-app.yml");
    std::fs::write(
        &compose,
        r#"version: "3.7"
services:
  vote:
    image: bretfisher/examplevotingapp_vote
    ports: ["80:80"]
    networks: [frontend]
    deploy:
      replicas: 2
  redis:
    image: redis:alpine
    networks: [frontend]
  worker:
    image: bretfisher/examplevotingapp_worker
    networks: [frontend, backend]
  db:
    image: postgres:9.4
    environment:
      POSTGRES_HOST_AUTH_METHOD: trust
    volumes: ["db-data:/var/lib/postgresql/data"]
    networks: [backend]
  result:
    image: bretfisher/examplevotingapp_result
    ports: ["5001:80"]
    networks: [backend]
networks:
  frontend: {}
  backend: {}
volumes:
  db-data: {}
"#,
    )
    .unwrap();
    swarm.sh(&format!("docker stack deploy --resolve-image never -c {} voteapp", compose.display()));
    let (report, code) = check_json(&swarm.host(0), "day6-voting-app", &["--wait", "60s"]);
    assert_eq!((report["score"].as_u64(), code), (Some(100), 0), "{}", serde_json::to_string_pretty(&report).unwrap());

    // …and a stack that puts db on frontend too still fails, naming the stack's network.
    let wrong = std::fs::read_to_string(&compose)
        .unwrap()
        .replace("networks: [backend]\n  result", "networks: [backend, frontend]\n  result");
    std::fs::write(&compose, wrong).unwrap();
    swarm.sh(&format!("docker stack deploy --resolve-image never -c {} voteapp", compose.display()));
    let (report, code) = check_json(&swarm.host(0), "day6-voting-app", &["--only", "db"]);
    assert_eq!(code, 1, "{report}");
    let networks =
        report["checks"][0]["mismatches"].as_array().unwrap().iter().find(|m| m["field"] == "networks").cloned();
    let found = networks.map(|m| m["found"].to_string()).unwrap_or_default();
    assert!(found.contains("voteapp_frontend"), "{report}");
}

#[test]
fn contexts_pick_the_engine_like_the_docker_cli() {
    let swarm = TestSwarm::start(1, 1);
    swarm.apply("docker network create -d overlay frontend");
    let cfg = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(lab_bin());
        c.args(args)
            .env("XDG_STATE_HOME", state_home())
            .env("DOCKER_CONFIG", cfg.path())
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    // A context made by the docker CLI itself, in a private DOCKER_CONFIG.
    let made = std::process::Command::new("docker")
        .args(["context", "create", "practice", "--docker", &format!("host={}", swarm.host(0))])
        .env("DOCKER_CONFIG", cfg.path())
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let only = ["check", "day6-voting-app", "--only", "network-frontend", "--format", "json"];

    let by_flag = run(&[&only[..], &["--context", "practice"]].concat(), &[]);
    assert_eq!(by_flag.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_flag.stderr));
    let by_env = run(&only, &[("DOCKER_CONTEXT", "practice")]);
    assert_eq!(by_env.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_env.stderr));
    let used = std::process::Command::new("docker")
        .args(["context", "use", "practice"])
        .env("DOCKER_CONFIG", cfg.path())
        .output()
        .unwrap();
    assert!(used.status.success());
    let by_config = run(&only, &[]);
    assert_eq!(by_config.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_config.stderr));
    // DOCKER_HOST beats the current context: here it points at nothing, so exit 3.
    let dead = run(&only, &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]);
    assert_eq!(dead.status.code(), Some(3));
    // Under --format json the error is a JSON object on stdout, naming where the engine came from.
    let err: serde_json::Value = serde_json::from_slice(&dead.stdout).unwrap();
    assert_eq!(err["error"]["kind"], "unreachable", "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("DOCKER_HOST"), "{err}");
    // Both --host and --context: a usage error.
    let both = run(&[&only[..], &["--context", "practice", "-H", "unix:///x.sock"]].concat(), &[]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn other_labs_accept_equivalent_commands_and_name_what_is_missing() {
    let swarm = TestSwarm::start(1, 1);
    let host = swarm.host(0);
    // A ping run through a shell is still a ping service.
    swarm.sh(&fast("docker service create --name pinger alpine sh -c \"trap 'exit 0' TERM; ping 127.0.0.1 & wait\""));
    let (report, code) = check_json(&host, "day6-first-service", &["--only", "ping-service", "--wait", "30s"]);
    assert_eq!(code, 0, "{report}");

    // The postgres password from a secret file instead of an env value.
    swarm.apply(
        "docker network create --driver overlay mydrupal
         printf s3cret | docker secret create pg_pw -
         docker service create --name psql --network mydrupal --secret pg_pw -e POSTGRES_PASSWORD_FILE=/run/secrets/pg_pw postgres",
    );
    let (report, code) = check_json(&host, "day6-overlay-drupal", &["--only", "psql", "--wait", "30s"]);
    assert_eq!(code, 0, "{report}");

    // No password at all: the mismatch says which variables were expected, and no value.
    swarm.sh("docker service rm psql >/dev/null");
    swarm.sh(&fast("docker service create --name psql --network mydrupal -e PGDATA=/data postgres"));
    let (report, code) = check_json(&host, "day6-overlay-drupal", &["--only", "psql"]);
    assert_eq!(code, 1, "{report}");
    let m = report["checks"][0]["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["field"] == "env")
        .cloned()
        .unwrap_or_else(|| panic!("no env mismatch: {report}"));
    assert!(m["expected"].as_str().unwrap().contains("POSTGRES_PASSWORD_FILE"), "{report}");
    assert_eq!(m["found"], "only PGDATA set", "{report}");
}
