//! `lab list`, `lab show` and `lab validate`: reading the labs without any engine.

use super::{find_lab, load_catalog, print_lab_errors};
use crate::args::{ListArgs, ListFormat, ShowArgs, ValidateArgs};
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_i18n::words;
use lab_schema::load_file;

pub fn list(a: &ListArgs, ui: &Ui) -> Exit {
    let cat = match load_catalog(ui, &a.labs) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let lang = ui.lang;
    let book = crate::course::book();
    let mut labs: Vec<&lab_schema::Lab> = cat.labs.iter().collect();
    crate::course::sort_by_lesson(&mut labs, &book, |l| &l.lesson);
    // The chapter's title as the book shows it in this language (the book's catalog).
    let chapter_title = |l: &lab_schema::Lab| {
        crate::course::chapter_of(&book, &l.lesson).map_or_else(|| l.lesson.clone(), |c| lang.book(&c.title))
    };
    let chapter = |l: &lab_schema::Lab| {
        crate::course::chapter_of(&book, &l.lesson)
            .map_or_else(|| format!("-  {}", l.lesson), |c| format!("{:>2}  {}", c.number, lang.book(&c.title)))
    };
    let progress = match lab_grader::progress::default_path(&|k| std::env::var(k).ok()) {
        Ok(path) => {
            let (p, warning) = lab_grader::progress::load(&path);
            if let Some(w) = warning {
                ui.warn(w);
            }
            p
        }
        Err(_) => Default::default(),
    };
    if a.format == ListFormat::Json {
        let rows: Vec<serde_json::Value> = labs
            .iter()
            .map(|l| {
                let done = progress.labs.get(&l.id);
                serde_json::json!({
                    "id": l.id,
                    "title": lang.text(&l.title),
                    "chapter": chapter_title(l),
                    "completed_at": done.map(|d| d.completed_at.as_str()),
                    "best_score": done.map(|d| d.best_score),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        return Exit::Ok;
    }
    let head = |word: &str| lang.tr(word).into_owned();
    let (chapter_head, lab_head, checks_head) =
        (head(words::LIST_CHAPTER), head(words::LIST_LAB), head(words::LIST_CHECKS));
    let w = labs.iter().map(|l| l.id.len()).max().unwrap_or(0).max(words::width(&lab_head));
    let cw = labs.iter().map(|l| words::width(&chapter(l))).max().unwrap_or(0).max(words::width(&chapter_head) + 3);
    let nw = words::width(&checks_head).max(6);
    println!(
        "{}  {}  {}  {}",
        words::pad(&format!("   {chapter_head}"), cw),
        words::pad(&lab_head, w),
        pad_left(&checks_head, nw),
        lang.tr(words::LIST_TITLE)
    );
    let completed = lang.tr(words::LIST_COMPLETED);
    for l in &labs {
        let done = if progress.labs.contains_key(&l.id) { format!("  {completed}") } else { String::new() };
        let checks = l.checks.len().to_string();
        println!(
            "{}  {:<w$}  {}  {}{done}",
            words::pad(&chapter(l), cw),
            l.id,
            pad_left(&checks, nw),
            lang.text(&l.title)
        );
    }
    Exit::Ok
}

pub fn show(a: &ShowArgs, ui: &Ui) -> Exit {
    let solution = a.solution;
    let lab = match find_lab(ui, &a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let lang = ui.lang;
    let hint = lang.tr(words::REPORT_HINT);
    let fix = lang.tr(words::REPORT_FIX);
    let note = words::width(&hint).max(words::width(&fix)) + 1;
    println!("{} — {}", lab.id, lab.title);
    println!("{}\n", lang.fill(words::SHOW_LESSON, &[("lesson", &lab.lesson)]));
    println!("{}\n", lab.goal.trim());
    println!("{}", lang.fill(words::SHOW_CHECKS, &[("points", &lab.max_score())]));
    for c in &lab.checks {
        println!("  {:>3}  {}  [{}]", c.points, c.title, c.id);
        let indent = format!("\n       {}", " ".repeat(note));
        println!("       {}{}", words::pad(&hint, note), c.hint.trim().replace('\n', &indent));
        if solution {
            println!("       {}{}", words::pad(&fix, note), c.fix.trim());
        }
    }
    let run = format!("{} check {}", crate::me(), lab.id);
    println!("\n{}", lang.fill(words::SHOW_RUN, &[("command", &run)]));
    if solution {
        println!("\n{}", lang.tr(words::SHOW_REFERENCE_ANSWER));
        for s in &lab.answer.steps {
            println!("  {s}");
        }
    } else {
        let show = format!("{} show {} --solution", crate::me(), lab.id);
        println!("{}", lang.fill(words::SHOW_SOLUTION_HINT, &[("command", &show)]));
    }
    Exit::Ok
}

pub fn validate(a: &ValidateArgs, ui: &Ui) -> Exit {
    let files = &a.files;
    if files.is_empty() {
        return match load_catalog(ui, &a.labs) {
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
        print_lab_errors(ui, &bad);
        ui.fail(Kind::LabFile, format!("{} of {} lab files are invalid", bad.len(), files.len()))
    }
}

/// `text` right-aligned in `columns` terminal columns (CJK characters count two).
fn pad_left(text: &str, columns: usize) -> String {
    format!("{}{text}", " ".repeat(columns.saturating_sub(words::width(text))))
}
