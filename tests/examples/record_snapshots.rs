//! Records the engine JSON that lab-grader's evaluator unit tests load
//! (`lab-grader/src/evaluate/tests/fixtures/`): a private 3-node swarm (2 managers, one
//! worker paused) with services that exercise every assertion kind, read once with
//! [`Snapshot::take`] exactly as `lab check` reads it.
//!
//! Needs root (private dockerds in network namespaces). Re-record after an engine upgrade:
//!
//! ```sh
//! cargo run -p swarm-e2e --example record_snapshots -- lab-grader/src/evaluate/tests/fixtures
//! ```
//!
//! Writes `swarm-<engine version>.json` (everything settled) and
//! `converging-<engine version>.json` (read right after `service create`, tasks starting).

use lab_engine::{Connection, Endpoint};
use lab_grader::Snapshot;
use private_swarm::{Cluster, ClusterSpec, Node};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const STACK: &str = "version: \"3.8\"
services:
  redis:
    image: redis:alpine
    networks: [backend]
    volumes: [\"db-data:/data\"]
networks:
  backend:
    driver: overlay
volumes:
  db-data: {}
";

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fixtures".into()));
    std::fs::create_dir_all(&out).expect("create the output directory");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path().join("c"), 3, 2)).expect("start a private swarm");
    let result = record(&cluster, dir.path(), &out);
    cluster.teardown().expect("tear the swarm down");
    if let Err(e) = result {
        eprintln!("recording failed: {e}");
        std::process::exit(1);
    }
}

fn docker(node: &Node, args: &[&str]) -> Result<String, String> {
    node.docker(args).map_err(|e| format!("docker {}: {e}", args.join(" ")))
}

fn record(cluster: &Cluster, tmp: &std::path::Path, out: &std::path::Path) -> Result<(), String> {
    let n1 = cluster.node(0);
    let create = |args: &[&str]| {
        let mut all = vec!["service", "create", "--detach", "--no-resolve-image"];
        all.extend_from_slice(args);
        docker(n1, &all)
    };
    docker(n1, &["network", "create", "--driver", "overlay", "--attachable", "--opt", "encrypted", "front"])?;
    docker(n1, &["network", "create", "--driver", "overlay", "--internal", "private"])?;
    docker(n1, &["volume", "create", "--label", "course=swarm-lab", "webdata"])?;
    let secret = tmp.join("secret.txt");
    std::fs::write(&secret, "not-a-real-password\n").map_err(|e| e.to_string())?;
    docker(n1, &["secret", "create", "db_pass", secret.to_str().unwrap()])?;
    docker(n1, &["config", "create", "app_conf", secret.to_str().unwrap()])?;

    create(&[
        "--name",
        "web",
        "--replicas",
        "2",
        "--publish",
        "published=8080,target=80",
        "--publish",
        "mode=host,published=9053,target=53,protocol=udp",
        "--env",
        "GREETING=hello",
        "--env",
        "EMPTY=",
        "--network",
        "front",
        "--mount",
        "type=volume,source=webdata,target=/data,readonly",
        "--mount",
        "type=bind,source=/tmp,target=/host",
        "--mount",
        "type=tmpfs,target=/cache",
        "--constraint",
        "node.role==manager",
        "nginx",
    ])?;
    // Named by the engine, global, DNS round-robin, with a command.
    create(&["--mode", "global", "--endpoint-mode", "dnsrr", "--network", "private", "alpine", "sleep", "86400"])?;
    // Dies every second: failed tasks, each replaced by a newer one in the same slot.
    create(&[
        "--name",
        "crashy",
        "--restart-condition",
        "on-failure",
        "--restart-delay",
        "1s",
        "--restart-max-attempts",
        "4",
        "alpine",
        "sh",
        "-c",
        "sleep 1; exit 3",
    ])?;
    create(&[
        "--name",
        "db",
        "--secret",
        "source=db_pass,target=password",
        "--config",
        "source=app_conf,target=/etc/app.conf",
        "--env",
        "POSTGRES_PASSWORD_FILE=/run/secrets/password",
        "postgres:9.4",
    ])?;
    let compose = tmp.join("stack.yml");
    std::fs::write(&compose, STACK).map_err(|e| e.to_string())?;
    docker(n1, &["stack", "deploy", "--resolve-image", "never", "-c", compose.to_str().unwrap(), "shop"])?;

    wait_running(n1, &["web", "db", "shop_redis"], Duration::from_secs(60))?;
    // crashy's history: several failed tasks (it restarts at most 4 times).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let states = docker(n1, &["service", "ps", "crashy", "--format", "{{.CurrentState}}"])?;
        if states.lines().filter(|s| s.starts_with("Failed")).count() >= 3 {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("crashy has not failed 3 times after 60s:\n{states}"));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    docker(n1, &["node", "update", "--availability", "pause", "node3"])?;

    let snap = take(n1)?;
    write(out, "swarm", &snap)?;

    // Right after a create: tasks are new/pending/assigned/preparing.
    create(&["--name", "late", "--replicas", "3", "redis:3.2"])?;
    let snap = take(n1)?;
    write(out, "converging", &snap)?;
    Ok(())
}

fn wait_running(node: &Node, services: &[&str], limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    loop {
        let ls = docker(node, &["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])?;
        let done = services.iter().all(|s| {
            ls.lines().any(|l| {
                let mut parts = l.split_whitespace();
                let (name, reps) = (parts.next(), parts.next().unwrap_or(""));
                name == Some(*s) && reps.split_once('/').is_some_and(|(a, b)| a == b && a != "0")
            })
        });
        if done {
            return Ok(());
        }
        if start.elapsed() > limit {
            return Err(format!("services did not converge:\n{ls}"));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn take(node: &Node) -> Result<Snapshot, String> {
    let endpoint = Endpoint { host: node.docker_host.clone(), tls: None, context: None, source: node.name.clone() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let conn = Connection::open(&endpoint, Duration::from_secs(10)).await.map_err(|e| e.to_string())?;
        Snapshot::take(&conn).await.map_err(|e| e.to_string())
    })
}

fn write(out: &std::path::Path, name: &str, snap: &Snapshot) -> Result<(), String> {
    let path = out.join(format!("{name}-{}.json", snap.engine_version));
    let json = serde_json::to_string_pretty(snap).map_err(|e| e.to_string())?;
    std::fs::write(&path, json + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
