//! Faults: the one vocabulary of what a learner, the page or a swarm can do to the cluster —
//! kill, stop, start, restart, pause and resume a server or broker; partition, cut, heal, lose and
//! delay messages on the network.
//!
//! The terminal turns `zk kill 2` or `net partition zk1 | zk2,zk3` into a [`Fault`] and applies
//! it; the page's clicks build a [`Fault`] and run its terminal line (so the learner sees what was
//! typed for them); the ZooKeeper and Kafka swarms draw [`Fault`]s and apply them. Each fault's
//! `Display` is the terminal line that does the same, so a swarm's fault list is a script.
//!
//! What it models: the process signals an operator sends (`kill -9`, SIGTERM, SIGSTOP/SIGCONT, a
//! long stop-the-world GC pause) and the network faults of a test lab (iptables drops that hold
//! TCP traffic until healed, `tc netem` loss and delay). Upstream has no such file: the faults are
//! the ones the seed walkthrough and Jepsen-style tests apply to ZooKeeper 3.5.9 and Kafka 2.8.
//!
//! What it simplifies: loss and delay apply to every link at once; a partition's groups cut every
//! link between them both ways and leave links inside a group alone.

use std::fmt;

use crate::cluster::{Cluster, Proc};
use crate::kafka::types::BrokerId;
use crate::sim::rng::Ppm;
use crate::sim::time::Duration;
use crate::sim::NodeId;
use crate::terminal::ast::{NetCmd, NodeAction};

/// A server process a fault acts on: ZooKeeper server `myid` N or Kafka broker `broker.id` N.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Server {
    Zk(u32),
    Broker(u32),
}

impl Server {
    /// The world's name of the node (`zk2`, `b1`).
    pub fn name(&self) -> String {
        match self {
            Server::Zk(i) => format!("zk{i}"),
            Server::Broker(i) => format!("b{i}"),
        }
    }
    /// The terminal's command word (`zk`, `broker`).
    pub fn word(&self) -> &'static str {
        match self {
            Server::Zk(_) => "zk",
            Server::Broker(_) => "broker",
        }
    }
    fn id(&self) -> u32 {
        match self {
            Server::Zk(i) | Server::Broker(i) => *i,
        }
    }
}

/// Everything that can go wrong, typed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Fault {
    /// `kill -9`: volatile state lost, durable state kept, connections reset.
    Kill(Server),
    /// SIGTERM: a graceful shutdown (a broker's controlled shutdown first).
    Stop(Server),
    /// Start a stopped or killed server from its durable state.
    Start(Server),
    /// Kill, then start again at once.
    Restart(Server),
    /// SIGSTOP, or a long GC pause: timers do not fire, inbound messages wait.
    Pause(Server),
    /// SIGCONT: the paused process sees the clock jump.
    Resume(Server),
    /// Groups of node names; every link between different groups is cut both ways.
    Partition(Vec<Vec<String>>),
    /// A one-way cut: messages from `from` to `to` are held.
    Cut { from: String, to: String },
    /// Every partition and cut removed; held messages go on their way (loss and delay stay).
    Heal,
    /// A share of transmissions lost (TCP retransmits them: late, in order), in parts per million.
    Loss { ppm: u32 },
    /// Every message takes between `min` and `max` to arrive.
    Delay { min: Duration, max: Duration },
}

impl fmt::Display for Fault {
    /// The terminal line that applies this fault.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = |f: &mut fmt::Formatter<'_>, verb: &str, s: &Server| write!(f, "{} {verb} {}", s.word(), s.id());
        match self {
            Fault::Kill(s) => node(f, "kill", s),
            Fault::Stop(s) => node(f, "stop", s),
            Fault::Start(s) => node(f, "start", s),
            Fault::Restart(s) => node(f, "restart", s),
            Fault::Pause(s) => node(f, "pause", s),
            Fault::Resume(s) => node(f, "resume", s),
            Fault::Partition(groups) => {
                let g: Vec<String> = groups.iter().map(|g| g.join(",")).collect();
                write!(f, "net partition {}", g.join(" | "))
            }
            Fault::Cut { from, to } => write!(f, "net cut {from}->{to}"),
            Fault::Heal => write!(f, "net heal"),
            Fault::Loss { ppm } => write!(f, "net loss {}", percent(*ppm)),
            Fault::Delay { min, max } => write!(f, "net delay {min}-{max}"),
        }
    }
}

