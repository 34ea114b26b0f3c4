//! Real clusters of private engines (no mocks): needs root and the packages docker.io,
//! iptables, iproute2 and busybox-static. Tests run in parallel threads, each with its own
//! cluster, which is itself part of what is tested.

mod support;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{cluster_dir, eventually};

use private_swarm::practice::{DownOutcome, Practice, UpOptions, UpOutcome};
use private_swarm::{Cluster, ClusterSpec, Progress, Role};
use stand_in::STAND_IN_IMAGES;

/// Waits until `service` has `want` (`running/desired`, as `docker service ls` shows it)
/// tasks, read from the Engine API: polling starts no `docker` process.
fn replicas_are(cluster: &Cluster, service: &str, want: &str) {
    eventually(&format!("{service} at {want}"), Duration::from_secs(40), || {
        let services = cluster.node(0).service_replicas().map_err(|e| e.to_string())?;
        let found = services.into_iter().find(|(name, _)| name == service).map(|(_, replicas)| replicas);
        if found.as_deref() == Some(want) {
            Ok(())
        } else {
            Err(format!("{found:?}"))
        }
    });
}

fn assert_nothing_left(dir: &Path) {
    let left = Cluster::leftovers(dir);
    assert!(left.is_empty(), "left behind: {left:#?}");
}

/// Every task of a service, history included: (container id, desired state, state).
fn task_history(cluster: &Cluster, service: &str) -> Vec<(String, String, String)> {
    let ids = cluster.docker(0, &["service", "ps", "-q", service]).unwrap();
    let mut args = vec!["inspect"];
    args.extend(ids.split_whitespace());
    let tasks: Vec<serde_json::Value> = serde_json::from_str(&cluster.docker(0, &args).unwrap()).unwrap();
    let field = |t: &serde_json::Value, p: &str| t.pointer(p).and_then(|v| v.as_str()).unwrap_or("-").to_string();
    tasks
        .iter()
        .map(|t| {
            (field(t, "/Status/ContainerStatus/ContainerID"), field(t, "/DesiredState"), field(t, "/Status/State"))
        })
        .collect()
}

#[test]
fn one_node_service_converges_scales_and_replaces_a_removed_container() {
    let dir = cluster_dir("one");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), 1, 1)).unwrap();
    assert_eq!(cluster.docker(0, &["info", "--format", "{{.Swarm.LocalNodeState}}"]).unwrap().trim(), "active");
    assert_eq!(cluster.docker(0, &["info", "--format", "{{.Name}}"]).unwrap().trim(), "node1");
    // The engine runs with the practice engines' Go setting, which its helpers inherit.
    let environ = std::fs::read(format!("/proc/{}/environ", cluster.node(0).pid)).unwrap();
    let (gogc, value) = practice_driver::ENGINE_GOGC;
    let want = format!("{gogc}={value}");
    assert!(environ.split(|b| *b == 0).any(|v| v == want.as_bytes()), "{}", String::from_utf8_lossy(&environ));
    let images = cluster.docker(0, &["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]).unwrap();
    for image in STAND_IN_IMAGES {
        let full = if image.contains(':') { image.to_string() } else { format!("{image}:latest") };
        assert!(images.lines().any(|l| l == full), "{full} missing from {images}");
    }

    cluster
        .docker(
            0,
            &["service", "create", "--no-resolve-image", "-d", "--name", "web", "--restart-delay", "1s", "nginx"],
        )
        .unwrap();
    replicas_are(&cluster, "web", "1/1");
    cluster.docker(0, &["service", "scale", "-d", "web=3"]).unwrap();
    replicas_are(&cluster, "web", "3/3");

    let victim = cluster
        .docker(0, &["ps", "-q", "--no-trunc", "--filter", "label=com.docker.swarm.service.name=web"])
        .unwrap()
        .lines()
        .next()
        .expect("a running task container")
        .to_string();
    cluster.docker(0, &["container", "rm", "-f", &victim]).unwrap();
    eventually("a replacement task for the removed container", Duration::from_secs(40), || {
        let tasks = task_history(&cluster, "web");
        let old_gone = tasks.iter().any(|(c, desired, _)| *c == victim && desired == "shutdown");
        let running = tasks.iter().filter(|(_, d, s)| d == "running" && s == "running").count();
        if old_gone && running == 3 {
            Ok(())
        } else {
            Err(format!("{tasks:?}"))
        }
    });

    cluster.teardown().unwrap();
    assert_nothing_left(dir.path());
}

/// `printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 HOST PORT` inside a container.
fn http_from_container(node: &private_swarm::Node, container: &str, host: &str, port: u16) -> Result<String, String> {
    let script = format!("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port}");
    node.docker(&["exec", container, "sh", "-c", &script]).map_err(|e| e.to_string())
}

fn http_from_host(addr: std::net::Ipv4Addr, port: u16) -> Result<String, String> {
    use std::io::{Read, Write};
    let sock = std::net::SocketAddr::from((addr, port));
    let mut s = std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(3)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(3))).map_err(|e| e.to_string())?;
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").map_err(|e| e.to_string())?;
    let mut body = String::new();
    s.read_to_string(&mut body).map_err(|e| e.to_string())?;
    Ok(body)
}

