//! `lab grade LAB --roster ROSTER --out DIR`: grade every learner's cluster of a class,
//! concurrently, and write the gradebook, grades.json, junit.xml and one feedback page per
//! learner into DIR. Progress and the summary go to stderr (a progress bar on a terminal,
//! plain lines otherwise). Exit 0 when every learner was graded, 1 when some could not be,
//! 2 for bad input (lab, roster, flags, or an output folder that cannot be written).
//! With `--live` the class is followed and served instead ([`super::live_class`]).

use super::find_lab;
use crate::args::GradeArgs;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_grader::grade::{self, ClassGrades, GradeOptions, GradeStatus, LearnerResult};
use lab_grader::CheckOptions;
use lab_i18n::{words, Language};
use lab_schema::{Lab, LabDuration};
use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `lab grade` as asked, every flag checked and resolved before any learner's engine is
/// contacted: the rules that tie the flags together, the lab, the roster's learners (each
/// with its engine found) and how the class is graded.
pub(crate) struct GradeConfig {
    pub lab: Lab,
    /// `--roster` as given (the first line names it).
    pub roster: PathBuf,
    pub learners: Vec<grade::Learner>,
    /// Per cluster (live: for connecting and each read).
    pub timeout: Duration,
    /// The feedback gives fix commands: not `--no-fixes`, and the lab has them.
    pub fixes: bool,
    pub mode: GradeMode,
}

/// Graded once into `--out`, or followed live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GradeMode {
    /// Every learner graded once, `jobs` at a time, and the gradebook written into `out`.
    Once { out: PathBuf, jobs: usize, wait: Option<Duration> },
    /// The live class view served on `addr`; Ctrl-C writes the gradebook into `out` when given.
    Live { out: Option<PathBuf>, addr: SocketAddr, stuck_after: Duration },
}

/// `--jobs` when not given.
pub const DEFAULT_JOBS: usize = 128;

impl GradeConfig {
    /// `lab grade`'s flags, checked in this order: the rules that tie flags together, the
    /// lab, the roster. Errors are reported.
    pub fn new(a: &GradeArgs, ui: &Ui) -> Result<GradeConfig, Exit> {
        let mode = mode(a, ui.lang).map_err(|msg| crate::usage_fail(ui, &msg))?;
        let lab = find_lab(ui, &a.labs, &a.lab)?;
        let learners = learners(ui, &a.roster)?;
        let fixes = !a.no_fixes && lab.fixes;
        Ok(GradeConfig { lab, roster: a.roster.clone(), learners, timeout: a.timeout, fixes, mode })
    }
}

/// How the class is graded, from the flags and the rules that tie them together; a message
/// naming the flags when one is broken.
fn mode(a: &GradeArgs, lang: Language) -> Result<GradeMode, String> {
    if a.live {
        if a.jobs.is_some() {
            return Err(lang.tr(words::GRADE_LIVE_JOBS).into_owned());
        }
        if a.wait.is_some() {
            return Err(lang.tr(words::GRADE_LIVE_WAIT).into_owned());
        }
        let ip = a.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        return Ok(GradeMode::Live {
            out: a.out.clone(),
            addr: SocketAddr::new(ip, a.port.unwrap_or(super::live_class::DEFAULT_PORT)),
            stuck_after: a.stuck_after.unwrap_or(super::live_class::DEFAULT_STUCK_AFTER),
        });
    }
    let live_only =
        [("--port", a.port.is_some()), ("--bind", a.bind.is_some()), ("--stuck-after", a.stuck_after.is_some())];
    if let Some((flag, _)) = live_only.iter().find(|(_, given)| *given) {
        return Err(lang.fill(words::GRADE_NEEDS_LIVE, &[("flag", flag)]));
    }
    let Some(out) = a.out.clone() else { return Err(lang.tr(words::GRADE_NEEDS_OUT).into_owned()) };
    if let Some(w) = a.wait.filter(|w| *w >= a.timeout) {
        let values: [(&str, &dyn std::fmt::Display); 2] =
            [("wait", &LabDuration(w)), ("timeout", &LabDuration(a.timeout))];
        return Err(lang.fill(words::WAIT_NOT_SHORTER, &values));
    }
    Ok(GradeMode::Once { out, jobs: a.jobs.unwrap_or(DEFAULT_JOBS), wait: a.wait })
}

