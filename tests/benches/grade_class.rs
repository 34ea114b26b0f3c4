//! `lab grade` on 100 simulated clusters: one real private engine (a 1-node swarm running
//! the voting-app answer) behind 100 proxy sockets that each hold every request back by
//! 50 ms, graded concurrently as `lab grade` does (2 runtime threads, 128 jobs). Prints
//! the wall-clock time of each round beside the serial equivalent (the sum of the
//! per-cluster times), and what writing the gradebook and 100 feedback pages took.
//! Needs root (private dockerd). Run: cargo bench -p swarm-e2e --bench grade_class

use lab_engine::Endpoint;
use lab_grader::grade::{self, ClassGrades, GradeOptions, GradeStatus, Learner};
use lab_grader::CheckOptions;
use lab_schema::command_line::{with_service_flags, ServiceFlags};
use private_swarm::{Cluster, ClusterSpec};
use std::path::Path;
use std::time::{Duration, Instant};
use swarm_e2e::socket_proxy::SocketProxy;

/// Defaults; GRADE_BENCH_CLUSTERS, GRADE_BENCH_LATENCY_MS and GRADE_BENCH_ROUNDS override.
const CLUSTERS: usize = 100;
const LATENCY_MS: u64 = 50;
const ROUNDS: usize = 3;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let clusters: usize = env_or("GRADE_BENCH_CLUSTERS", CLUSTERS);
    let latency = Duration::from_millis(env_or("GRADE_BENCH_LATENCY_MS", LATENCY_MS));
    let rounds: usize = env_or("GRADE_BENCH_ROUNDS", ROUNDS);
    let dir = tempfile::Builder::new().prefix("gb").tempdir_in("/tmp").unwrap();
    let t = Instant::now();
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path().join("c"), 1, 1))
        .unwrap_or_else(|e| panic!("cannot start a private engine: {e}"));
    let lab =
        lab_schema::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs/day6-voting-app.toml")).unwrap();
    for step in &lab.answer.steps {
        let line = with_service_flags(&step.command, ServiceFlags::FAST);
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        cluster.docker(0, &args).unwrap_or_else(|e| panic!("{}: {e}", step.command));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = cluster.docker(0, &["service", "ls", "--format", "{{.Replicas}}"]).unwrap();
        if out.lines().count() == 5 && out.lines().all(|r| r.split_once('/').is_some_and(|(a, b)| a == b)) {
            break;
        }
        assert!(Instant::now() < deadline, "the voting app did not converge: {out}");
        std::thread::sleep(Duration::from_millis(300));
    }
    eprintln!("engine up with the voting app in {:.1}s", t.elapsed().as_secs_f64());

    std::fs::create_dir(dir.path().join("p")).unwrap();
    let proxy = SocketProxy::start(&dir.path().join("p"), clusters, &cluster.node(0).docker_host, latency).unwrap();
    let learner = |i: usize, host: &str| Learner {
        name: format!("learner{i:03}"),
        line: i as u64 + 2,
        endpoint: Endpoint { host: host.to_string(), tls: None, context: None, source: "bench".into() },
    };
    let learners: Vec<Learner> = proxy.endpoints().iter().enumerate().map(|(i, h)| learner(i, h)).collect();
    let opts = GradeOptions { jobs: 128, timeout: Duration::from_secs(30), check: CheckOptions::default() };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    let one = |l: &Learner| {
        let t = Instant::now();
        let r = rt.block_on(grade::grade_one(&lab, l, &opts));
        assert_eq!(r.status, GradeStatus::Graded, "{}", r.message);
        t.elapsed()
    };
    let direct = one(&learner(0, &cluster.node(0).docker_host));
    let proxied = one(&learners[0]);
    println!(
        "one cluster alone: {:.0} ms direct, {:.0} ms behind the {} ms proxy (so one after another, {clusters} would take about {:.1} s)",
        direct.as_secs_f64() * 1e3,
        proxied.as_secs_f64() * 1e3,
        latency.as_millis(),
        proxied.as_secs_f64() * clusters as f64,
    );

    let out = dir.path().join("out");
    let engine_pid = cluster.node(0).pid;
    for round in 1..=rounds {
        let (engine_cpu, engine_children, own_cpu) =
            (cpu_of(engine_pid), children_cpu_of(engine_pid), cpu_of(std::process::id()));
        let t = Instant::now();
        let results = rt.block_on(grade::grade_class(&lab, &learners, &opts, &mut |_, _, _| {}));
        let wall = t.elapsed();
        let (engine_cpu, engine_children, own_cpu) = (
            cpu_of(engine_pid) - engine_cpu,
            children_cpu_of(engine_pid) - engine_children,
            cpu_of(std::process::id()) - own_cpu,
        );
        let graded = results.iter().filter(|r| r.status == GradeStatus::Graded && r.score == r.max_score).count();
        let mut per: Vec<u64> = results.iter().map(|r| r.elapsed_ms).collect();
        per.sort_unstable();
        let serial: u64 = per.iter().sum();
        let class = ClassGrades::new(&lab, &opts.check, results, wall.as_millis() as u64);
        let t = Instant::now();
        class.write_to(&out).unwrap();
        let write = t.elapsed();
        println!(
            "round {round}: {clusters} clusters graded in {:.3} s (serial equivalent, the sum of per-cluster times: {:.1} s, {:.0}x); per cluster median {} ms, max {} ms; \
             {graded}/{clusters} graded 100/100; CPU: dockerd {:.2} s (+{:.2} s in programs it ran), grader and proxies {:.2} s; \
             writing gradebook, grades.json, junit.xml and {clusters} feedback pages: {:.0} ms",
            wall.as_secs_f64(),
            serial as f64 / 1e3,
            serial as f64 / 1e3 / wall.as_secs_f64(),
            per[per.len() / 2],
            per[per.len() - 1],
            engine_cpu,
            engine_children,
            own_cpu,
            write.as_secs_f64() * 1e3,
        );
    }
    let requests = proxy.requests();
    let reads = requests.iter().filter(|r| r.starts_with("GET ") || r.starts_with("HEAD ")).count();
    println!("requests through the proxies: {} ({} GET/HEAD)", requests.len(), reads);
    drop(proxy);
    drop(rt);
    cluster.teardown().unwrap();
}

/// CPU seconds (user + system) a process has used so far, from /proc.
fn cpu_of(pid: u32) -> f64 {
    cpu_fields(pid, 11)
}

/// CPU seconds of the children a process has waited for (dockerd runs `runc --version`
/// and `docker-init --version` for every GET /info on Docker 20.10).
fn children_cpu_of(pid: u32) -> f64 {
    cpu_fields(pid, 13)
}

/// Fields `at` and `at + 1` after the command name of /proc/PID/stat, in seconds.
fn cpu_fields(pid: u32, at: usize) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let f: Vec<f64> = after_name.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // utime, stime (fields 14, 15) are the 12th and 13th after the name; cutime, cstime next.
    let ticks = f.get(at).copied().unwrap_or(0.0) + f.get(at + 1).copied().unwrap_or(0.0);
    ticks / 100.0
}
