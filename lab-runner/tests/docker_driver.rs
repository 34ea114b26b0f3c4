//! `lab cluster up --driver docker` end to end, the way a Docker Desktop learner runs it: a
//! private dockerd plays the user's Docker (in its own network namespace, as Docker
//! Desktop's VM is for a Mac), and `lab` runs as `nobody`, who can reach that engine's
//! socket but is not root, inside that namespace (where the engine publishes node ports on
//! 127.0.0.1, as Docker Desktop forwards them to the Mac's loopback). There is no registry
//! here, so the node image is built from this machine's docker.io files (cached under
//! target/) and imported into that engine.

mod support;

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use private_swarm::{Cluster, ClusterSpec, Node};
use support::forwarding::Forwarding;
use support::{lab_bin, statuses};

const NOBODY: u32 = 65534;
const IMAGE: &str = "swarm-lab-test/node:host";

/// The private engine playing the user's Docker, and a home folder for `nobody`.
struct UserDocker {
    cluster: Cluster,
    home: PathBuf,
    _dir: tempfile::TempDir,
}

impl UserDocker {
    fn start() -> UserDocker {
        let dir = tempfile::Builder::new().prefix("dd").tempdir_in("/tmp").expect("temp dir");
        let spec = ClusterSpec { images: false, ..ClusterSpec::new(dir.path().join("e"), 1, 1) };
        let cluster = Cluster::start(spec).unwrap_or_else(|e| panic!("cannot start the user's engine: {e}"));
        // nobody reaches the socket through its group, as a docker-group user does.
        let socket = cluster.node(0).docker_host.trim_start_matches("unix://").to_string();
        for d in [dir.path(), &dir.path().join("e")] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::os::unix::fs::chown(&socket, None, Some(NOBODY)).unwrap();
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o660)).unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        std::os::unix::fs::chown(&home, Some(NOBODY), Some(NOBODY)).unwrap();

        let cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/docker-driver-node-image");
        let rootfs = host_image::cached_rootfs(&cache).unwrap_or_else(|e| panic!("node image: {e}"));
        let mut import = vec!["import"];
        for c in host_image::CHANGES {
            import.extend(["--change", c]);
        }
        import.extend([rootfs.to_str().unwrap(), IMAGE]);
        cluster.docker(0, &import).unwrap_or_else(|e| panic!("cannot import the node image: {e}"));
        UserDocker { cluster, home, _dir: dir }
    }

    fn engine(&self) -> &Node {
        self.cluster.node(0)
    }

    fn state_dir(&self) -> PathBuf {
        self.home.join("state")
    }

    fn cert_dir(&self) -> PathBuf {
        self.state_dir().join("swarm-lab/clusters/practice")
    }

    /// A command run as `nobody` inside the engine's network namespace, with DOCKER_HOST
    /// naming the engine's socket and nothing else of ours in its environment.
    fn as_learner(&self, program: &Path) -> Command {
        self.in_engine_netns(program, Some(NOBODY))
    }

    /// [`UserDocker::as_learner`], as `uid` (`None`: root, as a learner with sudo).
    fn in_engine_netns(&self, program: &Path, uid: Option<u32>) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net=/run/netns/{}", self.engine().netns));
        if let Some(uid) = uid {
            cmd.args(["-S", &uid.to_string(), "-G", &uid.to_string()]);
        }
        cmd.arg("--")
            .arg(program)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_STATE_HOME", self.state_dir())
            .env("SWARM_LAB_HOME", self.home.join("lab-home"))
            .env("DOCKER_CONFIG", self.home.join(".docker"))
            .env("DOCKER_HOST", &self.engine().docker_host)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    fn lab(&self, args: &[&str]) -> Output {
        self.as_learner(&lab_bin()).args(args).args(driver(args)).output().expect("run lab")
    }

    /// `lab ARGS` with the environment `lab cluster env` printed.
    fn lab_on_node(&self, env: &[(String, String)], args: &[&str]) -> Output {
        self.as_learner(&lab_bin()).args(args).args(driver(args)).envs(env.iter().cloned()).output().expect("run lab")
    }

    /// A shell line run as the learner with the `lab cluster env` environment.
    fn sh_on_node(&self, env: &[(String, String)], line: &str) -> String {
        let out = self.as_learner(Path::new("/bin/sh")).arg("-c").arg(line).envs(env.iter().cloned()).output().unwrap();
        assert!(out.status.success(), "`{line}`: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// `docker ARGS` against the user's engine, as root from outside (the test's own view).
    fn engine_docker(&self, args: &[&str]) -> String {
        self.cluster.docker(0, args).unwrap_or_else(|e| panic!("docker {args:?}: {e}"))
    }

    /// Every container, network and volume of the practice cluster on the user's engine.
    fn cluster_objects(&self) -> Vec<String> {
        let label = "label=org.swarm-lab.cluster=practice";
        let mut all = Vec::new();
        for (kind, args) in [
            ("container", vec!["ps", "-a", "--filter", label, "--format", "{{.Names}}"]),
            ("network", vec!["network", "ls", "--filter", label, "--format", "{{.Name}}"]),
            ("volume", vec!["volume", "ls", "--filter", label, "--format", "{{.Name}}"]),
        ] {
            all.extend(self.engine_docker(&args).lines().filter(|l| !l.is_empty()).map(|l| format!("{kind} {l}")));
        }
        all
    }

    /// What a removed cluster must not leave: its objects, its certificate folder, and the
    /// cgroups its nodes' containers had in this machine's cgroup tree.
    fn leftovers(&self) -> Vec<String> {
        let mut left = self.cluster_objects();
        if self.cert_dir().exists() {
            left.push(format!("file {}", self.cert_dir().display()));
        }
        for controller in std::fs::read_dir("/sys/fs/cgroup").into_iter().flatten().flatten() {
            for d in std::fs::read_dir(controller.path()).into_iter().flatten().flatten() {
                if d.file_name().to_string_lossy().starts_with("swarm-lab-practice-") {
                    left.push(format!("cgroup {}", d.path().display()));
                }
            }
        }
        left
    }
}
/// `lab cluster forward SERVICE 0:80` as root in the user engine's network namespace (as
/// the learner with sudo would run it on this machine): the child and the port it listens on.
fn forward(user: &UserDocker, env1: &[(String, String)], service: &str) -> (Forwarding, u16) {
    let mut cmd = user.in_engine_netns(&lab_bin(), None);
    cmd.args(["cluster", "forward", service, "0:80"]).envs(env1.iter().cloned());
    let mut forward = Forwarding::start(cmd);
    let port = forward.port();
    (forward, port)
}

/// "Test the app" on the docker driver: vote and result of the voting app's answer,
/// opened with `lab cluster forward`; a vote cast on vote reaches result's total through
/// redis, the worker and db, by service name over the node containers' overlay networks.
fn a_vote_reaches_result(user: &UserDocker, env1: &[(String, String)]) {
    let t = Instant::now();
    let (vote, vote_port) = forward(user, env1, "vote");
    let (result, result_port) = forward(user, env1, "result");
    let post = format!(
        "printf 'POST / HTTP/1.0\\r\\nContent-Type: application/x-www-form-urlencoded\\r\\nContent-Length: 6\\r\\n\\r\\nvote=a' \
         | busybox nc -w 5 127.0.0.1 {vote_port}"
    );
    let ballot = user.sh_on_node(&[], &post);
    let get = format!("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 5 127.0.0.1 {result_port} || true");
    let deadline = Instant::now() + Duration::from_secs(60);
    let counted = loop {
        let page = user.sh_on_node(&[], &get);
        if page.contains(r#"<div id="result">1 vote</div>"#) {
            break Ok(());
        }
        if Instant::now() > deadline {
            break Err(page);
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    drop((vote, result));
    assert!(ballot.starts_with("HTTP/1.0 200 OK") && ballot.contains("&#10004;"), "the vote: {ballot}");
    if let Err(page) = counted {
        let logs = user.sh_on_node(env1, "docker service logs --raw worker 2>&1 | tail -n 20");
        panic!("result never counted the vote within 60 s: {page}\nworker: {logs}");
    }
    eprintln!("docker driver: a vote reached result in {:.1}s", t.elapsed().as_secs_f64());
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The `export K=V` lines of `lab cluster env` as pairs.
fn exports(o: &Output) -> Vec<(String, String)> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

fn get<'a>(env: &'a [(String, String)], key: &str) -> &'a str {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {key} in {env:?}"))
}

fn named_namespaces() -> BTreeSet<String> {
    std::fs::read_dir("/run/netns")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into())
        .collect()
}

fn check_json(user: &UserDocker, env: &[(String, String)], lab_id: &str, extra: &[&str]) -> (serde_json::Value, i32) {
    let mut args = vec!["check", lab_id, "--format", "json"];
    args.extend_from_slice(extra);
    let o = user.lab_on_node(env, &args);
    let v =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("lab check printed no JSON ({e}): {}", text(&o)));
    (v, o.status.code().unwrap_or(-1))
}