#[test]
fn three_managers_spread_tasks_talk_over_the_overlay_and_publish_host_ports() {
    let dir = cluster_dir("three");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), 3, 3)).unwrap();
    assert!(cluster.nodes().iter().all(|n| n.role == Role::Manager));

    let table = cluster.docker(0, &["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"]).unwrap();
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 3, "{table}");
    assert!(rows.iter().all(|r| r[1] == "Ready"), "{table}");
    assert_eq!(rows.iter().filter(|r| r[2] == "Leader").count(), 1, "{table}");
    assert_eq!(rows.iter().filter(|r| r[2] == "Reachable").count(), 2, "{table}");

    // No IPVS on the CI kernel: dnsrr, so the service name resolves to the tasks themselves.
    cluster.docker(0, &["network", "create", "-d", "overlay", "backend"]).unwrap();
    cluster
        .docker(
            0,
            &[
                "service",
                "create",
                "--no-resolve-image",
                "-d",
                "--name",
                "web",
                "--network",
                "backend",
                "--endpoint-mode",
                "dnsrr",
                "--replicas",
                "3",
                "--replicas-max-per-node",
                "1",
                "nginx",
            ],
        )
        .unwrap();
    cluster
        .docker(
            0,
            &[
                "service",
                "create",
                "--no-resolve-image",
                "-d",
                "--name",
                "edge",
                "--mode",
                "global",
                "--publish",
                "mode=host,published=8080,target=80",
                "nginx",
            ],
        )
        .unwrap();
    replicas_are(&cluster, "web", "3/3");
    let placed = cluster
        .docker(0, &["service", "ps", "web", "--filter", "desired-state=running", "--format", "{{.Node}}"])
        .unwrap();
    let mut placed: Vec<&str> = placed.lines().collect();
    placed.sort();
    assert_eq!(placed, ["node1", "node2", "node3"]);

    // From node1's task: by service name, and every task address (two on other nodes).
    let node1 = cluster.node(0);
    let local_task =
        node1.docker(&["ps", "-q", "--filter", "label=com.docker.swarm.service.name=web"]).unwrap().trim().to_string();
    let page = eventually("web answers by service name", Duration::from_secs(20), || {
        http_from_container(node1, &local_task, "web", 80)
    });
    assert!(page.contains("Swarm Lab stand-in"), "{page}");
    let lookup = node1.docker(&["exec", &local_task, "nslookup", "tasks.web"]).unwrap();
    let task_ips: Vec<&str> = lookup
        .lines()
        .skip_while(|l| !l.starts_with("Name:"))
        .filter_map(|l| l.strip_prefix("Address:"))
        .map(|a| a.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(task_ips.len(), 3, "{lookup}");
    for ip in task_ips {
        let page = eventually(&format!("task {ip} answers"), Duration::from_secs(20), || {
            http_from_container(node1, &local_task, ip, 80)
        });
        assert!(page.contains("200 OK"), "{page}");
    }

    replicas_are(&cluster, "edge", "3/3");
    for node in cluster.nodes() {
        let page = eventually(&format!("{}:8080 answers", node.addr), Duration::from_secs(20), || {
            http_from_host(node.addr, 8080)
        });
        assert!(page.contains("Swarm Lab stand-in"), "{page}");
    }

    cluster.teardown().unwrap();
    assert_nothing_left(dir.path());
}

