//! The `lab` command line: argument parsing, the lab catalog and one module per command.
//! The work itself lives in `lab-engine` (reaching an engine), `lab-grader` (grading), `lab-schema` (lab files),
//! `private-swarm` and `docker-nodes` (the practice swarm's two drivers, whose progress
//! and errors `driver_text` words in the run's language).
//!
//! Raw arguments become typed, validated flags in `args` (with the value parsers of
//! `value`) before any command runs; every error a command reports goes through `fail`,
//! which prints it for a person on stderr, or as a JSON object on stdout under
//! `--format json`, and returns its exit code.

mod args;
mod catalog;
mod command;
mod course;
mod driver_text;
mod env_lines;
pub mod exit;
pub mod help_text;
mod practice_engine;
mod usage_error;
mod value;

use args::{Cli, Command};
use clap::CommandFactory;
use exit::{Exit, Kind};
use lab_i18n::{words, Language};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The language of this run: `--lang`, else the locale environment.
static LANGUAGE: OnceLock<Language> = OnceLock::new();

/// The language lab texts, reports and messages are shown in.
pub(crate) fn lang() -> Language {
    *LANGUAGE.get_or_init(Language::from_env)
}

/// Set once the command line is read: errors are then JSON objects on stdout.
static JSON_ERRORS: AtomicBool = AtomicBool::new(false);

pub fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap's own help and errors follow --color too, so it is read before clap runs.
    let color = match args::color_asked(&raw) {
        Some(args::ColorChoice::Always) => clap::ColorChoice::Always,
        Some(args::ColorChoice::Never) => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    };
    // The language too: the help, clap's errors and the flags' parsers speak it. A --lang
    // that names no language is reported once clap has read the line (below).
    if let Some(Ok(l)) = args::lang_asked(&raw).map(|tag| Language::parse(&tag)) {
        let _ = LANGUAGE.set(l);
    }
    let command = || help_text::localized(Cli::command(), lang()).color(color);
    let parsed = command()
        .try_get_matches_from(&raw)
        .and_then(|mut m| <Cli as clap::FromArgMatches>::from_arg_matches_mut(&mut m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            print_clap(e, color);
            return Exit::Ok.into();
        }
        Err(e) => {
            if args::asks_for_json(&raw) {
                JSON_ERRORS.store(true, Ordering::Relaxed);
                return fail(Kind::Usage, clap_message(e)).into();
            }
            print_clap(e, color);
            return Exit::BadInput.into();
        }
    };
    anstream::ColorChoice::write_global(match cli.color {
        args::ColorChoice::Auto => anstream::ColorChoice::Auto,
        args::ColorChoice::Always => anstream::ColorChoice::Always,
        args::ColorChoice::Never => anstream::ColorChoice::Never,
    });
    JSON_ERRORS.store(cli.command.json_output(), Ordering::Relaxed);
    if let Some(tag) = &cli.lang {
        match Language::parse(tag) {
            Ok(l) => {
                let _ = LANGUAGE.set(l);
            }
            Err(e) => return fail(Kind::Usage, format!("--lang: {e}")).into(),
        }
    }
    if let Err(msg) = cli.command.validate() {
        if JSON_ERRORS.load(Ordering::Relaxed) {
            return fail(Kind::Usage, msg).into();
        }
        if lang().is_english() {
            let e = command().error(clap::error::ErrorKind::ArgumentConflict, msg);
            let _ = e.print();
        } else {
            let text = usage_error::with_usage(&mut command(), &msg, lang());
            let mut err = anstream::AutoStream::new(std::io::stderr(), anstream_choice(color));
            let _ = std::io::Write::write_all(&mut err, text.as_bytes());
        }
        return Exit::BadInput.into();
    }
    run(cli).into()
}

