//! `lab solve LAB`: apply a lab's reference answer to the current swarm with the docker
//! CLI, filling in the placeholders the lessons use (`<node1-ip>`, `<worker-token>`,
//! `<manager-token>`, `<service-name>`, `<container-name>`). The one command of `lab` that
//! changes a cluster, so it asks before touching a swarm that already has services.
//!
//! The values come from the engine, which may be a learner's and is untrusted: each is
//! checked against what its placeholder allows (an IP address, a join token, a docker
//! name), the ones the engine knows up front before the first line runs, and filled in
//! shell-quoted, so the line printed is the line that runs and pastes as one command. The
//! lines run as argv, never through a shell, and what docker prints is shown through the
//! one rule for engine values ([`lab_engine::untrusted`]).

use super::{find_lab, resolve_endpoint};
use crate::args::SolveArgs;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_engine::untrusted::{self, Sink};
use lab_engine::Endpoint;
use lab_fix::shell;
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

    /// Runs a command line with this endpoint, as argv (split as `sh` would, never run by
    /// a shell); what it prints goes to stderr, made harmless. Returns stdout.
    pub fn run_line(&self, line: &str) -> Result<String, String> {
        let words = shell::split(line);
        let Some((program, args)) = words.split_first() else { return Ok(String::new()) };
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::null());
        self.env(&mut cmd);
        let out = cmd.output().map_err(|e| format!("cannot run {program}: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        // The engine's names and errors, on the way to a terminal.
        eprint!("{}", untrusted::shown(Sink::TerminalText, &stdout));
        eprint!("{}", untrusted::shown(Sink::TerminalText, &String::from_utf8_lossy(&out.stderr)));
        if out.status.success() {
            Ok(stdout)
        } else {
            Err(format!("`{line}` exited with {}", out.status))
        }
    }
}

/// Why a line could not be filled in: a value the engine gave that its placeholder does
/// not allow (bad input, exit 2), or anything else (the answer was not applied).
#[derive(Debug)]
pub(crate) enum FillError {
    Refused(String),
    Other(String),
}

/// What a placeholder's value may be, as the words of [`words::SOLVE_REFUSED`].
fn allows(p: Placeholder) -> &'static str {
    match p {
        Placeholder::NodeIp(_) => words::SOLVE_ALLOWS_ADDRESS,
        Placeholder::WorkerToken | Placeholder::ManagerToken => words::SOLVE_ALLOWS_TOKEN,
        Placeholder::ServiceName | Placeholder::ContainerName => words::SOLVE_ALLOWS_NAME,
    }
}

/// Whether `value` is what `p` allows: an IP address (as `docker info` gives NodeAddr); a
/// join token (`SWMTKN-1-` then letters, digits and dashes); a docker name (a letter or
/// digit, then letters, digits, `_`, `.`, `-`, as the engine allows for containers and
/// services).
pub(crate) fn allowed(p: Placeholder, value: &str) -> bool {
    match p {
        Placeholder::NodeIp(_) => value.parse::<std::net::IpAddr>().is_ok(),
        Placeholder::WorkerToken | Placeholder::ManagerToken => value
            .strip_prefix("SWMTKN-1-")
            .is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
        Placeholder::ServiceName | Placeholder::ContainerName => {
            value.len() <= 255
                && value.starts_with(|c: char| c.is_ascii_alphanumeric())
                && value.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        }
    }
}

/// What the answer's placeholders stand for: read from the engine up front where it can
/// be, learned as the answer runs for the rest.
#[derive(Default)]
struct Placeholders {
    /// The language of a refusal.
    lang: lab_i18n::Language,
    service: Option<String>,
    known: Vec<(Placeholder, String)>,
}

impl Placeholders {
    /// Reads and checks every value the engine can give before anything runs: node
    /// addresses and join tokens, for every line of the answer.
    fn read_up_front(&mut self, docker: &DockerCli, lines: &[&str]) -> Result<(), FillError> {
        for line in lines {
            for name in command_line::placeholder_names(line) {
                let Some(p) = Placeholder::parse(&name) else { continue };
                if matches!(p, Placeholder::ServiceName | Placeholder::ContainerName)
                    || self.known.iter().any(|(k, _)| *k == p)
                {
                    continue;
                }
                let value = self.checked(docker, p, line)?;
                self.known.push((p, value));
            }
        }
        Ok(())
    }

    /// The value of `p`, refused unless it is what `p` allows.
    fn checked(&self, docker: &DockerCli, p: Placeholder, line: &str) -> Result<String, FillError> {
        if let Some((_, v)) = self.known.iter().find(|(k, _)| *k == p) {
            return Ok(v.clone());
        }
        let value = self.value(docker, p).map_err(FillError::Other)?;
        if allowed(p, &value) {
            return Ok(value);
        }
        let lang = self.lang;
        let name = command_line::placeholder_names(line)
            .into_iter()
            .find(|n| Placeholder::parse(n) == Some(p))
            .unwrap_or_default();
        let shown = untrusted::shown(Sink::TerminalLine, &value);
        Err(FillError::Refused(lang.fill(
            words::SOLVE_REFUSED,
            &[
                ("placeholder", &format!("<{name}>")),
                ("line", &line),
                ("host", &docker.endpoint.host),
                ("value", &format!("{:?}", shown.as_ref())),
                ("allowed", &lang.tr(allows(p))),
            ],
        )))
    }