#[test]
fn practice_up_is_single_and_down_cleans_an_up_that_never_finished() {
    let home = cluster_dir("practice");
    let practice = Practice::in_dir(home.path().join("practice"));
    let mut log = Vec::new();
    let mut progress = |step: &Progress| log.push(step.to_string());

    // An `up` that was killed after starting the engines: nobody tears this cluster down.
    std::mem::forget(Cluster::start(practice.spec(1, 1)).unwrap());
    assert_eq!(practice.down(&mut progress).unwrap().removed_nodes(), Some(1));
    assert_nothing_left(practice.dir());

    let options = UpOptions { nodes: 2, managers: 1, ..Default::default() };
    let started = practice.up(&options, &mut progress).unwrap();
    assert!(matches!(started, UpOutcome::Started(_)), "{started:?}");
    let again = practice.up(&options, &mut progress).unwrap();
    let UpOutcome::AlreadyRunning(info) = again else { panic!("a second up started another cluster: {again:?}") };
    assert_eq!(info.nodes.len(), 2);

    let env = practice.env(1).unwrap();
    let node1_host = format!("export DOCKER_HOST={}", info.nodes[0].docker_host);
    assert!(env.contains(&node1_host), "{env:?}");
    let node2_host = format!("export DOCKER_HOST={}", info.nodes[1].docker_host);
    assert!(practice.env(2).unwrap().contains(&node2_host));
    let err = practice.env(3).unwrap_err().to_string();
    assert!(err.contains("no node 3"), "{err}");

    let status = practice.status().unwrap();
    let summary: Vec<String> = status
        .nodes
        .iter()
        .map(|n| {
            let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
            let fields = [&n.role, &n.state, &n.availability, &n.manager_status].map(field);
            format!("{} {}", n.name, fields.join(" "))
        })
        .collect();
    assert_eq!(summary, ["node1 manager ready active leader", "node2 worker ready active null"]);
    assert_eq!(status.nodes[1].address, info.nodes[1].addr.to_string());

    assert_eq!(practice.down(&mut progress).unwrap().removed_nodes(), Some(2));
    assert_eq!(practice.down(&mut progress).unwrap(), DownOutcome::NothingRunning);
    assert!(practice.env(1).is_err());
    assert_nothing_left(practice.dir());
}

