//! `lab serve`: builds the learner edition of the book and serves it on 127.0.0.1 with
//! live lab cards (the server itself is the `lab-serve` crate).

use super::{load_catalog, resolve_endpoint};
use crate::args::ServeArgs;
use crate::exit::{Exit, Kind};
use lab_i18n::words;
use lab_serve::{ServeConfig, ServedLab};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// `--book`, else `./book`, else the book next to the sources `lab` was built from.
fn book_dir(given: Option<&Path>) -> Option<PathBuf> {
    let has_book = |d: &Path| d.join("book.toml").is_file();
    match given {
        Some(d) => Some(d.to_path_buf()),
        None => [PathBuf::from("book"), Path::new(env!("CARGO_MANIFEST_DIR")).join("../book")]
            .into_iter()
            .find(|d| has_book(d)),
    }
}

pub fn run(a: &ServeArgs) -> Exit {
    let cat = match load_catalog(&a.labs) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let timeout = a.timeout;
    let endpoint = match resolve_endpoint(&a.engine) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let Some(book) = book_dir(a.book.as_deref()) else {
        crate::error(crate::lang().tr(words::SERVE_NO_BOOK));
        return Exit::BadInput;
    };
    let ip = a.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        crate::warn(crate::lang().fill(words::SERVE_PUBLIC, &[("ip", &ip)]));
    }
    let site = match tempfile::Builder::new().prefix("lab-serve-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            let why = crate::lang().fill(words::SERVE_NO_TEMP, &[("error", &e)]);
            return crate::fail(Kind::BadInput, why);
        }
    };
    eprintln!("{}", crate::lang().fill(words::SERVE_BUILDING, &[("dir", &book.display())]));
    let lang = crate::lang();
    if let Err(e) = lab_serve::book::build(&book, site.path(), lang) {
        return crate::fail(Kind::BadInput, e);
    }
    let chapters = crate::course::book();
    let mut labs: Vec<&lab_schema::Lab> = cat.labs.iter().collect();
    crate::course::sort_by_lesson(&mut labs, &chapters, |l| &l.lesson);
    let labs = labs
        .into_iter()
        .map(|l| ServedLab {
            lab: lang.lab(l),
            chapter: crate::course::chapter_of(&chapters, &l.lesson).map_or(l.lesson.clone(), |c| lang.book(&c.title)),
        })
        .collect();
    let progress = lab_grader::progress::default_path(&|k| std::env::var(k).ok()).ok();
    let config = ServeConfig { site: site.path().to_path_buf(), labs, endpoint, progress, timeout, lang };
    let open = a.open;
    let result = crate::runtime().block_on(async move {
        let serving = lab_serve::serve(config, SocketAddr::new(ip, a.port), |bound| {
            let shown =
                if bound.ip().is_loopback() { format!("127.0.0.1:{}", bound.port()) } else { bound.to_string() };
            // stdout: the address is this command's data (scripts and tests read it).
            // In English in every language: scripts read it.
            println!("serving the book at http://{shown}/ (Ctrl-C to stop)");
            if open {
                let _ = std::process::Command::new("xdg-open")
                    .arg(format!("http://{shown}/"))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
            }
        });
        tokio::select! {
            r = serving => r,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    });
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => crate::fail(Kind::BadInput, e),
    }
}
