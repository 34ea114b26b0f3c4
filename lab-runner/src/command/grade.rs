//! `lab grade LAB --roster ROSTER --out DIR`: grade every learner's cluster of a class,
//! concurrently, and write the gradebook, grades.json, junit.xml and one feedback page per
//! learner into DIR. Progress and the summary go to stderr (a progress bar on a terminal,
//! plain lines otherwise). Exit 0 when every learner was graded, 1 when some could not be,
//! 2 for bad input (lab, roster, flags, or an output folder that cannot be written).

use super::find_lab;
use crate::args::GradeArgs;
use crate::exit::{Exit, Kind};
use lab_grader::grade::{self, ClassGrades, GradeOptions, GradeStatus, LearnerResult};
use lab_grader::CheckOptions;
use lab_i18n::words;
use lab_schema::LabDuration;
use std::io::IsTerminal;
use std::time::Instant;

pub fn run(a: &GradeArgs) -> Exit {
    let (timeout, wait) = (a.timeout, a.wait);
    let lab = match find_lab(&a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let roster = match grade::roster::load(&a.roster) {
        Ok(r) => r,
        Err(e) => return crate::fail(Kind::BadInput, e),
    };
    let learners = match roster.resolve(&|k| std::env::var(k).ok()) {
        Ok(l) => l,
        Err(e) => return crate::fail(Kind::BadInput, e),
    };
    // Fail on an unwritable --out before spending time on grading.
    if let Err(e) =
        std::fs::create_dir_all(a.out.join("feedback")).and_then(|()| grade::atomic::remove_leftovers(&a.out).map(drop))
    {
        return crate::fail(Kind::BadInput, format!("--out {}: {e}", a.out.display()));
    }

    let opts = GradeOptions {
        jobs: a.jobs,
        timeout,
        check: CheckOptions { wait, fixes: !a.no_fixes && lab.fixes, lang: crate::lang(), ..Default::default() },
    };
    let lang = crate::lang();
    let total = learners.len();
    let start_line = [
        ("lab", &lab.id as &dyn std::fmt::Display),
        ("roster", &a.roster.display()),
        ("jobs", &a.jobs.min(total)),
        ("timeout", &LabDuration(timeout)),
    ];
    eprintln!("{}", lang.count_fill(total as u64, words::GRADE_START_ONE, words::GRADE_START_MANY, &start_line));
    let mut progress = Progress::new(total);
    let start = Instant::now();
    let results = crate::runtime()
        .block_on(grade::grade_class(&lab, &learners, &opts, &mut |r, done, total| progress.done(r, done, total)));
    progress.finish();
    let class = ClassGrades::new(&lab, &opts.check, results, start.elapsed().as_millis() as u64);

    let written = match class.write_to_in(&a.out, lang) {
        Ok(w) => w,
        Err(e) => return crate::fail(Kind::BadInput, e),
    };
    eprintln!();
    eprint!("{}", class.summary.render_in(lang));
    let pages = (written.len() - 3) as u64;
    let dir = a.out.display();
    eprintln!("{}", lang.count_fill(pages, words::GRADE_WROTE_ONE, words::GRADE_WROTE_MANY, &[("dir", &dir)]));
    if class.all_graded() {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

/// Progress on stderr: an indicatif bar on a terminal, else one line per finished cluster.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar =
                indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) = indicatif::ProgressStyle::with_template(&crate::lang().tr(words::GRADE_BAR)) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    fn done(&mut self, r: &LearnerResult, done: usize, total: usize) {
        let lang = crate::lang();
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
        let line = lab_grader::untrusted::terminal_line(&line).into_owned();
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
