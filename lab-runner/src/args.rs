//! The command line, in two layers as ripgrep reads it: clap parses every flag into a typed
//! value with its limits (the parsers in [`crate::value`]), then what one flag cannot check
//! alone (`--managers` ≤ `--nodes`, `--wait` < `--timeout`) is checked by the command's
//! config (`command::check::CheckConfig`, `command::grade::GradeConfig`, …), which also
//! finds the lab and the engine once. Both happen before any command starts, so every bad
//! input is exit 2 naming the flag.
//!
//! Each command has its own struct; flags that only some commands use (`--host`,
//! `--context`, `--labs`) are flattened into those commands only. To add a flag: a typed
//! field with a help line on the command's struct, and its cross-flag rule in the command's
//! config.

use crate::value;
use clap::{Args, Parser, Subcommand, ValueEnum};
use lab_i18n::{words, Language};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "lab",
    version,
    about = "Check Docker Swarm labs against a live swarm, grade a class, and run a practice swarm",
    long_about = "lab reads the swarm you built (the same engine the docker CLI talks to) and grades it, \
check by check, against the course's lab definitions. It only reads: nothing you built is changed by \
`lab check`, `lab serve` or `lab grade`.",
    after_help = crate::exit::HELP
)]
pub struct Cli {
    /// When to colour the output: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Language of lab texts and reports: en or zh-TW (default: from LC_ALL, LC_MESSAGES or
    /// LANG, e.g. LANG=zh_TW.UTF-8). JSON keys, ids and statuses never change
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Which engine to read, found as the docker CLI finds it (for `check` and `solve`).
#[derive(Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// Engine to talk to (unix:///path, tcp://host:port, ssh://user@host), as `docker -H`
    #[arg(short = 'H', long, value_name = "HOST", value_parser = value::host, conflicts_with = "context")]
    pub host: Option<String>,
    /// Docker context to use, as `docker --context` (default: DOCKER_HOST, DOCKER_CONTEXT, then config.json)
    #[arg(short = 'c', long, value_name = "NAME")]
    pub context: Option<String>,
}

impl EngineArgs {
    /// The engine these flags ask lab-engine for.
    pub fn request(&self) -> lab_engine::EndpointRequest {
        lab_engine::EndpointRequest { host: self.host.clone(), context: self.context.clone() }
    }
}

/// Where the labs come from.
#[derive(Args, Debug, Clone, Default)]
pub struct LabsArgs {
    /// Folder of lab files to use instead of the built-in labs
    #[arg(long, env = "SWARM_LAB_LABS", value_name = "DIR")]
    pub labs: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the labs in course order, with the chapter each belongs to
    List(ListArgs),
    /// Show a lab: goal, checks, points and hints (the answer only with --solution)
    Show(ShowArgs),
    /// Validate lab files (default: every lab); prints each problem with file, line and column
    Validate(ValidateArgs),
    /// Grade a lab against the swarm you are connected to (read-only)
    Check(CheckArgs),
    /// Apply a lab's reference answer to the current swarm (for instructors, demos and tests)
    Solve(SolveArgs),
    /// Run a lab's drills: inject each fault (a task killed, a rolling update, a node or a
    /// manager down), measure what a user would see, report, and put the swarm back. On a
    /// swarm other than the practice swarm only with --yes (without it: what it would do)
    Drill(DrillArgs),
    /// Bring up the practice swarm, apply a lab's answer and check it: the whole loop in one
    /// command, with either driver (as `cluster up` chooses, or --driver)
    Demo(DemoArgs),
    /// Grade a lab on every cluster of a class roster, concurrently, and write a gradebook
    #[command(after_help = GRADE_HELP)]
    Grade(GradeArgs),
    /// Serve the book on http://127.0.0.1:4000 with live lab cards: each card follows your
    /// swarm and shows its checks as they pass (read-only, like `lab check`)
    Serve(ServeArgs),
    /// The practice swarm: private engines on this Linux machine (root), or containers on your Docker
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Print a shell completion script: lab completions bash > /etc/bash_completion.d/lab
    Completions(CompletionsArgs),
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format (json: [{"id", "title", "chapter", "completed_at", "best_score"}])
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The lab to show (`lab list` names them)
    #[arg(value_name = "LAB")]
    pub lab: String,
    /// Also show the reference answer and each check's fix command
    #[arg(long)]
    pub solution: bool,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Lab files to check (default: every lab of --labs, or the built-in labs)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// The lab to grade (`lab list` names them)
    #[arg(value_name = "LAB")]
    pub lab: String,
    /// Re-read the swarm while checks converge (tasks starting, a node being promoted) for up
    /// to this time (e.g. 60s, 2m); a wrong setting fails at once, and checks still
    /// converging when the time is up count as failed
    #[arg(long, value_name = "DURATION", value_parser = value::duration)]
    pub wait: Option<Duration>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only this check (repeat the flag for more: --only vote --only db)
    #[arg(long, value_name = "ID", value_parser = value::id)]
    pub only: Vec<String>,
    /// Skip this check (repeat the flag for more)
    #[arg(long, value_name = "ID", value_parser = value::id)]
    pub skip: Vec<String>,
    /// Give up on an engine that does not answer within this time
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = value::duration)]
    pub timeout: Duration,
    /// Also show, for each failed check, the docker commands that fix it from the state
    /// found (paste them in order); without it, the report gives hints only
    #[arg(long)]
    pub fix: bool,
    /// Keep watching: a new report whenever the swarm changes (redrawn in place on a
    /// terminal; one JSON report per line with --format json), until Ctrl-C, which exits
    /// with the last report's code
    #[arg(long, conflicts_with = "wait")]
    pub watch: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Args, Debug)]
