//! Runs terminal lines against the simulated cluster. Sandbox commands act on the world at once;
//! tools (`nc`, `zookeeper-shell`) are processes on the simulated network, so running one advances
//! the virtual clock until it finishes, exactly as it takes time on a real machine.
//!
//! Every user input is recorded in the trace. A line that does not parse, or names something that
//! does not exist, prints one error line and leaves the simulation untouched.

use crate::cluster::{Cluster, Proc, Shape};
use crate::kafka::broker::Phase;
use crate::kafka::cli::{self, KafkaTool, ToolJob};
use crate::sim::rng::{Ppm, Rng};
use crate::sim::time::Duration;
use crate::sim::trace::narrate;
use crate::sim::world::Life;
use crate::sim::NodeId;
use crate::zk::shell::{NcProc, ShellProc};

use super::ast::{Cmd, Grep, Line, NetCmd, NodeAction, ZkCliCmd};
use super::parse::parse;
use crate::json_out::json_struct;

/// How long a tool may run before the terminal gives up waiting (the tool keeps running).
const TOOL_LIMIT: Duration = Duration::from_secs(60);

json_struct! {
    /// What a line printed.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct Output {
        pub lines: Vec<String>,
        /// The line was rejected (parse error, unknown node, bad state); nothing changed.
        pub error: bool,
    }
}

impl Output {
    fn err(msg: impl Into<String>) -> Output {
        Output { lines: vec![msg.into()], error: true }
    }
    fn lines(lines: Vec<String>) -> Output {
        Output { lines, error: false }
    }
    /// The output as text, one line per line.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

/// A terminal bound to one simulated cluster.
#[derive(Clone, Debug)]
pub struct Terminal {
    pub cluster: Cluster,
    pub seed: u64,
    /// The open interactive `zookeeper-shell`, if any.
    pub shell: Option<NodeId>,
    rng: Rng,
    /// 4lw whitelist for the next `cluster` (None = `*`).
    four_letter: Option<Vec<String>>,
    /// A `kafka-console-producer` reading its input lines (until a line `.`).
    pub producer: Option<(cli::ProducerCmd, Vec<String>)>,
}

impl Terminal {
    /// A terminal on a default cluster (3 ZooKeeper servers, 4 brokers), nothing started.
    pub fn new(seed: u64) -> Terminal {
        Terminal {
            cluster: Cluster::new(seed, Shape::default()),
            seed,
            shell: None,
            rng: Rng::new(seed).fork(0x7465_726d),
            four_letter: None,
            producer: None,
        }
    }

    /// Whether an interactive zookeeper-shell is open (lines parse as zkCli commands first).
    pub fn in_shell(&self) -> bool {
        self.shell.is_some()
    }

    /// Whether a console producer is reading input lines.
    pub fn in_producer(&self) -> bool {
        self.producer.is_some()
    }

    /// Run one line.
    pub fn run_line(&mut self, text: &str) -> Output {
        if let Some((cmd, mut lines)) = self.producer.take() {
            self.cluster.world.record_input(text.trim_end());
            let t = text.trim_end();
            let t = t.strip_prefix('>').map(|x| x.trim_start()).unwrap_or(t);
            if t.trim() == "." {
                let out = self.run_producer(cmd, lines);
                self.cluster.reap_tools();
                return out;
            }
            if lines.len() >= 10_000 {
                self.producer = Some((cmd, lines));
                return Output::err("kafka-console-producer: at most 10000 lines per batch in the sandbox; end the input with a line `.`");
            }
            lines.push(t.to_string());
            self.producer = Some((cmd, lines));
            return Output::default();
        }
        let line = match parse(text, self.in_shell()) {
            Ok(l) => l,
            Err(e) => return Output::err(e),
        };
        if line.cmd != Cmd::Empty {
            self.cluster.world.record_input(text.trim());
        }
        let Line { cmd, grep } = line;
        let mut out = self.exec(cmd);
        // Asynchronous output of an open shell (watch events) shows up after the command's own.
        if let Some(extra) = self.drain_shell() {
            out.lines.extend(extra);
        }
        if let Some(g) = grep {
            out.lines.retain(|l| grep_match(&g, l));
        }
        self.cluster.reap_tools();
        out
    }

