//! A learner's shell session on a private swarm: runs a lesson's commands in order, each on
//! its node, with the [substitutions](crate::substitution) applied, and remembers what a
//! learner would remember between commands (the name the engine gave the first service).
//!
//! Each line runs as `timeout 180 sh -c LINE` inside its node's network namespace with
//! `DOCKER_HOST` set to that node's engine, and must exit 0. Read-only commands (`docker
//! node ls`, `docker service ps`, …) are retried for up to 10 s when they fail, as the book
//! tells learners to do ("if the replacement isn't there yet, run the command again"); a
//! retry is printed. Commands that need the routing mesh on a kernel without IPVS are
//! skipped and recorded by name ([`Skipped`]); nothing else is ever skipped.
//!
//! `lab …` lines run the workbook's own binary, given with [`Session::with_lab`], against
//! the practice swarm of that `SWARM_LAB_HOME`. A `lab drill` line must run every drill
//! it names and pass them: exit 0 alone is not enough, as a drill this swarm cannot take is
//! skipped without failing the run ([`drill_report_problem`]).

use crate::lesson::{Command, Lesson};
use crate::mesh;
use crate::substitution::{self, HttpClient, Placeholder, Refusal};
use private_swarm::{Cluster, Node};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How long one command may run (an attached `service create` that never converges).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a failing read-only command is retried.
const RETRY_FOR: Duration = Duration::from_secs(10);

/// Why a command was not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// An HTTP probe of an ingress-published port, and the node's kernel has no IPVS.
    NoIpvs,
}

/// A command that was not run, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `chapter.md:LINE`
    pub at: String,
    pub command: String,
    pub reason: SkipReason,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.reason {
            SkipReason::NoIpvs => write!(f, "skipped (no IPVS in this kernel): {}: {}", self.at, self.command),
        }
    }
}

/// A command of a lesson that could not run or failed.
#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    #[error("{at}: `{command}` cannot run here: {refusal}")]
    Refused { at: String, command: String, refusal: Refusal },
    #[error("{at}: `{command}` names node{node}, but the cluster has {nodes} node(s)")]
    NoSuchNode { at: String, command: String, node: usize, nodes: usize },
    #[error("{at}: `{command}`: cannot resolve <{placeholder}>: {why}")]
    Placeholder { at: String, command: String, placeholder: String, why: String },
    #[error("{at}: `{command}` failed on node{node}: {failure}")]
    Failed { at: String, command: String, node: usize, failure: Box<Failure> },
}

/// What a failed command ran and printed.
#[derive(Debug)]
pub struct Failure {
    /// The line as run, after substitutions.
    pub ran: String,
    pub status: String,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; ran `{}`\n--- stdout\n{}\n--- stderr\n{}", self.status, self.ran, self.stdout, self.stderr)
    }
}

/// Commands that only read, and may be repeated until they succeed.
const READ_ONLY: &[&[&str]] = &[
    &["info"],
    &["version"],
    &["ps"],
    &["container", "ls"],
    &["node", "ls"],
    &["node", "ps"],
    &["node", "inspect"],
    &["service", "ls"],
    &["service", "ps"],
    &["service", "inspect"],
    &["service", "logs"],
    &["network", "ls"],
    &["network", "inspect"],
    &["volume", "ls"],
];

pub struct Session {
    nodes: Vec<Node>,
    /// What `<nodeN-ip>` stands for: the nodes' addresses, as the learner found them.
    addresses: Vec<Ipv4Addr>,
    client: HttpClient,
    docker_config: PathBuf,
    /// The engine-given name of the last service created without `--name`.
    service_name: Option<String>,
    skipped: Vec<Skipped>,
    /// Whether IPVS was found, per node (checked at most once per node).
    ipvs: Vec<Option<bool>>,
    /// Where `lab` is found (a folder put first on PATH) and the SWARM_LAB_HOME it runs with.
    lab: Option<(PathBuf, PathBuf)>,
}

impl Session {
    pub fn new(cluster: &Cluster) -> Session {
        Session::on_nodes(cluster.nodes().to_vec(), cluster.dir())
    }

