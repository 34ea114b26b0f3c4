//! A real browser: Debian's headless Chromium opens the built voting-app chapter from
//! `file://`, finds the card and its checks, clicks a hint's `<summary>` with a real mouse
//! event, checks the hint opened, and saves screenshots of the card (light and navy
//! themes) to `target/test-artifacts/`. Then the zh-TW edition: the same card in Chinese,
//! a hint opened, and its "English" link followed to the same chapter of the English edition.
//!
//! It drives Chromium through [`crate::cdp`] (the DevTools Protocol client that `lab
//! serve`'s browser test shares). Without Chromium the test FAILS, saying how to install it, unless
//! `SWARM_LAB_SKIP_BROWSER=1` is set. Set `CHROMIUM=/path/to/chrome` to use another build.

use crate::cdp::{chromium, Browser, Page};
use crate::harness::{artifacts_dir, BookTest};
use serde_json::json;

#[test]
fn chromium_shows_the_card_and_opens_a_hint_on_click() {
    let Some(exe) = chromium() else {
        if std::env::var("SWARM_LAB_SKIP_BROWSER").is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED: no Chromium, and SWARM_LAB_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "this test needs a headless Chromium: install it with `apt-get install -y chromium` \
             (or set CHROMIUM=/path/to/chrome); to skip it on purpose, set SWARM_LAB_SKIP_BROWSER=1"
        );
    };
    let built = BookTest::workbook().solutions(false).build();
    let url = format!("file://{}", built.out.join("voting-app.html").display());
    let lab = crate::harness::lab("day6-voting-app");

    let mut browser = Browser::launch(&exe);
    let mut page = Page::open(&mut browser, &url);

    let card = "#lab-day6-voting-app";
    assert_eq!(page.eval(&format!("document.querySelectorAll('{card} .lab-check').length")), json!(lab.checks.len()));
    let titles =
        page.eval(&format!("[...document.querySelectorAll('{card} .lab-check-title')].map(e => e.textContent)"));
    assert_eq!(titles[0], json!("Overlay network frontend exists"), "{titles}");
    // The stylesheet applies: a bordered card, not bare HTML.
    let border = page.eval(&format!("getComputedStyle(document.querySelector('{card}')).borderLeftWidth"));
    assert_eq!(border, json!("5px"));

    // Not served by `lab serve`: the live-card script is there and leaves the static card alone.
    let inert = "document.querySelector('script.mdbook-lab') !== null && document.querySelector('.lab-live') === null";
    assert_eq!(page.eval(inert), json!(true));

    let details = format!("{card} .lab-check details.lab-hint");
    assert_eq!(page.eval(&format!("document.querySelector('{details}').open")), json!(false));
    let hint_visible = format!("document.querySelector('{details} .lab-hint-body').checkVisibility()");
    assert_eq!(page.eval(&hint_visible), json!(false), "a hint starts folded");
    page.click(&format!("{details} > summary"));
    page.wait_for(&format!("document.querySelector('{details}').open === true"));
    let hint = page.eval(&format!("document.querySelector('{details} .lab-hint-body').innerText"));
    assert!(hint.as_str().unwrap().contains("overlay"), "{hint}");
    assert_eq!(page.eval(&hint_visible), json!(true), "the hint shows once clicked");

    let light = page.screenshot_to(card, &artifacts_dir(), "voting-app-card-light.png");
    // The navy (dark) theme as a reader picks it: mdBook reads it from localStorage on load.
    page.eval("localStorage.setItem('mdbook-theme', 'navy'); location.reload(); true");
    page.wait_for("document.readyState === 'complete' && document.documentElement.classList.contains('navy') && document.querySelector('.lab-card') !== null");
    page.click(&format!("{details} > summary"));
    page.wait_for(&format!("document.querySelector('{details}').open === true"));
    let dark = page.screenshot_to(card, &artifacts_dir(), "voting-app-card-navy.png");
    drop(page);

    // The instructor edition: fix commands and the reference answer in the same card.
    let instructor = BookTest::workbook().solutions(true).build();
    let url = format!("file://{}", instructor.out.join("voting-app.html").display());
    let mut page = Page::open(&mut browser, &url);
    page.eval("localStorage.setItem('mdbook-theme', 'light'); location.reload(); true");
    page.wait_for("document.readyState === 'complete' && document.documentElement.classList.contains('light') && document.querySelector('.lab-card') !== null");
    assert_eq!(page.eval(&format!("document.querySelectorAll('{card} .lab-fix').length")), json!(lab.checks.len()));
    let answer = page.eval(&format!("document.querySelector('{card} .lab-answer code').textContent"));
    assert_eq!(answer, json!(lab.answer.to_shell()));
    let with_answers = page.screenshot_to(card, &artifacts_dir(), "voting-app-card-instructor.png");
    drop(page);

    // The Traditional Chinese edition, beside the English one as `mdbook-lab build` lays them out.
    let editions = BookTest::workbook().solutions(false).all_editions().build();
    let url = format!("file://{}", editions.out.join("zh-TW/voting-app.html").display());
    let mut page = Page::open(&mut browser, &url);
    assert_eq!(page.eval("document.documentElement.lang"), json!("zh-TW"));
    let titles =
        page.eval(&format!("[...document.querySelectorAll('{card} .lab-check-title')].map(e => e.textContent)"));
    assert_eq!(titles[0], json!("Overlay Network frontend 已存在"), "{titles}");
    assert_eq!(page.eval(&format!("document.querySelectorAll('{card} .lab-check').length")), json!(lab.checks.len()));
    page.click(&format!("{details} > summary"));
    page.wait_for(&format!("document.querySelector('{details}').open === true"));
    let hint = page.eval(&format!("document.querySelector('{details} .lab-hint-body').innerText"));
    assert!(hint.as_str().unwrap().contains("網路"), "{hint}");
    let summary = page.eval(&format!("document.querySelector('{details} > summary').textContent"));
    assert_eq!(summary, json!("提示"));
    let chinese = page.screenshot_to(card, &artifacts_dir(), "voting-app-card-zh-TW.png");
    // The edition link leads to the same chapter in English.
    let english = page.eval("document.querySelector('.edition-link').href");
    assert!(english.as_str().unwrap().ends_with("/out/voting-app.html"), "{english}");
    // The link moved into the menu bar, which stays in view while the chapter scrolls.
    let in_bar = page.eval("document.querySelector('#mdbook-menu-bar .right-buttons .edition-link') !== null");
    assert_eq!(in_bar, json!(true));
    page.click(".edition-link");
    page.wait_for("document.readyState === 'complete' && document.documentElement.lang === 'en' && document.querySelector('.lab-card') !== null");
    assert!(page.eval("location.pathname").as_str().unwrap().ends_with("/out/voting-app.html"));
    let back = page.eval("document.querySelector('.edition-link').href");
    assert!(back.as_str().unwrap().ends_with("/out/zh-TW/voting-app.html"), "{back}");
    drop(page);

    for shot in [&light, &dark, &with_answers, &chinese] {
        let size = std::fs::metadata(shot).unwrap().len();
        assert!(size > 10_000, "{} is only {size} bytes", shot.display());
        eprintln!("screenshot: {}", shot.display());
    }
}