pub fn run(c: &GradeConfig, ui: &Ui) -> Exit {
    let (out, jobs, wait) = match &c.mode {
        GradeMode::Once { out, jobs, wait } => (out.as_path(), *jobs, *wait),
        GradeMode::Live { .. } => return super::live_class::run(c, ui),
    };
    let (lab, learners, timeout) = (&c.lab, &c.learners, c.timeout);
    if let Err(e) = prepare_out(ui, out) {
        return e;
    }

    let opts = GradeOptions {
        jobs,
        timeout,
        check: CheckOptions { wait, fixes: c.fixes.then_some(lab_fix::PLAN), lang: ui.lang, ..Default::default() },
    };
    let lang = ui.lang;
    let total = learners.len();
    let start_line = [
        ("lab", &lab.id as &dyn std::fmt::Display),
        ("roster", &c.roster.display()),
        ("jobs", &jobs.min(total)),
        ("timeout", &LabDuration(timeout)),
    ];
    eprintln!("{}", lang.count_fill(total as u64, words::GRADE_START_ONE, words::GRADE_START_MANY, &start_line));
    let mut progress = Progress::new(lang, total);
    let start = Instant::now();
    let results = crate::runtime()
        .block_on(grade::grade_class(lab, learners, &opts, &mut |r, done, total| progress.done(r, done, total)));
    progress.finish();
    let class = ClassGrades::new(lab, &opts.check, results, start.elapsed().as_millis() as u64);

    let written = match class.write_to_in(out, lang) {
        Ok(w) => w,
        Err(e) => return ui.fail(Kind::BadInput, e),
    };
    eprintln!();
    eprint!("{}", class.summary.render_in(lang));
    let pages = (written.len() - 3) as u64;
    let dir = out.display();
    eprintln!("{}", lang.count_fill(pages, words::GRADE_WROTE_ONE, words::GRADE_WROTE_MANY, &[("dir", &dir)]));
    if class.all_graded() {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

/// The roster's learners, each with a resolved endpoint; a bad roster is reported (exit 2,
/// every problem with its line and column).
fn learners(ui: &Ui, roster: &Path) -> Result<Vec<grade::Learner>, Exit> {
    let roster = grade::roster::load(roster).map_err(|e| ui.fail(Kind::BadInput, e))?;
    roster.resolve(&|k| std::env::var(k).ok()).map_err(|e| ui.fail(Kind::BadInput, e))
}

/// Makes `--out` (and its feedback folder) and removes what a killed run left there, so an
/// unwritable folder fails before any grading starts.
pub(super) fn prepare_out(ui: &Ui, out: &Path) -> Result<(), Exit> {
    std::fs::create_dir_all(out.join("feedback"))
        .and_then(|()| grade::atomic::remove_leftovers(out).map(drop))
        .map_err(|e| ui.fail(Kind::BadInput, format!("--out {}: {e}", out.display())))
}

/// Progress on stderr: an indicatif bar on a terminal, else one line per finished cluster.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lang: lab_i18n::Language,
}

impl Progress {
    fn new(lang: lab_i18n::Language, total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar =
                indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) = indicatif::ProgressStyle::with_template(&lang.tr(words::GRADE_BAR)) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress { bar, lang }
    }

    fn done(&mut self, r: &LearnerResult, done: usize, total: usize) {
        let lang = self.lang;
        let secs = format!("{:.1}", r.elapsed_ms as f64 / 1000.0);
        let at: [(&str, &dyn std::fmt::Display); 4] =
            [("done", &done), ("total", &total), ("learner", &r.learner), ("seconds", &secs)];
        let line = if r.status == GradeStatus::Graded {
            let mut values = at.to_vec();
            values.extend([("score", &r.score as &dyn std::fmt::Display), ("max", &r.max_score)]);
            lang.fill(words::GRADE_PROGRESS_GRADED, &values)
        } else {
            let mut values = at.to_vec();
            values.extend([("status", &r.status as &dyn std::fmt::Display), ("message", &r.message)]);
            lang.fill(words::GRADE_PROGRESS_NOT_GRADED, &values)
        };
        // The message quotes the learner's engine.
        let line = lab_engine::untrusted::terminal_line(&line).into_owned();
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.set_position(done as u64);
                bar.set_message(r.learner.clone());
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{mode, GradeMode};
    use crate::args::{Cli, Command};
    use clap::Parser;
    use lab_i18n::Language;

    fn grade(extra: &[&str]) -> Result<GradeMode, String> {
        let mut args = vec!["lab", "grade", "x", "--roster", "r"];
        args.extend(extra);
        let Command::Grade(a) = Cli::try_parse_from(args).unwrap().command else { panic!("not grade") };
        mode(&a, Language::english())
    }

    #[test]
    fn cross_flag_rules_name_both_flags() {
        assert!(grade(&["--out", "o", "--wait", "1m"])
            .unwrap_err()
            .contains("--wait 1m must be shorter than --timeout 30s"));
        assert!(grade(&["--live", "--jobs", "8"]).unwrap_err().contains("--jobs does not apply to --live"));
        assert!(grade(&["--live", "--wait", "5s"]).unwrap_err().contains("--wait does not apply to --live"));
        assert!(grade(&["--out", "o", "--port", "4100"]).unwrap_err().contains("--port is for the live class view"));
        assert!(grade(&["--out", "o", "--bind", "0.0.0.0"]).unwrap_err().contains("--bind is for the live"));
        assert!(grade(&[]).unwrap_err().contains("needs --out DIR"));
        assert!(grade(&["--live"]).is_ok() && grade(&["--live", "--port", "0", "--out", "o"]).is_ok());
    }

    #[test]
    fn the_mode_carries_the_defaults_of_what_was_not_given() {
        let once = grade(&["--out", "o"]).unwrap();
        assert_eq!(once, GradeMode::Once { out: "o".into(), jobs: 128, wait: None });
        let GradeMode::Live { out, addr, stuck_after } = grade(&["--live"]).unwrap() else { panic!("not live") };
        assert_eq!((out, addr.to_string(), stuck_after.as_secs()), (None, "127.0.0.1:4100".into(), 600));
    }
}
