//! The `lab` command line: argument parsing, the lab catalog and one module per command.
//! The work itself lives in `lab-grader` (grading), `lab-schema` (lab files) and
//! `private-swarm` (the practice swarm).

mod args;
mod catalog;
mod command;
pub mod exit;

use args::{Cli, Command};
use clap::Parser;
use exit::Exit;
use std::io::IsTerminal;
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { Exit::BadInput } else { Exit::Ok };
            let _ = e.print();
            return code.into();
        }
    };
    run(cli).into()
}

fn run(cli: Cli) -> Exit {
    let g = &cli.global;
    match cli.command {
        Command::List => command::catalog::list(g),
        Command::Show { lab, solution } => command::catalog::show(g, &lab, solution),
        Command::Validate { files } => command::catalog::validate(g, &files),
        Command::Check(args) => command::check::run(g, &args),
        Command::Solve { lab, yes, detach } => command::solve::run(g, &lab, yes, detach),
        Command::Demo { lab, nodes, managers } => command::demo::run(g, &lab, nodes, managers),
        Command::Grade(args) => command::grade::run(g, &args),
        Command::Cluster(c) => command::cluster::run(c),
    }
}

/// Colours on stdout only on a terminal and never with NO_COLOR set.
pub(crate) fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub(crate) fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints an error line to stderr: `lab: error: …`.
pub(crate) fn error(msg: impl std::fmt::Display) {
    if stderr_color() {
        eprintln!("\x1b[31;1mlab: error:\x1b[0m {msg}");
    } else {
        eprintln!("lab: error: {msg}");
    }
}

/// How the learner should type this program in hints: `lab` when that is what their shell
/// finds on PATH, else the path they ran (`target/release/lab`).
pub(crate) fn me() -> String {
    let Ok(exe) = std::env::current_exe() else { return "lab".into() };
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("lab").canonicalize().ok() == exe.canonicalize().ok()))
        .unwrap_or(false);
    if on_path {
        return "lab".into();
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    exe.strip_prefix(&cwd).map(|p| p.display().to_string()).unwrap_or_else(|_| exe.display().to_string())
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime")
}
