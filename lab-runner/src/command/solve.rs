//! `lab solve LAB`: apply a lab's reference answer to the current swarm with the docker
//! CLI, filling in the placeholders the lessons use (`<node1-ip>`, `<worker-token>`,
//! `<manager-token>`, `<service-name>`, `<container-name>`). The one command of `lab` that
//! changes a cluster, so it asks before touching a swarm that already has services.

use super::{find_lab, resolve_endpoint};
use crate::args::SolveArgs;
use crate::exit::{Exit, Kind};
use lab_grader::Endpoint;
use lab_i18n::words;
use lab_schema::command_line::{self, Placeholder, ServiceFlags};
use lab_schema::Lab;
use std::io::{BufRead, IsTerminal, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The docker CLI pointed at one endpoint, and nothing else from the environment.
pub(crate) struct DockerCli {
    endpoint: Endpoint,
}

impl DockerCli {
    pub fn new(endpoint: Endpoint) -> Self {
        DockerCli { endpoint }
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH");
        if let Some(ctx) = &self.endpoint.context {
            cmd.env("DOCKER_CONTEXT", ctx);
        } else {
            cmd.env("DOCKER_HOST", &self.endpoint.host);
            if let Some(tls) = &self.endpoint.tls {
                cmd.env("DOCKER_TLS_VERIFY", "1");
                if let Some(dir) = tls.ca.parent() {
                    cmd.env("DOCKER_CERT_PATH", dir);
                }
            }
        }
    }

    /// `docker ARGS`, returning trimmed stdout or the command's stderr as the error.
    pub fn read(&self, args: &[&str]) -> Result<String, String> {
        let mut cmd = Command::new("docker");
        cmd.args(args).stdin(Stdio::null());
        self.env(&mut cmd);
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run docker: {e} (install the docker CLI, e.g. apt-get install docker.io)"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Runs a shell line with this endpoint; its output goes to stderr. Returns stdout.
    pub fn shell(&self, line: &str) -> Result<String, String> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(line).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        self.env(&mut cmd);
        let out = cmd.output().map_err(|e| {
            format!(
                "cannot run sh: {e}; the answers are POSIX shell lines (on Windows, run `lab` from Git Bash or WSL)"
            )
        })?;
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        eprint!("{stdout}");
        if out.status.success() {
            Ok(stdout)
        } else {
            Err(format!("`{line}` exited with {}", out.status))
        }
    }
}

/// What the answer's placeholders stand for, learned as the answer runs.
#[derive(Default)]
struct Placeholders {
    service: Option<String>,
}

impl Placeholders {
    fn fill(&self, docker: &DockerCli, line: &str) -> Result<String, String> {
        command_line::fill(line, |p| self.value(docker, p)).map_err(|e| match e.why {
            Some(why) => format!("cannot fill in <{}> of `{line}`: {why}", e.name),
            None => format!("`{line}` has <{}>, which is no placeholder ({})", e.name, command_line::PLACEHOLDERS),
        })
    }

    fn value(&self, docker: &DockerCli, p: Placeholder) -> Result<String, String> {
        match p {
            Placeholder::NodeIp(1) => docker.read(&["info", "--format", "{{.Swarm.NodeAddr}}"]),
            Placeholder::NodeIp(n) => Err(format!("node{n} is another node, which `lab solve` cannot reach")),
            Placeholder::WorkerToken => docker.read(&["swarm", "join-token", "-q", "worker"]),
            Placeholder::ManagerToken => docker.read(&["swarm", "join-token", "-q", "manager"]),
            Placeholder::ServiceName => {
                self.service.clone().ok_or_else(|| "the answer uses it before creating a service".to_string())
            }
            Placeholder::ContainerName => {
                let svc = self.value(docker, Placeholder::ServiceName)?;
                let filter = format!("label=com.docker.swarm.service.name={svc}");
                let deadline = Instant::now() + Duration::from_secs(30);
                loop {
                    let names = docker.read(&["ps", "--filter", &filter, "--format", "{{.Names}}"])?;
                    if let Some(n) = names.lines().next().filter(|n| !n.is_empty()) {
                        return Ok(n.to_string());
                    }
                    if Instant::now() > deadline {
                        return Err(format!("no running container of service {svc} on this node after 30s"));
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        }
    }

    fn learn(&mut self, docker: &DockerCli, line: &str, stdout: &str) {
        if line.starts_with("docker service create") {
            if let Some(id) = stdout
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                if let Ok(name) = docker.read(&["service", "inspect", "--format", "{{.Spec.Name}}", id]) {
                    self.service = Some(name);
                }
            }
        }
    }
}

/// Applies `lab`'s answer through `docker`. Errors are messages for the learner.
pub(crate) fn apply(lab: &Lab, docker: &DockerCli, detach: bool) -> Result<(), String> {
    if lab.answer.is_multi_node() {
        return Err(format!(
            "the answer of {} runs on several nodes (lines like `node2$ …`), which `lab solve` cannot reach from one engine; \
             for a ready-made multi-node swarm use `lab cluster up --nodes 3 --managers 3`",
            lab.id
        ));
    }
    let mut ph = Placeholders::default();
    for step in &lab.answer.steps {
        let line = ph.fill(docker, &step.command)?;
        let line = command_line::with_service_flags(&line, ServiceFlags { detach, no_resolve_image: false });
        eprintln!("$ {line}");
        let out = docker.shell(&line)?;
        ph.learn(docker, &line, &out);
    }
    Ok(())
}

pub fn run(a: &SolveArgs) -> Exit {
    let (yes, detach) = (a.yes, a.detach);
    let lab = match find_lab(&a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let endpoint = match resolve_endpoint(&a.engine) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let docker = DockerCli::new(endpoint.clone());
    let services = match docker.read(&["service", "ls", "--format", "{{.Name}}"]) {
        Ok(s) => s.lines().map(str::to_string).filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        Err(e) => {
            let lang = crate::lang();
            let source = lang.tr(&endpoint.source);
            let msg =
                lang.fill(words::SOLVE_CANNOT_LIST, &[("host", &endpoint.host), ("source", &source), ("error", &e)]);
            return crate::fail(Kind::Cluster(lab_grader::grade::GradeStatus::Unreachable), msg);
        }
    };
    if !services.is_empty() && !yes {
        let lang = crate::lang();
        let listed = services.join(", ");
        let question = lang.fill(
            words::SOLVE_ASK,
            &[("host", &endpoint.host), ("n", &services.len()), ("services", &listed), ("lab", &lab.id)],
        );
        if !std::io::stdin().is_terminal() {
            return crate::fail(Kind::Usage, format!("{question} {}", lang.tr(words::SOLVE_NOT_A_TERMINAL)));
        }
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("{}", crate::lang().tr(words::SOLVE_NOTHING_CHANGED));
            return Exit::Failed;
        }
    }
    match apply(&lab, &docker, detach) {
        Ok(()) => {
            eprintln!("{}", crate::lang().fill(words::SOLVE_APPLIED, &[("lab", &lab.id), ("me", &crate::me())]));
            Exit::Ok
        }
        Err(e) => crate::fail(Kind::NotApplied, e),
    }
}