    fn drain_shell(&mut self) -> Option<Vec<String>> {
        let id = self.shell?;
        let up = self.cluster.world.is_up(id);
        let Some(Proc::Shell(s)) = self.cluster.world.proc_mut(id) else {
            self.shell = None;
            return None;
        };
        if s.exited || !up {
            self.shell = None;
        }
        Some(std::mem::take(&mut s.out))
    }

    fn exec(&mut self, cmd: Cmd) -> Output {
        match cmd {
            Cmd::Empty => Output::default(),
            Cmd::Help(topic) => Output::lines(super::help::help(topic.as_deref())),
            Cmd::Status => Output::lines(self.status()),
            Cmd::Cluster { zk, brokers } => self.cmd_cluster(zk, brokers),
            Cmd::Zk { action, id } => self.zk_action(action, id, true),
            Cmd::ZkServerStart { id, .. } => self.zk_action(NodeAction::Start, id, false),
            Cmd::ZkServerStop => {
                let ids: Vec<u32> = (1..=self.cluster.shape.zk)
                    .filter(|i| self.cluster.zk_node(*i).map(|n| self.cluster.world.is_up(n)).unwrap_or(false))
                    .collect();
                if ids.is_empty() {
                    return Output::err("No zookeeper server to stop");
                }
                for i in ids {
                    self.zk_action(NodeAction::Stop, i, false);
                }
                Output::default()
            }
            Cmd::Broker { action, id } => self.broker_action(action, id, true),
            Cmd::KafkaServerStart { id, .. } => self.broker_action(NodeAction::Start, id, false),
            Cmd::KafkaServerStop => {
                let ids: Vec<u32> = (1..=self.cluster.shape.brokers)
                    .filter(|i| self.cluster.broker_node(*i).map(|n| self.cluster.world.is_up(n)).unwrap_or(false))
                    .collect();
                if ids.is_empty() {
                    return Output::err("No kafka server to stop");
                }
                for i in ids {
                    self.broker_action(NodeAction::Stop, i, false);
                }
                Output::default()
            }
            Cmd::KafkaTool { tool, args } => self.kafka_tool(tool, args),
            Cmd::Sleep(d) => {
                self.cluster.run_for(d);
                Output::default()
            }
            Cmd::Step(n) => self.step(n),
            Cmd::Net(n) => self.net(n),
            Cmd::FourLetter { word, host, port } => self.four_letter(word, &host, port),
            Cmd::ZkShell { connect, cmd } => self.zk_shell(connect, cmd),
            Cmd::ZkCli(c) => self.zk_cli(c),
        }
    }

    fn cmd_cluster(&mut self, zk: Option<u32>, brokers: Option<u32>) -> Output {
        if self.cluster.started() {
            return Output::err("cluster: the cluster has already started; its shape can only change before any node starts");
        }
        let shape = Shape { zk: zk.unwrap_or(self.cluster.shape.zk), brokers: brokers.unwrap_or(self.cluster.shape.brokers) };
        if !(1..=7).contains(&shape.zk) {
            return Output::err(format!("cluster: --zk must be between 1 and 7, got {}", shape.zk));
        }
        let mut c = Cluster::new(self.seed, shape);
        #[cfg(not(target_arch = "wasm32"))]
        if self.cluster.checking() {
            c.enable_checker();
        }
        let mut cfg = (*c.zk_cfg).clone();
        cfg.four_letter_whitelist = self.four_letter.clone();
        c.set_zk_config(cfg);
        c.world.trace.keep = self.cluster.world.trace.keep;
        self.cluster = c;
        Output::lines(vec![format!(
            "cluster: {} ZooKeeper server{} (zk1..zk{}, client ports 2181..{}), {} broker{}; nothing started yet",
            shape.zk,
            if shape.zk == 1 { "" } else { "s" },
            shape.zk,
            2180 + shape.zk,
            shape.brokers,
            if shape.brokers == 1 { "" } else { "s" }
        )])
    }