/// `--driver docker` for the commands that start, read or stop a practice swarm: this test
/// runs as a user whose default would be docker anyway, but says so, so that nothing it
/// runs can reach another driver's swarm. `cluster forward` has no driver: it reaches the
/// swarm the docker CLI points at, as `lab check` does.
fn driver(args: &[&str]) -> &'static [&'static str] {
    match args {
        ["cluster", "forward", ..] => &[],
        [first, ..] if (*first == "cluster" || *first == "demo") && !args.contains(&"--driver") => {
            &["--driver", "docker"]
        }
        _ => &[],
    }
}

/// Removes every service, then user overlay networks and volumes, from node1's view.
fn reset(user: &UserDocker, env: &[(String, String)]) {
    user.sh_on_node(env, "ids=$(docker service ls -q); [ -z \"$ids\" ] || docker service rm $ids >/dev/null");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !user.sh_on_node(env, "docker ps -aq").trim().is_empty() {
        assert!(Instant::now() < deadline, "service containers did not go away");
        std::thread::sleep(Duration::from_millis(300));
    }
    while !user
        .sh_on_node(env, "for n in $(docker network ls -q --filter driver=overlay); do [ \"$(docker network inspect -f '{{.Ingress}}' $n)\" = true ] || docker network rm $n >/dev/null 2>&1 || echo busy; done")
        .trim()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "overlay networks could not be removed");
        std::thread::sleep(Duration::from_millis(300));
    }
    user.sh_on_node(env, "docker volume prune -f >/dev/null");
}