pub struct DrillArgs {
    /// The lab whose drills to run (`lab show LAB` lists them)
    #[arg(value_name = "LAB")]
    pub lab: String,
    /// Only this drill (repeat the flag for more: --only task-killed --only node-down)
    #[arg(long, value_name = "ID", value_parser = value::id)]
    pub only: Vec<String>,
    /// Output format (json: {"lab", "drills": [{"id", "title", "status", "availability",
    /// "recovery_s", "expected", "measured", "hint"}]})
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Run on a swarm that is not the practice swarm too (drills change the swarm: a task's
    /// container removed, a forced update, a node drained and set active again)
    #[arg(long)]
    pub yes: bool,
    /// Give up on an engine request that does not answer within this time
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = value::duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port)
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Open the book in the default browser
    #[arg(long)]
    pub open: bool,
    /// Listen on this address instead of 127.0.0.1 (anyone who reaches it can read your swarm)
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<std::net::IpAddr>,
    /// The book folder (holding book.toml; default: ./book, else the one lab was built from)
    #[arg(long, env = "SWARM_LAB_BOOK", value_name = "DIR")]
    pub book: Option<PathBuf>,
    /// Give up on an engine that does not answer within this time
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = value::duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Args, Debug)]
pub struct SolveArgs {
    /// The lab whose answer to apply
    #[arg(value_name = "LAB")]
    pub lab: String,
    /// Do not ask before touching a swarm that already has services
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Add --detach to `docker service create/update`, so commands return before tasks converge
    #[arg(long)]
    pub detach: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub labs: LabsArgs,
}

/// The practice swarm's size, shared by `cluster up` and `demo`.
#[derive(Args, Debug, Clone, Copy)]
pub struct ClusterSize {
    /// Nodes of the practice swarm (1 to 20), each a private Docker engine
    #[arg(long, default_value_t = 3, value_parser = value::count(1, practice_driver::MAX_NODES))]
    pub nodes: usize,
    /// How many of the nodes are managers (1 to --nodes); the rest are workers
    #[arg(long, default_value_t = 1, value_parser = value::count(1, practice_driver::MAX_NODES))]
    pub managers: usize,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The lab to demonstrate
    #[arg(value_name = "LAB", default_value = "day6-voting-app")]
    pub lab: String,
    #[command(flatten)]
    pub size: ClusterSize,
    #[command(flatten)]
    pub driver: DriverArgs,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Args, Debug)]
