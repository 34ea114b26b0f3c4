//! The offline cluster's registry container (what it serves is
//! [`stand_in::registry`]): made from the node image (it has busybox), on the
//! cluster's network, labelled like the nodes so `down` removes it. It starts first, so
//! the nodes' engines can name its address as their mirror; busybox for the stand-ins is
//! copied out of it, and what it serves is copied in through the Engine API's archive
//! endpoint, after which its shell starts `nc -ll -e` on the registry's port.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::exec::{CreateExecOptions, StartExecOptions};
use bollard::models::{ContainerCreateBody, EndpointSettings, HostConfig, NetworkingConfig};
use bollard::query_parameters::UploadToContainerOptionsBuilder;
use bollard::Docker;
use stand_in::registry::{RegistryContent, PORT, SCRIPT};

use crate::error::{ApiAction, NodesError, Result};
use crate::labels;

/// Where the served files are in the container.
pub const DIR: &str = "/registry";

/// The container's PID 1: waits for the served files (the script comes last in their
/// archive), then serves; a stop (SIGTERM) ends it at once.
pub const ENTRY_SCRIPT: &str = r#"trap 'exit 0' TERM INT
while [ ! -f /registry/serve ]; do sleep 0.1; done
nc -ll -p "$1" -e /registry/serve &
wait $!
"#;

/// The registry container's configuration, for `POST /containers/create`.
pub fn create_body(cluster: &str, id: &str, image: &str) -> ContainerCreateBody {
    let mut labels = labels::common(cluster, id);
    labels.insert(labels::REGISTRY.into(), "true".into());
    let network = labels::network_name(cluster);
    ContainerCreateBody {
        image: Some(image.to_string()),
        hostname: Some("registry".into()),
        entrypoint: Some(vec![
            "sh".into(),
            "-c".into(),
            ENTRY_SCRIPT.into(),
            "swarm-lab-registry".into(),
            PORT.to_string(),
        ]),
        cmd: Some(Vec::new()),
        env: Some(Vec::new()),
        labels: Some(labels),
        stop_timeout: Some(5),
        host_config: Some(HostConfig {
            network_mode: Some(network.clone()),
            tmpfs: Some(HashMap::from([("/tmp".to_string(), String::new())])),
            ..Default::default()
        }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(network, EndpointSettings::default())])),
        }),
        ..Default::default()
    }
}

/// Copies what the registry serves into its container.
pub async fn upload(engine: &Docker, container: &str, content: &RegistryContent) -> Result<()> {
    let failed = |e: std::io::Error| NodesError::RegistryNotReady {
        container: container.to_string(),
        why: format!("packing its files: {e}"),
    };
    let tar = content.tar(DIR.trim_start_matches('/')).map_err(failed)?;
    engine
        .upload_to_container(
            container,
            Some(UploadToContainerOptionsBuilder::new().path("/").build()),
            bollard::body_full(bytes::Bytes::from(tar)),
        )
        .await
        .map_err(|e| NodesError::api(ApiAction::CopyRegistry { container: container.to_string() }, e))
}

/// The shell line that asks the registry for `/v2/` from inside its container and succeeds
/// when it answers as a V2 registry.
fn probe() -> String {
    format!(
        "printf 'GET /v2/ HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 {PORT} | grep -q 'Docker-Distribution-API-Version: registry/2.0'"
    )
}

/// Waits until the registry answers `/v2/` (asked from inside its container, so this works
/// where the host cannot reach container addresses, as on Docker Desktop).
pub async fn wait_ready(engine: &Docker, container: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let not_ready = |why: String| NodesError::RegistryNotReady { container: container.to_string(), why };
    loop {
        let probe = probe();
        let exec = engine
            .create_exec(
                container,
                CreateExecOptions { cmd: Some(vec!["sh", "-c", probe.as_str()]), ..Default::default() },
            )
            .await
            .map_err(|e| not_ready(e.to_string()))?;
        engine
            .start_exec(&exec.id, Some(StartExecOptions { detach: true, ..Default::default() }))
            .await
            .map_err(|e| not_ready(e.to_string()))?;
        let code = loop {
            let state = engine.inspect_exec(&exec.id).await.map_err(|e| not_ready(e.to_string()))?;
            match (state.running, state.exit_code) {
                (Some(false), Some(code)) => break Some(code),
                _ if Instant::now() > deadline => break None,
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        if code == Some(0) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(not_ready(format!("no answer on port {PORT} within {}s", timeout.as_secs())));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The file the container serves last (its presence starts the server).
pub fn script_path() -> String {
    format!("{DIR}/{SCRIPT}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_container_is_labelled_as_the_cluster_registry_and_waits_for_its_script() {
        let body = create_body("practice", "abc", "docker:dind");
        let labels = body.labels.unwrap();
        assert_eq!(labels[labels::REGISTRY], "true");
        assert_eq!(labels[labels::CLUSTER], "practice");
        assert!(!labels.contains_key(labels::INDEX), "not a node");
        assert!(ENTRY_SCRIPT.contains(&format!("[ ! -f {} ]", script_path())));
        assert!(ENTRY_SCRIPT.contains("nc -ll -p \"$1\" -e /registry/serve"));
        assert_eq!(body.entrypoint.unwrap().last().unwrap(), &PORT.to_string());
    }
}