    fn zk_action(&mut self, action: NodeAction, id: u32, verbose: bool) -> Output {
        let Some(node) = self.cluster.zk_node(id) else {
            let n = self.cluster.shape.zk;
            return Output::err(format!("zk: no server {id} (the ensemble has {n}: zk1..zk{n})"));
        };
        let name = self.cluster.world.name(node);
        let w = &mut self.cluster.world;
        let res = match action {
            NodeAction::Start => w.start(node).map(|_| format!("{name}: started (myid {id}, clientPort {})", 2180 + id)),
            NodeAction::Stop => w.stop(node).map(|_| format!("{name}: stopped (graceful shutdown)")),
            NodeAction::Kill => w.crash(node).map(|_| format!("{name}: killed (kill -9)")),
            NodeAction::Restart => {
                if w.is_up(node) {
                    let _ = w.crash(node);
                }
                w.start(node).map(|_| format!("{name}: killed and started again"))
            }
        };
        self.cluster.check();
        match res {
            Ok(msg) if verbose => Output::lines(vec![msg]),
            Ok(_) => Output::default(),
            Err(e) => Output::err(format!("zk: {e}")),
        }
    }

    fn broker_action(&mut self, action: NodeAction, id: u32, verbose: bool) -> Output {
        let Some(node) = self.cluster.broker_node(id) else {
            let n = self.cluster.shape.brokers;
            return Output::err(if n == 0 {
                format!("broker: no broker {id} (the cluster has no brokers)")
            } else {
                format!("broker: no broker {id} (the cluster has {n}: b1..b{n})")
            });
        };
        let name = self.cluster.world.name(node);
        let port = self.cluster.kafka_cfg.port_of(crate::kafka::types::BrokerId(id as i32));
        let w = &mut self.cluster.world;
        let res = match action {
            NodeAction::Start => w.start(node).map(|_| format!("{name}: started (broker.id {id}, listener PLAINTEXT://localhost:{port})")),
            NodeAction::Stop => {
                w.stop(node).map(|_| format!("{name}: stopping (controlled shutdown, then the ZooKeeper session is closed)"))
            }
            NodeAction::Kill => {
                w.crash(node).map(|_| format!("{name}: killed (kill -9); its ZooKeeper session expires after zookeeper.session.timeout.ms"))
            }
            NodeAction::Restart => {
                if w.is_up(node) {
                    let _ = w.crash(node);
                }
                w.start(node).map(|_| format!("{name}: killed and started again"))
            }
        };
        self.cluster.check();
        let mut out = match res {
            Ok(msg) if verbose => Output::lines(vec![msg]),
            Ok(_) => Output::default(),
            Err(e) => return Output::err(format!("broker: {e}")),
        };
        if matches!(action, NodeAction::Start | NodeAction::Restart) {
            // Startup takes a moment (ZooKeeper session, registration): let it happen, and say
            // so if it failed (the old registration still there).
            self.cluster.run_while(Duration::from_secs(10), |c| match c.world.proc(node) {
                Some(crate::cluster::Proc::Broker(b)) => b.phase != Phase::Starting || !c.world.is_up(node),
                _ => true,
            });
            if let Some(crate::cluster::Proc::Broker(b)) = self.cluster.world.proc(node) {
                if let Some(msg) = &b.durable.startup_error {
                    out.lines.push(format!(
                        "[{}] ERROR {msg} (kafka.zk.KafkaZkClient)",
                        crate::zk::cli_format::log4j_date(self.cluster.world.wall_ms())
                    ));
                    out.lines.push(format!("[{}] ERROR [KafkaServer id={id}] Fatal error during KafkaServer startup. Prepare to shutdown (kafka.server.KafkaServer)", crate::zk::cli_format::log4j_date(self.cluster.world.wall_ms())));
                    out.lines.push(format!(
                        "{name}: exited (wait for the old session to expire: zookeeper.session.timeout.ms = {} ms)",
                        self.cluster.kafka_cfg.session_timeout_ms
                    ));
                }
            }
        }
        out
    }

