//! `lab grade LAB --roster ROSTER --live [--out DIR] [--port 4100] [--bind ADDR]`: the live
//! class view. Every learner's engine is followed at once (`lab_grader::grade::live`: one
//! read, then only the event stream until the swarm changes) and the class is served on
//! 127.0.0.1 (`lab_serve::class`). Ctrl-C writes the gradebook, grades.json, junit.xml
//! and the feedback pages into `--out` as the class stands, and exits 0.
//!
//! Everything that can be wrong with the input (lab, roster, flags, `--out`, a port in
//! use) is found before the first engine is contacted: exit 2.

use super::find_lab;
use super::grade::{learners, prepare_out};
use crate::args::GradeArgs;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_grader::grade::live::{LiveClass, LiveOptions};
use lab_grader::{CheckOptions, WatchOptions};
use lab_i18n::words;
use lab_schema::LabDuration;
use lab_serve::class::ClassConfig;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// The port when `--port` is not given.
pub const DEFAULT_PORT: u16 = 4100;
/// `--stuck-after` when not given.
pub const DEFAULT_STUCK_AFTER: Duration = Duration::from_secs(600);

pub fn run(a: &GradeArgs, ui: &Ui) -> Exit {
    let lang = ui.lang;
    let lab = match find_lab(ui, &a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let learners = match learners(ui, a) {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Some(out) = &a.out {
        if let Err(e) = prepare_out(ui, out) {
            return e;
        }
    }
    let ip = a.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let addr = SocketAddr::new(ip, a.port.unwrap_or(DEFAULT_PORT));
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

    let fixes = (!a.no_fixes && lab.fixes).then_some(lab_fix::PLAN);
    let opts = LiveOptions {
        watch: WatchOptions { timeout: a.timeout, lang, fixes, ..Default::default() },
        check: CheckOptions { fixes, lang, ..Default::default() },
        stuck_after: a.stuck_after.unwrap_or(DEFAULT_STUCK_AFTER),
    };
    let total = learners.len() as u64;
    let start_line = [
        ("lab", &lab.id as &dyn std::fmt::Display),
        ("n", &total),
        ("roster", &a.roster.display()),
        ("timeout", &LabDuration(a.timeout)),
    ];
    eprintln!("{}", lang.count_fill(total, words::GRADE_LIVE_START_ONE, words::GRADE_LIVE_START_MANY, &start_line));

    let out = a.out.clone();
    let class = LiveClass::new(&lab, &learners, opts);
    let served = class.clone();
    let result = crate::runtime().block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let bound = listener.local_addr()?;
        let shown = if bound.ip().is_loopback() { format!("127.0.0.1:{}", bound.port()) } else { bound.to_string() };
        let _following = served.follow(&learners);
        // stdout: the address is this command's data (scripts and tests read it), in
        // English in every language.
        println!("live class view at http://{shown}/ (Ctrl-C to stop)");
        let config = ClassConfig { class: served, out, lang };
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
    let Some(out) = &a.out else {
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