/// Whether iptables has this rule (`-C`), e.g. `["-t", "nat", "POSTROUTING", "-s", …]`.
fn iptables_has(table: &str, chain: &str, rule: &[&str]) -> bool {
    std::process::Command::new("iptables")
        .args(["-w", "-t", table, "-C", chain])
        .args(rule)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn practice_up_without_swarm_and_online_then_down_leaves_nothing() {
    let home = cluster_dir("offswarm");
    let practice = Practice::in_dir(home.path().join("practice"));
    let forward_before = std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap();
    // Online: the route and NAT rule are created and removed; nothing here sends traffic.
    let options = UpOptions { nodes: 2, managers: 1, swarm: false, online: true };
    let info = practice.up(&options, &mut |_| {}).unwrap().info().clone();
    assert!(!info.swarm && info.online);

    let status = practice.status().unwrap();
    for n in &status.nodes {
        assert_eq!(n.swarm.as_deref(), Some("inactive"), "{n:?}");
        assert_eq!((&n.role, &n.state, &n.availability, &n.manager_status), (&None, &None, &None, &None));
    }
    let json = serde_json::to_value(&status).unwrap();
    let keys: Vec<&str> = json["nodes"][0].as_object().unwrap().keys().map(String::as_str).collect();
    for key in ["name", "address", "docker_host", "role", "state", "availability", "manager_status"] {
        assert!(keys.contains(&key), "{key} missing from {json}");
    }

    let masquerade = ["-s", info.subnet.as_str(), "!", "-o", info.bridge.as_str(), "-j", "MASQUERADE"];
    assert!(iptables_has("nat", "POSTROUTING", &masquerade), "no MASQUERADE rule for {}", info.subnet);
    let routes = info.nodes[1].in_netns("ip", &["route", "show", "default"]).unwrap();
    assert!(routes.contains(&format!("via {}", info.gateway)), "{routes}");
    assert_eq!(std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap().trim(), "1");

    // The learner starts the swarm: status follows the engines live.
    info.nodes[0].docker(&["swarm", "init", "--advertise-addr", &status.nodes[0].address]).unwrap();
    let status = practice.status().unwrap();
    assert_eq!(status.nodes[0].manager_status.as_deref(), Some("leader"));
    assert_eq!(status.nodes[1].swarm.as_deref(), Some("inactive"));

    assert_eq!(practice.down(&mut |_| {}).unwrap().removed_nodes(), Some(2));
    assert!(!practice.dir().exists(), "down leaves the practice folder (logs, daemon.json, key.json)");
    assert!(!iptables_has("nat", "POSTROUTING", &masquerade), "the MASQUERADE rule survived down");
    let forward = ["-i", info.bridge.as_str(), "!", "-o", info.bridge.as_str(), "-j", "ACCEPT"];
    assert!(!iptables_has("filter", "FORWARD", &forward), "the FORWARD rule survived down");
    for n in &info.nodes {
        assert!(!Path::new("/run/netns").join(&n.netns).exists(), "namespace {} survived down", n.netns);
    }
    assert!(!Path::new("/sys/class/net").join(&info.bridge).exists(), "bridge {} survived down", info.bridge);
    assert!(!Path::new(private_swarm::RUN_ROOT).join(&info.id).exists());
    assert_nothing_left(practice.dir());
    if forward_before.trim() == "0" && !other_online_clusters() {
        assert_eq!(std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap().trim(), "0");
    }
}

/// Another online cluster may be up at the same time (another test run): it keeps
/// ip_forward on.
fn other_online_clusters() -> bool {
    let out = std::process::Command::new("iptables").args(["-w", "-t", "nat", "-S", "POSTROUTING"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).contains("100.64.")
}

/// Env var telling the child run of `killable_child` what to start: `practice:DIR` (an
/// `up` of a 2-manager practice cluster) or `cluster:DIR` (a 1-node cluster, then waits).
const CHILD_ENV: &str = "PRIVATE_SWARM_TEST_CHILD";

/// Not a test on its own: the body of the child processes that other tests SIGKILL.
#[test]
#[ignore]
fn killable_child() {
    let Some(what) = std::env::var(CHILD_ENV).ok() else {
        return;
    };
    match what.split_once(':') {
        Some(("practice", dir)) => {
            let options = UpOptions { nodes: 2, managers: 2, ..Default::default() };
            let _ = Practice::in_dir(PathBuf::from(dir)).up(&options, &mut |_| {});
        }
        Some(("cluster", dir)) => {
            let cluster = Cluster::start(ClusterSpec::new(dir, 1, 1)).unwrap();
            // Not a synchronisation: the child holds its cluster until the test kills it.
            std::thread::sleep(Duration::from_secs(120));
            drop(cluster);
        }
        Some(("check-host", _)) => {
            let err = private_swarm::check_host().expect_err("this child runs as an unprivileged user");
            println!("CHECK-HOST: {err}");
        }
        _ => panic!("bad {CHILD_ENV}={what}"),
    }
}

fn spawn_child(what: &str, dir: &Path) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "killable_child", "--ignored", "--test-threads", "1"])
        .env(CHILD_ENV, format!("{what}:{}", dir.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn state_file_says(dir: &Path, needle: &str) -> Result<(), String> {
    let state = std::fs::read_to_string(dir.join(private_swarm::STATE_FILE)).unwrap_or_default();
    if state.contains(needle) {
        Ok(())
    } else {
        Err(state)
    }
}

#[test]
fn cleanup_stale_tears_down_the_cluster_of_a_killed_test_run() {
    let root = cluster_dir("stale");
    let dir = root.path().join("c");
    let mut child = spawn_child("cluster", &dir);
    eventually("the child's cluster to run", Duration::from_secs(60), || {
        state_file_says(&dir, "\"phase\": \"running\"")
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!Cluster::leftovers(&dir).is_empty(), "the killed run should have left its engine running");

    assert_eq!(private_swarm::cleanup_stale(root.path()).unwrap(), vec![dir.clone()]);
    assert_nothing_left(&dir);
    assert!(private_swarm::cleanup_stale(root.path()).unwrap().is_empty());
}

/// Regression: teardown once killed every process whose command line named the directory
/// it was given. A directory private-swarm did not make is refused, whatever it holds.
#[test]
fn teardown_refuses_a_directory_private_swarm_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(private_swarm::STATE_FILE), "{}").unwrap();
    let e = Cluster::teardown_dir(dir.path()).unwrap_err().to_string();
    assert!(e.contains("was not made by private-swarm"), "{e}");
    assert!(dir.path().join(private_swarm::STATE_FILE).exists(), "nothing was touched");
}

#[test]
fn practice_down_cleans_an_up_killed_by_sigkill() {
    let home = cluster_dir("killed");
    let practice = Practice::in_dir(home.path().join("practice"));
    let mut child = spawn_child("practice", practice.dir());
    // Kill it once the engines are being started: the state file names a dockerd pid.
    eventually("the child's up to start its engines", Duration::from_secs(30), || {
        state_file_says(practice.dir(), "\"pid\": ").and_then(|()| {
            match state_file_says(practice.dir(), "\"pid\": null") {
                Ok(()) => Err("not every engine yet".into()),
                Err(_) => Ok(()),
            }
        })
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!Cluster::leftovers(practice.dir()).is_empty(), "the killed up should have left engines behind");

    assert_eq!(practice.down(&mut |_| {}).unwrap().removed_nodes(), Some(2));
    assert_nothing_left(practice.dir());
}

#[test]
fn every_stand_in_image_runs_as_a_service_and_answers_on_its_port() {
    let dir = cluster_dir("images");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), 1, 1)).unwrap();
    // alpine's CMD is a shell that exits at once, as the real one does; learners give it a
    // command (the course pings 8.8.8.8; here a local address, nothing leaves the machine).
    let mut services = Vec::new();
    for (i, image) in STAND_IN_IMAGES.iter().enumerate() {
        let name = format!("s{i}");
        let mut args = vec!["service", "create", "--no-resolve-image", "-d", "--name", &name, image];
        if image.starts_with("alpine") {
            args.extend(["ping", "127.0.0.1"]);
        }
        if image.starts_with("postgres") {
            args.splice(4..4, ["-e", "POSTGRES_PASSWORD=stand-in"]);
        }
        if image.starts_with("mysql") {
            args.splice(4..4, ["-e", "MYSQL_ROOT_PASSWORD=stand-in"]);
        }
        cluster.docker(0, &args).unwrap();
        services.push(name);
    }
    for name in &services {
        replicas_are(&cluster, name, "1/1");
    }

    let container_of = |image: &str| {
        let i = STAND_IN_IMAGES.iter().position(|s| *s == image).unwrap();
        let filter = format!("label=com.docker.swarm.service.name=s{i}");
        cluster.docker(0, &["ps", "-q", "--filter", &filter]).unwrap().trim().to_string()
    };
    let node = cluster.node(0);
    let ask = |image: &str, request: &str, port: u16| {
        let script = format!("printf '{request}' | nc -w 3 127.0.0.1 {port}");
        let container = container_of(image);
        eventually(&format!("{image} answers on {port}"), Duration::from_secs(10), || {
            node.docker(&["exec", &container, "sh", "-c", &script]).map_err(|e| e.to_string())
        })
    };
    assert!(ask("redis:3.2", "PING\\r\\n", 6379).contains("+PONG"));
    assert!(ask("elasticsearch:2", "GET / HTTP/1.0\\r\\n\\r\\n", 9200).contains("\"cluster_name\""));
    assert!(ask("dockersamples/examplevotingapp_vote:before", "GET / HTTP/1.0\\r\\n\\r\\n", 80).contains("200 OK"));
    assert!(ask("postgres:9.4", "PING\\n", 5432).contains("PONG"));
    let mysql = container_of("mysql");
    node.docker(&["exec", &mysql, "sh", "-c", "nc -w 3 127.0.0.1 3306 </dev/null"]).unwrap();

    // Stopping is fast: every long-running CMD traps SIGTERM.
    let started = Instant::now();
    cluster.docker(0, &["container", "stop", &container_of("redis:alpine")]).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "stop took {:?}", started.elapsed());

    cluster.teardown().unwrap();
    assert_nothing_left(dir.path());
}

