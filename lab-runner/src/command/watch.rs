//! `lab check LAB --watch`: a new report whenever the swarm changes, until Ctrl-C.
//!
//! On a terminal (human format) the report is redrawn in place with what changed and a
//! "watching…" line; elsewhere a report is printed per change; `--format json` prints one
//! compact JSON report per line. A lost engine is reported on stderr and retried by the
//! watcher (the first report of it names the practice swarm when one is up elsewhere). Ctrl-C ends the watch with the exit code of the last report.

use crate::args::{EngineArgs, Format};
use crate::exit::Exit;
use crate::ui::Ui;
use lab_engine::Endpoint;
use lab_grader::report::human;
use lab_grader::{Report, WatchEvent, WatchOptions};
use lab_i18n::words;
use lab_schema::Lab;
use std::io::{IsTerminal, Write};

/// `record`: a full score is the learner's progress (not with --only/--skip); `engine`:
/// how the engine was asked for (a first loss may name the practice swarm instead).
pub fn run(
    ui: &Ui,
    lab: &Lab,
    (engine, endpoint): (&EngineArgs, &Endpoint),
    opts: WatchOptions,
    format: Format,
    record: bool,
) -> Exit {
    let redraw = format == Format::Human && std::io::stdout().is_terminal();
    crate::runtime().block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let watcher = {
            let (lab, endpoint) = (lab.clone(), endpoint.clone());
            tokio::spawn(async move { lab_grader::watch(&lab, &endpoint, &opts, tx).await })
        };
        let mut last: Option<Report> = None;
        let interrupted = tokio::signal::ctrl_c();
        tokio::pin!(interrupted);
        loop {
            tokio::select! {
                _ = &mut interrupted => break,
                event = rx.recv() => match event {
                    Some(WatchEvent::Report { report, changes }) => {
                        show(ui, &report, &changes, format, redraw);
                        if record {
                            super::check::record_progress(ui, &report);
                        }
                        last = Some(*report);
                    }
                    Some(WatchEvent::Lost { error, retry_in, attempt, .. }) => {
                        let lost = ui.lang.fill(
                            words::WATCH_LOST,
                            &[
                                ("error", &error.text(ui.lang)),
                                ("source", &ui.lang.tr(&endpoint.source)),
                                ("seconds", &format!("{:.1}", retry_in.as_secs_f64())),
                                ("attempt", &attempt),
                            ],
                        );
                        // Asked once: a watch on the wrong engine says where the swarm is.
                        let lost = if attempt == 1 {
                            crate::practice_engine::with_hint(ui.lang, lost, engine, endpoint, &error).await
                        } else {
                            lost
                        };
                        ui.warn(lost);
                    }
                    None => break,
                },
            }
        }
        watcher.abort();
        if redraw {
            println!();
        }
        match last {
            Some(r) if r.passed => Exit::Ok,
            Some(_) => Exit::Failed,
            None => Exit::Cluster,
        }
    })
}

fn show(ui: &Ui, report: &Report, changes: &[String], format: Format, redraw: bool) {
    let lang = ui.lang;
    let style = human::Style { color: ui.stdout_color() };
    let changes = lab_engine::untrusted::shown(
        lab_engine::untrusted::Sink::TerminalLine,
        &lang.list(words::LIST_SEMICOLON, changes),
    )
    .into_owned();
    let changed = lang.fill(words::WATCH_CHANGED, &[("changes", &changes)]);
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let _ = writeln!(out, "{}", lab_engine::untrusted::json(report, false));
        }
        _ if redraw => {
            // Home, clear the screen, then the report: the screen always shows the latest.
            let _ = write!(out, "\x1b[H\x1b[2J");
            let _ = write!(out, "{}", human::render_in(report, style, lang));
            if !changes.is_empty() {
                let _ = writeln!(out, "\n{changed}");
            }
            let _ = writeln!(out, "\n{}", lang.tr(words::WATCHING));
        }
        _ => {
            if !changes.is_empty() {
                let _ = writeln!(out, "{changed}");
            }
            let _ = write!(out, "{}", human::render_in(report, style, lang));
            let _ = writeln!(out);
        }
    }
    let _ = out.flush();
}