pub struct GradeArgs {
    /// The lab to grade every learner on
    #[arg(value_name = "LAB")]
    pub lab: String,
    /// CSV roster: learner,endpoint[,context,ca,cert,key]
    #[arg(long, value_name = "FILE")]
    pub roster: PathBuf,
    /// Folder for gradebook.csv, grades.json, junit.xml and feedback/ (with --live: where
    /// Ctrl-C and the page's export button write them; optional)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Clusters graded at once, 1 to 4096 (default 128; not with --live)
    #[arg(long, value_name = "N", value_parser = value::count(1, 4096))]
    pub jobs: Option<usize>,
    /// Per-cluster time limit (with --live: for connecting and each read)
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = value::duration)]
    pub timeout: Duration,
    /// Per-cluster convergence wait, as `lab check --wait` (shorter than --timeout; not with --live)
    #[arg(long, value_name = "DURATION", value_parser = value::duration)]
    pub wait: Option<Duration>,
    /// Leave the fix commands out of the feedback files (hints only)
    #[arg(long)]
    pub no_fixes: bool,
    /// The live class view: follow every learner's swarm and serve a page that updates as
    /// they work, on http://127.0.0.1:4100 (Ctrl-C writes the gradebook into --out)
    #[arg(long)]
    pub live: bool,
    /// With --live: the port to listen on (default 4100; 0: any free port)
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// With --live: listen on this address instead of 127.0.0.1, for a classroom LAN
    /// (anyone who reaches it sees the class's grades)
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<std::net::IpAddr>,
    /// With --live: highlight a learner failing the same check for longer than this (default 10m)
    #[arg(long, value_name = "DURATION", value_parser = value::duration)]
    pub stuck_after: Option<Duration>,
    #[command(flatten)]
    pub labs: LabsArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Junit,
}

#[derive(Subcommand, Debug)]
pub enum ClusterCommand {
    /// Start the practice swarm (a second `up` reports the running one)
    Up(UpArgs),
    /// Print shell lines that point docker at one node: eval "$(lab cluster env --node 2)"
    Env {
        /// Node number (1 is node1)
        #[arg(long, default_value_t = 1, value_name = "N", value_parser = value::count(1, practice_driver::MAX_NODES))]
        node: usize,
        /// The shell to print lines for [default: fish when SHELL names fish, posix when SHELL
        /// is set, powershell on Windows otherwise]
        #[arg(long, value_enum, value_name = "SHELL")]
        shell: Option<crate::env_lines::EnvShell>,
        #[command(flatten)]
        driver: DriverArgs,
    },
    /// Open a shell on a node: DOCKER_HOST set, its network, and a `node2$` prompt; `exit` leaves it
    Shell {
        /// node1, node2, … (or 1, 2, …); default node1
        #[arg(value_name = "NODE", value_parser = value::node)]
        node: Option<usize>,
        #[command(flatten)]
        driver: DriverArgs,
    },
    /// Show the practice swarm's driver and nodes, read live from their engines
    Status {
        /// human (a table) or json: {"nodes": [{"name", "address", "docker_host", "role", "state", "availability", "manager_status", "swarm"}]}
        #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
        format: StatusFormat,
        #[command(flatten)]
        driver: DriverArgs,
    },
    /// Stop the practice swarm and remove everything it created, its folder included
    Down {
        #[command(flatten)]
        driver: DriverArgs,
    },
    /// Open a service's port on this machine where the routing mesh does not answer (no
    /// IPVS): 127.0.0.1:LOCAL_PORT → TARGET_PORT of its running tasks, round robin, until
    /// Ctrl-C (read-only, like `lab check`)
    #[command(after_help = FORWARD_HELP)]
    Forward(ForwardArgs),
}

const FORWARD_HELP: &str = "\
Examples:
  lab cluster forward vote 8080:80     http://127.0.0.1:8080 is port 80 of vote's tasks
  lab cluster forward result 5001:80   and result's on 5001
  lab cluster forward web 0:80         any free local port (printed)

Each connection goes to the next running task (round robin, as the routing mesh spreads them),
into the task container's own network (as root on Linux, for both practice-swarm drivers), else
through the routing mesh at the port the service publishes. Tasks are re-read every second, so a
replaced task is followed. Exit codes: 0 stopped with Ctrl-C, 1 no running task, 2 bad input (no
such service, port in use, a port no task listens on, a task out of reach), 3 the swarm cannot be read.";