    /// A session on these nodes (node1 first); `dir` holds the docker CLI's own config.
    pub fn on_nodes(nodes: Vec<Node>, dir: &Path) -> Session {
        let client = if find_on_path("curl") { HttpClient::Curl } else { HttpClient::BusyboxNc };
        // The CLI's own config dir, so nothing in the caller's ~/.docker (a context, a
        // credential helper) applies.
        let docker_config = dir.join("docker-config");
        let _ = std::fs::create_dir_all(&docker_config);
        Session {
            addresses: nodes.iter().map(|n| n.addr).collect(),
            ipvs: vec![None; nodes.len()],
            nodes,
            client,
            docker_config,
            service_name: None,
            skipped: Vec::new(),
            lab: None,
        }
    }

    /// Runs `lab` lines with `binary` (linked as `lab` into a folder under `home`, put first
    /// on PATH), with `SWARM_LAB_HOME=home`: the practice swarm these nodes belong to.
    pub fn with_lab(mut self, binary: &Path, home: &Path) -> std::io::Result<Session> {
        let bin = home.join("lab-bin");
        std::fs::create_dir_all(&bin)?;
        let link = bin.join("lab");
        if !link.exists() {
            std::os::unix::fs::symlink(binary, &link)?;
        }
        self.lab = Some((bin, home.to_path_buf()));
        Ok(self)
    }

    /// Resolves `<nodeN-ip>` to these addresses (node1 first), e.g. the ones
    /// `lab cluster status --format json` printed, instead of the harness's record.
    pub fn with_addresses(mut self, addresses: Vec<Ipv4Addr>) -> Session {
        self.addresses = addresses;
        self
    }

    /// Every command skipped so far, in order.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Runs every command of `lesson` in order; stops at the first that fails.
    pub fn run_lesson(&mut self, lesson: &Lesson) -> Result<(), LessonError> {
        eprintln!("== {} ({} commands)", lesson.chapter, lesson.commands.len());
        for cmd in &lesson.commands {
            self.run_command(lesson.locate(cmd), cmd)?;
        }
        Ok(())
    }

    /// Runs one shell line on node `node` (1-based) between lessons (setup or cleanup the
    /// book asks for outside a `console` block); `label` names it in messages.
    pub fn run_line(&mut self, label: &str, node: usize, line: &str) -> Result<String, LessonError> {
        self.run_command(label.to_string(), &Command { line: 0, node, text: line.to_string() })
    }

    fn run_command(&mut self, at: String, cmd: &Command) -> Result<String, LessonError> {
        let command = cmd.text.clone();
        let text = substitution::substitute_addresses(&cmd.text).map_err(|refusal| LessonError::Refused {
            at: at.clone(),
            command: command.clone(),
            refusal,
        })?;
        let nodes = self.nodes.len();
        if cmd.node > nodes {
            return Err(LessonError::NoSuchNode { at, command, node: cmd.node, nodes });
        }
        let node = self.nodes[cmd.node - 1].clone();

        if self.needs_missing_mesh(&node, &text) {
            let skipped = Skipped { at, command, reason: SkipReason::NoIpvs };
            eprintln!("{skipped}");
            self.skipped.push(skipped);
            return Ok(String::new());
        }

        let text = self.fill_placeholders(&node, &text).map_err(|(placeholder, why)| LessonError::Placeholder {
            at: at.clone(),
            command: command.clone(),
            placeholder,
            why,
        })?;
        let local: Vec<_> = self.nodes.iter().map(|n| n.addr).collect();
        if let Some(a) = substitution::ipv4_literals(&text)
            .into_iter()
            .find(|a| !a.is_loopback() && !a.is_unspecified() && !local.contains(a))
        {
            return Err(LessonError::Refused { at, command, refusal: Refusal::OutsideAddress(a.to_string()) });
        }
        let ran = substitution::prepare(&text, self.client);

        let start = Instant::now();
        let mut tries = 0;
        let out = loop {
            tries += 1;
            let out = self.exec(&node, &ran);
            match out {
                Ok(out) => break out,
                Err((status, stdout, stderr)) => {
                    if is_read_only(&text) && start.elapsed() < RETRY_FOR {
                        std::thread::sleep(Duration::from_millis(500));
                        continue;
                    }
                    let failure = Box::new(Failure { ran, status, stdout, stderr });
                    return Err(LessonError::Failed { at, command, node: cmd.node, failure });
                }
            }
        };
        let retried = if tries > 1 { format!(", succeeded on try {tries}") } else { String::new() };
        eprintln!("{at} node{}$ {} ({:.1}s{retried})", cmd.node, cmd.text, start.elapsed().as_secs_f64());
        if text.starts_with("lab drill ") {
            // The report, in the log: what a learner would see, and the figures measured.
            eprintln!("{out}");
            if let Some(problem) = drill_report_problem(&out) {
                let failure = Box::new(Failure { ran, status: problem, stdout: out, stderr: String::new() });
                return Err(LessonError::Failed { at, command, node: cmd.node, failure });
            }
        }

        if text.starts_with("docker service create ") && !text.contains("--name") {
            let id = out.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default().to_string();
            let name = node.docker(&["service", "inspect", "--format", "{{.Spec.Name}}", &id]).map_err(|e| {
                LessonError::Placeholder {
                    at,
                    command,
                    placeholder: "service-name".into(),
                    why: format!("service {id:?}: {e}"),
                }
            })?;
            self.service_name = Some(name.trim().to_string());
        }
        Ok(out)
    }