/// `12.5%` for 125,000 ppm.
pub fn percent(ppm: u32) -> String {
    if ppm.is_multiple_of(10_000) {
        format!("{}%", ppm / 10_000)
    } else {
        format!("{}.{:04}%", ppm / 10_000, ppm % 10_000).trim_end_matches('0').to_string()
    }
}

impl Fault {
    /// The fault's kind, one word (for swarm coverage and the page): `kill`, `partition`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Kill(_) => "kill",
            Fault::Stop(_) => "stop",
            Fault::Start(_) => "start",
            Fault::Restart(_) => "restart",
            Fault::Pause(_) => "pause",
            Fault::Resume(_) => "resume",
            Fault::Partition(_) => "partition",
            Fault::Cut { .. } => "cut",
            Fault::Heal => "heal",
            Fault::Loss { .. } => "loss",
            Fault::Delay { .. } => "delay",
        }
    }

    /// The fault a terminal node command names (`zk kill 2`, `broker pause 1`).
    pub fn node(action: NodeAction, s: Server) -> Fault {
        match action {
            NodeAction::Start => Fault::Start(s),
            NodeAction::Stop => Fault::Stop(s),
            NodeAction::Kill => Fault::Kill(s),
            NodeAction::Restart => Fault::Restart(s),
            NodeAction::Pause => Fault::Pause(s),
            NodeAction::Resume => Fault::Resume(s),
        }
    }

    /// The fault a terminal `net` command names (`None` for `net status`).
    pub fn net(cmd: &NetCmd) -> Option<Fault> {
        Some(match cmd {
            NetCmd::Partition(groups) => Fault::Partition(groups.clone()),
            NetCmd::Cut { from, to } => Fault::Cut { from: from.clone(), to: to.clone() },
            NetCmd::Loss { ppm } => Fault::Loss { ppm: *ppm },
            NetCmd::Delay { min, max } => Fault::Delay { min: *min, max: *max },
            NetCmd::Heal => Fault::Heal,
            NetCmd::Status => return None,
        })
    }

    /// The server a process fault acts on.
    pub fn server(&self) -> Option<Server> {
        match self {
            Fault::Kill(s) | Fault::Stop(s) | Fault::Start(s) | Fault::Restart(s) | Fault::Pause(s) | Fault::Resume(s) => Some(*s),
            _ => None,
        }
    }

    /// Apply the fault to the cluster. `Ok` is the one line the terminal prints for it; `Err` a
    /// one-line error that names the command (nothing changed then).
    pub fn apply(&self, c: &mut Cluster) -> Result<String, String> {
        if let Some(s) = self.server() {
            return self.apply_to_server(c, s);
        }
        match self {
            Fault::Partition(groups) => {
                let mut ids: Vec<Vec<NodeId>> = Vec::new();
                for g in groups {
                    ids.push(g.iter().map(|n| resolve(c, n)).collect::<Result<_, _>>()?);
                }
                for (i, a) in ids.iter().enumerate() {
                    for (j, b) in ids.iter().enumerate() {
                        if i != j {
                            for x in a {
                                for y in b {
                                    c.world.bus.set_cut(*x, *y, true);
                                }
                            }
                        }
                    }
                }
                let desc: Vec<String> = groups.iter().map(|g| g.join(",")).collect();
                Ok(format!("net: partitioned {} (messages between the groups are held until `net heal`)", desc.join(" | ")))
            }
            Fault::Cut { from, to } => {
                let a = resolve(c, from)?;
                let b = resolve(c, to)?;
                if a == b {
                    return Err("net: cannot cut a node from itself".into());
                }
                c.world.bus.set_cut(a, b, true);
                Ok(format!("net: cut {from} -> {to} (one way)"))
            }
            Fault::Heal => {
                c.world.bus.heal();
                c.world.release_held();
                Ok("net: healed (held messages are on their way)".into())
            }
            Fault::Loss { ppm } => {
                c.world.bus.config.loss = Ppm((*ppm).min(1_000_000));
                Ok(format!("net: loss {} (lost transmissions are retransmitted by TCP: late, in order)", percent(*ppm)))
            }
            Fault::Delay { min, max } => {
                c.world.bus.config.delay_min = *min;
                c.world.bus.config.delay_max = *max;
                Ok(format!("net: delay {min}-{max}"))
            }
            _ => Err("fault: not a network fault".into()),
        }
    }

    fn apply_to_server(&self, c: &mut Cluster, s: Server) -> Result<String, String> {
        let (node, started) = match s {
            Server::Zk(id) => {
                let Some(node) = c.zk_node(id) else {
                    let n = c.shape.zk;
                    return Err(format!("zk: no server {id} (the ensemble has {n}: zk1..zk{n})"));
                };
                (node, format!("started (myid {id}, clientPort {})", 2180 + id))
            }
            Server::Broker(id) => {
                let Some(node) = c.broker_node(id) else {
                    let n = c.shape.brokers;
                    return Err(if n == 0 {
                        format!("broker: no broker {id} (the cluster has no brokers)")
                    } else {
                        format!("broker: no broker {id} (the cluster has {n}: b1..b{n})")
                    });
                };
                let port = c.kafka_cfg.port_of(BrokerId(id as i32));
                (node, format!("started (broker.id {id}, listener PLAINTEXT://localhost:{port})"))
            }
        };
        let zk = matches!(s, Server::Zk(_));
        let name = c.world.name(node);
        let w = &mut c.world;
        let res = match self {
            Fault::Start(_) => w.start(node).map(|_| format!("{name}: {started}")),
            Fault::Stop(_) if zk => w.stop(node).map(|_| format!("{name}: stopped (graceful shutdown)")),
            Fault::Stop(_) => w.stop(node).map(|_| format!("{name}: stopping (controlled shutdown, then the ZooKeeper session is closed)")),
            Fault::Kill(_) if zk => w.crash(node).map(|_| format!("{name}: killed (kill -9)")),
            Fault::Kill(_) => {
                w.crash(node).map(|_| format!("{name}: killed (kill -9); its ZooKeeper session expires after zookeeper.session.timeout.ms"))
            }
            Fault::Restart(_) => {
                if w.is_up(node) {
                    let _ = w.crash(node);
                }
                w.start(node).map(|_| format!("{name}: killed and started again"))
            }
            Fault::Pause(_) => w.pause(node).map(|_| {
                let who = if zk { "its peers' and clients' timeouts" } else { "its ZooKeeper session timeout and replica lag time" };
                format!("{name}: paused (SIGSTOP: no timers, inbound messages wait; {who} keep running)")
            }),
            Fault::Resume(_) => w.resume(node).map(|_| format!("{name}: resumed (SIGCONT: it sees the clock jump)")),
            _ => Err("not a process fault".into()),
        };
        c.check();
        res.map_err(|e| format!("{}: {e}", s.word()))
    }
}

/// A node named in a network fault: a ZooKeeper server, a broker, or a client process that is
/// running (a swarm's writers). Errors list the servers and brokers.
fn resolve(c: &Cluster, name: &str) -> Result<NodeId, String> {
    let n = name.trim();
    let found = c.world.find(n).filter(|id| match c.world.proc(*id) {
        Some(Proc::Zk(_) | Proc::Broker(_)) => true,
        Some(_) => !c.is_free_tool(*id) && c.world.is_up(*id),
        None => false,
    });
    found.ok_or_else(|| {
        let names: Vec<String> = c.zk_nodes.iter().chain(c.broker_nodes.iter()).map(|id| c.world.name(*id)).collect();
        format!("net: unknown node '{n}' (nodes: {})", names.join(", "))
    })
}
