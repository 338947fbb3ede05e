//! The parsed form of one terminal line: the language that the native runner, lesson scripts and
//! the browser terminal share. `parse/` turns text into these values; `exec.rs` runs them.

use crate::sim::time::Duration;

/// One parsed line: a command and an optional `| grep PATTERN` filter on its output.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Line {
    pub cmd: Cmd,
    pub grep: Option<Grep>,
}

/// A trailing `| grep [-v] [-i] PATTERN` (a plain substring match, as the seed uses it).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Grep {
    pub pattern: String,
    /// `-v`: keep the lines that do NOT match.
    pub invert: bool,
    /// `-i`: case-insensitive.
    pub ignore_case: bool,
}

/// What happens to a node.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NodeAction {
    /// Start a stopped or crashed node (from its durable state).
    Start,
    /// Graceful stop (SIGTERM).
    Stop,
    /// Crash (kill -9): volatile state lost, durable state kept.
    Kill,
    /// Kill then start again.
    Restart,
    /// SIGSTOP (or a long GC pause): timers stop, inbound messages wait.
    Pause,
    /// SIGCONT: the paused process runs again and sees the clock jump.
    Resume,
}

/// `host:port` as given on a command line (`localhost:2181`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

/// A network fault command (`net ...`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum NetCmd {
    /// `net partition A,B | C,D [| E]`: groups of node names; links between different groups are cut.
    Partition(Vec<Vec<String>>),
    /// `net cut A->B`: one-way cut, messages from A to B are held.
    Cut { from: String, to: String },
    /// `net loss PERCENT` (0..=100, decimals allowed as `0.5`): stored as parts per million.
    Loss { ppm: u32 },
    /// `net delay MIN-MAX` (`1ms-5ms`, `2-10ms`, `3ms`).
    Delay { min: Duration, max: Duration },
    /// `net heal`: remove every partition and cut (loss and delay stay).
    Heal,
    /// `net` or `net status`: show the current network settings.
    Status,
}

/// One zkCli command (ZooKeeperMain, 3.5.9), typed either as arguments of `zookeeper-shell HOST CMD ...`
/// or inside an interactive `zookeeper-shell HOST` session.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ZkCliCmd {
    Ls {
        path: String,
        stat: bool,
        recursive: bool,
        watch: bool,
    },
    Get {
        path: String,
        stat: bool,
        watch: bool,
    },
    Stat {
        path: String,
        watch: bool,
    },
    /// `data` is `None` when omitted (zkCli then creates the node with null data).
    Create {
        path: String,
        data: Option<String>,
        ephemeral: bool,
        sequential: bool,
    },
    Set {
        path: String,
        data: String,
        version: Option<i32>,
        stat: bool,
    },
    Delete {
        path: String,
        version: Option<i32>,
    },
    Deleteall {
        path: String,
    },
    /// `quit`: closes the session (its ephemerals go at once) and leaves the interactive shell.
    Quit,
    /// `help` or an unknown zkCli command word: zkCli prints its command list.
    Help,
}

/// The Kafka command-line tools; their arguments are parsed by the Kafka module.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KafkaTool {
    Topics,
    ConsoleProducer,
    ConsoleConsumer,
    LeaderElection,
}

/// A parsed command.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Cmd {
    /// Blank line or `# comment`.
    Empty,
    /// `help [TOPIC]`.
    Help(Option<String>),
    /// `status`: a one-screen overview of every node.
    Status,
    /// `cluster [--zk N] [--brokers M]`.
    Cluster {
        zk: Option<u32>,
        brokers: Option<u32>,
    },
    /// `zk start|stop|kill|restart|pause|resume ID`.
    Zk {
        action: NodeAction,
        id: u32,
    },
    /// `broker start|stop|kill|restart|pause|resume ID`.
    Broker {
        action: NodeAction,
        id: u32,
    },
    /// `zookeeper-server-start[.sh] [-daemon] .../zookeeperN.properties`.
    ZkServerStart {
        id: u32,
        daemon: bool,
    },
    /// `zookeeper-server-stop[.sh]`: gracefully stops every ZooKeeper server.
    ZkServerStop,
    /// `kafka-server-start[.sh] [-daemon] .../serverN.properties`.
    KafkaServerStart {
        id: u32,
        daemon: bool,
    },
    /// `kafka-server-stop[.sh]`: gracefully stops every broker.
    KafkaServerStop,
    /// `sleep DURATION`: advance the virtual clock.
    Sleep(Duration),
    /// `step [N]`: deliver the next N events (default 1).
    Step(u64),
    Net(NetCmd),
    /// `echo WORD | nc HOST PORT`: a four-letter word.
    FourLetter {
        word: String,
        host: String,
        port: u16,
    },
    /// `zookeeper-shell[.sh] HOST:PORT[,HOST:PORT...] [CMD ARGS...]`; without CMD it opens an
    /// interactive session.
    ZkShell {
        connect: Vec<HostPort>,
        cmd: Option<ZkCliCmd>,
    },
    /// A zkCli command typed while an interactive session is open.
    ZkCli(ZkCliCmd),
    /// `kafka-topics[.sh] ARGS...` and the other Kafka tools: arguments are kept as words.
    KafkaTool {
        tool: KafkaTool,
        args: Vec<String>,
    },
}
