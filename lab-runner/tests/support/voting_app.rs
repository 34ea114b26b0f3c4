//! The voting-app assignment's answer, one line per key, and realistic learner mistakes,
//! each replacing or dropping one line: `voting_app_mistakes` grades each mistake,
//! `fix_property` fixes each one (and pairs of them) with the commands `lab check --fix` prints.

/// The course's current answer, one line per key so a mistake can replace a line. The db
/// mistakes keep `POSTGRES_HOST_AUTH_METHOD=trust`: without it db never runs (as on a real
/// swarm), which would hide the one mistake each of them is about.
pub const ANSWER: &[(&str, &str)] = &[
    ("backend", "docker network create -d overlay backend"),
    ("frontend", "docker network create -d overlay frontend"),
    ("vote", "docker service create --name vote -p 80:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"),
    ("redis", "docker service create --name redis --network frontend redis:3.2"),
    ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4"),
    ("worker", "docker service create --name worker --network frontend --network backend bretfisher/examplevotingapp_worker"),
    ("result", "docker service create --name result --network backend -p 5001:80 bretfisher/examplevotingapp_result"),
];

pub struct Mistake {
    pub name: &'static str,
    /// Which answer line it replaces ("" = none) and with what ("" = drop the line).
    pub replace: (&'static str, &'static str),
    /// The checks that must fail, and nothing else.
    pub fails: &'static [&'static str],
    /// A text some mismatch must contain: the wrong value, named.
    pub names: &'static str,
}

pub const MISTAKES: &[Mistake] = &[
    Mistake { name: "vote_one_replica", replace: ("vote", "docker service create --name vote -p 80:80 --network frontend bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "1 (replicated)" },
    Mistake { name: "vote_published_on_8080", replace: ("vote", "docker service create --name vote -p 8080:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "8080→80/tcp" },
    Mistake { name: "vote_wrong_container_port", replace: ("vote", "docker service create --name vote -p 80:5000 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "80→5000/tcp" },
    Mistake { name: "vote_named_votes", replace: ("vote", "docker service create --name votes -p 80:80 --network frontend --replicas 2 bretfisher/examplevotingapp_vote"), fails: &["vote"], names: "`votes` looks close" },
    Mistake { name: "redis_publishes_6379", replace: ("redis", "docker service create --name redis --network frontend -p 6379:6379 redis:3.2"), fails: &["redis"], names: "6379→6379/tcp" },
    Mistake { name: "worker_only_on_frontend", replace: ("worker", "docker service create --name worker --network frontend bretfisher/examplevotingapp_worker"), fails: &["worker"], names: "on frontend" },
    Mistake { name: "worker_missing", replace: ("worker", ""), fails: &["worker"], names: "services: db, redis, result, vote" },
    Mistake { name: "db_also_on_frontend", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --network frontend --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres:9.4"), fails: &["db"], names: "on backend, frontend" },
    Mistake { name: "db_latest_postgres", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgresql/data postgres"), fails: &["db"], names: "postgres:latest" },
    Mistake { name: "db_volume_misnamed", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=dbdata,target=/var/lib/postgresql/data postgres:9.4"), fails: &["db", "volume-db-data"], names: "dbdata" },
    Mistake { name: "db_wrong_mount_target", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=volume,source=db-data,target=/var/lib/postgres postgres:9.4"), fails: &["db"], names: "db-data at /var/lib/postgres" },
    Mistake { name: "db_bind_mount", replace: ("db", "docker service create --name db --network backend -e POSTGRES_HOST_AUTH_METHOD=trust --mount type=bind,source=/tmp,target=/var/lib/postgresql/data postgres:9.4"), fails: &["db", "volume-db-data"], names: "bind" },
    Mistake { name: "result_on_low_port", replace: ("result", "docker service create --name result --network backend -p 500:80 bretfisher/examplevotingapp_result"), fails: &["result"], names: "500→80/tcp" },
    Mistake { name: "result_on_frontend", replace: ("result", "docker service create --name result --network frontend -p 5001:80 bretfisher/examplevotingapp_result"), fails: &["result"], names: "on frontend" },
    Mistake { name: "backend_network_missing", replace: ("backend", ""), fails: &["network-backend", "worker", "db", "result"], names: "your networks: frontend" },
];

pub fn script(m: &Mistake) -> String {
    script_with(&[m.replace])
}

/// The answer with each `(key, line)` replacing the answer's line of that key ("" drops it).
pub fn script_with(replace: &[(&str, &str)]) -> String {
    let mut lines = Vec::new();
    for (key, line) in ANSWER {
        match replace.iter().find(|(k, _)| k == key) {
            Some((_, "")) => {}
            Some((_, other)) => lines.push(other.to_string()),
            None => lines.push(line.to_string()),
        }
    }
    // Services cannot join a network that does not exist: drop it from their flags.
    if replace.contains(&("backend", "")) {
        lines = lines.iter().map(|l| l.replace(" --network backend", "")).collect();
    }
    lines.join("\n")
}
