//! How one run of `lab` speaks to its user: the language, when stdout and stderr get
//! colours, and whether errors are JSON objects on stdout (`--format json`). `main` makes
//! it once from the command line and hands it to the command; nothing else decides these.

use crate::exit::{Exit, Kind};
use anstream::{AutoStream, ColorChoice};
use lab_i18n::{words, Language};
use std::io::Write;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Ui {
    /// `--lang`, else the locale environment: lab texts, reports and messages.
    pub lang: Language,
    /// `--color`; `auto` honours NO_COLOR and CLICOLOR_FORCE and asks for a terminal.
    pub color: ColorChoice,
    /// Errors are `{"error": {"kind", "message"}}` on stdout, for a command whose output is JSON.
    pub json_errors: bool,
}

impl Ui {
    /// Whether stdout gets colours.
    pub fn stdout_color(&self) -> bool {
        AutoStream::new(std::io::stdout(), self.color).current_choice() != ColorChoice::Never
    }

    /// Whether stderr gets colours.
    pub fn stderr_color(&self) -> bool {
        AutoStream::new(std::io::stderr(), self.color).current_choice() != ColorChoice::Never
    }

    /// Writes `text` to stderr, its colours kept or stripped as `--color` says.
    pub fn eprint(&self, text: &str) {
        let _ = AutoStream::new(std::io::stderr(), self.color).write_all(text.as_bytes());
    }

    /// Writes `text` to stdout, its colours kept or stripped as `--color` says.
    pub fn print(&self, text: &str) {
        let _ = AutoStream::new(std::io::stdout(), self.color).write_all(text.as_bytes());
    }

    /// Reports an error and returns its exit code: `lab: error: …` on stderr, or under
    /// `--format json` `{"error": {"kind", "message"}}` on stdout.
    pub fn fail(&self, kind: Kind, msg: impl std::fmt::Display) -> Exit {
        if self.json_errors {
            let obj = serde_json::json!({ "error": { "kind": kind.as_str(), "message": msg.to_string() } });
            println!("{}", lab_engine::untrusted::json(&obj, true));
        } else {
            self.error(msg);
        }
        kind.exit()
    }

    /// Prints an error line to stderr, `lab: error: …`, for errors that do not end the command.
    pub fn error(&self, msg: impl std::fmt::Display) {
        // Errors quote engines (a learner's, under `lab grade`): no escape sequences get through.
        let msg = lab_engine::untrusted::terminal_text(&msg.to_string()).into_owned();
        let red = anstyle::AnsiColor::Red.on_default().bold();
        let word = self.lang.tr(words::ERROR);
        self.eprint(&format!("{red}lab: {word}:{red:#} {msg}\n"));
    }

    /// Prints a warning line to stderr, `lab: warning: …`, for what does not stop the command.
    pub fn warn(&self, msg: impl std::fmt::Display) {
        // Warnings quote engines too (`lab check --watch` when one is lost).
        let msg =
            lab_engine::untrusted::shown(lab_engine::untrusted::Sink::TerminalText, &msg.to_string()).into_owned();
        let yellow = anstyle::AnsiColor::Yellow.on_default().bold();
        let word = self.lang.tr(words::WARNING);
        self.eprint(&format!("{yellow}lab: {word}:{yellow:#} {msg}\n"));
    }
}