    fn broker_list(&self, list: &str) -> Result<Vec<NodeId>, String> {
        let servers = cli::parse_bootstrap_servers(list)?;
        let nodes: Vec<NodeId> = servers.iter().filter_map(|(h, p)| self.cluster.resolve_broker(h, *p)).collect();
        Ok(nodes)
    }

    fn spawn_kafka_tool(&mut self, tool: KafkaTool, limit: Duration) -> Output {
        let id = self.cluster.spawn_tool(Proc::KafkaTool(tool));
        self.cluster.check();
        let inc = self.cluster.world.slot(id).map(|s| s.incarnation).unwrap_or(0);
        self.cluster.run_while(limit, |c| c.world.slot(id).map(|s| s.incarnation != inc || s.life != Life::Up).unwrap_or(true));
        let lines = match self.cluster.world.proc_mut(id) {
            Some(Proc::KafkaTool(t)) => std::mem::take(&mut t.out),
            _ => Vec::new(),
        };
        Output::lines(lines)
    }

    fn kafka_tool(&mut self, tool: super::ast::KafkaTool, args: Vec<String>) -> Output {
        let mut out = self.kafka_tool_inner(tool, args);
        // A refused command line: the first line the real tool prints (usage tables follow it
        // there); the terminal shows one line.
        if out.error && out.lines.len() == 1 && out.lines[0].contains('\n') {
            let first = out.lines[0].lines().find(|l| !l.trim().is_empty()).unwrap_or("kafka: bad arguments").to_string();
            out.lines = vec![first];
        }
        out
    }

    fn kafka_tool_inner(&mut self, tool: super::ast::KafkaTool, args: Vec<String>) -> Output {
        use super::ast::KafkaTool as T;
        let brokers = self.cluster.kafka_cfg.brokers.clone();
        match tool {
            T::Topics => {
                let cmd = match cli::parse_topics_args(&args) {
                    Ok(c) => c,
                    Err(e) => return Output::err(e),
                };
                let (zk, boot) = match &cmd.connection {
                    cli::Connection::Zookeeper(s) => {
                        let zs = match cli::parse_zk_connect_string(s) {
                            Ok(z) => z,
                            Err(e) => return Output::err(e),
                        };
                        let mut nodes: Vec<NodeId> = zs.hosts.iter().filter_map(|(h, p)| self.cluster.resolve_zk(h, *p)).collect();
                        nodes.dedup();
                        self.rng.shuffle(&mut nodes);
                        (Some(nodes), Vec::new())
                    }
                    cli::Connection::BootstrapServer(s) => match self.broker_list(s) {
                        Ok(b) => (None, b),
                        Err(e) => return Output::err(e),
                    },
                };
                self.spawn_kafka_tool(KafkaTool::new(ToolJob::Topics(cmd), zk, boot, brokers), Duration::from_secs(70))
            }
            T::LeaderElection => {
                let cmd = match cli::parse_leader_election_args(&args) {
                    Ok(c) => c,
                    Err(e) => return Output::err(e),
                };
                let boot = match self.broker_list(&cmd.bootstrap_server) {
                    Ok(b) => b,
                    Err(e) => return Output::err(e),
                };
                self.spawn_kafka_tool(KafkaTool::new(ToolJob::Election(cmd), None, boot, brokers), Duration::from_secs(70))
            }
            T::ConsoleConsumer => {
                let cmd = match cli::parse_console_consumer_args(&args) {
                    Ok(c) => c,
                    Err(e) => return Output::err(e),
                };
                if cmd.topic.is_none() {
                    return Output::err("kafka-console-consumer: the sandbox supports --topic (not --whitelist)");
                }
                let boot = match self.broker_list(&cmd.bootstrap_server) {
                    Ok(b) => b,
                    Err(e) => return Output::err(e),
                };
                let limit =
                    Duration::from_millis(cmd.timeout_ms.filter(|t| *t > 0).map(|t| t as u64).unwrap_or(10_000).min(600_000) + 70_000);
                self.spawn_kafka_tool(KafkaTool::new(ToolJob::Consumer(cmd), None, boot, brokers), limit)
            }
            T::ConsoleProducer => {
                let cmd = match cli::parse_console_producer_args(&args) {
                    Ok(c) => c,
                    Err(e) => return Output::err(e),
                };
                if let Err(e) = self.broker_list(&cmd.bootstrap_servers) {
                    return Output::err(e);
                }
                match cmd.messages {
                    Some(n) => {
                        let lines: Vec<String> = (1..=n.min(10_000)).map(|i| format!("message-{i}")).collect();
                        self.run_producer(cmd, lines)
                    }
                    None => {
                        self.producer = Some((cmd, Vec::new()));
                        Output::lines(vec!["(type the messages, one per line; a line with a single `.` sends them)".into()])
                    }
                }
            }
        }
    }

