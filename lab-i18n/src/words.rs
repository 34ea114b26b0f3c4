//! Every program string that is translated, as a constant, and [`ALL`] of them for the
//! catalog template. Callers use the constants (`lang.tr(words::CHECKS)`), so a string
//! that is shown is a string that is extracted. `{name}` marks a value filled in by
//! [`Language::fill`](crate::Language::fill); a translation keeps every placeholder. No
//! word starts or ends with white space: alignment is done with [`pad`] by display width.

/// `text` followed by spaces up to `columns` terminal columns (CJK characters count two).
pub fn pad(text: &str, columns: usize) -> String {
    let w = width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(w)))
}

/// Terminal columns of `text`: East Asian wide and full-width characters take two.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

macro_rules! words {
    ($($(#[$doc:meta])* $name:ident = $en:literal;)*) => {
        $($(#[$doc])* pub const $name: &str = $en;)*
        /// Every word above, in order.
        pub const ALL: &[&str] = &[$($en),*];
        /// Every word above with its name (`("CHECKS", "Checks")`), for a page's script
        /// that asks for words by name.
        pub const NAMED: &[(&str, &str)] = &[$((stringify!($name), $en)),*];
    };
}

words! {
    // The lab card in the book.
    /// The card's badge, and the word before the lab id.
    LAB = "Lab";
    CARD_META = "Lab {id} · lesson {lesson} · {checks}";
    ONE_CHECK = "{n} check";
    MANY_CHECKS = "{n} checks";
    CHECKS = "Checks";
    TOTAL = "Total";
    HINT = "Hint";
    FIX = "Fix";
    GRADE_YOUR_WORK = "Grade your work";
    REFERENCE_ANSWER = "Reference answer";
    INSTRUCTOR_EDITION = "instructor edition";
    /// After the text of a link to an answer chapter, in the learner edition.
    INSTRUCTOR_EDITION_ONLY = "(instructor edition only)";
    ONE_POINT = "{n} point";
    MANY_POINTS = "{n} points";

    // `lab list` and `lab show`.
    SHOW_LESSON = "lesson: {lesson}";
    SHOW_CHECKS = "Checks ({points} points):";
    SHOW_RUN = "Run: {command}";
    SHOW_REFERENCE_ANSWER = "Reference answer:";
    SHOW_SOLUTION_HINT = "(answer and fix commands: {command})";
    /// The column heads of `lab list`.
    LIST_CHAPTER = "CHAPTER";
    LIST_LAB = "LAB";
    LIST_CHECKS = "CHECKS";
    LIST_TITLE = "TITLE";
    LIST_COMPLETED = "✓ completed";

    // The human report of `lab check`.
    /// Status labels, padded to one width by the report (a CJK character takes two columns).
    STATUS_PASS = "PASS";
    STATUS_FAIL = "FAIL";
    STATUS_WAIT = "WAIT";
    STATUS_ERROR = "ERR";
    REPORT_EXPECTED = "expected:";
    REPORT_FOUND = "found:";
    REPORT_HINT = "hint:";
    REPORT_FIX = "fix:";
    /// Before why the service a check is about does not run ([`CAUSE_TASK_FAILED`]).
    REPORT_CAUSE = "why:";
    /// Before the last lines of the service's logs.
    REPORT_LOGS = "logs:";
    /// Why a service does not run: a task's error as the engine gave it.
    CAUSE_TASK_FAILED = "a task of {service} failed: {error}";
    /// Why a failed check shows no fix commands, in place of them.
    REPORT_FIX_NOTE = "({note})";
    REPORT_SCORE = "score {score}/{max}: {passed} passed, {failed} failed";
    REPORT_CONVERGING = ", {n} still converging (run again, or use --wait 60s)";
    REPORT_ERRORS = ", {n} could not be evaluated";
    STUCK = "Stuck? `{command}` adds the commands that fix each failed check.";
    NO_FIXES = "No fix commands: this lab turns them off (`fixes = false` in {file}); the hints are what you get.";
    WAITING = "waiting {seconds}s: {passed} passed, still waiting on {pending}";
    /// A check of [`WAITING`]'s list: `vote (converging)`.
    CHECK_AND_STATUS = "{id} ({status})";
    /// A check's message (`{subject}`: empty or " (the object)").
    CHECK_PASSED = "passed{subject}";
    CHECK_CONVERGING = "still converging{subject}: tasks are starting; the check will be graded once they settle";
    CHECK_ONE_MISMATCH = "{n} mismatch{subject}";
    CHECK_MANY_MISMATCHES = "{n} mismatches{subject}";

    // Lists, counts and other values in reports.
    /// Joins a list, one item at a time: `a, b, c`.
    LIST = "{list}, {item}";
    LIST_AND = "{list} and {item}";
    LIST_OR = "{list} or {item}";
    LIST_SEMICOLON = "{list}; {item}";
    NONE = "none";
    NAMES_AND_MORE = "{names} and {n} more";
    /// A count a lab asks for (an exact count is the number alone).
    COUNT_RANGE = "{min} to {max}";
    COUNT_AT_LEAST = "at least {n}";
    COUNT_AT_MOST = "at most {n}";
    COUNT_ANY = "any number";
    COUNT_WITH_DETAILS = "{n} ({details})";
    YES = "yes";
    NO = "no";
    ANY_TAG = "{repository} (any tag)";

    // A check's message when it is still converging, or stopped converging.
    /// `{moving}`: what still moves, as a list of the phrases below.
    CONVERGING_MOVING = "converging{subject}: {moving}";
    DID_NOT_CONVERGE = "did not converge within {wait}{subject}: {moving}";
    GRADING_ENDED = "still converging when grading ended after {elapsed}{subject}: {moving}";
    /// What a check graded, when it had to choose (`(service vote)`).
    SUBJECT_SERVICE = "service {service}";
    MOVING_UPDATE = "an update is rolling out";
    MOVING_ROLLBACK = "a rollback is rolling out";
    ONE_TASK_RESTART_DELAY = "{n} task waiting out the restart delay";
    MANY_TASKS_RESTART_DELAY = "{n} tasks waiting out the restart delay";
    /// `{state}`: the task state as docker shows it (`pending`, `starting`).
    ONE_TASK_IN_STATE = "{n} task {state}";
    MANY_TASKS_IN_STATE = "{n} tasks {state}";
    TASKS_NOT_CREATED = "{missing} of {replicas} tasks not created yet";
    ONE_FAILED_TASK_WAITING = "{n} failed task waiting for a replacement";
    MANY_FAILED_TASKS_WAITING = "{n} failed tasks waiting for a replacement";
    NODE_STATE_UNKNOWN = "{node} has not reported its state yet";
    NODE_BEING_PROMOTED = "{node} is being promoted (reachability not reported yet)";
    NODE_BEING_DEMOTED = "{node} is being demoted";
    NODE_REACHABILITY_UNKNOWN = "{node}'s reachability is not known yet";

    // A mismatch: the field that differs.
    FIELD_SERVICE = "service";
    FIELD_IMAGE = "image";
    FIELD_MODE = "mode";
    FIELD_REPLICAS = "replicas";
    FIELD_RUNNING_TASKS = "running tasks";
    FIELD_COMMAND = "command";
    FIELD_ARGS = "args";
    FIELD_ENV = "env";
    FIELD_ENV_VARIABLE = "env {name}";
    FIELD_PORTS = "ports";
    FIELD_NETWORKS = "networks";
    FIELD_MOUNTS = "mounts";
    FIELD_MOUNT_TYPE = "mount at {target} type";
    FIELD_MOUNT_SOURCE = "mount at {target} source";
    FIELD_MOUNT_READONLY = "mount at {target} readonly";
    FIELD_ENDPOINT_MODE = "endpoint mode";
    FIELD_CONSTRAINTS = "constraints";
    FIELD_NETWORK = "network";
    FIELD_DRIVER = "driver";
    FIELD_SCOPE = "scope";
    FIELD_ENCRYPTED = "encrypted";
    FIELD_ATTACHABLE = "attachable";
    FIELD_INTERNAL = "internal";
    FIELD_VOLUME = "volume";
    /// `{kind}`: `secret` or `config`, in every language.
    FIELD_OBJECT_IN_SERVICE = "{kind} in {service}";
    FIELD_OBJECT_TARGET = "{kind} target";
    FIELD_REPLACED_TASKS = "replaced tasks";
    FIELD_SWARM = "swarm";
    FIELD_THIS_NODE = "this node";
    FIELD_NODES = "nodes";
    FIELD_READY_NODES = "ready nodes";
    FIELD_MANAGERS = "managers";
    FIELD_LEADER = "leader";
    FIELD_STALE_NODES = "stale nodes";

    // A mismatch: what the lab expected and what the swarm has. Values (names, images, ports,
    // states as docker shows them) are filled in as found.
    A_SERVICE = "a service";
    A_SERVICE_NAMED = "a service named `{name}`";
    A_SERVICE_RUNNING = "a service running {image}";
    NO_SUCH_SERVICE = "no such service (services: {names})";
    NO_SUCH_SERVICE_CLOSE = "no such service; `{close}` looks close (services: {names})";
    NO_IMAGE = "no image";
    RUNNING = "{n} running";
    /// `{error}`: the task's error, as the engine wrote it.
    RUNNING_CRASH_LOOP = "{n} running; tasks keep failing: {error}";
    RUNNING_PENDING = "{n} running; a task is pending: {error}";
    RUNNING_NEWEST_FAILURE = "{n} running; newest failure: {error}";
    DEFAULT_COMMAND = "the image's default command";
    NO_ARGUMENTS = "no arguments";
    /// Environment values are never shown: only whether they are set.
    ENV_SET = "set";
    ENV_NOT_SET = "not set";
    /// `{value}`: the value the lab asks for (never the learner's).
    ENV_SET_TO = "set to `{value}`";
    ENV_SET_TO_ANOTHER_VALUE = "set to a different value";
    ENV_NO_OTHER_VARIABLES = "no other variables";
    ENV_ALSO_SET = "also set: {names}";
    ENV_ONE_OF_SET = "one of {names} set";
    ENV_NO_VARIABLES_SET = "no variables set";
    ENV_ONLY_SET = "only {names} set";
    NO_PUBLISHED_PORTS = "no published ports";
    PORT_NOT_PUBLISHED = "{port} ({mode}, no published port)";
    /// A container port the lab leaves open (`8080→any`).
    ANY_PORT = "any";
    PORTS_ONLY = "only {ports}";
    PORTS_PUBLISHED = "published {ports}";
    ON_NO_NETWORKS = "on no networks";
    ON_NETWORKS = "on {networks}";
    ON_NETWORKS_ONLY = "on {networks} only";
    ANONYMOUS = "(anonymous)";
    MOUNT_TYPE_SOURCE_AT = "{type} {source} at {target}";
    MOUNT_SOURCE_AT = "{source} at {target}";
    MOUNT_TYPE_AT = "a {type} at {target}";
    MOUNT_AT = "a mount at {target}";
    NO_MOUNTS = "no mounts";
    ANONYMOUS_VOLUME = "an anonymous volume";
    NO_OTHER_MOUNTS = "no other mounts";
    NO_CONSTRAINTS = "no constraints";
    NO_OTHER_CONSTRAINTS = "no other constraints";
    AN_OBJECT_NAMED = "a {kind} named `{name}`";
    NO_SUCH_OBJECT = "no such {kind} ({kind}s: {names})";
    SERVICE_HAS_NO_OBJECTS = "`{service}` has no {kind}s";
    SERVICE_HAS_OBJECTS = "`{service}` has {names}";
    OBJECT_GIVEN_TO = "`{name}` given to `{service}`";
    A_NETWORK_NAMED = "a network named `{name}`";
    NO_SUCH_NETWORK = "no such network (your networks: {names})";
    A_VOLUME_NAMED_ON = "a volume named `{name}` on {node}";
    NO_SUCH_VOLUME = "no such volume (volumes: {names})";
    VOLUME_MOUNTED_BY = "`{name}` mounted by service `{service}`";
    NO_SERVICE_NAMED = "no service named `{service}`";
    SERVICE_MOUNTS_VOLUME = "service `{service}` mounts volume `{name}`";
    SERVICE_MOUNTS_NO_VOLUMES = "`{service}` mounts no volumes";
    SERVICE_MOUNTS = "`{service}` mounts {mounts}";
    VOLUME_ON_THE_NODE_RUNNING = "`{name}` on the node running `{service}`";
    SERVICE_HAS_NO_RUNNING_TASK = "`{service}` has no running task yet";
    VOLUME_ON_NODE_WHERE = "`{name}` on {node}, where `{service}` runs";
    NO_SUCH_VOLUME_THERE = "no such volume there (volumes: {names})";
    REPLACED_HISTORY = "{n} replaced (task history: {history})";
    A_MANAGER = "a manager";
    A_WORKER = "a worker";
    A_LEADER = "a leader";
    NO_LEADER = "no leader";
    NODE_IS = "{node} is {state}";
    READY_COUNT = "{n} ready";
    READY_COUNT_AND_OTHERS = "{n} ready; {others}";
    /// `{properties}`: a list of the node properties below.
    NODES_WITH = "{count} with {properties}";
    ANY_PROPERTIES = "any properties";
    NODE_ROLE = "role {value}";
    NODE_STATUS = "status {value}";
    NODE_AVAILABILITY = "availability {value}";
    NODE_REACHABILITY = "reachability {value}";
    NODE_LEADER = "leader";
    NODE_NOT_LEADER = "not leader";
    NODE_HOSTNAME = "hostname {value}";
    /// A node, and the first property it lacks.
    NODE_LACKS = "{node}: {what}";
    NODE_HOSTNAME_MISMATCH = "hostname does not match {value}";
    NODE_PROMOTION_PENDING = "being promoted, reachability not reported yet";
    REACHABILITY_NONE = "none (a worker)";
    NOT_THE_LEADER = "not the leader";
    THE_LEADER = "the leader";
    ONE_ENTRY_PER_HOSTNAME = "one entry per hostname";
    STALE_NODES_LEFT_BEHIND = "{nodes}: left behind when the node left the swarm and joined again";
    /// Added to the hint of a node check that finds stale entries.
    STALE_NODES_NOTE = "A node that leaves and joins again is listed twice: remove each stale Down entry by its ID with `docker node rm ID` on a manager.";
    STALE_NODES_NOTE_MANAGER = "A node that leaves and joins again is listed twice: remove each stale Down entry by its ID with `docker node rm ID` on a manager (a stale manager entry needs `docker node demote ID` first).";

    // Why a failed check has no fix commands (`fix_note`).
    FIXED_BY_THE_FIXES_ABOVE = "the fixes of the checks above fix this one too";
    /// `{why}`: one of the reasons below.
    NO_COMMAND_FIXES_THIS = "no command run against this engine fixes this: {why}; see the hint";
    NOTHING_HERE_CAN_SET_IT = "the lab asks for something no docker command here can set";
    NO_IMAGE_TO_CREATE_IT_FROM = "no image to create it from";
    WOULD_PRINT_AN_ENV_VALUE = "`{service}` would have to be created again with its {name} value, and reports never print those";
    THE_CHECK_NAMES_NO_SERVICE = "the check names no service";
    THE_SERVICE_VANISHED = "the service vanished";
    NOT_WHERE_TO_MOUNT = "the lab says not where to mount the volume";
    NOT_ENOUGH_WORKERS_TO_PROMOTE = "{missing} more manager(s) needed, but only {workers} ready worker(s) to promote: join more nodes first";
    TOO_MANY_NODES_MATCH = "too many nodes match; the lab asks for fewer";
    NOT_ENOUGH_NODES_TO_CHANGE = "{missing} more matching node(s) needed, but only {nodes} node(s) could change: join more nodes first";
    NODES_JOIN_FROM_THEIR_MACHINE = "nodes join from their own machine (`docker swarm join-token worker` on a manager prints the command)";
    NO_IMAGE_TO_CHOOSE = "no image to choose";
    NO_COMMAND_TO_CHOOSE = "no command matching `{pattern}` to choose";
    NO_ARGUMENTS_TO_CHOOSE = "no arguments matching `{pattern}` to choose";
    NO_VALUE_TO_CHOOSE = "no value to choose for {name}";
    NO_VALUE_TO_CHOOSE_ANY = "no value to choose for any of {names}";
    NO_CONTAINER_PORT_TO_CHOOSE = "no container port to choose";
    NO_HOST_PATH_TO_CHOOSE = "no host path to choose for {target}";

    // `lab check --watch`.
    /// A status in a sentence; the English words are the JSON status values.
    STATUS_NAME_PASS = "pass";
    STATUS_NAME_FAIL = "fail";
    STATUS_NAME_CONVERGING = "converging";
    CHANGE_SCORE = "score {from} → {to}";
    CHANGE_STATUS = "{id}: {from} → {to}";
    CHANGE_MISMATCHES = "{id}: still {status}, mismatches changed";
    CHANGE_NEW_CHECK = "{id}: {status}";
    WATCH_CHANGED = "changed: {changes}";
    WATCHING = "watching… Ctrl-C to stop";
    WATCH_LOST = "{error} (endpoint from {source}); retrying in {seconds}s (attempt {attempt}), Ctrl-C to stop";

    // Errors.
    ERROR = "error";
    WARNING = "warning";
    /// `{suggestion}` is empty or [`DID_YOU_MEAN`] and a space.
    UNKNOWN_LAB = "unknown lab `{id}` ({origin} labs: {ids}). {suggestion}`lab list` shows them all.";
    DID_YOU_MEAN = "Did you mean `{id}`?";
    BUILT_IN = "built in";
    /// `{suggestion}` is empty or [`DID_YOU_MEAN`] and a space.
    UNKNOWN_CHECK = "{flag} {id}: lab {lab} has no check `{id}`. {suggestion}Its checks: {ids}";
    SKIP_LEAVES_NOTHING = "--skip leaves no check of {lab} to grade; skip fewer (its checks: {ids})";
    LAB_FILES_INVALID = "{n} lab file(s) are invalid; fix them or run `lab validate` for the full list";

    // Why an engine cannot be read (exit code 3).
    /// `{why}`: one of the reasons below, or the engine's own words.
    CLUSTER_UNREACHABLE = "cannot reach the engine at {host}: {why}. Is it running, and is DOCKER_HOST (or the context) right?";
    CLUSTER_TLS = "TLS with the engine at {host} failed: {why}. Check the CA, certificate and key (DOCKER_CERT_PATH or the context's TLS files)";
    CLUSTER_NOT_SWARM = "the engine at {host} is not in swarm mode (swarm: {state}). Run `docker swarm init` or point at a swarm manager";
    CLUSTER_NOT_MANAGER = "the engine at {host} is a swarm worker; only managers can list services. Point DOCKER_HOST or --host at a manager";
    CLUSTER_NOT_MANAGER_LISTED = "the engine at {host} is a swarm worker; only managers can list services. Point DOCKER_HOST or --host at a manager (managers: {managers})";
    CLUSTER_TIMEOUT = "the engine at {host} did not answer within {seconds}s";
    CLUSTER_ENGINE_ERROR = "the engine at {host} answered with an error: {why}";
    NO_SOCKET_AT = "no socket at {path}";
    /// `{pipe}`: Docker Desktop's named pipe.
    UNIX_SOCKET_ON_WINDOWS = "`lab` on Windows reaches engines through named pipes, not unix sockets; Docker Desktop listens on {pipe}";
    /// `{os}`: this system (`linux`, `macos`).
    NPIPE_NOT_HERE = "npipe:// is a Windows named pipe (Docker Desktop on Windows), which does not exist on {os}; point DOCKER_HOST or the context at the engine's unix socket (unix:///var/run/docker.sock, or Docker Desktop's unix://$HOME/.docker/run/docker.sock) or at tcp://host:port";
    /// `{alert}`: the TLS alert's name (`BadCertificate`).
    TLS_CERTIFICATE_REFUSED = "the engine did not accept the client certificate (TLS alert {alert}): are cert.pem and key.pem signed by the engine's CA?";
    /// `{why}`: how the connection ended, one of the reasons below.
    TLS_CLOSED_IN_HANDSHAKE = "the engine accepted the connection, then closed it during TLS ({why}): it did not accept the client certificate (cert.pem and key.pem not signed by the engine's CA?), or it does not speak TLS on this port";
    CAUSE_REFUSED = "connection refused: nothing is listening at that address";
    CAUSE_NOT_FOUND = "there is no such socket or host";
    CAUSE_PERMISSION_DENIED = "permission denied: run lab as root, or as a user in the docker group (`sudo usermod -aG docker $USER`, then log in again)";
    CAUSE_TIMED_OUT = "the connection timed out";
    CAUSE_CLOSED = "the connection was closed before the engine answered: is that address a Docker engine?";
    CAUSE_UNREACHABLE = "that address cannot be reached from this machine";
    CAUSE_NOT_HTTP = "the answer was not HTTP from a Docker engine: is that the engine's address and port?";
    EVENT_STREAM_ENDED = "the event stream ended (engine restarted?)";
    /// Where the engine address came from, when nothing set it.
    DEFAULT_SOCKET = "the default socket";
    /// `{source}`: `--host`, `DOCKER_HOST`, `context "name"` or the default socket.
    ENDPOINT_FROM = "{error} (endpoint from {source})";
    /// After an engine error, when a practice swarm is up; `{command}` is pasted as it is.
    PRACTICE_SWARM_IS_UP = "A practice swarm is up: point lab and docker at it with `{command}`";

    // `lab cluster`: the practice swarm.
    CLUSTER_SHAPE = "{nodes} node(s), {managers} manager(s)";
    CLUSTER_SHAPE_NO_SWARM = "{nodes} node(s) outside swarm mode";
    CLUSTER_IS_UP = "Practice swarm is up: {shape}.";
    /// `lab cluster env`: the comment before the line that applies the variables.
    CLUSTER_ENV_HOW = "Run this command to configure your shell:";
    CLUSTER_ALREADY_RUNNING = "A practice swarm is already running ({nodes} node(s)); using it as it is now. `{me} cluster down` first to start a different one.";
    CLUSTER_ALREADY_RUNNING_NO_SWARM = "A practice swarm is already running ({nodes} node(s), started outside swarm mode); using it as it is now. `{me} cluster down` first to start a different one.";
    /// What this machine's missing IPVS means, said once by `up`.
    NO_IPVS_NOTE = "Note: this machine's kernel has no IPVS (no /proc/net/ip_vs, and the ip_vs module cannot be loaded).\n  Ports published through the routing mesh (`-p 8080:80`, ingress mode) will not answer here, and\n  neither will service virtual IPs. Services, tasks, overlay networks between containers and every\n  `lab check` work. To see load balancing here, use `--endpoint-mode dnsrr` between services or\n  `--publish mode=host,...` (see the routing-mesh lesson). To open a service's port from this machine\n  anyway: `lab cluster forward SERVICE 8080:80` (then http://127.0.0.1:8080).\n  On a laptop or VM with IPVS it all works.";
    /// The same for the docker driver, when its engine runs on this machine.
    NO_IPVS_NOTE_DOCKER = "Note: this machine's kernel has no IPVS, so ports published through the routing mesh (`-p 8080:80`)\n  will not answer, not even through --publish. To open a service's port from this machine:\n  `lab cluster forward SERVICE 8080:80` (then http://127.0.0.1:8080).\n  On a laptop or VM with IPVS it all works.";
    // `lab cluster forward`.
    /// `{local}`: 127.0.0.1:PORT; `{target}`: SERVICE:PORT; `{tasks}`: ONE/MANY_RUNNING_TASKS.
    FORWARD_FORWARDING = "Forwarding {local} → {target} ({tasks}); Ctrl-C to stop";
    FORWARD_BAD_PORTS = "`{value}` is not [LOCAL_PORT:]TARGET_PORT: give the port inside the tasks (1 to 65535), maybe after a local port and a colon (0 to 65535; 0 picks a free one), e.g. `80` or `8080:80`";
    ONE_RUNNING_TASK = "{n} running task";
    MANY_RUNNING_TASKS = "{n} running tasks";
    /// With `--verbose`, one line per connection.
    FORWARD_CONNECTION = "connection {n} from {peer} → {task} on {node} (container {container})";
    FORWARD_TASK_STARTED = "task {task} on {node} is running (container {container}); {tasks} now";
    FORWARD_TASK_GONE = "task {task} on {node} (container {container}) is gone; {tasks} now";
    FORWARD_STOPPED = "Stopped forwarding.";
    FORWARD_SERVICE_GONE = "service {service} was removed; there is nothing left to forward to";
    FORWARD_SWARM_UNREADABLE = "cannot read the swarm now ({error}); still forwarding to the tasks read before";
    /// `{suggestion}` is empty or [`DID_YOU_MEAN`] and a space.
    FORWARD_NO_SUCH_SERVICE = "there is no service `{service}` on {host}. {suggestion}Its services: {services}";
    FORWARD_NO_SERVICES = "there is no service `{service}` on {host}, and no service at all: create it first (`docker service create --name {service} …`), or point docker at the swarm that runs it";
    /// `{tasks}`: one line per task, or [`FORWARD_NO_TASKS_AT_ALL`].
    FORWARD_NO_RUNNING_TASK = "service {service} has no running task, so there is nothing to forward to. Its newest tasks:\n{tasks}\n`docker service ps {service}` shows them all; `lab check` says what is wrong";
    FORWARD_NO_TASKS_AT_ALL = "(none: it is scaled to 0 replicas, or no node can take it)";
    FORWARD_PORT_IN_USE = "127.0.0.1:{port} is in use by another program: pick another local port (`{me} cluster forward {service} 8081:{target}`), or 0 for any free one";
    FORWARD_CANNOT_LISTEN = "cannot listen on {address}: {error}";
    /// `{known}`: FORWARD_IMAGE_EXPOSES and/or FORWARD_SERVICE_PUBLISHES, or FORWARD_NO_PORT_KNOWN.
    FORWARD_NOT_LISTENING = "nothing listens on port {port} in service {service}: the connection was refused in each of its {tasks}. {known}";
    FORWARD_IMAGE_EXPOSES = "Its image {image} exposes {ports}.";
    FORWARD_SERVICE_PUBLISHES = "The service publishes {ports} (PUBLISHED:TARGET; forward the TARGET port).";
    FORWARD_NO_PORT_KNOWN = "Neither its image {image} nor the service names a port: which port does its program listen on?";
    FORWARD_DIAL_FAILED = "no task of service {service} answered on port {port}: {error}";
    FORWARD_NO_TASK_NOW = "no task is running just now";
    FORWARD_CONNECTION_FAILED = "connection from {peer} closed: no task of {service} could be reached on port {port}: {error}";
    /// `{namespace}`: FORWARD_NOT_ON_THIS_MACHINE or FORWARD_NEEDS_ROOT; `{mesh}`: why the routing mesh cannot help either.
    FORWARD_UNREACHABLE = "task {task} on {node} cannot be reached from this machine: {namespace}, and {mesh}";
    FORWARD_NOT_ON_THIS_MACHINE = "its container does not run on this machine (or not where `lab` can see its processes)";
    FORWARD_NEEDS_ROOT = "joining its container's network takes root (run `sudo lab cluster forward …`)";
    FORWARD_NOT_PUBLISHED = "the service publishes port {port} through no routing mesh; where the mesh works, publish it (`docker service update --publish-add 8080:{port} {service}`) and open a node's address";
    FORWARD_NOT_FORWARDED = "the service publishes it on the nodes as port {published}, which reaches this machine only with `{me} cluster up --driver docker --publish {published}` (after `{me} cluster down`)";
    FORWARD_MESH_FAILED = "the routing mesh did not answer at {address} ({error}): this kernel may have no IPVS; run `lab` as root on the machine that runs the swarm";
    CLUSTER_IMAGE_PUBLISH_DOCKER_ONLY = "--image and --publish work with --driver docker only";
    /// `{what}`: the netns driver or a command of it; `{instead}`: the docker-driver command.
    NETNS_NEEDS_LINUX = "{what} needs Linux and root (private Docker engines in network namespaces of this machine), and this is {os}; use the docker driver instead, node containers on your Docker (Docker Desktop): {instead}";
    CLUSTER_DRIVER_NETNS = "Driver: netns (private engines in network namespaces of this machine, in {dir})";
    CLUSTER_REMOVED = "Practice swarm removed ({nodes} node(s)), its folder {dir} too; nothing is left behind.";
    CLUSTER_NOTHING_RUNNING = "No practice swarm was running.";
    CLUSTER_NODES_UNREADABLE = "the swarm is up, but its nodes could not be read: {error}";
    CLUSTER_ONLINE = "The nodes reach the internet through this machine (NAT); services pull the real images.";
    CLUSTER_LOOPBACK_RESOLVER = "Warning: /etc/resolv.conf names only a local resolver (like systemd-resolved's 127.0.0.53), which the nodes cannot reach from their own network: image pulls will fail to resolve registry names. Point /etc/resolv.conf at a real DNS server (e.g. link /run/systemd/resolve/resolv.conf) and run `cluster down` and `cluster up --online` again.";
    CLUSTER_POINT_DOCKER = "Point docker at node1 with:  eval \"$({me} cluster env)\"";
    CLUSTER_SHELL_HINT = "A shell on node2 (the book's `node2$` prompt):  {me} cluster shell node2";
    CLUSTER_SHELL_HINT_DOCKER = "A shell with docker on node2 (the book's `node2$` prompt):  {me} cluster shell node2";
    CLUSTER_NO_SWARM_NETNS = "The engines are outside swarm mode: start one with `docker swarm init --advertise-addr {address}`.";
    CLUSTER_NO_SWARM_DOCKER = "No swarm yet (--no-swarm): run `docker swarm init --advertise-addr <node1-ip>` on node1.";
    SHELL_IN_NETWORK = "DOCKER_HOST={host}, in its network";
    SHELL_WITH_TLS = "DOCKER_HOST={host} with TLS";
    SHELL_OPENED = "A shell on {node} ({note}). `exit` comes back.";
    SHELL_CANNOT_START = "cannot start the shell {program}: {error}; set SHELL to a shell that exists";
    CANNOT_WRITE = "cannot write {path}: {error}";
    CLUSTER_STARTING_DOCKER = "Starting a practice swarm of {nodes} node(s), {managers} manager(s) as containers on {host} ({source}), driver docker …";
    CLUSTER_IS_UP_DOCKER = "Practice swarm is up: {nodes} node(s).";
    CLUSTER_ALREADY_RUNNING_DOCKER = "A practice swarm is already running ({nodes} node(s)); using it. `{me} cluster down` first to start a different one.";
    CLUSTER_DOWN_CLEANS_UP = "`{me} cluster down` removes what was started.";
    CLUSTER_NODES_RUN_AS = "Nodes run as {privileges}.";
    CLUSTER_FORWARDED = "node1:{port} is forwarded to http://127.0.0.1:{host_port}";
    CLUSTER_DRIVER_DOCKER = "Driver: docker (node containers on {host}, {mode})";
    CLUSTER_REMOVED_DOCKER = "Practice swarm removed from {host}: {containers} container(s), {volumes} volume(s), {networks} network(s); nothing is left behind.";
    CLUSTER_NOTHING_RUNNING_ON = "No practice swarm was running on {host}.";
    UNKNOWN_PRIVILEGES = "unknown privileges";
    /// The netns driver, as `{what}` of [`NETNS_NEEDS_LINUX`].
    NETNS_DRIVER = "the netns driver";
    /// The column heads of `lab cluster status` (DOCKER_HOST stays as it is).
    STATUS_NODE = "NODE";
    STATUS_ADDRESS = "ADDRESS";
    STATUS_SWARM = "SWARM";
    STATUS_ROLE = "ROLE";
    STATUS_STATE = "STATE";
    STATUS_AVAILABILITY = "AVAILABILITY";
    STATUS_MANAGER = "MANAGER";
    /// The SWARM column of a node whose engine does not answer.
    STATUS_NO_ENGINE = "no engine";
    /// `{state}`: the node container's state as docker names it (`exited`).
    STATUS_CONTAINER = "container {state}";
    /// How the docker driver's node containers run, for [`CLUSTER_NODES_RUN_AS`].
    PRIVILEGES_PRIVILEGED = "privileged containers (--privileged)";
    PRIVILEGES_CAPABILITIES = "explicit capabilities (--cap-add ALL --cap-drop SYS_RESOURCE, unconfined, host cgroups): this engine cannot run privileged containers";

    // The practice swarm's drivers: each step of `lab cluster up/down`, said as it starts.
    NETNS_CLEANING_KILLED_RUN = "cleaning up a cluster a killed run left in this directory";
    NETNS_CREATING_NETWORK = "creating bridge {bridge} ({gateway}/24) and {nodes} network namespaces";
    NETNS_ROUTING_OUT = "routing the nodes out through this machine (NAT of {cidr})";
    NETNS_STARTING_ONE_ENGINE = "starting {n} dockerd";
    NETNS_STARTING_ENGINES = "starting {n} dockerds";
    NETNS_LOADING_IMAGES = "loading the stand-in images on every node";
    NETNS_STARTING_REGISTRY = "starting the offline registry the nodes pull through ({address})";
    FORMING_SWARM = "forming the swarm: {managers} manager(s), {workers} worker(s)";
    NETNS_OUTSIDE_SWARM = "leaving the engines outside swarm mode (no init, no join)";
    NETNS_PREVIOUS_GONE = "the previous practice cluster is not running any more; removing what is left of it";
    NETNS_CLEANING_INTERRUPTED_UP = "cleaning up what an interrupted `lab cluster up` left behind";
    NETNS_STARTING = "starting a practice swarm of {nodes} node(s) in {dir}";
    NETNS_STOPPING = "stopping {nodes} node(s) and removing their network";
    NETNS_WAITING_FOR_LOCK = "waiting for another `lab cluster up/down` to finish";
    DOCKER_REMOVING_LEFTOVERS = "removing what an interrupted `lab cluster up` left behind";
    DOCKER_PULLING_IMAGE = "pulling the node image {image}";
    DOCKER_CREATING_NETWORK = "creating network {network} on {host}";
    DOCKER_STARTING_NODES = "starting {nodes} node container(s) from {image}";
    DOCKER_NO_PRIVILEGED = "this engine cannot run privileged containers (\"unable to apply caps\"); using an explicit capability set";
    /// `{platform}`: docker's name of it (`arm64`, `arm/v7`).
    DOCKER_STAND_INS_STATIC = "stand-in images: busybox from node image {image} (arch {platform})";
    DOCKER_STAND_INS_DYNAMIC = "stand-in images: busybox from node image {image} (arch {platform}; dynamically linked: with its loader and libraries, {files} file(s) and link(s))";
    DOCKER_LOADING_IMAGES = "loading the stand-in images into every node";
    DOCKER_STARTING_REGISTRY = "starting the offline registry the nodes pull through (container {container})";
    DOCKER_REMOVING = "stopping and removing {containers} node container(s)";

    // The netns driver's errors. `{error}` is the system's words; paths, names, commands
    // and a dockerd's log lines are filled in as they are.
    NETNS_NOT_ROOT = "private swarm clusters need root (running as uid {euid}): they create network namespaces, a bridge and veth links, and run one dockerd per node. Run again with sudo, on a machine with the packages docker.io, iptables, iproute2 and busybox-static (`apt-get install -y docker.io iptables iproute2 busybox-static`)";
    NETNS_MISSING_BINARY = "`{binary}` was not found on PATH or in /usr/sbin, /sbin: install it with `apt-get install -y {package}`";
    NETNS_BUSYBOX_NOT_STATIC = "{path} is a dynamically linked busybox; the stand-in images need a static one: `apt-get install -y busybox-static`";
    /// `{why}`: one of the `STAND_IN_` reasons.
    NETNS_STAND_IN = "cannot build the stand-in images: {why}";
    /// `{why}`: one of the `SPEC_` reasons.
    NETNS_INVALID_SPEC = "invalid cluster spec: {why}";
    NETNS_NOT_OURS = "{dir} was not made by private-swarm (it has no {marker} file): refusing to tear down anything there; name the directory a cluster was started in";
    /// `{what}`: one of the `IO_` actions.
    IO_FAILED = "{what} ({path}): {error}";
    /// `{status}`: the exit status as the system words it.
    NETNS_COMMAND_FAILED = "`{command}` failed ({status}): {stderr}";
    NETNS_ENGINE_NOT_READY = "dockerd for {node} did not answer on {docker_host} within {seconds}s; its log is at {log}";
    NETNS_ENGINE_EXITED = "dockerd for {node} exited while starting; its log is at {log}. Last lines:\n{tail}";
    NETNS_ENGINE_UNREACHABLE = "{node}: cannot reach the engine at {docker_host}: {error}. Is its dockerd running? (log: {log})";
    NETNS_API = "{node}: Engine API {method} {path} answered {status}: {message}";
    NETNS_NO_JOIN_TOKEN = "{node}: reading the worker join token: the engine returned none";
    NETNS_IMAGE_LOAD = "{node}: loading the stand-in images: {detail}";
    NETNS_REGISTRY_NOT_READY = "the practice swarm's registry did not answer on {address} within {seconds}s; its log is at {log}";
    /// `{detail}`: one of the `UNSETTLED_` reasons.
    NETNS_SWARM_NOT_READY = "the swarm did not settle within {seconds}s: {detail}. Node logs are under {dir}";
    NETNS_NO_FREE_SUBNET = "no free subnet in 100.64.0.0/16: every /24 is claimed under /run/private-swarm/subnets or overlaps a route on this host. Tear down old clusters (`lab cluster down`, or private_swarm::cleanup_stale on the test directory)";
    NETNS_DIR_IN_USE = "{dir} already holds a cluster (state file {state}); tear it down first (Cluster::teardown_dir)";
    NETNS_STATE = "state file {path}: not a cluster state file: {detail}";
    NETNS_SOCKET_PATH_TOO_LONG = "the path {path} is too long for a unix socket ({len} bytes, at most 107): use a shorter cluster directory";
    /// `{leftovers}`: one a line (`bridge psw1a2b`, `mount /…`), as found.
    NETNS_TEARDOWN_INCOMPLETE = "teardown of {dir} left things behind:\n  {leftovers}";
    NETNS_NOT_RUNNING = "no practice cluster is running (state dir {dir}); start one with `lab cluster up`";
    NETNS_NO_SUCH_NODE = "the practice swarm has {count} node(s), so there is no node {number}; `lab cluster status` lists them";
    NETNS_NO_DOCKER_CLI = "docker CLI not found on PATH: install it with `apt-get install -y docker.io`";
    NETNS_DOCKER_CLI = "`docker {args}` on {node} failed ({status}): {stderr}";
    IO_RUN_DOCKER_CLI = "cannot run the docker CLI";
    IO_RESOLVE_CLUSTER_DIR = "bad cluster directory";
    IO_CREATE_CLUSTER_DIR = "cannot create the cluster directory";
    IO_MARK_CLUSTER_DIR = "cannot mark the cluster directory";
    IO_CREATE_RUN_DIR = "cannot create the run directory";
    IO_WRITE_RUN_DIR = "cannot write the run directory";
    IO_CREATE_NODE_DIR = "cannot create the node directory";
    IO_CREATE_EXEC_ROOT = "cannot create the node's exec root";
    IO_WRITE_DAEMON_JSON = "cannot write daemon.json";
    IO_CREATE_DOCKERD_LOG = "cannot create the dockerd log";
    IO_OPEN_NETNS = "cannot open the node's network namespace";
    IO_START_DOCKERD = "cannot start dockerd for {node}";
    IO_READ_BUSYBOX = "cannot read busybox";
    IO_WRITE_REGISTRY = "cannot write the registry's files";
    IO_START_REGISTRY = "cannot start the registry";
    IO_CREATE_SUBNET_CLAIMS = "cannot create the subnet claims directory";
    IO_OPEN_SUBNET_LOCK = "cannot open the subnet lock";
    IO_LOCK_SUBNET_CLAIMS = "cannot lock the subnet claims";
    IO_WRITE_SUBNET_CLAIM = "cannot write the subnet claim";
    IO_SET_IP_FORWARD = "cannot set ip_forward";
    IO_CREATE_PRACTICE_DIR = "cannot create the practice directory";
    IO_OPEN_PRACTICE_LOCK = "cannot open the practice lock";
    IO_LOCK_PRACTICE_DIR = "cannot lock the practice directory";
    IO_REMOVE_PRACTICE_DIR = "cannot remove the practice directory";
    IO_READ_STATE = "cannot read the cluster state file";
    IO_WRITE_STATE = "cannot write the cluster state file";
    SPEC_NO_DIR = "dir must be set";
    /// `{why}`: one of the `DIR_` kinds.
    SPEC_SHARED_DIR = "dir {dir} is {why}; a cluster needs a directory of its own (e.g. /tmp/swarm-1)";
    /// A practice swarm's size, as both drivers refuse it.
    SIZE_NODES = "nodes must be 1 to {max}, not {nodes}";
    SIZE_MANAGERS = "managers must be 1 to nodes ({nodes}), not {managers}";
    DIR_ROOT = "the root directory";
    DIR_TOP_LEVEL = "a top-level directory";
    DIR_SYSTEM = "a directory the system shares";
    DIR_HOME = "your home directory";
    /// Paths and link targets of a node image's busybox, quoted as found.
    STAND_IN_NOT_PLAIN_PATH = "{path} is not a plain absolute path";
    STAND_IN_BAD_LINK = "{path}: unusable link target {target}";
    STAND_IN_TWICE = "/{path} is there twice";
    STAND_IN_DIRECTORY_AND_FILE = "/{path} is both a directory and a file";
    STAND_IN_ROOTFS = "cannot build the rootfs: {error}";
    STAND_IN_PACK = "cannot pack the images: {error}";
    /// What keeps a swarm from settling (a node in the wrong state is [`NODE_IS`]); states
    /// and roles are the engines' words.
    UNSETTLED_NODE_COUNT = "node1 lists {listed} nodes, expected {expected}";
    UNSETTLED_NOT_LISTED = "{node} is not in node1's node list";
    UNSETTLED_WRONG_ROLE = "{node} is a {role}, expected a {expected}";
    UNSETTLED_ROLE_NOT_YET = "{node} has not got its role yet";
    UNSETTLED_MANAGER_STATE = "manager {node} is {state}";
    UNSETTLED_LEADERS = "{count} leaders";
    UNSETTLED_NO_LEADER = "no leader elected yet";
    UNSETTLED_NOT_ACTIVE = "{node} is not active in the swarm yet";
    UNSETTLED_NOT_MANAGER_YET = "{node} does not act as a manager yet";

    // The docker driver's errors. `{error}` and `{why}` are the engine's or the system's
    // words (or, for the stand-ins' busybox, what is wrong with the node image's one).
    /// `{why}`: one of the `OPTION_` reasons.
    DOCKER_INVALID = "invalid cluster options: {why}";
    /// `{error}`: why the engine cannot be read (the `CLUSTER_` errors above).
    DOCKER_ENGINE = "cannot use the Docker engine at {host}: {error}";
    /// `{what}`: one of the `API_` actions.
    DOCKER_API = "the Docker engine refused to {what}: {error}";
    DOCKER_IMAGE = "the node image {image} is not on the engine and could not be pulled: {why}. Pull it yourself (`docker pull {image}`) or pass --image with an image that has dockerd, containerd and runc";
    DOCKER_NODE_EXITED = "{node} stopped while starting (exit code {code}); its last log lines:\n{tail}";
    DOCKER_NODE_NOT_READY = "{node}'s engine did not answer at {host} within {seconds}s: {why}. Its container log (`docker logs {container}`) says why";
    /// `{step}`: one of the `NODE_` steps.
    DOCKER_NODE = "{node}: {step}: {why}";
    DOCKER_NO_API_PORT = "{node}: its API port: the engine published none";
    DOCKER_NODE_DOWN = "{node}: reaching its engine: its container is {state}; `lab cluster up --driver docker` starts the cluster again";
    DOCKER_SWARM_NOT_READY = "the swarm did not settle within {seconds}s: {detail}. `lab cluster status` shows the nodes";
    DOCKER_NOT_RUNNING = "no practice swarm \"{name}\" on the engine at {host}: start one with `lab cluster up --driver docker`";
    DOCKER_MISSING_CERTS = "the client certificate of cluster \"{name}\" is missing ({path}); the cluster cannot be reached without it: `lab cluster down --driver docker` and `up` again";
    DOCKER_NO_BUSYBOX = "the node image {image} has no busybox, which the stand-in images are made of on offline nodes: `lab cluster up --driver docker --online` pulls the real images instead, or pass --image with a node image that has busybox (docker:dind has it)";
    DOCKER_STAND_IN_BUSYBOX = "cannot make the stand-in images from the busybox of the node image {image}: {why}. `lab cluster up --driver docker --online` pulls the real images instead";
    DOCKER_REGISTRY_NOT_READY = "the practice swarm's registry (container {container}) is not serving: {why}. `docker logs {container}` says why; `lab cluster down --driver docker` and `up` again";
    DOCKER_CERTS = "cannot generate the cluster's TLS certificates: {error}";
    OPTION_EMPTY_IMAGE = "--image is empty";
    OPTION_CLUSTER_NAME = "cluster name \"{name}\": use 1 to 32 lowercase letters, digits and dashes";
    OPTION_NO_SUCH_NODE = "there is no node{node}: the cluster has node1 to node{count}";
    PUBLISH_NOT_A_PORT = "--publish {item}: \"{text}\" is not a port number; use PORT or HOST_PORT:NODE_PORT, e.g. 80,5001";
    PUBLISH_API_PORT = "--publish {item}: port {port} is the node's own API";
    PUBLISH_TWICE = "--publish: host port {port} is given twice";
    API_CREATE_NETWORK = "create network {name}";
    API_LIST_CONTAINERS = "list containers";
    API_LIST_NETWORKS = "list networks";
    API_LIST_VOLUMES = "list volumes";
    API_CREATE_VOLUME = "create volume {name}";
    API_CREATE_CONTAINER = "create container {name}";
    API_COPY_CERTIFICATE = "copy the TLS certificate into {name}";
    API_COPY_REGISTRY = "copy the registry's files into {name}";
    API_START_CONTAINER = "start container {name}";
    API_STOP_CONTAINER = "stop container {name}";
    API_REMOVE_CONTAINER = "remove container {name}";
    API_REMOVE_VOLUME = "remove volume {name}";
    API_REMOVE_NETWORK = "remove network {name}";
    API_INSPECT_CONTAINER = "inspect the container of {node}";
    NODE_SWARM_INIT = "swarm init";
    NODE_JOIN_TOKEN = "reading the join token";
    NODE_SWARM_JOIN = "swarm join";
    NODE_NODE_ID = "reading its node id";
    NODE_INSPECT = "inspecting its node";
    NODE_PROMOTE = "promoting it to manager";
    NODE_LOAD_IMAGES = "loading the stand-in images";
    IO_WRITE_CERTIFICATE = "cannot write a certificate";
    IO_CREATE_CERT_DIR = "cannot create the certificate folder";
    IO_MAKE_CERT_DIR_PRIVATE = "cannot make the certificate folder private";
    IO_REMOVE_CERT_DIR = "cannot remove the certificate folder";

    // Why no engine address could be found (exit code 2).
    ENDPOINT_HOST_AND_CONTEXT = "conflicting options: give either --host or --context, not both";
    ENDPOINT_NO_SUCH_CONTEXT = "docker context \"{name}\" not found: no {path} (list contexts with `docker context ls`)";
    ENDPOINT_BAD_CONTEXT = "docker context \"{name}\" is unreadable: {why} ({path})";
    CONTEXT_NO_DOCKER_ENDPOINT = "it has no docker endpoint";
    CONTEXT_SKIPS_TLS_VERIFY = "it skips TLS verification, which `lab` does not do; give the context a CA (docker context update --docker \"host=…,ca=…,cert=…,key=…\")";
    ENDPOINT_BAD_CONFIG = "cannot read {path}: {why}";
    ENDPOINT_MISSING_TLS = "TLS is on for {host} but {missing} is missing; set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem";
    /// `{why}`: one of the reasons below.
    HOST_ERROR = "`{host}` is not an engine address: {why}; use unix:///path, npipe:////./pipe/NAME, tcp://host:port or ssh://user@host";
    HOST_NOT_ABSOLUTE = "a unix socket path must be absolute";
    HOST_NEEDS_PORT = "it needs a host and a port (2375, or 2376 with TLS)";
    HOST_NEEDS_HOST = "it needs a host";
    HOST_HTTP = "docker does not take http:// or https:// addresses (write tcp://host:port)";
    HOST_BAD_SCHEME = "the scheme must be unix, npipe, tcp or ssh";
    HOST_NO_SCHEME = "it has no scheme (unix://, npipe://, tcp:// or ssh://)";
    HOST_PIPE_NAME = "a named pipe is written npipe:////./pipe/NAME (or npipe:////SERVER/pipe/NAME)";

    // The report in Markdown (`lab grade`'s feedback pages).
    MD_SCORE = "**Score: {score}/{max}**";
    MD_CHECKS_HEAD = "| | check | points |";
    MD_CHECK_HEADING = "{title} ({status})";
    MD_MISMATCH = "- **{field}**: expected {expected}, found {found}";
    MD_HINT = "**Hint:** {hint}";
    /// `{cause}`: [`CAUSE_TASK_FAILED`].
    MD_CAUSE = "**Cause:** {cause}";
    MD_LOGS = "The last lines of `docker service logs {service}`:";
    MD_FIX = "**Fix:**";
    MD_FIX_NOTE = "**Fix:** {note}.";

    // `lab grade`: feedback pages of clusters that could not be graded.
    FB_NOT_GRADED_SCORE = "**Score: 0/{max} — your cluster could not be graded ({status})**";
    FB_WHAT_WENT_WRONG = "## What went wrong";
    FB_WHAT_TO_FIX = "## What to fix";
    FB_WHAT_WILL_BE_GRADED = "## What will be graded";
    FB_CHECKS_HEAD = "| check | points |";
    FB_FOOTER = "Graded by `lab grade` for **{learner}** at `{endpoint}`. Check your swarm yourself at any time with `lab check {lab}`.";
    FIX_UNREACHABLE = "Nothing answered at `{endpoint}`. Make sure the engine is running (`docker info` on that machine), that the roster has the address you meant to submit, and that the grading machine can reach it: for `tcp://`, the daemon listens on that address and port and no firewall blocks it; for `ssh://`, your instructor's key is authorised on that machine.";
    FIX_TLS = "The TLS handshake with `{endpoint}` failed. The engine's server certificate must be signed by the CA your instructor has, and name the address in the roster (an IP or DNS entry in its subjectAltName); the engine must trust the CA of the client certificate (`dockerd --tlsverify --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem`). Try it yourself: `docker --tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem -H {endpoint} info`.";
    FIX_NOT_SWARM = "The engine answers, but it is not in swarm mode. Run `docker swarm init` on it (or join it to your swarm), or, if your swarm runs on other machines, point the endpoint at a manager of that swarm.";
    FIX_NOT_MANAGER = "The endpoint is a worker node: workers cannot list services, tasks or nodes, so nothing could be graded. Point the endpoint at a manager: on a manager, `docker node ls` shows the managers (MANAGER STATUS `Leader` or `Reachable`); submit that node's address. Or promote this node from a manager: `docker node promote <node>`.";
    FIX_TIMEOUT = "The engine accepted the connection but did not answer in time. Check that it is healthy (`docker info` should answer at once) and not overloaded, and that nothing in between (a proxy, an SSH tunnel) holds the connection open without forwarding it.";
    FIX_ENGINE_ERROR = "The engine answered with an error. Run `docker info` and `docker service ls` against the endpoint and fix what they report.";

    // `lab grade`: progress and the class summary.
    GRADED_MESSAGE = "{passed} of {total} checks passed";
    GRADE_INTERNAL_ERROR = "internal error while grading this cluster: {error}";
    GRADE_START_ONE = "lab grade {lab}: {n} learner from {roster}, up to {jobs} at once, {timeout} per cluster";
    GRADE_START_MANY = "lab grade {lab}: {n} learners from {roster}, up to {jobs} at once, {timeout} per cluster";
    /// indicatif's progress bar template: its `{…}` are indicatif's own.
    GRADE_BAR = "{spinner} [{bar:30}] {pos}/{len} graded or given up {elapsed} {msg}";
    GRADE_PROGRESS_GRADED = "[{done}/{total}] {learner}: graded, {score}/{max} ({seconds}s)";
    GRADE_PROGRESS_NOT_GRADED = "[{done}/{total}] {learner}: {status} ({seconds}s): {message}";
    GRADE_WROTE_ONE = "wrote gradebook.csv, grades.json, junit.xml and {n} feedback page to {dir}";
    GRADE_WROTE_MANY = "wrote gradebook.csv, grades.json, junit.xml and {n} feedback pages to {dir}";
    SUMMARY_GRADED = "graded {graded} of {learners} learners";
    SUMMARY_NOT_GRADED = "; {n} could not be graded ({why})";
    SUMMARY_SCORES = "scores of the graded: mean {mean}, median {median} (of {max})";
    SUMMARY_SCORES_ALL = "; over the whole roster, counting 0 for those not graded: mean {mean}";
    SUMMARY_NO_SCORES = "no cluster could be graded, so there are no scores";
    SUMMARY_MOST_FAILED = "most-failed checks:";
    SUMMARY_FAILED_OF = "{failed} of {of}";
    SUMMARY_FLAGS = "integrity flags:";
    SUMMARY_SAME_SWARM_BY_NODES = "the same swarm (common node IDs)";
    SUMMARY_SAME_SWARM = "the same swarm {swarm}";
    SUMMARY_SAME_ENDPOINT = "the same endpoint {endpoint}";
    SUMMARY_FLAG = "{flag}: {learners} submitted {what}";
    SUMMARY_TOOK = "took {elapsed}s (one cluster after another: {serial}s)";

    // `lab demo` and `lab solve`.
    DEMO_NOT_IN_SWARM_MODE = "the running practice swarm was started outside swarm mode (`cluster up --no-swarm`); `{me} cluster down` first, then `{me} demo` starts one in swarm mode";
    /// Where the engine address came from, for `lab demo`.
    PRACTICE_SWARM = "the practice swarm";
    DEMO_APPLYING = "Applying the reference answer of {lab} …";
    DEMO_HAS_SERVICES = "The practice swarm already has services: checking them as they are (`{me} cluster down` to start over).";
    DEMO_CHECKING = "Checking {lab} (waiting up to 90s for tasks to converge) …";
    DEMO_TRY_IT = "Try it yourself:";
    SOLVE_CANNOT_LIST = "cannot list the services at {host} ({source}): {error}";
    SOLVE_ASK = "The swarm at {host} already has {n} service(s): {services}. Apply the answer of {lab} anyway?";
    SOLVE_NOT_A_TERMINAL = "Not a terminal, so not asking: pass --yes to apply it.";
    SOLVE_NOTHING_CHANGED = "Nothing changed.";
    SOLVE_APPLIED = "Applied the answer of {lab}. Check it with: {me} check {lab} --wait 60s";
    SOLVE_REFUSED = "refusing to fill in {placeholder} of `{line}`: the engine at {host} gave {value}, which is not {allowed}. Nothing was run; check what that engine reports (`docker info`, `docker swarm join-token worker`)";
    /// What `<nodeN-ip>` allows, for SOLVE_REFUSED.
    SOLVE_ALLOWS_ADDRESS = "an IP address";
    /// What `<worker-token>` and `<manager-token>` allow.
    SOLVE_ALLOWS_TOKEN = "a swarm join token (SWMTKN-1-…)";
    /// What `<service-name>` and `<container-name>` allow.
    SOLVE_ALLOWS_NAME = "a docker name (letters, digits, `_`, `.` and `-`)";

    // `lab serve`.
    SERVE_NO_BOOK = "cannot find the book (a folder holding book.toml): run from the workbook's folder or pass --book DIR";
    SERVE_PUBLIC = "listening on {ip}: anyone who can reach this address can read your swarm's state through the book";
    SERVE_UNKNOWN_PREPROCESSOR = "{file} names the preprocessor `{name}`, which `lab serve` does not run: it builds the book with its own preprocessors only ({known}). Remove [preprocessor.{name}] from it, or build that book with mdbook";
    SERVE_UNKNOWN_RENDERER = "{file} names the renderer `{name}`, which `lab serve` does not run: it builds the HTML book only. Remove [output.{name}] from it, or build that book with mdbook";
    SERVE_NO_TEMP = "cannot create a folder for the built book: {error}; set TMPDIR to a writable folder";
    SERVE_BUILDING = "building the book from {dir} …";

    // `lab serve`: the live lab cards' words (the page's script asks `/api/words` for the `LIVE_` ones).
    LIVE_PROGRESS = "Your progress: {done} of {total} labs completed.";
    LIVE_LAB_ITEM = "{title} ({chapter})";
    LIVE_LAB_ITEM_DONE = "{title} ({chapter}): completed {date}";
    LIVE_READING = "reading your swarm…";
    LIVE_CHECK_NOW = "Check now";
    LIVE_ALL_PASS = "all checks pass: lab completed";
    LIVE_ONE_TO_GO = "{n} check to go · updated {time}";
    LIVE_MANY_TO_GO = "{n} checks to go · updated {time}";
    LIVE_CHECKING = "checking…";
    LIVE_CANNOT_READ = "cannot read your swarm: {error}";
    LIVE_NOT_ANSWERING = "lab serve is not answering";
    LIVE_NOT_ANSWERING_RETRYING = "lab serve is not answering (retrying)";
    LIVE_LOST = "lost the engine: {error} (retrying)";
    LIVE_FIELD = "field";
    LIVE_EXPECTED = "expected";
    LIVE_FOUND = "found";
    LIVE_CAUSE = "cause: a task of {service} failed: {error}";
    LIVE_LOGS = "the last lines of docker service logs {service}:";
    SERVE_UNKNOWN_LAB = "unknown lab `{id}`; labs: {ids}";

    // clap's help and usage errors, told again in the run's language (the help texts
    // themselves come from the command line's definition, extracted by lab-runner).
    /// Headings of `--help`.
    CLAP_USAGE = "Usage:";
    CLAP_COMMANDS = "Commands:";
    CLAP_ARGUMENTS = "Arguments:";
    CLAP_OPTIONS = "Options:";
    CLAP_POSSIBLE_VALUES_HEADING = "Possible values:";
    /// What clap says of the flags and the subcommand it adds itself.
    CLAP_PRINT_HELP_MORE = "Print help (see more with '--help')";
    CLAP_PRINT_HELP_SUMMARY = "Print help (see a summary with '-h')";
    CLAP_PRINT_HELP = "Print help";
    CLAP_PRINT_VERSION = "Print version";
    CLAP_HELP_COMMAND = "Print this message or the help of the given subcommand(s)";
    CLAP_HELP_COMMAND_ARGUMENT = "Print help for the subcommand(s)";
    /// The brackets after a flag's help: `[default: 30s]`, `[env: SWARM_LAB_LABS=]`, …
    CLAP_DEFAULT = "[default: {value}]";
    CLAP_ENV = "[env: {value}]";
    CLAP_POSSIBLE_VALUES = "[possible values: {values}]";
    CLAP_ALIASES = "[aliases: {values}]";
    /// The word before a suggestion of a usage error.
    CLAP_TIP = "tip:";
    CLAP_TRY_HELP = "For more information, try '{help}'.";
    CLAP_MISSING_ARGUMENTS = "the following required arguments were not provided:";
    CLAP_UNEXPECTED_ARGUMENT = "unexpected argument '{arg}' found";
    CLAP_SIMILAR_ARGUMENT = "a similar argument exists: {names}";
    CLAP_SIMILAR_SUBCOMMAND = "a similar subcommand exists: {names}";
    CLAP_SIMILAR_VALUE = "a similar value exists: {names}";
    CLAP_PASS_AS_VALUE = "to pass '{arg}' as a value, use '-- {arg}'";
    CLAP_INVALID_VALUE = "invalid value '{value}' for '{arg}'";
    CLAP_INVALID_VALUE_WHY = "invalid value '{value}' for '{arg}': {why}";
    CLAP_VALUE_REQUIRED = "a value is required for '{arg}' but none was supplied";
    CLAP_UNRECOGNIZED_SUBCOMMAND = "unrecognized subcommand '{name}'";
    CLAP_SUBCOMMAND_REQUIRED = "'{name}' requires a subcommand but one was not provided";
    CLAP_SUBCOMMANDS = "[subcommands: {values}]";
    CLAP_USED_TWICE = "the argument '{arg}' cannot be used multiple times";
    CLAP_CONFLICT = "the argument '{arg}' cannot be used with '{other}'";
    CLAP_CONFLICT_MANY = "the argument '{arg}' cannot be used with:";
    CLAP_CONFLICT_OTHERS = "the argument '{arg}' cannot be used with one or more of the other specified arguments";
    CLAP_TOO_MANY_VALUES = "unexpected value '{value}' for '{arg}' found; no more were expected";
    CLAP_WRONG_NUMBER_OF_VALUES = "'{arg}' takes {expected} value(s), but {actual} were given";
    CLAP_NO_EQUALS = "equal sign is needed when assigning values to '{arg}'";
    CLAP_INVALID_UTF8 = "invalid UTF-8 was detected in one or more arguments";
    CLAP_BAD_COMMAND_LINE = "the command line is not valid";

    // Bad flag values (exit code 2), said by the flags' parsers while clap reads them.
    /// `{why}`: one of the five reasons after it (lab-schema's `DurationError`).
    VALUE_NOT_A_DURATION = "`{text}` is not a duration: {why}; write it like `90s`, `2m`, `1m30s` or `500ms`";
    DURATION_EMPTY = "it is empty";
    DURATION_NO_NUMBER = "each part must start with a number";
    DURATION_TOO_LARGE = "the number is too large";
    DURATION_NO_UNIT = "a number needs a unit (ms, s, m or h)";
    DURATION_BAD_UNIT = "the unit must be ms, s, m or h";
    VALUE_ZERO = "`{text}` is zero; give a time above 0, like `30s`";
    VALUE_TOO_LONG = "`{text}` is more than a day (24h), the most taken";
    VALUE_NOT_A_NUMBER = "`{text}` is not a whole number";
    VALUE_OUT_OF_RANGE = "{n} is out of range: give {min} to {max}";
    VALUE_NOT_A_NODE = "`{text}` is not a node: give node1, node2, … (or 1, 2, …)";
    VALUE_EMPTY_ID = "it is empty; give a check id (`lab show LAB` lists them)";
    // `lab grade --live`: the command line.
    GRADE_LIVE_START_ONE = "lab grade {lab} --live: following {n} learner from {roster}, {timeout} per read";
    GRADE_LIVE_START_MANY = "lab grade {lab} --live: following {n} learners from {roster}, {timeout} per read";
    GRADE_LIVE_PUBLIC = "listening on {ip}: anyone who can reach this address can see every learner's grades and the engines' messages";
    GRADE_LIVE_CANNOT_LISTEN = "cannot listen on {addr}: {error}. Is another `lab grade --live` or `lab serve` running? Try --port with another number (0: any free port)";
    GRADE_LIVE_STOPPING = "stopping: writing the gradebook of the class as it stands …";
    GRADE_LIVE_NOTHING_WRITTEN = "stopped; nothing written (start with --out DIR to keep a gradebook)";
    GRADE_LIVE_WAITING = "waiting for the engine's first answer";
    GRADE_LIVE_NO_ANSWER = "the engine has not answered in {seconds}s";
    GRADE_LIVE_NO_OUT = "no --out folder was given: start `lab grade --live` with --out DIR to export the gradebook";
    GRADE_NEEDS_OUT = "lab grade needs --out DIR, the folder for the gradebook (only --live may go without it)";
    GRADE_LIVE_JOBS = "--jobs does not apply to --live: every learner's engine is followed at once, one event stream each";
    GRADE_LIVE_WAIT = "--wait does not apply to --live: the live view re-reads a converging swarm by itself";
    GRADE_NEEDS_LIVE = "{flag} is for the live class view: add --live";

    // `lab grade --live`: the class page's words (its script asks `/api/words` for the `CLASS_` ones).
    CLASS_TITLE = "Live class view";
    CLASS_LEARNER = "Learner";
    CLASS_STATUS = "Status";
    CLASS_SCORE = "Score";
    CLASS_LAST_CHANGE = "Last change";
    CLASS_SINCE_PROGRESS = "Since progress";
    CLASS_FLAGS = "Integrity flags";
    CLASS_PASSED_ROW = "Passed";
    CLASS_SUMMARY = "{graded} of {n} learners graded · {full} at full marks · {stuck} stuck";
    CLASS_STUCK = "stuck on {check} for {time}";
    CLASS_AGO = "{time} ago";
    CLASS_SECONDS = "{n} s";
    CLASS_MINUTES = "{n} min";
    CLASS_HOURS = "{n} h";
    CLASS_SORT = "Click a column heading to sort by it";
    CLASS_EXPORT = "Export gradebook";
    CLASS_EXPORTED = "Wrote gradebook.csv, grades.json, junit.xml and the feedback pages to {dir}";
    CLASS_EXPORT_FAILED = "Export failed: {error}";
    CLASS_LIVE = "live";
    CLASS_DISCONNECTED = "lost the connection to lab grade (retrying)";
    CLASS_MARK_PASS = "pass";
    CLASS_MARK_FAIL = "fail";
    CLASS_MARK_CONVERGING = "converging";
    CLASS_STATUS_WAITING = "connecting";
    CLASS_STATUS_GRADED = "graded";
    CLASS_STATUS_UNREACHABLE = "unreachable";
    CLASS_STATUS_TLS_ERROR = "TLS error";
    CLASS_STATUS_NOT_SWARM = "not a swarm";
    CLASS_STATUS_NOT_MANAGER = "not a manager";
    CLASS_STATUS_TIMEOUT = "timeout";
    CLASS_STATUS_ERROR = "error";

    // Flags that do not go together (exit code 2).
    MANAGERS_ABOVE_NODES = "--managers {managers} is more than --nodes {nodes}: a swarm of {nodes} node(s) has at most {nodes} manager(s)";
    ONLY_AND_SKIP = "check `{id}` is given to both --only and --skip; keep one";
    WATCH_JUNIT = "--watch prints human or JSON reports; --format junit is for one-shot runs";
    WAIT_NOT_SHORTER = "--wait {wait} must be shorter than --timeout {timeout}: the wait happens within each cluster's time limit";

    // Drills: the cards' section and `lab drill`.
    DRILLS = "Drills";
    DRILLS_INTRO = "Put the lesson's promises to the test on your own swarm: `lab drill` injects each fault, measures what a user would see, and puts the swarm back.";
    RUN_THE_DRILLS = "Run the drills";
    DRILL_INFORMATIONAL = "informational";
    DRILL_EXPECTED = "Expected";
    FAULT_KILL_TASK = "a container of {service} is removed";
    FAULT_ROLLING_UPDATE = "{service} is updated (forced: same spec, new tasks)";
    FAULT_NODE_DOWN_SERVICE = "the engine of a node running {service} stops, then starts again";
    FAULT_NODE_DOWN = "a node's engine stops, then starts again";
    FAULT_MANAGER_LOSS = "one manager's engine stops, then starts again";
    FAULT_NODE_DRAINED = "the node running {service} is drained, then set active again";
    EXPECT_RECOVERY = "back to its replicas within {duration}";
    EXPECT_NODE_RECOVERY = "the node Ready again within {duration}";
    EXPECT_AVAILABILITY = "answers {share} of requests on port {port}";
    EXPECT_QUORUM = "the swarm keeps answering (quorum)";
    EXPECT_NO_QUORUM = "the swarm stops answering (no quorum)";
    EXPECT_DATA = "the {counts} count on {service} is kept";
    MEASURED_RECOVERED_ONE = "back to {n} replica {seconds} s after the fault";
    MEASURED_RECOVERED_MANY = "back to {n} replicas {seconds} s after the fault";
    MEASURED_NOT_RECOVERED = "not back to its replicas after {seconds} s ({running} of {desired} running)";
    MEASURED_NODE_READY = "{node} Ready again {seconds} s after its engine started";
    MEASURED_NODE_NOT_READY = "{node} not Ready {seconds} s after its engine started";
    MEASURED_ANSWERED = "{answered} of {probes} probes answered ({share}), longest gap {gap} s";
    MEASURED_NO_PROBE = "no probe was answered or sent";
    MEASURED_QUORUM = "the swarm answered {answered} of {reads} reads while {node} was down";
    MEASURED_NO_QUORUM_READ = "the swarm was not read while {node} was down";
    MEASURED_DATA = "{counts} on {service}: {before} before, {after} after";
    MEASURED_DATA_LOST = "the {counts} are gone: {before} before, {after} after (a named volume stays on its node)";
    MEASURED_DATA_UNREAD = "{counts} on {service}: not read ({error})";
    DRILL_SKIPPED = "skipped: {why}";
    DRILL_RESTORE_FAILED = "could not put the swarm back: {error}";
    DRILL_REPORT_HEAD = "lab drill {lab}: {passed} of {total} drills passed";
    DRILL_TIMELINE = "timeline";
    DRILL_TIMELINE_REPLICAS = "replicas";
    DRILL_TIMELINE_ANSWERS = "answers";
    DRILL_STATUS_PASS = "pass";
    DRILL_STATUS_FAIL = "fail";
    DRILL_STATUS_INFO = "info";
    DRILL_STATUS_SKIPPED = "skipped";
    DRILL_MEASURED = "Measured";
    ACTION_REMOVE_CONTAINER = "remove container {container} of {service} on {node} (docker container rm -f)";
    ACTION_FORCE_UPDATE = "force an update of {service} (docker service update --force {service})";
    ACTION_STOP_ENGINE = "stop the engine of {node}, then start it again";
    ACTION_DRAIN = "drain {node}, then set it active again (docker node update --availability drain|active {node})";
    DRILL_PLAN = "{id}: {action}";
    DRILL_NOT_PRACTICE = "{host} is not the practice swarm, and drills change the swarm they run on. Run again with --yes to do this; nothing was changed:";
    DRILL_UNKNOWN = "lab {lab} has no drill `{id}`; its drills: {ids}.";
    DRILL_NONE = "lab {lab} has no drills (no [[drill]] table in {file}); labs with drills: {labs}";
    DRILL_NO_SERVICE = "drill {id}: no service {service} on this swarm; build the lab first (lab check {lab})";
    DRILL_NO_REPLICAS = "drill {id}: {service} runs no task, so nothing can be measured; build the lab first (lab check {lab})";
    DRILL_TOO_FEW_NODES = "drill {id} needs {needed} Ready nodes and this swarm has {ready}: its tasks would have nowhere to go. Nothing was changed; join more nodes first (docker swarm join-token worker prints the command), or leave this drill out with --only";
    DRILL_TWO_MANAGERS = "drill {id} needs 3 managers and this swarm has {managers}: stopping one of {managers} leaves no majority, and the swarm would stop answering until it is back. Nothing was changed; make three managers first (docker node promote NODE, or join nodes with the command docker swarm join-token manager prints)";
    DRILL_ONLY_HERE = "every task of {service} runs on {node}, the node lab talks to; stopping it would stop the drill too";
    DRILL_NO_TASK_HERE = "no task of {service} runs on {node}, the only engine lab can reach on a swarm that is not the practice swarm";
    DRILL_NO_ENGINE_STOP = "lab can stop an engine only on the practice swarm; on yours, stop one manager's engine yourself (systemctl stop docker) and watch docker node ls on another";
    DRILL_NOT_CONVERGED = "{service} runs {running} of {desired} replicas before the drill; it must be whole first (lab check {lab} --wait 60s)";
    DRILL_INTERRUPTED = "interrupted: the swarm was put back";
    DRILL_INTERRUPTED_RESTORE_FAILED = "interrupted, and the swarm could not be put back: {error}";
    DRILL_RUNNING = "drill {id}: {action} …";
}