/// The container ids (= hostnames) of a service's running tasks on one node.
fn running_containers(node: &private_swarm::Node, service: &str) -> Vec<String> {
    let filter = format!("label=com.docker.swarm.service.name={service}");
    let out = node.docker(&["ps", "-q", "--no-trunc", "--filter", &filter]).unwrap();
    out.split_whitespace().map(|id| id[..12].to_string()).collect()
}

#[test]
fn stand_ins_behave_like_the_real_images() {
    let dir = cluster_dir("behave");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), 1, 1)).unwrap();
    let node = cluster.node(0).clone();
    let create = |args: &[&str]| {
        let mut all = vec!["service", "create", "--no-resolve-image", "-d"];
        all.extend(args);
        node.docker(&all).unwrap();
    };
    create(&["--name", "nopw", "postgres:9.4"]);
    create(&["--name", "trust", "-e", "POSTGRES_HOST_AUTH_METHOD=trust", "postgres:9.4"]);
    node.docker(&["network", "create", "-d", "overlay", "--attachable", "net"]).unwrap();
    create(&["--name", "search", "--network", "net", "--endpoint-mode", "dnsrr", "--replicas", "3", "elasticsearch:2"]);
    create(&["--name", "web", "--publish", "mode=host,published=8080,target=80", "nginx"]);
    create(&["--name", "client", "--network", "net", "alpine", "sleep", "600"]);
    std::process::Command::new("sh")
        .args(["-c", "printf s3cret | DOCKER_HOST=$0 docker secret create pgpw - >/dev/null", &node.docker_host])
        .status()
        .unwrap();
    create(&["--name", "file", "--secret", "pgpw", "-e", "POSTGRES_PASSWORD_FILE=/run/secrets/pgpw", "postgres"]);

    // postgres without a password setting refuses to start, like the real image.
    let failed = eventually("nopw's task to fail", Duration::from_secs(30), || {
        let ps = node.docker(&["service", "ps", "nopw", "--format", "{{.CurrentState}} {{.Error}}"]).unwrap();
        if ps.contains("Failed") {
            Ok(ps)
        } else {
            Err(ps)
        }
    });
    assert!(failed.contains("non-zero exit (1)"), "{failed}");
    let logs = node.docker_command().unwrap().args(["service", "logs", "--raw", "nopw"]).output().unwrap();
    let logs = String::from_utf8_lossy(&logs.stderr).to_string() + &String::from_utf8_lossy(&logs.stdout);
    assert!(logs.contains("superuser password is not specified"), "{logs}");
    assert!(logs.contains("POSTGRES_HOST_AUTH_METHOD=trust"), "{logs}");
    // With the opt-out, or a password file from a secret, it runs.
    replicas_are(&cluster, "trust", "1/1");
    replicas_are(&cluster, "file", "1/1");

    // elasticsearch: every replica names itself differently; dnsrr reaches each one.
    replicas_are(&cluster, "search", "3/3");
    replicas_are(&cluster, "client", "1/1");
    let client = running_containers(&node, "client").remove(0);
    let mut names = std::collections::BTreeSet::new();
    let lookup = node.docker(&["exec", &client, "nslookup", "tasks.search"]).unwrap();
    for ip in lookup.lines().skip_while(|l| !l.starts_with("Name:")).filter_map(|l| l.strip_prefix("Address:")) {
        let ip = ip.split_whitespace().next().unwrap();
        let body = eventually(&format!("search task {ip}"), Duration::from_secs(20), || {
            http_from_container(&node, &client, ip, 9200)
        });
        let json: serde_json::Value = serde_json::from_str(&body[body.find('{').unwrap()..]).unwrap();
        assert_eq!(json["cluster_name"], "elasticsearch");
        names.insert(json["name"].as_str().unwrap().to_string());
    }
    let replicas: std::collections::BTreeSet<String> = running_containers(&node, "search").into_iter().collect();
    assert_eq!(names, replicas, "each replica answers with its own name, its container's hostname");

    // web: the page names the container that served it (host-mode publishing, no IPVS).
    replicas_are(&cluster, "web", "1/1");
    let web = running_containers(&node, "web").remove(0);
    let page = eventually("web on 8080", Duration::from_secs(20), || http_from_host(node.addr, 8080));
    assert!(page.contains(&format!("Served by container <b id=\"hostname\">{web}</b>")), "{page}");

    cluster.teardown().unwrap();
    assert_nothing_left(dir.path());
}