    fn run_producer(&mut self, cmd: cli::ProducerCmd, lines: Vec<String>) -> Output {
        if lines.is_empty() {
            return Output::default();
        }
        let boot = self.broker_list(&cmd.bootstrap_servers).unwrap_or_default();
        let brokers = self.cluster.kafka_cfg.brokers.clone();
        self.spawn_kafka_tool(KafkaTool::new(ToolJob::Producer { cmd, values: lines }, None, boot, brokers), Duration::from_secs(130))
    }

    fn step(&mut self, n: u64) -> Output {
        let from = self.cluster.world.trace.len();
        let mut done = 0;
        while done < n {
            if self.cluster.step().is_none() {
                break;
            }
            done += 1;
        }
        let w = &self.cluster.world;
        let name = |id: NodeId| w.name(id);
        let mut lines: Vec<String> = w.trace.since(from).map(|r| format!("{} {}", r.at, narrate(r, &name))).collect();
        if done < n {
            lines.push(format!("(no more events: {done} of {n} stepped)"));
        }
        Output::lines(lines)
    }

    fn resolve_node(&self, name: &str) -> Result<NodeId, String> {
        let n = name.trim();
        let found = self.cluster.world.find(n).filter(|id| matches!(self.cluster.world.proc(*id), Some(Proc::Zk(_) | Proc::Broker(_))));
        found.ok_or_else(|| format!("net: unknown node '{n}' (nodes: {})", self.node_names().join(", ")))
    }

    fn node_names(&self) -> Vec<String> {
        self.cluster.zk_nodes.iter().chain(self.cluster.broker_nodes.iter()).map(|n| self.cluster.world.name(*n)).collect()
    }