    /// `line` with every placeholder replaced by its checked, shell-quoted value.
    fn fill(&self, docker: &DockerCli, line: &str) -> Result<String, FillError> {
        let mut refused = None;
        let filled = command_line::fill(line, |p| match self.checked(docker, p, line) {
            Ok(v) => Ok(shell::quote(&v)),
            Err(FillError::Refused(m)) => {
                refused = Some(m);
                Err(String::new())
            }
            Err(FillError::Other(why)) => Err(why),
        });
        if let Some(m) = refused {
            return Err(FillError::Refused(m));
        }
        filled.map_err(|e| {
            FillError::Other(match e.why {
                Some(why) => format!("cannot fill in <{}> of `{line}`: {why}", e.name),
                None => format!("`{line}` has <{}>, which is no placeholder ({})", e.name, command_line::PLACEHOLDERS),
            })
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
pub(crate) fn apply(lang: lab_i18n::Language, lab: &Lab, docker: &DockerCli, detach: bool) -> Result<(), FillError> {
    if lab.answer.is_multi_node() {
        return Err(FillError::Other(format!(
            "the answer of {} runs on several nodes (lines like `node2$ …`), which `lab solve` cannot reach from one engine; \
             for a ready-made multi-node swarm use `lab cluster up --nodes 3 --managers 3`",
            lab.id
        )));
    }
    let mut ph = Placeholders { lang, ..Default::default() };
    let lines: Vec<&str> = lab.answer.steps.iter().map(|s| s.command.as_str()).collect();
    ph.read_up_front(docker, &lines)?;
    for line in lines {
        let line = ph.fill(docker, line)?;
        let line = command_line::with_service_flags(&line, ServiceFlags { detach, no_resolve_image: false });
        eprintln!("$ {}", untrusted::shown(Sink::TerminalLine, &line));
        let out = docker.run_line(&line).map_err(FillError::Other)?;
        ph.learn(docker, &line, &out);
    }
    Ok(())
}

/// `lab solve` as asked, resolved before the engine is asked anything: the lab, and the
/// engine, found once.
pub(crate) struct SolveConfig {
    pub lab: Lab,
    pub endpoint: Endpoint,
    /// Do not ask before touching a swarm that has services.
    pub yes: bool,
    /// `--detach` on the answer's `docker service` lines.
    pub detach: bool,
}

impl SolveConfig {
    /// `lab solve`'s flags, in this order: the lab, the engine. Errors are reported.
    pub fn new(a: &SolveArgs, ui: &Ui) -> Result<SolveConfig, Exit> {
        let lab = find_lab(ui, &a.labs, &a.lab)?;
        let endpoint = resolve_endpoint(ui, &a.engine)?;
        Ok(SolveConfig { lab, endpoint, yes: a.yes, detach: a.detach })
    }
}

pub fn run(c: &SolveConfig, ui: &Ui) -> Exit {
    let (lab, endpoint, yes, detach) = (&c.lab, &c.endpoint, c.yes, c.detach);
    let docker = DockerCli::new(endpoint.clone());
    let services = match docker.read(&["service", "ls", "--format", "{{.Name}}"]) {
        Ok(s) => s.lines().map(str::to_string).filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        Err(e) => {
            let lang = ui.lang;
            let source = lang.tr(&endpoint.source);
            let msg =
                lang.fill(words::SOLVE_CANNOT_LIST, &[("host", &endpoint.host), ("source", &source), ("error", &e)]);
            return ui.fail(Kind::Cluster(lab_grader::grade::GradeStatus::Unreachable), msg);
        }
    };
    if !services.is_empty() && !yes {
        let lang = ui.lang;
        let listed = untrusted::shown(Sink::TerminalLine, &services.join(", ")).into_owned();
        let question = lang.fill(
            words::SOLVE_ASK,
            &[("host", &endpoint.host), ("n", &services.len()), ("services", &listed), ("lab", &lab.id)],
        );
        if !std::io::stdin().is_terminal() {
            return ui.fail(Kind::Usage, format!("{question} {}", lang.tr(words::SOLVE_NOT_A_TERMINAL)));
        }
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("{}", ui.lang.tr(words::SOLVE_NOTHING_CHANGED));
            return Exit::Failed;
        }
    }
    match apply(ui.lang, lab, &docker, detach) {
        Ok(()) => {
            eprintln!("{}", ui.lang.fill(words::SOLVE_APPLIED, &[("lab", &lab.id), ("me", &crate::me())]));
            Exit::Ok
        }
        Err(FillError::Refused(e)) => ui.fail(Kind::BadInput, e),
        Err(FillError::Other(e)) => ui.fail(Kind::NotApplied, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_placeholder_allows_is_filled_in() {
        assert!(allowed(Placeholder::NodeIp(1), "10.0.0.1") && allowed(Placeholder::NodeIp(1), "fd00::1"));
        for bad in ["10.0.0.1;touch x", "$(id)", "node1", "", "10.0.0.1 10.0.0.2"] {
            assert!(!allowed(Placeholder::NodeIp(1), bad), "{bad}");
        }
        assert!(allowed(
            Placeholder::WorkerToken,
            "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx"
        ));
        for bad in ["SWMTKN-1-x$(touch y)", "SWMTKN-1-", "x", "SWMTKN-1-a b", "SWMTKN-1-a\n"] {
            assert!(!allowed(Placeholder::ManagerToken, bad), "{bad}");
        }
        assert!(
            allowed(Placeholder::ServiceName, "unruffled_spence") && allowed(Placeholder::ContainerName, "web.1.x2y")
        );
        for bad in ["-rm", "a;b", "a b", "a`b`", "", "é"] {
            assert!(!allowed(Placeholder::ServiceName, bad), "{bad}");
        }
    }
}
