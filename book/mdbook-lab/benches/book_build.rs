//! How long a whole-workbook build takes, in-process (mdbook-driver + LabPreprocessor, HTML
//! renderer, search index): what a reader waits for on `mdbook build` / each `mdbook serve`
//! reload. Target: under 2 s. The zh-TW edition adds the gettext preprocessor (every
//! message of the book looked up in po/zh-TW.po) to the learner build.
//!
//!     cargo bench -p mdbook-lab --bench book_build            # 10 builds per edition
//!     BENCH_ITERATIONS=30 cargo bench -p mdbook-lab --bench book_build

#[allow(dead_code)]
#[path = "../tests/book/harness.rs"]
mod harness;

use harness::BookTest;
use std::time::{Duration, Instant};

fn main() {
    let iterations: usize = std::env::var("BENCH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10).max(1);
    let mut worst_mean = Duration::ZERO;
    for (solutions, language, edition) in
        [(false, None, "learner"), (true, None, "instructor"), (false, Some("zh-TW"), "learner-zh-TW")]
    {
        let mut book = BookTest::workbook().solutions(solutions);
        if let Some(language) = language {
            book = book.language(language);
        }
        book.build_again().unwrap_or_else(|e| panic!("the book does not build: {e}")); // warm-up
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            book.build_again().unwrap_or_else(|e| panic!("the book does not build: {e}"));
            times.push(start.elapsed());
        }
        let mean = times.iter().sum::<Duration>() / iterations as u32;
        let min = times.iter().min().copied().unwrap_or_default();
        let max = times.iter().max().copied().unwrap_or_default();
        worst_mean = worst_mean.max(mean);
        println!(
            "book_build/{edition}: {iterations} builds, mean {:.1} ms, min {:.1} ms, max {:.1} ms",
            mean.as_secs_f64() * 1e3,
            min.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    }
    let target = Duration::from_secs(2);
    println!(
        "book_build: slowest mean {:.1} ms ({} the 2 s target)",
        worst_mean.as_secs_f64() * 1e3,
        if worst_mean < target { "under" } else { "OVER" }
    );
}
