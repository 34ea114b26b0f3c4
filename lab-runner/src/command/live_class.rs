//! `lab grade LAB --roster ROSTER --live [--out DIR] [--port 4100] [--bind ADDR]`: the live
//! class view. Every learner's engine is followed at once (`lab_grader::grade::live`: one
//! read, then only the event stream until the swarm changes) and the class is served on
//! 127.0.0.1 (`lab_serve::class`). Ctrl-C writes the gradebook, grades.json, junit.xml
//! and the feedback pages into `--out` as the class stands, and exits 0.
//!
//! Everything that can be wrong with the input (lab, roster, flags, `--out`, a port in
//! use) is found before the first engine is contacted: exit 2.

use super::grade::{prepare_out, GradeConfig, GradeMode};
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_grader::grade::live::{LiveClass, LiveOptions};
use lab_grader::{CheckOptions, WatchOptions};
use lab_i18n::words;
use lab_schema::LabDuration;
use lab_serve::class::ClassConfig;
use std::time::Duration;

/// The port when `--port` is not given.
pub const DEFAULT_PORT: u16 = 4100;
/// `--stuck-after` when not given.
pub const DEFAULT_STUCK_AFTER: Duration = Duration::from_secs(600);

/// The live class view of `c` (in [`GradeMode::Live`]).
pub fn run(c: &GradeConfig, ui: &Ui) -> Exit {
    let GradeMode::Live { out, addr, stuck_after } = &c.mode else { unreachable!("grade::run grades once itself") };
    let (lang, lab, learners, addr) = (ui.lang, &c.lab, &c.learners, *addr);
    if let Some(out) = out {
        if let Err(e) = prepare_out(ui, out) {
            return e;
        }
    }
    let ip = addr.ip();
    let listener = match std::net::TcpListener::bind(addr).and_then(|l| l.set_nonblocking(true).map(|()| l)) {
        Ok(l) => l,
        Err(e) => {
            return ui
                .fail(Kind::BadInput, lang.fill(words::GRADE_LIVE_CANNOT_LISTEN, &[("addr", &addr), ("error", &e)]))
        }
    };
    if !ip.is_loopback() {
        ui.warn(lang.fill(words::GRADE_LIVE_PUBLIC, &[("ip", &ip)]));
    }

    let fixes = c.fixes.then_some(lab_fix::PLAN);
    let opts = LiveOptions {
        watch: WatchOptions { timeout: c.timeout, lang, fixes, ..Default::default() },
        check: CheckOptions { fixes, lang, ..Default::default() },
        stuck_after: *stuck_after,
    };
    let total = learners.len() as u64;
    let start_line = [
        ("lab", &lab.id as &dyn std::fmt::Display),
        ("n", &total),
        ("roster", &c.roster.display()),
        ("timeout", &LabDuration(c.timeout)),
    ];
    eprintln!("{}", lang.count_fill(total, words::GRADE_LIVE_START_ONE, words::GRADE_LIVE_START_MANY, &start_line));

    let written_on_export = out.clone();
    let class = LiveClass::new(lab, learners, opts);
    let served = class.clone();
    let result = crate::runtime().block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let bound = listener.local_addr()?;
        let shown = if bound.ip().is_loopback() { format!("127.0.0.1:{}", bound.port()) } else { bound.to_string() };
        let _following = served.follow(learners);
        // stdout: the address is this command's data (scripts and tests read it), in
        // English in every language.
        println!("live class view at http://{shown}/ (Ctrl-C to stop)");
        let config = ClassConfig { class: served, out: written_on_export, lang };
        // Open event streams never end by themselves: Ctrl-C drops the server with them.
        tokio::select! {
            r = lab_serve::class::serve(listener, config, std::future::pending()) => r,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    });
    if let Err(e) = result {
        let addr = addr.to_string();
        return ui.fail(Kind::BadInput, lang.fill(words::GRADE_LIVE_CANNOT_LISTEN, &[("addr", &addr), ("error", &e)]));
    }
    let Some(out) = out else {
        eprintln!("{}", lang.tr(words::GRADE_LIVE_NOTHING_WRITTEN));
        return Exit::Ok;
    };
    eprintln!("{}", lang.tr(words::GRADE_LIVE_STOPPING));
    let grades = class.grades();
    let written = match lab_serve::class::write_gradebook(&grades, out, lang) {
        Ok(w) => w,
        Err(e) => return ui.fail(Kind::BadInput, format!("--out {}: {e}", out.display())),
    };
    eprint!("{}", grades.summary.render_in(lang));
    let pages = written.len().saturating_sub(3) as u64;
    let dir = out.display();
    eprintln!("{}", lang.count_fill(pages, words::GRADE_WROTE_ONE, words::GRADE_WROTE_MANY, &[("dir", &dir)]));
    Exit::Ok
}
