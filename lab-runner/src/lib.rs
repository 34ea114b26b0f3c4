//! The `lab` command line: argument parsing, the lab catalog and one module per command.
//! The work itself lives in `lab-engine` (reaching an engine), `lab-grader` (grading), `lab-schema` (lab files),
//! `private-swarm` and `docker-nodes` (the practice swarm's two drivers, whose progress
//! and errors `driver_text` words in the run's language).
//!
//! clap reads the arguments into typed, validated flags in `args` (with the value parsers
//! of `value`) before any command runs; `main` makes one `ui::Ui` of them (language,
//! colours, JSON errors) and hands it to the command. Every error a command reports goes
//! through `Ui::fail`, which prints it for a person on stderr, or as a JSON object on
//! stdout under `--format json`, and returns its exit code.

mod args;
mod catalog;
mod command;
mod course;
mod driver_text;
mod env_lines;
pub mod exit;
pub mod help_text;
mod practice_engine;
mod ui;
mod usage_error;
mod value;

use args::{Cli, ClusterCommand, Command};
use clap::CommandFactory;
use exit::{Exit, Kind};
use lab_i18n::{words, Language};
use std::process::ExitCode;
use ui::Ui;

/// Chooses the colours of a clap command from `--color`.
fn clap_color(color: anstream::ColorChoice) -> clap::ColorChoice {
    match color {
        anstream::ColorChoice::Always => clap::ColorChoice::Always,
        anstream::ColorChoice::Never => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    }
}

fn stream_color(color: args::ColorChoice) -> anstream::ColorChoice {
    match color {
        args::ColorChoice::Auto => anstream::ColorChoice::Auto,
        args::ColorChoice::Always => anstream::ColorChoice::Always,
        args::ColorChoice::Never => anstream::ColorChoice::Never,
    }
}

pub fn main() -> ExitCode {
    // clap's own help and errors follow --color and --lang, and a usage error is JSON under
    // --format json: clap reads the line once leniently for those before reading it for real.
    let first = args::FirstLook::read();
    let lang = first.lang.unwrap_or_else(Language::from_env);
    let mut ui = Ui { lang, color: stream_color(first.color), json_errors: false };
    let command = || help_text::localized(Cli::command(), lang).color(clap_color(ui.color));
    let parsed =
        command().try_get_matches().and_then(|mut m| <Cli as clap::FromArgMatches>::from_arg_matches_mut(&mut m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            print_clap(&ui, e);
            return Exit::Ok.into();
        }
        Err(e) => {
            if first.json {
                ui.json_errors = true;
                return ui.fail(Kind::Usage, clap_message(&ui, e)).into();
            }
            print_clap(&ui, e);
            return Exit::BadInput.into();
        }
    };
    ui.color = stream_color(cli.color);
    ui.json_errors = cli.command.json_output();
    if let Some(tag) = &cli.lang {
        match Language::parse(tag) {
            Ok(l) => ui.lang = l,
            Err(e) => return ui.fail(Kind::Usage, format!("--lang: {e}")).into(),
        }
    }
    run(cli, &ui).into()
}

/// Prints clap's help, version or usage error as clap would, in the run's language.
fn print_clap(ui: &Ui, e: clap::Error) {
    let lang = ui.lang;
    if lang.is_english() {
        let _ = e.print();
        return;
    }
    let text = match e.kind() {
        clap::error::ErrorKind::DisplayHelp
        | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | clap::error::ErrorKind::DisplayVersion => e.render().ansi().to_string(),
        _ => usage_error::localized(&e, lang),
    };
    let text = help_text::fixed_words(&text, lang);
    if e.use_stderr() {
        ui.eprint(&text);
    } else {
        ui.print(&text);
    }
}

/// A clap error's message without its `error: ` prefix, usage and tips, in the run's language.
fn clap_message(ui: &Ui, e: clap::Error) -> String {
    let lang = ui.lang;
    let text = if lang.is_english() {
        e.render().to_string()
    } else {
        clap::builder::StyledStr::from(usage_error::localized(&e, lang)).to_string()
    };
    let first = text.lines().next().unwrap_or_default();
    let prefix = format!("{}: ", lang.tr(words::ERROR));
    first.strip_prefix(prefix.as_str()).unwrap_or(first).to_string()
}

/// Reports flags that do not go together: laid out as clap lays out its usage errors on
/// stderr, or as a JSON error under `--format json`; exit 2.
pub(crate) fn usage_fail(ui: &Ui, msg: &str) -> Exit {
    if ui.json_errors {
        return ui.fail(Kind::Usage, msg);
    }
    let mut command = help_text::localized(Cli::command(), ui.lang).color(clap_color(ui.color));
    if ui.lang.is_english() {
        let _ = command.error(clap::error::ErrorKind::ArgumentConflict, msg).print();
    } else {
        ui.eprint(&usage_error::with_usage(&mut command, msg, ui.lang));
    }
    Exit::BadInput
}

fn run(cli: Cli, ui: &Ui) -> Exit {
    match cli.command {
        Command::List(a) => command::catalog::list(&a, ui),
        Command::Show(a) => command::catalog::show(&a, ui),
        Command::Validate(a) => command::catalog::validate(&a, ui),
        Command::Check(a) => match command::check::CheckConfig::new(&a, ui) {
            Ok(config) => command::check::run(&config),
            Err(e) => e,
        },
        Command::Solve(a) => match command::solve::SolveConfig::new(&a, ui) {
            Ok(config) => command::solve::run(&config, ui),
            Err(e) => e,
        },
        Command::Drill(a) => match command::drill::DrillConfig::new(&a, ui) {
            Ok(config) => command::drill::run(&config, ui),
            Err(e) => e,
        },
        Command::Demo(a) => match command::demo::DemoConfig::new(&a, ui) {
            Ok(config) => command::demo::run(&config, ui),
            Err(e) => e,
        },
        Command::Grade(a) => match command::grade::GradeConfig::new(&a, ui) {
            Ok(config) => command::grade::run(&config, ui),
            Err(e) => e,
        },
        Command::Serve(a) => match command::serve::ServeConfig::new(&a, ui) {
            Ok(config) => command::serve::run(&config, ui),
            Err(e) => e,
        },
        Command::Cluster(ClusterCommand::Forward(a)) => command::forward::run(&a, ui),
        Command::Cluster(c) => match command::cluster::ClusterConfig::new(c, ui) {
            Ok(config) => command::cluster::run(config, ui),
            Err(e) => e,
        },
        Command::Completions(a) => {
            // Into a buffer first: clap_complete panics on a closed pipe (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut help_text::localized(Cli::command(), ui.lang), "lab", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            Exit::Ok
        }
    }
}

/// How the learner should type this program in hints: `lab` when that is what their shell
/// finds on PATH, else the path they ran (`target/release/lab`).
pub(crate) fn me() -> String {
    let Ok(exe) = std::env::current_exe() else { return "lab".into() };
    let name = format!("lab{}", std::env::consts::EXE_SUFFIX);
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(&name).canonicalize().ok() == exe.canonicalize().ok()))
        .unwrap_or(false);
    if on_path {
        return "lab".into();
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    exe.strip_prefix(&cwd).map(|p| p.display().to_string()).unwrap_or_else(|_| exe.display().to_string())
}

/// A runtime on this thread alone, for a command that makes one round of requests and
/// exits (`lab check`): no worker threads to start or to hand answers across.
pub(crate) fn single_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime")
}
