//! `lab list`, `lab show` and `lab validate`: reading the labs without any engine.

use super::{find_lab, load_catalog, print_lab_errors};
use crate::args::{ListArgs, ShowArgs, ValidateArgs};
use crate::exit::{Exit, Kind};
use lab_schema::load_file;

pub fn list(a: &ListArgs) -> Exit {
    let cat = match load_catalog(&a.labs) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let book = crate::course::book();
    let mut labs: Vec<&lab_schema::Lab> = cat.labs.iter().collect();
    crate::course::sort_by_lesson(&mut labs, &book, |l| &l.lesson);
    let chapter = |l: &lab_schema::Lab| {
        crate::course::chapter_of(&book, &l.lesson)
            .map_or_else(|| format!("-  {}", l.lesson), |c| format!("{:>2}  {}", c.number, c.title))
    };
    let w = labs.iter().map(|l| l.id.len()).max().unwrap_or(0).max(3);
    let cw = labs.iter().map(|l| chapter(l).chars().count()).max().unwrap_or(0).max(10);
    println!("{:<cw$}  {:<w$}  CHECKS  TITLE", "   CHAPTER", "LAB");
    for l in labs {
        println!("{:<cw$}  {:<w$}  {:>6}  {}", chapter(l), l.id, l.checks.len(), l.title);
    }
    Exit::Ok
}

pub fn show(a: &ShowArgs) -> Exit {
    let solution = a.solution;
    let lab = match find_lab(&a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    println!("{} — {}", lab.id, lab.title);
    println!("lesson: {}\n", lab.lesson);
    println!("{}\n", lab.goal.trim());
    println!("Checks ({} points):", lab.max_score());
    for c in &lab.checks {
        println!("  {:>3}  {}  [{}]", c.points, c.title, c.id);
        println!("       hint: {}", c.hint.trim().replace('\n', "\n             "));
        if solution {
            println!("       fix:  {}", c.fix.trim());
        }
    }
    println!("\nRun: {} check {}", crate::me(), lab.id);
    if solution {
        println!("\nReference answer:");
        for s in &lab.answer.steps {
            println!("  {s}");
        }
    } else {
        println!("(answer and fix commands: {} show {} --solution)", crate::me(), lab.id);
    }
    Exit::Ok
}

pub fn validate(a: &ValidateArgs) -> Exit {
    let files = &a.files;
    if files.is_empty() {
        return match load_catalog(&a.labs) {
            Ok(cat) => {
                println!("{} labs are valid ({})", cat.labs.len(), cat.origin);
                Exit::Ok
            }
            Err(e) => e,
        };
    }
    let mut bad = Vec::new();
    for f in files {
        match load_file(f) {
            Ok(l) => println!("{}: ok ({} checks, {} points)", f.display(), l.checks.len(), l.max_score()),
            Err(e) => bad.push(e),
        }
    }
    if bad.is_empty() {
        Exit::Ok
    } else {
        print_lab_errors(&bad);
        crate::fail(Kind::LabFile, format!("{} of {} lab files are invalid", bad.len(), files.len()))
    }
}
