//! The one integration-test binary of mdbook-lab (run with `cargo test -p mdbook-lab`).
//!
//! - `cards`: snapshots of every lab's card, learner and instructor editions.
//! - `directives`: where directives are found, and the errors bad ones give.
//! - `build`: the whole workbook built in-process (and through the binary), both editions.
//! - `links`: every relative link and anchor of the built book resolves.
//! - `cdp`: a headless Chromium over the DevTools protocol (also used by lab serve's test).
//! - `browser`: headless Chromium opens the built chapter, clicks a hint, takes a screenshot.
//! - `i18n`: the translated editions against the English book (catalogs, code blocks, links).

mod cdp;
mod harness;

mod browser;
mod build;
mod cards;
mod directives;
mod i18n;
mod links;
