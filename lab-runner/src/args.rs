//! The command line as clap reads it. Flags are turned into validated options by each
//! command before anything runs, so a bad combination is a usage error (exit 2).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "lab",
    version,
    about = "Check Docker Swarm labs against a live swarm, grade a class, and run a practice swarm",
    long_about = "lab reads the swarm you built (the same engine the docker CLI talks to) and grades it, \
check by check, against the course's lab definitions. It only reads: nothing you built is changed by \
`lab check` or `lab grade`.",
    after_help = crate::exit::HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Engine to talk to (unix:///path, tcp://host:port, ssh://user@host), as `docker -H`
    #[arg(short = 'H', long, global = true, value_name = "HOST")]
    pub host: Option<String>,
    /// Docker context to use, as `docker --context` (default: DOCKER_HOST, DOCKER_CONTEXT, then config.json)
    #[arg(short = 'c', long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Folder of lab files to use instead of the built-in labs
    #[arg(long, global = true, env = "SWARM_LAB_LABS", value_name = "DIR")]
    pub labs: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the labs
    List,
    /// Show a lab: goal, checks, points and hints (the answer only with --solution)
    Show {
        lab: String,
        /// Also show the reference answer and each check's fix command
        #[arg(long)]
        solution: bool,
    },
    /// Validate lab files (default: every lab); prints each problem with file, line and column
    Validate { files: Vec<PathBuf> },
    /// Grade a lab against the swarm you are connected to (read-only)
    Check(CheckArgs),
    /// Apply a lab's reference answer to the current swarm (for instructors, demos and tests)
    Solve {
        lab: String,
        /// Do not ask before touching a swarm that already has services
        #[arg(long, short = 'y')]
        yes: bool,
        /// Add --detach to `docker service create/update`, so commands return before tasks converge
        #[arg(long)]
        detach: bool,
    },
    /// Bring up the practice swarm, apply a lab's answer and check it: the whole loop in one command
    Demo {
        #[arg(default_value = "day6-voting-app")]
        lab: String,
        /// Nodes of the practice swarm
        #[arg(long, default_value_t = 3)]
        nodes: usize,
        /// Managers among them
        #[arg(long, default_value_t = 1)]
        managers: usize,
    },
    /// Grade a lab on every cluster of a class roster, concurrently, and write a gradebook
    #[command(after_help = crate::command::grade::HELP)]
    Grade(GradeArgs),
    /// The practice swarm: private Docker engines on this Linux machine (needs root)
    #[command(subcommand)]
    Cluster(ClusterCommand),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    pub lab: String,
    /// Re-read the swarm until every check passes or this time is up (e.g. 60s, 2m); then
    /// checks still converging count as failed
    #[arg(long, value_name = "DURATION")]
    pub wait: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only these checks (repeatable)
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub only: Vec<String>,
    /// Skip these checks (repeatable)
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub skip: Vec<String>,
    /// Give up on an engine that does not answer within this time (default 30s)
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub timeout: String,
}

#[derive(Args, Debug)]
pub struct GradeArgs {
    pub lab: String,
    /// CSV roster: learner,endpoint[,context,ca,cert,key]
    #[arg(long)]
    pub roster: PathBuf,
    /// Folder for gradebook.csv, grades.json, junit.xml and feedback/
    #[arg(long)]
    pub out: PathBuf,
    /// Clusters graded at once
    #[arg(long, default_value_t = 128)]
    pub jobs: usize,
    /// Per-cluster time limit
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    pub timeout: String,
    /// Per-cluster convergence wait, as `lab check --wait`
    #[arg(long, value_name = "DURATION")]
    pub wait: Option<String>,
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
    Up {
        #[arg(long, default_value_t = 3)]
        nodes: usize,
        #[arg(long, default_value_t = 1)]
        managers: usize,
        /// Leave the engines outside swarm mode: you run `docker swarm init`, `join` and
        /// `promote` yourself, as the first lessons do
        #[arg(long, conflicts_with = "managers")]
        no_swarm: bool,
        /// Route the nodes' traffic out through this machine (NAT), so they pull the real
        /// images instead of using the offline stand-ins; `down` removes the route
        #[arg(long)]
        online: bool,
    },
    /// Print shell lines that point docker at one node: eval "$(lab cluster env --node 2)"
    Env {
        /// Node number (1 is node1)
        #[arg(long, default_value_t = 1, value_name = "N")]
        node: usize,
    },
    /// Open a shell on a node: DOCKER_HOST set, its network, and a `node2$` prompt; `exit` leaves it
    Shell {
        /// node1, node2, … (or 1, 2, …); default node1
        #[arg(value_name = "NODE")]
        node: Option<String>,
    },
    /// Show the practice swarm's nodes, read live from their engines
    Status {
        /// human (a table) or json: {"nodes": [{"name", "address", "docker_host", "role", "state", "availability", "manager_status", "swarm"}]}
        #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
        format: StatusFormat,
    },
    /// Stop the practice swarm and remove everything it created, its folder included
    Down,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Human,
    Json,
}