    fn net(&mut self, n: NetCmd) -> Output {
        match n {
            NetCmd::Partition(groups) => {
                let mut ids: Vec<Vec<NodeId>> = Vec::new();
                for g in &groups {
                    let mut v = Vec::new();
                    for name in g {
                        match self.resolve_node(name) {
                            Ok(id) => v.push(id),
                            Err(e) => return Output::err(e),
                        }
                    }
                    ids.push(v);
                }
                for (i, a) in ids.iter().enumerate() {
                    for (j, b) in ids.iter().enumerate() {
                        if i != j {
                            for x in a {
                                for y in b {
                                    self.cluster.world.bus.set_cut(*x, *y, true);
                                }
                            }
                        }
                    }
                }
                let desc: Vec<String> = groups.iter().map(|g| g.join(",")).collect();
                Output::lines(vec![format!(
                    "net: partitioned {} (messages between the groups are held until `net heal`)",
                    desc.join(" | ")
                )])
            }
            NetCmd::Cut { from, to } => {
                let a = match self.resolve_node(&from) {
                    Ok(a) => a,
                    Err(e) => return Output::err(e),
                };
                let b = match self.resolve_node(&to) {
                    Ok(b) => b,
                    Err(e) => return Output::err(e),
                };
                if a == b {
                    return Output::err("net: cannot cut a node from itself");
                }
                self.cluster.world.bus.set_cut(a, b, true);
                Output::lines(vec![format!("net: cut {from} -> {to} (one way)")])
            }
            NetCmd::Loss { ppm } => {
                self.cluster.world.bus.config.loss = Ppm(ppm.min(1_000_000));
                Output::lines(vec![format!("net: loss {} (lost transmissions are retransmitted by TCP: late, in order)", fmt_ppm(ppm))])
            }
            NetCmd::Delay { min, max } => {
                self.cluster.world.bus.config.delay_min = min;
                self.cluster.world.bus.config.delay_max = max;
                Output::lines(vec![format!("net: delay {min}-{max}")])
            }
            NetCmd::Heal => {
                self.cluster.world.bus.heal();
                self.cluster.world.release_held();
                Output::lines(vec!["net: healed (held messages are on their way)".into()])
            }
            NetCmd::Status => {
                let c = self.cluster.world.bus.config;
                let cuts: Vec<String> = self
                    .cluster
                    .world
                    .bus
                    .cuts()
                    .iter()
                    .map(|(a, b)| format!("{}->{}", self.cluster.world.name(*a), self.cluster.world.name(*b)))
                    .collect();
                Output::lines(vec![
                    format!("delay {}-{}, loss {}", c.delay_min, c.delay_max, fmt_ppm(c.loss.0)),
                    if cuts.is_empty() { "no cut links".into() } else { format!("cut: {}", cuts.join(" ")) },
                ])
            }
        }
    }

    fn four_letter(&mut self, word: String, host: &str, port: u16) -> Output {
        let server = self.cluster.resolve_zk(host, port).filter(|n| self.cluster.world.is_up(*n));
        let id = self.cluster.spawn_tool(Proc::Nc(NcProc { server, word, out: Vec::new(), exited: false }));
        self.run_tool(id);
        let lines = match self.cluster.world.proc_mut(id) {
            Some(Proc::Nc(n)) => std::mem::take(&mut n.out),
            _ => Vec::new(),
        };
        Output::lines(lines)
    }

    fn run_tool(&mut self, id: NodeId) {
        let inc = self.cluster.world.slot(id).map(|s| s.incarnation).unwrap_or(0);
        self.cluster.run_while(TOOL_LIMIT, |c| c.world.slot(id).map(|s| s.incarnation != inc || s.life != Life::Up).unwrap_or(true));
    }

    fn connect_list(&mut self, connect: &[super::ast::HostPort]) -> (Vec<NodeId>, String) {
        let text: Vec<String> = connect.iter().map(|h| format!("{}:{}", h.host, h.port)).collect();
        let mut nodes: Vec<NodeId> = connect.iter().filter_map(|h| self.cluster.resolve_zk(&h.host, h.port)).collect();
        nodes.dedup();
        // StaticHostProvider shuffles the connect string.
        self.rng.shuffle(&mut nodes);
        (nodes, text.join(","))
    }

    fn zk_shell(&mut self, connect: Vec<super::ast::HostPort>, cmd: Option<ZkCliCmd>) -> Output {
        let (nodes, text) = self.connect_list(&connect);
        match cmd {
            Some(cmd) => {
                let id = self.cluster.spawn_tool(Proc::Shell(ShellProc::one_shot(nodes, text, cmd)));
                self.cluster.check();
                self.run_tool(id);
                let lines = match self.cluster.world.proc_mut(id) {
                    Some(Proc::Shell(s)) => std::mem::take(&mut s.out),
                    _ => Vec::new(),
                };
                Output::lines(lines)
            }
            None => {
                if self.shell.is_some() {
                    return Output::err("zookeeper-shell: a session is already open (type quit to leave it)");
                }
                let id = self.cluster.spawn_tool(Proc::Shell(ShellProc::new(nodes, text, true)));
                self.shell = Some(id);
                // Give it the time a real shell takes to connect.
                self.cluster.run_while(Duration::from_secs(5), |c| match c.world.proc(id) {
                    Some(Proc::Shell(s)) => s.client.is_connected() || s.client.is_dead(),
                    _ => true,
                });
                Output::default()
            }
        }
    }