/// Prints clap's help, version or usage error as clap would, in the run's language.
fn print_clap(e: clap::Error, color: clap::ColorChoice) {
    let lang = lang();
    if lang.is_english() {
        let _ = e.print();
        return;
    }
    let to_stderr = e.use_stderr();
    let text = match e.kind() {
        clap::error::ErrorKind::DisplayHelp
        | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | clap::error::ErrorKind::DisplayVersion => e.render(),
        _ => e.apply::<usage_error::Localized>().render(),
    };
    let text = help_text::fixed_words(&text.ansi().to_string(), lang);
    let choice = anstream_choice(color);
    let _ = if to_stderr {
        std::io::Write::write_all(&mut anstream::AutoStream::new(std::io::stderr(), choice), text.as_bytes())
    } else {
        std::io::Write::write_all(&mut anstream::AutoStream::new(std::io::stdout(), choice), text.as_bytes())
    };
}

fn anstream_choice(color: clap::ColorChoice) -> anstream::ColorChoice {
    match color {
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
        _ => anstream::ColorChoice::Auto,
    }
}

/// A clap error's message without its `error: ` prefix, usage and tips, in the run's language.
fn clap_message(e: clap::Error) -> String {
    let lang = lang();
    let text = if lang.is_english() { e.render() } else { e.apply::<usage_error::Localized>().render() }.to_string();
    let first = text.lines().next().unwrap_or_default();
    let prefix = format!("{}: ", lang.tr(words::ERROR));
    first.strip_prefix(prefix.as_str()).unwrap_or(first).to_string()
}

fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::List(a) => command::catalog::list(&a),
        Command::Show(a) => command::catalog::show(&a),
        Command::Validate(a) => command::catalog::validate(&a),
        Command::Check(a) => command::check::run(&a),
        Command::Solve(a) => command::solve::run(&a),
        Command::Drill(a) => command::drill::run(&a),
        Command::Demo(a) => command::demo::run(&a),
        Command::Grade(a) => command::grade::run(&a),
        Command::Serve(a) => command::serve::run(&a),
        Command::Cluster(c) => command::cluster::run(c),
        Command::Completions(a) => {
            // Into a buffer first: clap_complete panics on a closed pipe (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut help_text::localized(Cli::command(), lang()), "lab", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            Exit::Ok
        }
    }
}

/// Whether stdout gets colours: `--color`, NO_COLOR and CLICOLOR_FORCE, and a terminal for `auto`.
pub(crate) fn stdout_color() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// The same for stderr.
pub(crate) fn stderr_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// Reports an error and returns its exit code: `lab: error: …` on stderr, or under
/// `--format json` `{"error": {"kind", "message"}}` on stdout.
pub(crate) fn fail(kind: Kind, msg: impl std::fmt::Display) -> Exit {
    if JSON_ERRORS.load(Ordering::Relaxed) {
        let obj = serde_json::json!({ "error": { "kind": kind.as_str(), "message": msg.to_string() } });
        println!("{}", lab_engine::untrusted::json(&obj, true));
    } else {
        error(msg);
    }
    kind.exit()
}

/// Prints an error line to stderr, `lab: error: …`, for errors that do not end the command.
pub(crate) fn error(msg: impl std::fmt::Display) {
    // Errors quote engines (a learner's, under `lab grade`): no escape sequences get through.
    let msg = lab_engine::untrusted::terminal_text(&msg.to_string()).into_owned();
    let red = anstyle::AnsiColor::Red.on_default().bold();
    let word = lang().tr(words::ERROR);
    anstream::eprintln!("{red}lab: {word}:{red:#} {msg}");
}

/// Prints a warning line to stderr, `lab: warning: …`, for what does not stop the command.
pub(crate) fn warn(msg: impl std::fmt::Display) {
    // Warnings quote engines too (`lab check --watch` when one is lost).
    let msg = lab_engine::untrusted::shown(lab_engine::untrusted::Sink::TerminalText, &msg.to_string()).into_owned();
    let yellow = anstyle::AnsiColor::Yellow.on_default().bold();
    let word = lang().tr(words::WARNING);
    anstream::eprintln!("{yellow}lab: {word}:{yellow:#} {msg}");
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

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime")
}