#[test]
fn invalid_specs_are_refused_before_anything_is_created() {
    let err = Cluster::start(ClusterSpec::new("/tmp/private-swarm-tests/never", 2, 3)).unwrap_err();
    assert!(err.to_string().contains("managers must be 1 to nodes (2), not 3"), "{err}");
    let err = Cluster::start(ClusterSpec::new("/tmp/private-swarm-tests/never", 0, 0)).unwrap_err();
    assert!(err.to_string().contains("nodes must be 1 to 20"), "{err}");
    assert!(!Path::new("/tmp/private-swarm-tests/never").exists());
}

/// Cgroup directories of a container, wherever the engine's cgroup driver put them.
fn cgroups_of(container: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for controller in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        for candidate in [
            controller.path().join("docker").join(container),
            controller.path().join(format!("docker-{container}.scope")),
        ] {
            if candidate.is_dir() {
                found.push(candidate);
            }
        }
    }
    found
}

#[test]
fn teardown_after_the_engine_was_sigkilled_leaves_nothing() {
    let dir = cluster_dir("killed-engine");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), 1, 1)).unwrap();
    cluster.docker(0, &["service", "create", "--no-resolve-image", "-d", "--name", "db", "redis:3.2"]).unwrap();
    replicas_are(&cluster, "db", "1/1");
    let container = cluster.docker(0, &["ps", "-q", "--no-trunc"]).unwrap().trim().to_string();
    assert!(!cgroups_of(&container).is_empty(), "the running task has cgroups");

    // The engine dies without cleaning up: containerd, the shim and the task stay behind.
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(cluster.node(0).pid as i32), nix::sys::signal::Signal::SIGKILL)
        .unwrap();
    cluster.teardown().unwrap();
    assert_nothing_left(dir.path());
    assert_eq!(cgroups_of(&container), Vec::<PathBuf>::new());
}

#[test]
fn without_root_the_error_says_what_is_needed() {
    // A world-readable copy of this test binary, run as nobody.
    let dir = cluster_dir("nonroot");
    let copy = dir.path().join("tests");
    std::fs::copy(std::env::current_exe().unwrap(), &copy).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&copy)
        .args(["--exact", "killable_child", "--ignored", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, "check-host:")
        .current_dir("/")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find_map(|l| l.split_once("CHECK-HOST: ").map(|(_, e)| e)).unwrap_or_else(|| {
        panic!("no answer from the unprivileged child: {stdout}{}", String::from_utf8_lossy(&out.stderr))
    });
    for needed in [
        "need root",
        "uid 65534",
        "network namespaces",
        "bridge",
        "dockerd",
        "sudo",
        "docker.io",
        "iptables",
        "iproute2",
        "busybox-static",
    ] {
        assert!(line.contains(needed), "{needed:?} missing from: {line}");
    }
}