#[test]
fn a_three_manager_swarm_of_node_containers_grades_every_lab_and_leaves_nothing() {
    let namespaces_before = named_namespaces();
    let user = UserDocker::start();
    let engine_ns = named_namespaces().difference(&namespaces_before).cloned().collect::<BTreeSet<_>>();

    let t = Instant::now();
    let up = user.lab(&["cluster", "up", "--nodes", "3", "--managers", "3", "--image", IMAGE, "--publish", "8080:80"]);
    assert!(up.status.success(), "{}", text(&up));
    eprintln!("docker driver: 3-node up in {:.1}s", t.elapsed().as_secs_f64());
    let err = String::from_utf8_lossy(&up.stderr);
    assert!(err.contains("Nodes run as privileged") || err.contains("Nodes run as explicit capabilities"), "{err}");
    assert!(err.contains("node1:80 is forwarded to http://127.0.0.1:8080"), "{err}");
    // The stand-ins are made of the node image's own (static) busybox, copied out of the
    // registry's container (made from the node image), for the platform the nodes' engines name.
    let arch = stand_in::docker_arch(std::env::consts::ARCH).0;
    assert!(err.contains(&format!("stand-in images: busybox from node image {IMAGE} (arch {arch})\n")), "{err}");
    assert!(
        err.contains("starting the offline registry the nodes pull through (container swarm-lab-practice-registry)"),
        "{err}"
    );

    // Status: the driver, three Ready managers, one Leader.
    let status = user.lab(&["cluster", "status"]);
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success() && out.starts_with("Driver: docker"), "{}", text(&status));
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("node")).collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows.iter().all(|r| r.contains(" active ") && r.contains(" manager ") && r.contains(" ready ")), "{out}");
    assert_eq!(rows.iter().filter(|r| r.contains(" leader ")).count(), 1, "{out}");

    let json = user.lab(&["cluster", "status", "--format", "json"]);
    let doc: serde_json::Value =
        serde_json::from_slice(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&json)));
    let nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{doc}");
    assert!(nodes.iter().all(|n| n["role"] == "manager" && n["state"] == "ready" && n["swarm"] == "active"), "{doc}");
    assert_eq!(nodes.iter().filter(|n| n["manager_status"] == "leader").count(), 1, "{doc}");

    // shell: the book's `node2$` is the learner's shell with docker pointed at node2.
    let mut sh = user
        .as_learner(&lab_bin())
        .args(["cluster", "shell", "node2"])
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(sh.stdin.as_mut().unwrap(), b"docker info --format 'on {{.Name}}'\nexit\n").unwrap();
    let sh = sh.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&sh.stdout).contains("on node2"), "{}", text(&sh));

    // env: TLS on 127.0.0.1, a different port per node, certificates in the state dir.
    let env1 = exports(&user.lab(&["cluster", "env"]));
    let env2 = exports(&user.lab(&["cluster", "env", "--node", "2"]));
    assert!(get(&env1, "DOCKER_HOST").starts_with("tcp://127.0.0.1:"), "{env1:?}");
    assert_ne!(get(&env1, "DOCKER_HOST"), get(&env2, "DOCKER_HOST"));
    assert_eq!(get(&env1, "DOCKER_TLS_VERIFY"), "1");
    assert_eq!(Path::new(get(&env1, "DOCKER_CERT_PATH")), user.cert_dir());
    assert_eq!(get(&env1, "SWARM_LAB_ENGINE_HOST"), user.engine().docker_host);
    let port: u16 = get(&env1, "DOCKER_HOST").rsplit(':').next().unwrap().parse().unwrap();
    // Docker Desktop on Windows: the same variables for PowerShell, and how to apply them.
    let ps = user.lab(&["cluster", "env", "--node", "2", "--shell", "powershell"]);
    let ps = String::from_utf8_lossy(&ps.stdout).to_string();
    assert!(ps.contains(&format!("$Env:DOCKER_HOST = \"{}\"\n", get(&env2, "DOCKER_HOST"))), "{ps}");
    assert!(ps.contains("$Env:DOCKER_TLS_VERIFY = \"1\"\n"), "{ps}");
    assert!(ps.ends_with("cluster env --node 2 --shell powershell | Invoke-Expression\n"), "{ps}");

    // After `eval "$(lab cluster env)"` the cluster commands still find the user's engine.
    let again = user.lab_on_node(&env1, &["cluster", "status"]);
    assert!(again.status.success(), "{}", text(&again));

    // Published on 127.0.0.1 only: every binding of every node, and nothing answers on the
    // engine's other address.
    let bindings = user.engine_docker(&[
        "ps",
        "--filter",
        "label=org.swarm-lab.cluster=practice",
        "--format",
        "{{.Names}} {{.Ports}}",
    ]);
    assert_eq!(bindings.lines().count(), 4, "three nodes and the registry: {bindings}");
    assert!(
        bindings.lines().any(|l| l.trim() == "swarm-lab-practice-registry"),
        "the registry publishes nothing: {bindings}"
    );
    for line in bindings.lines() {
        for binding in line.split_whitespace().skip(1) {
            assert!(binding.starts_with("127.0.0.1:"), "{line}");
        }
    }
    assert!(
        TcpStream::connect_timeout(&(user.engine().addr, port).into(), Duration::from_secs(2)).is_err(),
        "the node API answers on {}:{port}",
        user.engine().addr
    );

    // Mutual TLS: plain HTTP, TLS without a client certificate, and a certificate the
    // cluster's CA did not sign are all refused; the real one works.
    let plain =
        user.sh_on_node(&[], &format!("printf 'GET /_ping HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 127.0.0.1 {port}"));
    assert!(plain.contains("HTTP request to an HTTPS server") && !plain.contains("200 OK"), "plain HTTP: {plain}");
    let empty = user.home.join("no-certs");
    std::fs::create_dir_all(&empty).unwrap();
    let no_cert = user
        .as_learner(Path::new("docker"))
        .args(["--tls", "-H", &format!("tcp://127.0.0.1:{port}"), "version", "--format", "{{.Server.Version}}"])
        .env("DOCKER_CERT_PATH", &empty)
        .output()
        .unwrap();
    assert!(!no_cert.status.success(), "a client without a certificate got in: {}", text(&no_cert));
    let foreign = user.home.join("foreign-certs");
    docker_nodes::certs::Certificates::generate("other").unwrap().write_client(&foreign).unwrap();
    std::fs::copy(user.cert_dir().join("ca.pem"), foreign.join("ca.pem")).unwrap();
    for p in [&empty, &foreign] {
        std::os::unix::fs::chown(p, Some(NOBODY), Some(NOBODY)).unwrap();
        for f in std::fs::read_dir(p).unwrap().flatten() {
            std::os::unix::fs::chown(f.path(), Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    let mut foreign_env = env1.clone();
    foreign_env.retain(|(k, _)| k != "DOCKER_CERT_PATH");
    foreign_env.push(("DOCKER_CERT_PATH".into(), foreign.display().to_string()));
    let refused = user.lab_on_node(&foreign_env, &["check", "day6-three-node-swarm"]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    // The refusal arrives as a TLS alert or, with TLS 1.3, as a connection closed under the
    // first request: either way the report names the certificate, not a missing engine.
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("127.0.0.1") && said.contains("client certificate"), "{}", text(&refused));
    assert!(!said.contains("cannot reach"), "{}", text(&refused));

    // The three-node lab is what `up` built; every other lab's reference answer scores 100.
    let (report, code) = check_json(&user, &env1, "day6-three-node-swarm", &["--wait", "30s"]);
    assert_eq!((report["score"].as_u64(), code), (Some(100), 0), "{report}");
    for lab_id in ["day6-first-service", "day6-overlay-drupal", "day6-routing-mesh", "day6-voting-app"] {
        let t = Instant::now();
        let solve = user.lab_on_node(&env1, &["solve", lab_id, "--yes", "--detach"]);
        assert!(solve.status.success(), "lab solve {lab_id}: {}", text(&solve));
        let (report, code) = check_json(&user, &env1, lab_id, &["--wait", "90s"]);
        for (id, s) in statuses(&report) {
            assert_eq!(s, "pass", "{lab_id} check {id}: {report}");
        }
        assert_eq!((report["score"].as_u64(), code), (Some(100), 0), "{lab_id}");
        eprintln!("docker driver: {lab_id} solved and checked in {:.1}s", t.elapsed().as_secs_f64());
        if lab_id == "day6-voting-app" {
            a_vote_reaches_result(&user, &env1);
        }
        reset(&user, &env1);
    }

    // `lab demo` on the docker driver (not root, so it is the driver `up` picks): the
    // running cluster is used, the answer goes to node1 over its TLS API, and it scores 100.
    let demo = user.lab(&["demo", "day6-first-service"]);
    let said = text(&demo);
    assert_eq!(demo.status.code(), Some(0), "{said}");
    assert!(said.contains("already running") && said.contains("docker service create"), "{said}");
    assert!(String::from_utf8_lossy(&demo.stdout).contains("100/100"), "{said}");
    reset(&user, &env1);

    // --publish: a port node1 publishes (host mode: this kernel has no IPVS for the
    // ingress mesh) answers on the learner's 127.0.0.1:8080.
    user.sh_on_node(
        &env1,
        "docker service create -d --no-resolve-image --name web --constraint node.hostname==node1 \
         --publish mode=host,target=80,published=80 nginx >/dev/null",
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let page = user.sh_on_node(&[], "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 127.0.0.1 8080 || true");
        if page.contains("Swarm Lab stand-in") {
            break;
        }
        if Instant::now() > deadline {
            let tasks = user.sh_on_node(&env1, "docker service ps --no-trunc web 2>&1; docker ps 2>&1");
            panic!("nothing answered on 127.0.0.1:8080: {page}\n{tasks}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }

    // Offline images through the cluster's registry: `redis` (latest, never loaded) converges
    // with its digest recorded and no registry warning, an update resolves its digest at
    // once, and a misspelt name fails within seconds with the engine's own words.
    let t = Instant::now();
    let said = user.sh_on_node(&env1, "docker service create -d --name redis --replicas 2 redis 2>&1");
    assert!(!said.contains("could not be accessed on a registry"), "{said}");
    let image =
        user.sh_on_node(&env1, "docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' redis");
    assert!(image.starts_with("redis:latest@sha256:"), "{image}");
    let running = |image: &str, replicas: usize| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let tasks = user.sh_on_node(
                &env1,
                "docker service ps --filter desired-state=running --format '{{.Image}} {{.CurrentState}}' redis",
            );
            if tasks.lines().filter(|l| l.starts_with(&format!("{image} ")) && l.contains("Running")).count()
                == replicas
            {
                break;
            }
            let all = user.sh_on_node(&env1, "docker service ps --no-trunc redis 2>&1");
            assert!(Instant::now() < deadline, "redis never ran {replicas} task(s) of {image}: {all}");
            std::thread::sleep(Duration::from_millis(300));
        }
    };
    running("redis:latest", 2);
    eprintln!("docker driver: redis (latest) running in {:.1}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let said = user.sh_on_node(&env1, "docker service update -d --image redis:7.2 redis 2>&1");
    assert!(!said.contains("could not be accessed on a registry"), "{said}");
    running("redis:7.2", 2);
    eprintln!("docker driver: update to redis:7.2 rolled in {:.1}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    user.sh_on_node(&env1, "docker service create -d --name typo redsi 2>&1");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let tasks = user.sh_on_node(&env1, "docker service ps --no-trunc --format '{{.Error}}' typo");
        if tasks.contains("No such image: redsi") {
            break;
        }
        assert!(Instant::now() < deadline, "redsi did not fail: {tasks}");
        std::thread::sleep(Duration::from_millis(300));
    }
    eprintln!("docker driver: redsi failed in {:.1}s", t.elapsed().as_secs_f64());
    user.sh_on_node(&env1, "docker service rm redis typo >/dev/null");

    // `lab cluster forward` as root reaches each task inside its own network namespace,
    // through the node container's processes (the mesh's published port never answers
    // here); as the learner without root it says what to do instead (exit 2).
    user.sh_on_node(
        &env1,
        "docker service create -d --no-resolve-image --name web2 --replicas 2 -p 8081:80 nginx >/dev/null",
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while user.sh_on_node(&env1, "docker service ls --filter name=web2 --format '{{.Replicas}}'").trim() != "2/2" {
        assert!(Instant::now() < deadline, "web2 never ran 2 tasks");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (mut forward, port) = forward(&user, &env1, "web2");
    assert!(
        forward.line.contains("→ web2:80 (2 running tasks)"),
        "forward as root on the docker driver: {}",
        forward.line
    );
    let hostname =
        |page: &str| page.split("<b id=\"hostname\">").nth(1).and_then(|p| p.split('<').next()).map(str::to_string);
    let get = format!("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 127.0.0.1 {port}");
    let served: Vec<Option<String>> = (0..2).map(|_| hostname(&user.sh_on_node(&[], &get))).collect();
    assert_eq!(forward.interrupt().code(), Some(0));
    assert!(served.iter().all(Option::is_some) && served[0] != served[1], "both replicas answer in turn: {served:?}");
    let as_learner = user.lab_on_node(&env1, &["cluster", "forward", "web2", "0:80"]);
    assert_eq!(as_learner.status.code(), Some(2), "{}", text(&as_learner));
    let said = text(&as_learner);
    assert!(said.contains("takes root") && said.contains("--publish 8081"), "{said}");

    // lab drill's node-down on this driver stops a node's container (its engine and tasks
    // with it) and starts it again: the swarm sees it Down, then Ready with the same ID.
    let t = Instant::now();
    let ids_before = user.sh_on_node(&env1, "docker node ls -q | sort");
    let drill = user.lab_on_node(&env1, &["drill", "day6-three-node-swarm", "--only", "node-down", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&drill.stdout)
        .unwrap_or_else(|e| panic!("lab drill printed no JSON ({e}): {}", text(&drill)));
    eprintln!("docker driver: node-down drill in {:.1}s: {report}", t.elapsed().as_secs_f64());
    assert_eq!(drill.status.code(), Some(0), "{report}\n{}", text(&drill));
    let node_down = &report["drills"][0];
    assert_eq!(node_down["status"], "pass", "{report}");
    assert!(node_down["measured"].as_str().unwrap().contains("node2 Ready again"), "{report}");
    let stopped = String::from_utf8_lossy(&drill.stderr);
    assert!(stopped.contains("drill node-down: stop the engine of node2"), "{stopped}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let nodes = user.sh_on_node(&env1, "docker node ls --format '{{.Status}} {{.Availability}}'");
        if nodes.lines().all(|l| l.trim() == "Ready Active") && nodes.lines().count() == 3 {
            break;
        }
        assert!(Instant::now() < deadline, "the nodes are not all Ready and Active after the drill: {nodes}");
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(user.sh_on_node(&env1, "docker node ls -q | sort"), ids_before, "the same three nodes");
    let status = user.lab(&["cluster", "status", "--format", "json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    for node in status["nodes"].as_array().unwrap() {
        assert_eq!((&node["container"], &node["state"]), (&"running".into(), &"ready".into()), "{status}");
    }

    // down leaves nothing: no container, network, volume, certificate or cgroup.
    let t = Instant::now();
    let down = user.lab(&["cluster", "down"]);
    assert!(down.status.success(), "{}", text(&down));
    eprintln!("docker driver: 3-node down in {:.1}s", t.elapsed().as_secs_f64());
    // The user's engine removes a node container's cgroups after the container is gone
    // (under load, some seconds after `down` returned: seen at 10 s with a load of 10 on
    // two cores): each must be gone within 30 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut left = user.leftovers();
    while !left.is_empty() && left.iter().all(|l| l.starts_with("cgroup ")) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        left = user.leftovers();
    }
    assert_eq!(left, Vec::<String>::new());
    let again = user.lab(&["cluster", "down"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("No practice swarm was running"), "{}", text(&again));

    // A SIGKILLed `up` leaves containers behind; `down` removes them all the same.
    let mut killed = user
        .as_learner(&lab_bin())
        .args(["cluster", "up", "--driver", "docker", "--nodes", "2", "--image", IMAGE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while user.cluster_objects().iter().filter(|o| o.starts_with("container")).count() < 2 {
        assert!(Instant::now() < deadline, "the interrupted up created no node containers");
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(killed.id() as i32, libc::SIGKILL) }, 0);
    killed.wait().unwrap();
    assert!(!user.cluster_objects().is_empty());
    let down = user.lab(&["cluster", "down"]);
    assert!(down.status.success(), "{}", text(&down));
    assert_eq!(user.leftovers(), Vec::<String>::new());

    // lab made no network namespace: new named ones are private-swarm's (this test's engine,
    // or other tests' running at the same time), and no process of the learner is left to
    // hold an unnamed one.
    assert!(engine_ns.contains(&user.engine().netns), "{engine_ns:?}");
    let new: Vec<String> =
        named_namespaces().difference(&namespaces_before).filter(|n| !n.starts_with("psw-")).cloned().collect();
    assert_eq!(new, Vec::<String>::new());
    assert_eq!(processes_of(NOBODY), Vec::<String>::new());
}

/// `pid command` of every process running as `uid`.
fn processes_of(uid: u32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let real_uid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().next());
        if real_uid == Some(uid.to_string().as_str()) {
            let name = status.lines().find_map(|l| l.strip_prefix("Name:")).unwrap_or("").trim().to_string();
            found.push(format!("{} {name}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

/// Bad `cluster` flags are usage errors (exit 2) before any engine is asked.
#[test]
fn driver_flags_are_checked_before_anything_starts() {
    let run = |args: &[&str]| {
        Command::new(lab_bin())
            .args(args)
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    for (args, says) in [
        (&["cluster", "up", "--driver", "netns", "--publish", "80"][..], "--driver docker only"),
        (&["cluster", "up", "--driver", "docker", "--publish", "http"][..], "is not a port"),
        (&["cluster", "up", "--driver", "docker", "--nodes", "3", "--managers", "4"][..], "is more than --nodes 3"),
        (&["cluster", "up", "--driver", "vm"][..], "invalid value 'vm'"),
        (&["cluster", "env", "--driver", "docker", "--shell", "tcsh"][..], "invalid value 'tcsh'"),
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{args:?}: {}", text(&o));
    }
    let o = run(&["cluster", "status", "--driver", "docker"]);
    assert_eq!(o.status.code(), Some(3), "an unreachable engine: {}", text(&o));
}
