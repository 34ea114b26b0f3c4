//! Roster parsing: every bad row names its line and column; good rosters resolve to
//! endpoints (TLS paths relative to the roster, contexts as the docker CLI finds them).

use lab_grader::grade::roster::{self, RosterError, Target};
use std::path::{Path, PathBuf};

fn parse(text: &str) -> Result<roster::Roster, Vec<RosterError>> {
    roster::parse_str(Path::new("class.csv"), text, Path::new("/nonexistent")).map_err(|e| e.errors)
}

/// The one error of `text`, with its line and column.
fn only_error(text: &str) -> (Option<u64>, Option<String>, String) {
    let errs = parse(text).expect_err("the roster should be rejected");
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    let e = &errs[0];
    (e.line(), e.column().map(str::to_string), e.to_string())
}

#[test]
fn a_missing_required_column_is_named_with_the_known_ones() {
    let (line, col, msg) = only_error("learner,context\nana,ctx\n");
    assert_eq!((line, col.as_deref()), (Some(1), Some("endpoint")));
    assert!(msg.contains("known columns: learner, endpoint, context, ca, cert, key"), "{msg}");
}

#[test]
fn unknown_columns_are_rejected_with_the_list_of_known_ones() {
    let (line, _, msg) = only_error("learner,endpoint,email,Group\nana,unix:///a.sock,a@x,1\n");
    assert_eq!(line, Some(1));
    assert!(msg.contains("unknown columns `email`, `Group`"), "{msg}");
    assert!(msg.contains("known columns: learner, endpoint, context, ca, cert, key"), "{msg}");
}

#[test]
fn a_column_given_twice_is_rejected() {
    let (line, _, msg) = only_error("learner,endpoint,Endpoint\nana,unix:///a,unix:///b\n");
    assert_eq!(line, Some(1));
    assert!(msg.contains("`endpoint` appears twice"), "{msg}");
}

#[test]
fn an_empty_roster_says_what_it_needs() {
    for text in ["", "\n\n", "learner,endpoint\n", "learner,endpoint\n# nobody yet\n"] {
        let errs = parse(text).unwrap_err();
        assert_eq!(errs, vec![RosterError::Empty], "for {text:?}");
    }
}

#[test]
fn a_row_with_too_many_fields_names_its_line() {
    let (line, col, msg) = only_error("learner,endpoint\nana,unix:///a.sock\nben,unix:///b.sock,extra\n");
    assert_eq!((line, col), (Some(3), None));
    assert!(msg.contains("3 fields, but the header has 2"), "{msg}");
}

#[test]
fn an_empty_learner_name_names_row_and_column() {
    let (line, col, _) = only_error("learner,endpoint\n,unix:///a.sock\n");
    assert_eq!((line, col.as_deref()), (Some(2), Some("learner")));
}

#[test]
fn unsafe_file_names_are_rejected_not_rewritten_with_a_suggestion() {
    let (line, col, msg) = only_error("learner,endpoint\nAna García,unix:///a.sock\n");
    assert_eq!((line, col.as_deref()), (Some(2), Some("learner")));
    assert!(msg.contains("not a safe file name") && msg.contains("space") && msg.contains("`í`"), "{msg}");
    assert!(msg.contains("for example `ana-garc-a`"), "{msg}");
    for name in ["../etc/passwd", "a/b", ".hidden", "-rf", "=1+2", "con\tsole"] {
        let text = format!("learner,endpoint\n\"{name}\",unix:///a.sock\n");
        let (line, col, msg) = only_error(&text);
        assert_eq!((line, col.as_deref()), (Some(2), Some("learner")), "{name}: {msg}");
    }
    let long = "a".repeat(101);
    let (_, _, msg) = only_error(&format!("learner,endpoint\n{long},unix:///a.sock\n"));
    assert!(msg.contains("at most 100"), "{msg}");
}

#[test]
fn duplicate_learners_are_rejected_ignoring_case() {
    let errs =
        parse("learner,endpoint\nana,unix:///a.sock\nben,unix:///b.sock\nana,unix:///c.sock\nANA,unix:///d.sock\n")
            .unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!((errs[0].line(), errs[0].column()), (Some(4), Some("learner")));
    assert!(errs[0].to_string().contains("duplicate learner `ana`: line 2 already has `ana`"), "{}", errs[0]);
    assert_eq!(errs[1].line(), Some(5));
    assert!(errs[1].to_string().contains("ignoring case"), "{}", errs[1]);
}

#[test]
fn endpoints_must_be_unix_tcp_or_ssh_addresses() {
    for bad in [
        "localhost:2375",
        "http://10.0.0.1:2375",
        "tcp://10.0.0.1",
        "tcp://:2376",
        "tcp://host:99999",
        "unix://relative.sock",
        "ssh://",
    ] {
        let (line, col, msg) = only_error(&format!("learner,endpoint\nana,{bad}\n"));
        assert_eq!((line, col.as_deref()), (Some(2), Some("endpoint")), "{bad}: {msg}");
        assert!(msg.contains("not an engine address"), "{msg}");
    }
}

#[test]
fn a_row_needs_exactly_one_of_endpoint_and_context() {
    let (line, col, msg) = only_error("learner,endpoint,context\nana,,\n");
    assert_eq!((line, col.as_deref()), (Some(2), Some("endpoint")), "{msg}");
    let (line, col, msg) = only_error("learner,endpoint,context\nana,unix:///a.sock,prod\n");
    assert_eq!((line, col.as_deref()), (Some(2), Some("context")), "{msg}");
    assert!(msg.contains("not both"), "{msg}");
}