    fn zk_cli(&mut self, cmd: ZkCliCmd) -> Output {
        let Some(id) = self.shell else {
            return Output::err("no zookeeper-shell session is open (start one with: zookeeper-shell localhost:2181)");
        };
        let before = match self.cluster.world.proc(id) {
            Some(Proc::Shell(s)) => s.done,
            _ => return Output::default(),
        };
        // `quit` returns once zk.close() has finished (the closeSession reply came back).
        let quit = cmd == ZkCliCmd::Quit;
        self.cluster.world.with_node(id, |p, ctx| {
            if let Proc::Shell(s) = p {
                s.enqueue::<crate::cluster::Fact>(ctx, cmd);
            }
        });
        self.cluster.check();
        self.cluster.run_while(TOOL_LIMIT, |c| match c.world.proc(id) {
            Some(Proc::Shell(s)) => (!quit && s.done > before) || s.exited || !c.world.is_up(id),
            _ => true,
        });
        Output::default()
    }

    /// One line per ZooKeeper server: state, mode, epoch, zxid.
    pub fn status(&self) -> Vec<String> {
        let w = &self.cluster.world;
        let mut lines = vec![format!("virtual time {}", w.now())];
        for (i, n) in self.cluster.zk_nodes.iter().enumerate() {
            let Some(slot) = w.slot(*n) else { continue };
            let Proc::Zk(s) = &slot.proc else { continue };
            let life = match slot.life {
                Life::Up | Life::Stopping => {
                    let mode = s.mode().unwrap_or("not serving");
                    format!("{} ({mode}), epoch {}, zxid {}, round {}", s.state().name(), s.epoch(), s.last_processed(), s.round())
                }
                Life::Stopped => "stopped".to_string(),
                Life::Crashed => "crashed".to_string(),
            };
            lines.push(format!("zk{} :{}  {life}", i + 1, 2181 + i));
        }
        for (i, n) in self.cluster.broker_nodes.iter().enumerate() {
            let Some(slot) = w.slot(*n) else { continue };
            let Proc::Broker(b) = &slot.proc else { continue };
            let life = match slot.life {
                Life::Up | Life::Stopping => {
                    let phase = match &b.phase {
                        Phase::Down => "down".to_string(),
                        Phase::Starting => "starting".to_string(),
                        Phase::Running => "running".to_string(),
                        Phase::ShuttingDown => "controlled shutdown".to_string(),
                        Phase::Failed(_) => "failed".to_string(),
                    };
                    let ctl = match &b.ctl {
                        Some(c) => format!(", CONTROLLER (epoch {})", c.epoch),
                        None => String::new(),
                    };
                    let leads = b.replicas.values().filter(|r| r.leader == b.id).count();
                    let session =
                        if b.zk.is_connected() { format!("session 0x{:x}", b.zk.session.0) } else { "no ZooKeeper connection".to_string() };
                    format!("{phase}{ctl}, {session}, leads {leads} of {} partition replicas", b.replicas.len())
                }
                Life::Stopped => "stopped".to_string(),
                Life::Crashed => "crashed".to_string(),
            };
            lines.push(format!("b{} :{}  {life}", i + 1, self.cluster.kafka_cfg.port_of(b.id)));
        }
        lines
    }
}

fn fmt_ppm(ppm: u32) -> String {
    if ppm.is_multiple_of(10_000) {
        format!("{}%", ppm / 10_000)
    } else {
        format!("{}.{:04}%", ppm / 10_000, ppm % 10_000).trim_end_matches('0').to_string()
    }
}

fn grep_match(g: &Grep, line: &str) -> bool {
    let hit = if g.ignore_case { line.to_lowercase().contains(&g.pattern.to_lowercase()) } else { line.contains(&g.pattern) };
    hit != g.invert
}
