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
use lab_i18n::words;
use lab_schema::LabDuration;
use std::io::IsTerminal;
use std::time::Instant;

pub fn run(a: &GradeArgs, ui: &Ui) -> Exit {
    if a.live {
        return super::live_class::run(a, ui);
    }
    let Some(out) = a.out.as_deref() else {
        // `validate` has said so already; never reached.
        return ui.fail(Kind::BadInput, ui.lang.tr(words::GRADE_NEEDS_OUT));
    };
    let jobs = a.jobs();
    let (timeout, wait) = (a.timeout, a.wait);
    let lab = match find_lab(ui, &a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let learners = match learners(ui, a) {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Err(e) = prepare_out(ui, out) {
        return e;
    }

    let opts = GradeOptions {
        jobs,
        timeout,
        check: CheckOptions {
            wait,
            fixes: (!a.no_fixes && lab.fixes).then_some(lab_fix::PLAN),
            lang: ui.lang,
            ..Default::default()
        },
    };
    let lang = ui.lang;
    let total = learners.len();
    let start_line = [
        ("lab", &lab.id as &dyn std::fmt::Display),
        ("roster", &a.roster.display()),
        ("jobs", &jobs.min(total)),
        ("timeout", &LabDuration(timeout)),
    ];
    eprintln!("{}", lang.count_fill(total as u64, words::GRADE_START_ONE, words::GRADE_START_MANY, &start_line));
    let mut progress = Progress::new(lang, total);
    let start = Instant::now();
    let results = crate::runtime()
        .block_on(grade::grade_class(&lab, &learners, &opts, &mut |r, done, total| progress.done(r, done, total)));
    progress.finish();
    let class = ClassGrades::new(&lab, &opts.check, results, start.elapsed().as_millis() as u64);

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
pub(super) fn learners(ui: &Ui, a: &GradeArgs) -> Result<Vec<grade::Learner>, Exit> {
    let roster = grade::roster::load(&a.roster).map_err(|e| ui.fail(Kind::BadInput, e))?;
    roster.resolve(&|k| std::env::var(k).ok()).map_err(|e| ui.fail(Kind::BadInput, e))
}

/// Makes `--out` (and its feedback folder) and removes what a killed run left there, so an
/// unwritable folder fails before any grading starts.
pub(super) fn prepare_out(ui: &Ui, out: &std::path::Path) -> Result<(), Exit> {
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