#[test]
fn tls_files_need_a_tcp_endpoint_all_three_files_and_no_context() {
    let (line, col, msg) = only_error("learner,endpoint,ca,cert,key\nana,unix:///a.sock,ca.pem,,\n");
    assert_eq!((line, col.as_deref()), (Some(2), Some("ca")), "{msg}");
    assert!(msg.contains("only apply to tcp://"), "{msg}");

    let d = tempfile::tempdir().unwrap();
    for f in ["ca.pem", "cert.pem"] {
        std::fs::write(d.path().join(f), "x").unwrap();
    }
    let text = "learner,endpoint,ca,cert,key\nana,tcp://10.0.0.1:2376,ca.pem,cert.pem,\nben,tcp://10.0.0.2:2376,ca.pem,missing.pem,ca.pem\n";
    let errs = roster::parse_str(Path::new("r.csv"), text, d.path()).unwrap_err().errors;
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!((errs[0].line(), errs[0].column()), (Some(2), Some("key")));
    assert!(errs[0].to_string().contains("all three"), "{}", errs[0]);
    assert_eq!((errs[1].line(), errs[1].column()), (Some(3), Some("cert")));
    assert!(errs[1].to_string().contains(&d.path().join("missing.pem").display().to_string()), "{}", errs[1]);

    let (line, col, msg) = only_error("learner,endpoint,context,ca,cert,key\nana,,prod,,c.pem,\n");
    assert_eq!((line, col.as_deref()), (Some(2), Some("cert")), "{msg}");
    assert!(msg.contains("brings its own TLS files"), "{msg}");
}

#[test]
fn every_bad_row_is_reported_at_once_with_its_line() {
    let text = "learner,endpoint\n# a comment line\nana,unix:///a.sock\n\nbad name,unix:///b.sock\ncid,nowhere\nana,unix:///c.sock\n";
    let errs = parse(text).unwrap_err();
    let where_: Vec<(Option<u64>, Option<&str>)> = errs.iter().map(|e| (e.line(), e.column())).collect();
    assert_eq!(where_, vec![(Some(5), Some("learner")), (Some(6), Some("endpoint")), (Some(7), Some("learner"))]);
    let shown = roster::RosterErrors { path: PathBuf::from("class.csv"), errors: errs }.to_string();
    assert!(shown.starts_with("class.csv: 3 problems"), "{shown}");
    assert!(shown.contains("class.csv: line 6, column `endpoint`: `nowhere` is not an engine address"), "{shown}");
}

#[test]
fn a_good_roster_keeps_order_and_resolves_tls_paths_against_its_folder() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("certs")).unwrap();
    for f in ["ca.pem", "cert.pem", "key.pem"] {
        std::fs::write(d.path().join("certs").join(f), "x").unwrap();
    }
    let path = d.path().join("class.csv");
    std::fs::write(
        &path,
        "\u{feff} Learner , ENDPOINT ,ca,cert,key,context\n\
         # the Monday group\n\
         ana@school.edu, unix:///run/a.sock ,,,,\n\
         ben,tcp://10.0.0.2:2376,certs/ca.pem,certs/cert.pem,certs/key.pem,\n\
         \"cid.o_k+1\",ssh://cid@10.0.0.3,,,,\n\
         dee,,,,,their-context\n",
    )
    .unwrap();
    let r = roster::load(&path).unwrap();
    let names: Vec<&str> = r.entries.iter().map(|e| e.learner.as_str()).collect();
    assert_eq!(names, ["ana@school.edu", "ben", "cid.o_k+1", "dee"]);
    assert_eq!(r.entries[0].line, 3);
    assert_eq!(r.entries[0].target, Target::Endpoint { host: "unix:///run/a.sock".into(), tls: None });
    match &r.entries[1].target {
        Target::Endpoint { tls: Some(tls), .. } => assert_eq!(tls.key, d.path().join("certs/key.pem")),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.entries[3].target, Target::Context("their-context".into()));
}

#[test]
fn contexts_resolve_like_the_docker_cli_and_unknown_ones_name_the_row() {
    use sha2::{Digest, Sha256};
    let cfg = tempfile::tempdir().unwrap();
    let hash: String = Sha256::digest(b"lab-a").iter().map(|b| format!("{b:02x}")).collect();
    let meta = cfg.path().join("contexts/meta").join(hash);
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("meta.json"),
        r#"{"Name":"lab-a","Endpoints":{"docker":{"Host":"unix:///run/lab-a.sock"}}}"#,
    )
    .unwrap();
    let cfg_dir = cfg.path().to_str().unwrap().to_string();
    let env = move |k: &str| (k == "DOCKER_CONFIG").then(|| cfg_dir.clone());

    let r = parse("learner,endpoint,context\nana,,lab-a\n").unwrap();
    let learners = r.resolve(&env).unwrap();
    assert_eq!(learners[0].endpoint.host, "unix:///run/lab-a.sock");
    assert_eq!(learners[0].endpoint.context.as_deref(), Some("lab-a"));

    let r = parse("learner,endpoint,context\nana,,lab-a\nben,,lab-b\n").unwrap();
    let errs = r.resolve(&env).unwrap_err().errors;
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].line(), errs[0].column()), (Some(3), Some("context")));
    assert!(errs[0].to_string().contains("\"lab-b\" not found"), "{}", errs[0]);
}

#[test]
fn a_roster_that_is_not_utf8_names_the_line() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("latin1.csv");
    std::fs::write(&path, b"learner,endpoint\nana,unix:///a.sock\nb\xe9a,unix:///b.sock\n").unwrap();
    let errs = roster::load(&path).unwrap_err().errors;
    assert_eq!(errs[0].line(), Some(3), "{errs:?}");
    assert!(errs[0].to_string().contains("UTF-8"));
    let missing = roster::load(&d.path().join("nope.csv")).unwrap_err();
    assert!(matches!(missing.errors[0], RosterError::Unreadable { .. }));
}