#[derive(Args, Debug, Clone)]
pub struct ForwardArgs {
    /// The service whose tasks to reach (name or ID)
    #[arg(value_name = "SERVICE")]
    pub service: String,
    /// [LOCAL_PORT:]TARGET_PORT: listen on 127.0.0.1:LOCAL_PORT (default: the same number as
    /// TARGET_PORT; 0: any free port) and connect to TARGET_PORT inside the tasks
    #[arg(value_name = "[LOCAL_PORT:]TARGET_PORT")]
    pub ports: String,
    /// One line per connection: which task took it
    #[arg(long, short = 'v')]
    pub verbose: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Which practice swarm, and on which engine for the docker driver.
#[derive(Args, Debug, Clone, Default)]
pub struct DriverArgs {
    /// Where the nodes run: netns (private engines in network namespaces of this Linux
    /// machine; needs root) or docker (containers on the Docker engine `lab` talks to, e.g.
    /// Docker Desktop; no root). Default: `up` uses netns as root on Linux, docker otherwise;
    /// the other commands find the one that runs
    #[arg(long, value_enum, value_name = "DRIVER")]
    pub driver: Option<Driver>,
    /// The docker driver's engine, found as the docker CLI finds it
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Driver {
    Netns,
    Docker,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Human,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct UpArgs {
    #[command(flatten)]
    pub size: ClusterSize,
    /// Leave the engines outside swarm mode: you run `docker swarm init`, `join` and
    /// `promote` yourself, as the first lessons do
    #[arg(long, conflicts_with = "managers")]
    pub no_swarm: bool,
    /// Let the nodes pull the real images instead of using the offline stand-ins (netns:
    /// their traffic is routed out through this machine (NAT) and `down` removes the route;
    /// docker: through your Docker's own network)
    #[arg(long)]
    pub online: bool,
    /// Node image for the docker driver: any image with dockerd, containerd and runc on PATH,
    /// and busybox unless --online (the offline stand-in images are made of it)
    /// [default: docker:29-dind, the official Docker-in-Docker image of Engine 29]
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Forward these ports of node1 to 127.0.0.1 on this machine (docker driver), e.g.
    /// `--publish 80,5001` to open the voting app in a browser; HOST:NODE to use another port here
    #[arg(long, value_name = "PORTS")]
    pub publish: Vec<String>,
    #[command(flatten)]
    pub driver: DriverArgs,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

impl ClusterSize {
    /// `--managers` ≤ `--nodes`; a message naming both flags when not.
    pub fn check(&self, lang: Language) -> Result<(), String> {
        if self.managers > self.nodes {
            let values: [(&str, &dyn std::fmt::Display); 2] = [("managers", &self.managers), ("nodes", &self.nodes)];
            return Err(lang.fill(words::MANAGERS_ABOVE_NODES, &values));
        }
        Ok(())
    }
}

impl Command {
    /// Whether this command's output is JSON, so that an error is a JSON object on stdout too.
    pub fn json_output(&self) -> bool {
        matches!(self, Command::Check(a) if a.format == Format::Json)
            || matches!(self, Command::Drill(a) if a.format == Format::Json)
            || matches!(self, Command::Cluster(ClusterCommand::Status { format: StatusFormat::Json, .. }))
            || matches!(self, Command::List(a) if a.format == ListFormat::Json)
    }
}

/// `lab grade --help`, after the options.
pub const GRADE_HELP: &str = "\
Roster: a CSV file with a header, one learner per row (TLS paths are relative to the roster):
  learner,endpoint,ca,cert,key
  ana,unix:///run/ana/docker.sock,,,
  ben,tcp://10.0.0.12:2376,certs/ca.pem,certs/ben-cert.pem,certs/ben-key.pem
  cid,ssh://cid@10.0.0.13,,,
A `context` column may name a docker context instead of an endpoint. Learner names become
file names, so they may hold only letters, digits and . _ - @ +, starting with a letter or
a digit; other names are rejected, not rewritten.

Writes into --out, each file atomically: gradebook.csv, grades.json, junit.xml and
feedback/<learner>.md for every learner. Only GET requests reach the learners' engines.

Live class view (--live): grades every learner once, then follows each engine's event
stream and regrades a learner only when their swarm changes; serves a page with a row per
learner (status, score, a mark per check, last change, time since progress, learners stuck
on one check highlighted, integrity flags) on http://127.0.0.1:4100/ (--port, --bind), and
/api/class as JSON. The page's export button, and Ctrl-C, write the files above into --out
as they stand; Ctrl-C then exits 0. --jobs and --wait do not apply to --live.

Exit codes:
  0  every learner's cluster was graded
  1  some could not be graded (unreachable, tls_error, not_swarm, not_manager, timeout, error)
  2  bad input: unknown lab, bad roster or flag, or an --out folder that cannot be written
     (--live: also a port that is in use)
With --live: 0 when stopped with Ctrl-C (the gradebook written, when --out is given)";

/// The language, colour and JSON error mode a command line asks for, read before clap reads
/// the line for real: clap's own help and errors follow `--color` and `--lang`, and a usage
/// error is a JSON object under `--format json`. clap reads the line leniently (no help, no
/// value checked, errors ignored); what stops that reading (an unknown flag, an argument too
/// many) is kept by clap as it found it, and the rest of the line is read again past it.
#[derive(Debug, Clone)]
pub struct FirstLook {
    /// `--lang`, when it names a language (one that does not is reported once clap has read the line).
    pub lang: Option<Language>,
    pub color: ColorChoice,
    pub json: bool,
}

/// The lenient reading's catch-all: from an unknown flag or an argument too many on, what
/// clap did not read.
const LEFT_OVER: &str = "lab-left-over";

impl FirstLook {
    /// The process's command line, as clap reads it.
    pub fn read() -> FirstLook {
        let mut cmd = lenient();
        let first = cmd.clone().try_get_matches().unwrap_or_default();
        FirstLook::of(&readings(&mut cmd, first))
    }

    /// What the readings of one line (see [`readings`]) ask for; a later reading's flag
    /// comes later on the line.
    fn of(readings: &[clap::ArgMatches]) -> FirstLook {
        use clap::parser::ValueSource;
        // Each reading from the top command down to the one that was given; a global flag
        // given after a subcommand is in the subcommand's matches.
        let chains: Vec<Vec<&clap::ArgMatches>> = readings.iter().map(chain).collect();
        let given =
            |id: &str| chains.iter().flatten().rev().find(|m| m.value_source(id) == Some(ValueSource::CommandLine));
        let value = |id: &str| {
            let raw = given(id)?.try_get_raw(id).ok().flatten()?.next_back()?;
            raw.to_str().map(str::to_string)
        };
        let lang = value("lang").and_then(|tag| Language::parse(&tag).ok());
        let color = value("color").and_then(|c| ColorChoice::from_str(&c, true).ok()).unwrap_or(ColorChoice::Auto);
        let json = chains
            .iter()
            .filter_map(|c| c.last())
            .any(|m| m.try_get_raw("format").ok().flatten().is_some_and(|mut values| values.any(|v| v == "json")));
        FirstLook { lang, color, json }
    }
}

/// A reading's matches from the top command down to the subcommand given.
fn chain(top: &clap::ArgMatches) -> Vec<&clap::ArgMatches> {
    let mut chain = vec![top];
    while let Some((_, sub)) = chain[chain.len() - 1].subcommand() {
        chain.push(sub);
    }
    chain
}

/// `first`, the lenient reading of a line, then as many readings again as it takes to read
/// the whole line: each of what was left over past its first argument (the one that stopped
/// the reading before), under the same subcommands. Each is shorter than the one before.
fn readings(cmd: &mut clap::Command, first: clap::ArgMatches) -> Vec<clap::ArgMatches> {
    let mut readings = vec![first];
    loop {
        let last = chain(&readings[readings.len() - 1]);
        let left: Vec<std::ffi::OsString> = match last[last.len() - 1].try_get_raw(LEFT_OVER) {
            Ok(Some(values)) => values.skip(1).map(|v| v.to_os_string()).collect(),
            _ => break,
        };
        if left.is_empty() {
            break;
        }
        let mut line: Vec<std::ffi::OsString> = vec!["lab".into()];
        line.extend(last[..last.len() - 1].iter().filter_map(|m| m.subcommand_name()).map(Into::into));
        line.extend(left);
        let again = cmd.try_get_matches_from_mut(line).unwrap_or_default();
        readings.push(again);
    }
    readings
}

/// The command line that reads what it can and never stops: no help flag or subcommand, no
/// value checked (a bad value does not end the reading), errors ignored; from an unknown
/// flag or an argument too many on, the rest of the line is kept as [`LEFT_OVER`] (in a
/// command whose last positional takes one value: every command but `validate`).
fn lenient() -> clap::Command {
    fn loosen(cmd: clap::Command) -> clap::Command {
        let positionals: Vec<&clap::Arg> = cmd.get_positionals().collect();
        let single = |a: &clap::Arg| {
            !matches!(a.get_action(), clap::ArgAction::Append) && a.get_num_args().is_none_or(|n| n.max_values() == 1)
        };
        let catch_all = positionals.iter().all(|a| single(a));
        let cmd = cmd
            .mut_args(|a| {
                // An unknown flag where a positional is awaited is read as its value, not an error.
                let a = if a.is_positional() && single(&a) { a.allow_hyphen_values(true) } else { a };
                if a.get_action().takes_values() {
                    a.value_parser(clap::builder::ValueParser::os_string())
                } else {
                    a
                }
            })
            .mut_subcommands(loosen);
        if !catch_all {
            return cmd;
        }
        cmd.arg(
            clap::Arg::new(LEFT_OVER)
                .num_args(1..)
                .allow_hyphen_values(true)
                .trailing_var_arg(true)
                .value_parser(clap::builder::ValueParser::os_string()),
        )
    }
    loosen(
        <Cli as clap::CommandFactory>::command()
            .ignore_errors(true)
            .disable_help_flag(true)
            .disable_version_flag(true)
            .disable_help_subcommand(true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_argument_and_flag_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                assert!(a.get_help().is_some(), "`{path}` argument `{id}` has no help line");
            }
            for sub in cmd.get_subcommands() {
                assert!(sub.get_about().is_some(), "`{path} {}` has no help line", sub.get_name());
                walk(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        walk(&Cli::command(), "lab");
    }

    #[test]
    fn host_context_and_labs_are_only_on_commands_that_use_them() {
        let cmd = Cli::command();
        let has = |sub: &str, flag: &str| {
            cmd.find_subcommand(sub).unwrap().get_arguments().any(|a| a.get_long() == Some(flag))
        };
        for flag in ["host", "context"] {
            // `lab demo` finds the engine its docker driver runs the nodes on.
            assert!(has("check", flag) && has("solve", flag) && has("demo", flag), "--{flag}");
            for sub in ["list", "show", "validate", "grade", "cluster", "completions"] {
                assert!(!has(sub, flag), "`lab {sub}` must not take --{flag}");
            }
        }
        for sub in ["list", "show", "validate", "check", "solve", "demo", "grade"] {
            assert!(has(sub, "labs"), "`lab {sub}` takes --labs");
        }
        assert!(!has("cluster", "labs") && !has("completions", "labs"));
    }

    #[test]
    fn the_help_gives_the_practice_swarms_node_limit() {
        let cmd = Cli::command();
        let up = cmd.find_subcommand("cluster").and_then(|c| c.find_subcommand("up")).unwrap();
        let nodes = up.get_arguments().find(|a| a.get_id() == "nodes").unwrap();
        let limit = format!("(1 to {})", practice_driver::MAX_NODES);
        assert!(nodes.get_help().unwrap().to_string().contains(&limit), "{:?}", nodes.get_help());
    }

    #[test]
    fn only_takes_one_value_per_flag_so_the_lab_may_come_last() {
        let cli = Cli::try_parse_from(["lab", "check", "--only", "vote", "--only", "db", "day6-voting-app"]).unwrap();
        let Command::Check(a) = cli.command else { panic!("not check") };
        assert_eq!(a.lab, "day6-voting-app");
        assert_eq!(a.only, ["vote", "db"]);
    }

    #[test]
    fn cross_flag_rules_name_both_flags() {
        let cli = Cli::try_parse_from(["lab", "cluster", "up", "--nodes", "2", "--managers", "3"]).unwrap();
        let Command::Cluster(ClusterCommand::Up(up)) = cli.command else { panic!("not cluster up") };
        assert!(up.size.check(Language::english()).unwrap_err().contains("--managers 3 is more than --nodes 2"));
        let cli = Cli::try_parse_from(["lab", "demo", "--nodes", "2", "--managers", "2"]).unwrap();
        let Command::Demo(demo) = cli.command else { panic!("not demo") };
        assert!(demo.size.check(Language::english()).is_ok());
    }

    fn first_look(args: &[&str]) -> FirstLook {
        let mut cmd = lenient();
        let first = cmd.try_get_matches_from_mut(args).unwrap();
        FirstLook::of(&readings(&mut cmd, first))
    }

    #[test]
    fn json_is_seen_past_an_unknown_flag_or_an_argument_too_many() {
        assert!(first_look(&["lab", "check", "x", "--bogus", "--format", "json"]).json);
        assert!(first_look(&["lab", "check", "--bogus", "x", "--format=json"]).json);
        assert!(first_look(&["lab", "check", "x", "--bogus", "--format", "json", "--bogus2", "-z"]).json);
        assert!(first_look(&["lab", "check", "x", "y", "--format", "json"]).json);
        assert!(first_look(&["lab", "--bogus", "check", "x", "--format", "json"]).json);
        assert!(first_look(&["lab", "cluster", "--bogus", "status", "--format", "json"]).json);
        assert!(first_look(&["lab", "cluster", "status", "-q", "--format", "json"]).json);
        assert!(first_look(&["lab", "drill", "x", "--bogus", "--format", "json"]).json);
        assert!(!first_look(&["lab", "check", "x", "--bogus", "--format", "human"]).json);
        assert!(!first_look(&["lab", "check", "x", "--bogus", "--", "--format", "json"]).json);
        // The language and colours too.
        let zh = Language::parse("zh-TW").ok().map(|l| l.tag());
        assert_eq!(first_look(&["lab", "check", "x", "--bogus", "--lang", "zh-TW"]).lang.map(|l| l.tag()), zh);
        assert_eq!(first_look(&["lab", "--lang", "zh-TW", "check", "--bogus"]).lang.map(|l| l.tag()), zh);
        assert_eq!(first_look(&["lab", "list", "--bogus", "--color", "never"]).color, ColorChoice::Never);
    }

    #[test]
    fn json_is_asked_for_in_either_spelling() {
        assert!(first_look(&["lab", "check", "--format", "json", "x"]).json);
        assert!(first_look(&["lab", "check", "--format=json"]).json);
        assert!(!first_look(&["lab", "check", "--format", "human", "json"]).json);
    }

    #[test]
    fn lang_is_read_before_clap_in_either_spelling() {
        let zh = Language::parse("zh-TW").ok().map(|l| l.tag());
        assert_eq!(first_look(&["lab", "--lang", "zh-TW", "list"]).lang.map(|l| l.tag()), zh);
        assert_eq!(first_look(&["lab", "check", "--lang=zh-TW", "x"]).lang.map(|l| l.tag()), zh);
        assert_eq!(first_look(&["lab", "list"]).lang.map(|l| l.tag()), None);
        assert_eq!(first_look(&["lab", "show", "--", "--lang", "zh-TW"]).lang.map(|l| l.tag()), None);
        // Past a usage error, and with --help: both are still told in the language asked.
        assert_eq!(first_look(&["lab", "check", "--lang", "zh-TW"]).lang.map(|l| l.tag()), zh);
        assert_eq!(first_look(&["lab", "check", "--lang", "zh-TW", "--help"]).lang.map(|l| l.tag()), zh);
        // Past a bad value too.
        assert_eq!(first_look(&["lab", "check", "x", "--wait", "0s", "--lang", "zh-TW"]).lang.map(|l| l.tag()), zh);
        assert!(first_look(&["lab", "check", "x", "--wait", "0s", "--format", "json"]).json);
    }

    #[test]
    fn color_is_read_before_clap_in_either_spelling() {
        assert_eq!(first_look(&["lab", "--color", "never", "list"]).color, ColorChoice::Never);
        assert_eq!(first_look(&["lab", "list", "--color=always"]).color, ColorChoice::Always);
        assert_eq!(first_look(&["lab", "list"]).color, ColorChoice::Auto);
        assert_eq!(first_look(&["lab", "list", "--color", "purple"]).color, ColorChoice::Auto);
    }
}
