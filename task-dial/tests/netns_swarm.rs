//! The task dialer on real engines: a private 2-node swarm (netns nodes, root), a
//! 2-replica web service published through the routing mesh, which never answers on this
//! kernel (no IPVS): each task answers in its own network namespace, round robin, and a
//! port nothing listens on is refused.

use std::time::{Duration, Instant};

use private_swarm::{Cluster, ClusterSpec};
use task_dial::{dial_task, MeshRoute, Reach, TaskPicker};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The page a task serves, through `stream`.
async fn page(mut stream: tokio::net::TcpStream) -> String {
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
    let mut body = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut body)).await.unwrap().unwrap();
    body
}

#[test]
fn each_running_task_answers_in_its_own_namespace_round_robin() {
    let dir = tempfile::Builder::new().prefix("td").tempdir_in("/tmp").unwrap();
    let cluster = Cluster::start(ClusterSpec::new(dir.path(), 2, 1)).expect("a private swarm");
    cluster
        .docker(
            0,
            &[
                "service",
                "create",
                "-d",
                "--no-resolve-image",
                "--name",
                "web",
                "--replicas",
                "2",
                "-p",
                "8080:80",
                "nginx",
            ],
        )
        .unwrap();
    let host = cluster.node(0).docker_host.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ep = lab_engine::Endpoint { host: host.clone(), tls: None, context: None, source: "test".into() };
        let conn = lab_engine::Connection::open(&ep, Duration::from_secs(10)).await.unwrap();
        let mut picker = TaskPicker::open(conn, "web").await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while picker.running().len() < 2 {
            assert!(Instant::now() < deadline, "2 tasks never ran: {:?}", picker.running());
            tokio::time::sleep(Duration::from_millis(200)).await;
            picker.refresh().await.unwrap();
        }
        assert_eq!(picker.service().ingress_port(80), Some(8080));
        let reach = Reach::this_machine(MeshRoute::NodeAddress);
        let mut served = Vec::new();
        for _ in 0..4 {
            let task = picker.next_task().unwrap();
            let body = page(dial_task(&reach, picker.service(), &task, 80).await.unwrap()).await;
            assert!(body.contains(task.short_container()), "{} answered for itself: {body}", task.name);
            served.push(task.name);
        }
        assert_eq!(served, ["web.1", "web.2", "web.1", "web.2"]);
        let task = picker.next_task().unwrap();
        let refused = dial_task(&reach, picker.service(), &task, 81).await.unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused, "{refused}");
    });
    drop(cluster);
}