/// One HTTP/1.0 request from the host to a node's published port: the whole response.
fn http_exchange(addr: std::net::Ipv4Addr, port: u16, request: &str) -> Result<String, String> {
    use std::io::{Read, Write};
    let sock = std::net::SocketAddr::from((addr, port));
    let mut s = std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(3)).map_err(|e| e.to_string())?;
    // A page whose link is down answers after the link's timeouts (a few seconds).
    s.set_read_timeout(Some(Duration::from_secs(20))).map_err(|e| e.to_string())?;
    s.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut body = String::new();
    s.read_to_string(&mut body).map_err(|e| e.to_string())?;
    if body.is_empty() {
        return Err(format!("{addr}:{port} closed the connection without answering"));
    }
    Ok(body)
}

/// `POST /` with `vote=CHOICE`, as the vote page's form sends it, with the voter's cookie
/// when it has one.
fn cast(addr: std::net::Ipv4Addr, choice: &str, voter: Option<&str>) -> Result<String, String> {
    let body = format!("vote={choice}");
    let cookie = voter.map(|v| format!("Cookie: voter_id={v}\r\n")).unwrap_or_default();
    let request = format!(
        "POST / HTTP/1.0\r\nHost: vote\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    http_exchange(addr, 80, &request)
}

/// The address of the node running a service's one running task.
fn node_of(cluster: &Cluster, service: &str) -> std::net::Ipv4Addr {
    let ps = cluster
        .docker(0, &["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}}"])
        .unwrap();
    let host = ps.lines().next().unwrap_or_else(|| panic!("{service} has no running task"));
    cluster.nodes().iter().find(|n| n.name == host).unwrap_or_else(|| panic!("no node {host}")).addr
}

/// Everything a service logged (stdout and stderr of its tasks).
fn service_logs(cluster: &Cluster, service: &str) -> String {
    let out = cluster.node(0).docker_command().unwrap().args(["service", "logs", "--raw", service]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// "Test the app" on the practice swarm: the voting app as the lab's answer creates it
/// (vote and result published in host mode: this kernel has no IPVS for the ingress mesh;
/// every other link by service name, VIPs included), votes cast from the host show up in
/// result's total, a db forced to a new task keeps them (the named volume), and a db
/// without its password setting fails with the reason in its logs.
#[test]
fn the_voting_app_carries_votes_to_result_and_db_keeps_them_on_its_volume() {
    let dir = cluster_dir("vote");
    let mut cluster = Cluster::start(ClusterSpec::new(dir.path(), 2, 1)).unwrap();
    let docker = |args: &[&str]| cluster.docker(0, args).unwrap_or_else(|e| panic!("docker {args:?}: {e}"));
    let create = |args: &[&str]| {
        let mut all = vec!["service", "create", "--no-resolve-image", "-d"];
        all.extend(args);
        docker(&all)
    };
    docker(&["network", "create", "-d", "overlay", "backend"]);
    docker(&["network", "create", "-d", "overlay", "frontend"]);
    // Two vote replicas on host port 80: one per node.
    create(&[
        "--name",
        "vote",
        "--publish",
        "mode=host,published=80,target=80",
        "--network",
        "frontend",
        "--replicas",
        "2",
        "bretfisher/examplevotingapp_vote",
    ]);
    create(&["--name", "redis", "--network", "frontend", "redis:3.2"]);
    // Volumes are node-local: db stays on node1, so a new task finds its volume.
    create(&[
        "--name",
        "db",
        "--network",
        "backend",
        "--constraint",
        "node.hostname==node1",
        "-e",
        "POSTGRES_HOST_AUTH_METHOD=trust",
        "--mount",
        "type=volume,source=db-data,target=/var/lib/postgresql/data",
        "postgres:9.4",
    ]);
    create(&[
        "--name",
        "worker",
        "--network",
        "frontend",
        "--network",
        "backend",
        "bretfisher/examplevotingapp_worker",
    ]);
    create(&[
        "--name",
        "result",
        "--network",
        "backend",
        "--publish",
        "mode=host,published=5001,target=80",
        "bretfisher/examplevotingapp_result",
    ]);
    for (service, want) in [("vote", "2/2"), ("redis", "1/1"), ("db", "1/1"), ("worker", "1/1"), ("result", "1/1")] {
        replicas_are(&cluster, service, want);
    }

    // The ballot, from each node's replica, names the container that served it.
    let ballots: Vec<String> = cluster
        .nodes()
        .iter()
        .map(|n| {
            eventually(&format!("the ballot on {}:80", n.addr), Duration::from_secs(30), || {
                http_exchange(n.addr, 80, "GET / HTTP/1.0\r\n\r\n")
            })
        })
        .collect();
    let vote_containers: std::collections::BTreeSet<String> =
        cluster.nodes().iter().flat_map(|n| running_containers(n, "vote")).collect();
    for ballot in &ballots {
        assert!(ballot.contains(r#"value="a">Cats</button>"#) && ballot.contains(r#"value="b">Dogs</button>"#));
        let id = ballot.split("Processed by container ID ").nth(1).and_then(|r| r.split('<').next()).unwrap();
        assert!(vote_containers.contains(id), "{id} is not one of {vote_containers:?}");
    }

    // Votes from the host: v1 changes its mind, a voter without a cookie gets one.
    let (n1, n2) = (cluster.node(0).addr, cluster.node(1).addr);
    for (addr, choice, voter) in [(n1, "a", Some("v1")), (n2, "b", Some("v2")), (n2, "b", Some("v1")), (n1, "a", None)]
    {
        let page = cast(addr, choice, voter).unwrap();
        assert!(page.starts_with("HTTP/1.0 200 OK\r\n"), "{page}");
        match voter {
            Some(v) => assert!(page.contains(&format!("Set-Cookie: voter_id={v}; Path=/\r\n")), "{page}"),
            None => assert!(page.contains("Set-Cookie: voter_id="), "a new voter gets an id: {page}"),
        }
    }
    let result_at = node_of(&cluster, "result");
    let tally = |want: &str| {
        eventually(&format!("result to say {want}"), Duration::from_secs(60), || {
            let page = http_exchange(result_at, 5001, "GET / HTTP/1.0\r\n\r\n")?;
            if page.contains(want) {
                Ok(page)
            } else {
                Err(page)
            }
        })
    };
    let page = tally(">3 votes<");
    assert!(page.contains(r#"id="a">33%<"#) && page.contains(r#"id="b">67%<"#), "{page}");
    let worker = service_logs(&cluster, "worker");
    assert!(worker.contains("Connected to db") && worker.contains("Processing vote for 'b' by 'v1'"), "{worker}");

    // A new db task on the same volume keeps the votes; the pipeline still runs.
    let old_db = running_containers(cluster.node(0), "db");
    docker(&["service", "update", "-d", "--force", "db"]);
    eventually("a new db task", Duration::from_secs(60), || {
        let now = running_containers(cluster.node(0), "db");
        if !now.is_empty() && now != old_db {
            Ok(())
        } else {
            Err(format!("{now:?}"))
        }
    });
    replicas_are(&cluster, "db", "1/1");
    tally(">3 votes<");
    cast(n2, "a", Some("v3")).unwrap();
    let page = tally(">4 votes<");
    assert!(page.contains(r#"id="a">50%<"#), "{page}");
    assert!(service_logs(&cluster, "db").contains("appears to contain a database; Skipping initialization"));

    // A vote service on the wrong network cannot reach redis, and says so.
    create(&[
        "--name",
        "vote2",
        "--network",
        "backend",
        "--publish",
        "mode=host,published=8080,target=80",
        "bretfisher/examplevotingapp_vote",
    ]);
    replicas_are(&cluster, "vote2", "1/1");
    let vote2_at = node_of(&cluster, "vote2");
    let refused = eventually("vote2 to answer", Duration::from_secs(30), || {
        let body = "vote=a";
        let post = format!("POST / HTTP/1.0\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        http_exchange(vote2_at, 8080, &post)
    });
    assert!(refused.starts_with("HTTP/1.0 503 "), "{refused}");
    assert!(refused.contains("vote could not reach redis:6379: name does not resolve"), "{refused}");
    assert!(service_logs(&cluster, "vote2").contains("vote could not reach redis:6379: name does not resolve"));

    // A db without its password setting (and a fresh volume) refuses to start; its logs
    // say why, and result names the link it lost.
    docker(&["service", "rm", "db"]);
    create(&["--name", "db", "--network", "backend", "postgres:9.4"]);
    let logs = eventually("db's refusal in its logs", Duration::from_secs(60), || {
        let logs = service_logs(&cluster, "db");
        if logs.contains("superuser password is not specified") {
            Ok(logs)
        } else {
            Err(logs)
        }
    });
    assert!(logs.contains("POSTGRES_HOST_AUTH_METHOD=trust"), "{logs}");
    // The removed db's task answers until its container is gone (it may take its stop grace
    // period, up to 10 s, after `docker service rm` returned): result then loses the link.
    let page = eventually("result to lose db", Duration::from_secs(40), || {
        let page = http_exchange(result_at, 5001, "GET / HTTP/1.0\r\n\r\n")?;
        if page.starts_with("HTTP/1.0 503 ") {
            Ok(page)
        } else {
            Err(page)
        }
    });
    assert!(page.contains("result could not reach db:5432: "), "{page}");

    cluster.teardown().unwrap();
    assert_nothing_left(dir.path());
}
