//! The offline registry on real clusters of private engines: every node pulls through it,
//! any tag of a known image converges with its digest recorded and no registry warning,
//! an unknown name fails within seconds, and a node without the loaded images pulls the
//! stand-in's layer whole. Needs root and the packages docker.io, iptables, iproute2 and
//! busybox-static.

mod support;
use std::time::{Duration, Instant};
use support::{cluster_dir, eventually};

use private_swarm::{Cluster, ClusterSpec};

/// What the docker CLI prints when a digest lookup fails (as it does offline without a registry).
const NO_DIGEST_WARNING: &str = "could not be accessed on a registry";

/// Runs the docker CLI on node `idx`: (success, stdout, stderr).
fn docker(cluster: &Cluster, idx: usize, args: &[&str]) -> (bool, String, String) {
    let out =
        cluster.node(idx).docker_command().unwrap().args(args).stdin(std::process::Stdio::null()).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The states and errors of a service's tasks (newest first), one line each.
fn tasks(cluster: &Cluster, service: &str) -> String {
    let (_, out, err) = docker(
        cluster,
        0,
        &["service", "ps", "--no-trunc", "--format", "{{.Image}} {{.CurrentState}} {{.Error}}", service],
    );
    out + &err
}

fn running(cluster: &Cluster, service: &str, replicas: usize, image: &str) {
    eventually(&format!("{service}: {replicas} task(s) of {image} running"), Duration::from_secs(30), || {
        let (_, out, _) = docker(
            cluster,
            0,
            &[
                "service",
                "ps",
                "--filter",
                "desired-state=running",
                "--format",
                "{{.Image}} {{.CurrentState}}",
                service,
            ],
        );
        let up = out.lines().filter(|l| l.starts_with(&format!("{image} ")) && l.contains("Running")).count();
        if up == replicas {
            Ok(())
        } else {
            Err(tasks(cluster, service))
        }
    });
}

fn service_image(cluster: &Cluster, service: &str) -> String {
    let (_, out, _) =
        docker(cluster, 0, &["service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", service]);
    out.trim().to_string()
}

#[test]
fn any_tag_of_a_known_image_converges_with_its_digest_and_a_misspelt_one_fails_fast() {
    let dir = cluster_dir("reg");
    let spec = ClusterSpec { registry: true, ..ClusterSpec::new(dir.path(), 2, 1) };
    let mut cluster = Cluster::start(spec).unwrap();
    let registry = cluster.info().registry.expect("the cluster records its registry");
    let (_, mirrors, _) = docker(&cluster, 1, &["info", "--format", "{{json .RegistryConfig.Mirrors}}"]);
    assert_eq!(mirrors.trim(), format!("[\"http://{registry}:5000/\"]"), "every node pulls through it");

    // `redis` is latest, which no node has loaded: it converges, digest recorded, no warning.
    let t = Instant::now();
    let (ok, _, err) = docker(&cluster, 0, &["service", "create", "-d", "--name", "redis", "--replicas", "2", "redis"]);
    assert!(ok, "{err}");
    assert!(!err.contains(NO_DIGEST_WARNING), "{err}");
    let image = service_image(&cluster, "redis");
    assert!(image.starts_with("redis:latest@sha256:"), "{image}");
    running(&cluster, "redis", 2, "redis:latest");
    println!("redis (latest): created and 2 tasks running in {:.1}s", t.elapsed().as_secs_f64());

    let (ok, _, err) = docker(&cluster, 0, &["service", "create", "-d", "--name", "cache", "redis:7"]);
    assert!(ok && !err.contains(NO_DIGEST_WARNING), "{err}");
    running(&cluster, "cache", 1, "redis:7");

    // An update resolves its digest at once too: no ~20 s wait, no "update out of sequence".
    let t = Instant::now();
    let (ok, _, err) = docker(&cluster, 0, &["service", "update", "-d", "--image", "redis:7.2", "redis"]);
    let update = t.elapsed();
    assert!(ok && !err.contains(NO_DIGEST_WARNING), "{err}");
    assert!(service_image(&cluster, "redis").starts_with("redis:7.2@sha256:"));
    running(&cluster, "redis", 2, "redis:7.2");
    println!("update --image redis:7.2: CLI {:.1}s, rolled in {:.1}s", update.as_secs_f64(), t.elapsed().as_secs_f64());

    // A misspelt name: the CLI warns as it does online, the task fails with the engine's words.
    let t = Instant::now();
    let (ok, _, err) = docker(&cluster, 0, &["service", "create", "-d", "--name", "typo", "redsi"]);
    assert!(ok, "{err}");
    assert!(err.contains(NO_DIGEST_WARNING), "as online: {err}");
    let failed = eventually("redsi fails with No such image", Duration::from_secs(20), || {
        let seen = tasks(&cluster, "typo");
        if seen.contains("No such image: redsi") {
            Ok(seen)
        } else {
            Err(seen)
        }
    });
    println!("redsi: task failed in {:.1}s: {}", t.elapsed().as_secs_f64(), failed.lines().next().unwrap_or(""));

    let log = std::fs::read_to_string(dir.path().join("registry/registry.log")).unwrap();
    assert!(
        log.contains("GET /v2/library/redis/manifests/7.2 200")
            || log.contains("HEAD /v2/library/redis/manifests/7.2 200"),
        "{log}"
    );
    assert!(log.contains("/v2/library/redsi/manifests/latest 404 Not Found"), "{log}");

    cluster.teardown().unwrap();
    let left = Cluster::leftovers(dir.path());
    assert!(left.is_empty(), "left behind: {left:#?}");
}

#[test]
fn a_node_without_the_loaded_images_pulls_the_stand_in_layer_whole() {
    let dir = cluster_dir("pull");
    let spec = ClusterSpec { registry: true, images: false, swarm: false, ..ClusterSpec::new(dir.path(), 1, 1) };
    let cluster = Cluster::start(spec).unwrap();
    let (ok, out, err) = docker(&cluster, 0, &["pull", "alpine:3.19"]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = docker(&cluster, 0, &["run", "--rm", "alpine:3.19", "cat", "/etc/group"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("root:x:0:"), "{out}");
    // The same config as the loaded images: the same image id.
    cluster.load_stand_in_images().unwrap();
    let (_, pulled, _) = docker(&cluster, 0, &["image", "inspect", "--format", "{{.Id}}", "alpine:3.19"]);
    let (_, loaded, _) = docker(&cluster, 0, &["image", "inspect", "--format", "{{.Id}}", "alpine:latest"]);
    assert_eq!(pulled.trim(), loaded.trim());

    let t = Instant::now();
    let (ok, _, err) = docker(&cluster, 0, &["pull", "redsi"]);
    assert!(!ok);
    println!("docker pull redsi failed in {:.1}s: {}", t.elapsed().as_secs_f64(), err.trim());
}