    /// Whether `text` probes an ingress-published port on a node whose kernel lacks IPVS.
    fn needs_missing_mesh(&mut self, node: &Node, text: &str) -> bool {
        let Some(probe) = substitution::http_probe(text) else { return false };
        let manager = &self.nodes[0];
        if !mesh::ingress_ports(manager).is_ok_and(|ports| ports.contains(&probe.port)) {
            return false;
        }
        let idx = self.nodes.iter().position(|n| n.name == node.name).expect("node of this cluster");
        !*self.ipvs[idx].get_or_insert_with(|| mesh::has_ipvs(node))
    }

    fn fill_placeholders(&self, node: &Node, text: &str) -> Result<String, (String, String)> {
        lab_schema::command_line::fill(text, |p| self.resolve(node, p))
            .map_err(|e| (e.name, e.why.unwrap_or_else(|| "unknown".to_string())))
    }

    fn resolve(&self, node: &Node, p: Placeholder) -> Result<String, String> {
        let manager = &self.nodes[0];
        match p {
            Placeholder::NodeIp(n) => self
                .addresses
                .get(n - 1)
                .map(|a| a.to_string())
                .ok_or_else(|| format!("the cluster has {} node(s)", self.addresses.len())),
            Placeholder::WorkerToken | Placeholder::ManagerToken => {
                let role = if p == Placeholder::WorkerToken { "worker" } else { "manager" };
                manager
                    .docker(&["swarm", "join-token", "-q", role])
                    .map(|t| t.trim().to_string())
                    .map_err(|e| e.to_string())
            }
            Placeholder::ServiceName => self
                .service_name
                .clone()
                .ok_or_else(|| "no service was created without --name before this line".to_string()),
            Placeholder::ContainerName => {
                let service = self.resolve(node, Placeholder::ServiceName)?;
                let filter = format!("label=com.docker.swarm.service.name={service}");
                let deadline = Instant::now() + RETRY_FOR;
                loop {
                    let names = node
                        .docker(&["ps", "--filter", &filter, "--format", "{{.Names}}"])
                        .map_err(|e| e.to_string())?;
                    if let Some(first) = names.split_whitespace().next() {
                        return Ok(first.to_string());
                    }
                    if Instant::now() > deadline {
                        return Err(format!("no running container of service {service} on {}", node.name));
                    }
                    std::thread::sleep(Duration::from_millis(300));
                }
            }
        }
    }

