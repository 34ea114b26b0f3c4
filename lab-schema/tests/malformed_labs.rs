//! Every lab in `tests/malformed/` is rejected, and the diagnostic a lab author sees for it
//! is snapshotted: the rendered report (no colour, fixed width) and the one-line form.
//! Each fixture is named after what is wrong with it; its first line says so again.

use lab_schema::{load_file, LabErrors};
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/malformed";

/// The report as a terminal 100 columns wide without colour would show it.
fn render(errors: &LabErrors) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100).with_links(false);
    let mut out = String::new();
    handler.render_report(&mut out, errors).expect("rendering to a String cannot fail");
    out
}

/// Loads a fixture by its path relative to the crate (cargo runs tests there), so the
/// file names in the snapshots do not depend on where the repository is checked out.
fn rejected(name: &str) -> LabErrors {
    let path = PathBuf::from(FIXTURES).join(format!("{name}.toml"));
    assert!(path.is_file(), "{} is missing", path.display());
    match load_file(&path) {
        Ok(_) => panic!("{} loaded, but it is malformed", path.display()),
        Err(e) => e,
    }
}

fn assert_located(name: &str, errors: &LabErrors) {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join(format!("{name}.toml"))).unwrap();
    let lines = text.lines().count().max(1);
    for e in &errors.errors {
        assert!(e.file.ends_with(format!("{name}.toml")), "{name}: names {}", e.file.display());
        assert!(
            (1..=lines + 1).contains(&e.line) && e.column >= 1,
            "{name}: {}:{} is outside the file",
            e.line,
            e.column
        );
    }
}

macro_rules! malformed {
    ($($name:ident => $why:literal,)*) => {
        $(
            #[test]
            fn $name() {
                let name = stringify!($name).replace('_', "-");
                let errors = rejected(&name);
                assert_located(&name, &errors);
                let snapshot = format!("{}\n{}\n", render(&errors).trim_end(), errors.one_line_each());
                insta::with_settings!({ description => $why, omit_expression => true }, {
                    insta::assert_snapshot!(stringify!($name), snapshot);
                });
            }
        )*

        const NAMES: &[&str] = &[$(stringify!($name),)*];
    };
}

malformed! {
    assertion_not_a_table => "service = \"web\": an assertion is a table of fields, not a name",
    bare_word_value => "mode = replicated, without quotes",
    check_id_bad_characters => "a check id with capitals and a space",
    check_table_not_array => "[check] instead of [[check]]",
    check_without_assertion => "a check that asserts nothing",
    count_as_fraction => "replicas = 2.5",
    drill_availability_out_of_range => "availability = 99 (a share runs from 0 to 1) and nothing probed",
    drill_expecting_nothing => "a drill that expects nothing could never fail",
    drill_fault_misspelt => "fault = \"kill-tsak\": a misspelt fault",
    drill_on_unknown_service => "a drill on service `wbe`, which no check names",
    drill_without_hint => "a drill without a hint",
    drill_without_service => "a kill-task drill that names no service",
    duplicate_check_id => "two checks with the id `web`",
    duplicate_drill_id => "two drills with the id `task-killed`",
    duplicate_key => "a key written twice in one table",
    empty_fix => "a check whose fix is empty",
    empty_hint => "a check whose hint is blank",
    empty_range_table => "running = {}: a range with neither min nor max",
    env_value_a_number => "an env value written as a number",
    exact_names_unstated_field => "exact = [\"ports\"] on a check that states no ports",
    exact_unknown_field => "exact = [\"image\"]: only list fields can be exact",
    fixes_not_a_bool => "fixes = \"no\": a string where true or false belongs",
    id_not_matching_file_name => "the lab id is not the file name",
    image_empty_list => "image = []: no image would ever match",
    image_upper_case => "image = \"Redis\": repository names are lower-case",
    image_with_digest => "an image pattern pinned by digest",
    lab_id_bad_characters => "a lab id with capitals and an underscore",
    lesson_not_markdown => "lesson names a chapter title, not its .md file",
    missing_answer => "the lab has no answer",
    missing_hint => "a check without a hint",
    missing_points => "a check without points",
    missing_title => "the lab has no title",
    mount_of_undefined_volume => "a service mounting volume `dbdata`, which no check defines",
    mount_without_target => "a mount with no target (the path inside the container identifies a mount)",
    mount_target_relative => "a mount target that is not an absolute path",
    negative_count => "running = -1",
    no_checks => "a lab with no [[check]] tables",
    node_role_boss => "role = \"boss\"",
    points_not_a_number => "points written as a word",
    points_not_adding_to_100 => "points add up to 90",
    points_over_100 => "a check worth 150 points",
    points_zero => "a check worth 0 points",
    port_number_too_large => "target = 80800, above the highest port",
    port_protocol_icmp => "a port with protocol \"icmp\"",
    ports_not_a_list => "ports = 80 instead of a list of port tables",
    ports_table_not_a_list => "ports = { target = 80 } instead of [{ target = 80 }]",
    published_port_range_too_high => "published = { min = 1024, max = 70000 }",
    range_min_above_max => "a count range whose min is above its max",
    replicas_as_string => "replicas = \"3\": a count is a number, not a string",
    service_mode_replicate => "mode = \"replicate\" (the mode is `replicated`)",
    service_on_undefined_network => "a service on `frontnd`, a network no check defines",
    service_without_name_or_image => "a service assertion that cannot find its service",
    tasks_with_nothing_to_check => "a tasks assertion with neither replaced nor running",
    two_assertions_in_one_check => "one check with [check.service] and [check.network]",
    unclosed_string => "a string with no closing quote",
    unknown_assertion_kind => "[check.servce]: a misspelt assertion kind",
    unknown_drill_field => "`timeout` in a drill (the field is `expect.recovery`)",
    unknown_check_field => "a check with a `description` field (checks have `title` and `hint`)",
    unknown_mount_field => "a mount with `destination` instead of `target`",
    unknown_network_field => "`drivr` instead of `driver`",
    unknown_node_field => "`roles` instead of `role`",
    unknown_port_field => "a port with `container` instead of `target`",
    unknown_range_field => "a count range with `at_least` instead of `min`",
    unknown_secret_field => "`file` on a secret (the field is `target`)",
    unknown_service_field => "`replica` instead of `replicas`",
    unknown_swarm_field => "`workers`: the swarm assertion counts nodes, ready_nodes and managers",
    unknown_tasks_field => "`failed` instead of `replaced`",
    unknown_top_level_field => "an `author` field, which a lab does not have",
    unknown_volume_field => "`mountpoint` on a volume",
    volume_mounted_by_unknown_service => "a volume mounted by service `database`, which no check names",
    wait_as_number => "wait = 90: a duration is a string with a unit",
    wait_in_words => "wait = \"5 minutes\"",
    wait_without_unit => "wait = \"90\": a duration needs a unit",
}

/// A fixture without a test would never be looked at; a test without a fixture fails above.
#[test]
fn every_fixture_has_a_test() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().replace('-', "_"))
        .collect();
    let tested: BTreeSet<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let untested: Vec<_> = on_disk.difference(&tested).collect();
    assert!(untested.is_empty(), "fixtures without a test in malformed_labs.rs: {untested:?}");
    assert!(tested.len() >= 30);
}