    /// Runs `line` in `node`'s network namespace against its engine: Ok(stdout), or
    /// Err((status, stdout, stderr)).
    fn exec(&self, node: &Node, line: &str) -> Result<String, (String, String, String)> {
        let secs = COMMAND_TIMEOUT.as_secs().to_string();
        let mut cmd =
            node.netns_command("timeout").map_err(|e| ("not started".into(), String::new(), e.to_string()))?;
        cmd.args(["-k", "5", &secs, "sh", "-c", line]);
        for var in ["DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS", "DOCKER_API_VERSION"] {
            cmd.env_remove(var);
        }
        if let Some((bin, home)) = &self.lab {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(&path)))
                .map_err(|e| ("not started".into(), String::new(), e.to_string()))?;
            cmd.env("PATH", path).env("SWARM_LAB_HOME", home).env("NO_COLOR", "1");
            for var in ["LANG", "LC_ALL", "LC_MESSAGES"] {
                cmd.env_remove(var);
            }
        }
        cmd.env("DOCKER_HOST", &node.docker_host)
            .env("DOCKER_CONFIG", &self.docker_config)
            .env("DOCKER_CLI_HINTS", "false")
            .stdin(Stdio::null());
        let out = cmd.output().map_err(|e| ("not started".into(), String::new(), e.to_string()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(stdout)
        } else {
            let status = match out.status.code() {
                Some(124) => format!("timed out after {secs} s"),
                _ => out.status.to_string(),
            };
            Err((status, stdout, String::from_utf8_lossy(&out.stderr).into_owned()))
        }
    }
}

/// What is wrong with a `lab drill` report that exited 0: a drill skipped (this swarm
/// could not take it), or no drill graded at all. `None` when every drill it names ran and
/// passed (an informational drill runs and is told, never graded).
pub fn drill_report_problem(report: &str) -> Option<String> {
    let head = report.lines().find(|l| l.starts_with("lab drill ") && l.ends_with(" drills passed"));
    let Some(head) = head else { return Some("no `lab drill …: N of M drills passed` line".into()) };
    let counts: Vec<&str> = head.rsplit(": ").next().unwrap_or_default().split_whitespace().collect();
    let graded = match counts.as_slice() {
        [passed, "of", total, "drills", "passed"] if passed == total => total.parse::<usize>().unwrap_or(0),
        _ => return Some(format!("not every drill passed: {head}")),
    };
    let informational = report.lines().filter(|l| l.starts_with("ℹ ")).count();
    if let Some(skipped) = report.lines().find(|l| l.starts_with("- ")) {
        return Some(format!("a drill was skipped: {skipped}"));
    }
    (graded + informational == 0).then(|| "no drill ran".to_string())
}

fn is_read_only(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.first() == Some(&"docker") && READ_ONLY.iter().any(|verb| words[1..].starts_with(verb))
}

fn find_on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reading_commands_are_retried() {
        assert!(is_read_only("docker node ls"));
        assert!(is_read_only("docker service ps <service-name>"));
        assert!(!is_read_only("docker service create alpine ping 127.0.0.1"));
        assert!(!is_read_only("docker container rm -f x"));
        assert!(!is_read_only("docker swarm join-token --rotate manager"));
        assert!(!is_read_only("curl localhost:9200"));
    }

    #[test]
    fn a_drill_report_passes_only_when_every_drill_ran() {
        let pass = "lab drill day6-x: 2 of 2 drills passed\n\n✔ pass a · A\n    Expected: …\n\n✔ pass b · B\n";
        assert_eq!(drill_report_problem(pass), None);
        let info = "lab drill day6-x: 0 of 0 drills passed\n\nℹ info d · D\n    Measured: …\n";
        assert_eq!(drill_report_problem(info), None, "an informational drill ran");
        let skipped = "lab drill day6-x: 1 of 1 drills passed\n\n✔ pass a · A\n\n- skipped b · B\n";
        assert!(drill_report_problem(skipped).unwrap().contains("skipped b"));
        let failed = "lab drill day6-x: 1 of 2 drills passed\n\n✔ pass a · A\n\n✘ fail b · B\n";
        assert!(drill_report_problem(failed).unwrap().contains("1 of 2"));
        assert!(drill_report_problem("lab drill day6-x: 0 of 0 drills passed\n").is_some());
        assert!(drill_report_problem("something else").is_some());
    }

    #[test]
    fn a_skip_is_reported_by_name() {
        let s = Skipped {
            at: "routing-mesh.md:277".into(),
            command: "curl localhost:9200".into(),
            reason: SkipReason::NoIpvs,
        };
        assert_eq!(s.to_string(), "skipped (no IPVS in this kernel): routing-mesh.md:277: curl localhost:9200");
    }
}
