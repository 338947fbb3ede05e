//! The world of processes the terminal drives: ZooKeeper servers, Kafka brokers and the client
//! tools, joined into one `Process` type with one message, timer and fact type, so that they share
//! one clock, one bus and one trace.

use std::fmt;
use std::rc::Rc;

use crate::kafka::broker::{Broker, KOut, KafkaConfig, KafkaFact, KafkaTimer};
use crate::kafka::cli::KafkaTool;
use crate::kafka::msg::KafkaMsg;
use crate::kafka::types::BrokerId;
use crate::sim::time::{Duration, Time};
use crate::sim::world::World;
use crate::sim::{Ctx, NodeId, Process};
use crate::zk::load::WriterProc;
use crate::zk::msg::ZkMsg;
use crate::zk::server::{ZkConfig, ZkFact, ZkServer, ZkTimer};
use crate::zk::shell::{NcProc, ShellProc, ToolTimer};
use crate::zk::types::Sid;

/// Every message on the bus.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Msg {
    Zk(ZkMsg),
    /// Boxed: Kafka's messages are larger than ZooKeeper's, and every envelope on the bus is as
    /// large as the largest message.
    Kafka(Box<KafkaMsg>),
}

impl From<KOut> for Msg {
    fn from(m: KOut) -> Self {
        match m {
            KOut::Zk(m) => Msg::Zk(m),
            KOut::Kafka(m) => Msg::Kafka(Box::new(m)),
        }
    }
}

impl From<ZkMsg> for Msg {
    fn from(m: ZkMsg) -> Self {
        Msg::Zk(m)
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Zk(m) => m.fmt(f),
            Msg::Kafka(m) => m.fmt(f),
        }
    }
}

impl crate::sim::Fingerprint for Msg {
    fn fingerprint(&self, h: &mut crate::sim::trace::StableHasher) {
        match self {
            Msg::Zk(m) => m.fingerprint(h),
            Msg::Kafka(m) => m.fingerprint(h),
        }
    }
}

impl Msg {
    /// Coarse kind for the UI filter.
    pub fn kind(&self) -> crate::vocab::MsgKind {
        match self {
            Msg::Zk(m) => m.kind(),
            Msg::Kafka(m) => m.kind(),
        }
    }
}

/// Every timer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Timer {
    Zk(ZkTimer),
    Tool(ToolTimer),
    Kafka(KafkaTimer),
}

impl From<KafkaTimer> for Timer {
    fn from(t: KafkaTimer) -> Self {
        Timer::Kafka(t)
    }
}

impl From<ZkTimer> for Timer {
    fn from(t: ZkTimer) -> Self {
        Timer::Zk(t)
    }
}
impl From<ToolTimer> for Timer {
    fn from(t: ToolTimer) -> Self {
        Timer::Tool(t)
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timer::Zk(t) => t.fmt(f),
            Timer::Tool(t) => t.fmt(f),
            Timer::Kafka(t) => t.fmt(f),
        }
    }
}

/// Every fact for the invariant checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    Zk(ZkFact),
    Kafka(KafkaFact),
}

impl From<KafkaFact> for Fact {
    fn from(f: KafkaFact) -> Self {
        Fact::Kafka(f)
    }
}

impl From<ZkFact> for Fact {
    fn from(f: ZkFact) -> Self {
        Fact::Zk(f)
    }
}

/// A process on a simulated host.
// Unboxed on purpose: a world holds a few dozen processes, and every event reaches one of them.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Proc {
    Zk(ZkServer),
    Shell(ShellProc),
    Nc(NcProc),
    /// A load-generating client (benchmark, swarm).
    Writer(WriterProc),
    Broker(Broker),
    /// `kafka-topics`, the console producer and consumer, `kafka-leader-election`, load.
    KafkaTool(KafkaTool),
}

impl Process for Proc {
    type Msg = Msg;
    type Timer = Timer;
    type Fact = Fact;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            Proc::Zk(s) => s.start(ctx),
            Proc::Shell(s) => s.start::<Fact>(ctx),
            Proc::Nc(n) => n.start::<Fact>(ctx),
            Proc::Writer(w) => w.start::<Fact>(ctx),
            Proc::Broker(b) => b.start(ctx),
            Proc::KafkaTool(t) => t.start(ctx),
        }
    }

    fn on_msg(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match (self, msg) {
            (Proc::Zk(s), Msg::Zk(m)) => s.on_msg(ctx, from, m),
            (Proc::Shell(s), Msg::Zk(m)) => s.on_msg::<Fact>(ctx, from, m),
            (Proc::Nc(n), Msg::Zk(m)) => n.on_msg::<Fact>(ctx, m),
            (Proc::Writer(w), Msg::Zk(m)) => w.on_msg::<Fact>(ctx, from, m),
            (Proc::Broker(b), Msg::Zk(m)) => b.on_zk_msg(ctx, from, m),
            (Proc::Broker(b), Msg::Kafka(m)) => b.on_kafka(ctx, from, *m),
            (Proc::KafkaTool(t), Msg::Zk(m)) => t.on_zk_msg(ctx, from, m),
            (Proc::KafkaTool(t), Msg::Kafka(m)) => t.on_kafka(ctx, from, *m),
            (_, Msg::Kafka(_)) => {}
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        match (self, timer) {
            (Proc::Zk(s), Timer::Zk(t)) => s.on_timer(ctx, t),
            (Proc::Shell(s), Timer::Tool(t)) => s.on_timer::<Fact>(ctx, t),
            (Proc::Nc(n), Timer::Tool(_)) => n.on_timer::<Fact>(ctx),
            (Proc::Writer(w), Timer::Tool(t)) => w.on_timer::<Fact>(ctx, t),
            (Proc::Broker(b), Timer::Kafka(t)) => b.on_timer(ctx, t),
            (Proc::KafkaTool(k), Timer::Kafka(t)) => k.on_timer(ctx, t),
            _ => {}
        }
    }

    fn on_disconnect(&mut self, peer: NodeId, ctx: &mut Ctx<'_, Self>) {
        match self {
            Proc::Zk(s) => s.on_disconnect(ctx, peer),
            Proc::Shell(s) => s.on_disconnect::<Fact>(ctx, peer),
            Proc::Nc(n) => n.on_disconnect::<Fact>(ctx),
            Proc::Writer(w) => w.on_disconnect::<Fact>(ctx, peer),
            Proc::Broker(b) => b.on_disconnect(ctx, peer),
            Proc::KafkaTool(t) => t.on_disconnect(ctx, peer),
        }
    }

    fn on_stop(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            Proc::Zk(s) => s.stop(ctx),
            Proc::Broker(b) => b.stop(ctx),
            _ => crate::sim::Io::<Msg, Timer, Fact>::exit(ctx),
        }
    }

    fn crash(&mut self) {
        match self {
            Proc::Zk(s) => s.crash(),
            Proc::Shell(s) => {
                s.client.reset();
                s.exited = true;
            }
            Proc::Nc(n) => n.exited = true,
            Proc::Writer(w) => w.crash(),
            Proc::Broker(b) => b.crash(),
            Proc::KafkaTool(t) => t.crash(),
        }
    }
}

/// The shape of the cluster (`cluster --zk N --brokers M`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shape {
    pub zk: u32,
    pub brokers: u32,
}

impl Default for Shape {
    fn default() -> Self {
        Shape { zk: 3, brokers: 4 }
    }
}

/// The simulated cluster: the world plus what the terminal needs to address its nodes.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub world: World<Proc>,
    pub shape: Shape,
    pub zk_cfg: Rc<ZkConfig>,
    /// Node of ZooKeeper server `sid` (index sid-1).
    pub zk_nodes: Vec<NodeId>,
    pub kafka_cfg: Rc<KafkaConfig>,
    /// Node of broker `id` (index id-1).
    pub broker_nodes: Vec<NodeId>,
    /// Tool slots that have exited and can be reused.
    free_tools: Vec<NodeId>,
    tool_count: u32,
    /// The invariant checker, when on (tests and swarm runs; not in the browser module).
    #[cfg(not(target_arch = "wasm32"))]
    pub checker: Option<crate::check::Checker>,
}

impl Cluster {
    /// A cluster of `shape` (nothing started), every choice following from `seed`.
    pub fn new(seed: u64, shape: Shape) -> Cluster {
        let mut world = World::new(seed);
        let zk_nodes: Vec<NodeId> = (0..shape.zk).map(NodeId).collect();
        let zk_cfg = Rc::new(ZkConfig::seed(&zk_nodes));
        for i in 0..shape.zk {
            let sid = Sid(i as u64 + 1);
            world.add_node(format!("zk{}", sid.0), Proc::Zk(ZkServer::new(zk_cfg.clone(), sid)));
        }
        let broker_nodes: Vec<NodeId> = (0..shape.brokers).map(|i| NodeId(shape.zk + i)).collect();
        let kafka_cfg = Rc::new(KafkaConfig::defaults(zk_nodes.clone(), &broker_nodes));
        for i in 0..shape.brokers {
            let id = BrokerId(i as i32 + 1);
            world.add_node(format!("b{}", id.0), Proc::Broker(Broker::new(kafka_cfg.clone(), id)));
        }
        Cluster {
            world,
            shape,
            zk_cfg,
            zk_nodes,
            kafka_cfg,
            broker_nodes,
            free_tools: Vec::new(),
            tool_count: 0,
            #[cfg(not(target_arch = "wasm32"))]
            checker: None,
        }
    }

    /// Turn the invariant checker on: every later event's facts are judged.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn enable_checker(&mut self) {
        self.world.set_observing(true);
        self.checker = Some(crate::check::Checker::new());
    }

    /// Violations found so far.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn violations(&self) -> &[crate::check::Violation] {
        self.checker.as_ref().map(|c| c.violations.as_slice()).unwrap_or(&[])
    }

    /// Whether the invariant checker is on.
    pub fn checking(&self) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        return self.checker.is_some();
        #[cfg(target_arch = "wasm32")]
        false
    }

    /// The violations found so far, as text (none in the browser module, which has no checker).
    pub fn violation_lines(&self) -> Vec<String> {
        #[cfg(not(target_arch = "wasm32"))]
        return self.violations().iter().map(|v| format!("{v:?}")).collect();
        #[cfg(target_arch = "wasm32")]
        Vec::new()
    }

    /// Feed pending facts to the checker (none in the browser module: no checker, no facts).
    pub fn check(&mut self) {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(c) = self.checker.as_mut() {
            let at = self.world.now();
            for f in self.world.take_facts() {
                c.observe(at, &f);
            }
        }
    }

    /// Process one event (and check it).
    pub fn step(&mut self) -> Option<crate::sim::world::Stepped> {
        let r = self.world.step();
        self.check();
        r
    }

    /// Process every event up to `t` (checking each), then set the clock to `t`.
    pub fn run_until(&mut self, t: Time) {
        if !self.checking() {
            self.world.run_until(t);
            return;
        }
        while self.world.next_event_time().map(|n| n <= t).unwrap_or(false) {
            self.step();
        }
        self.world.run_until(t);
    }

    pub fn run_for(&mut self, d: Duration) {
        let t = self.world.now() + d;
        self.run_until(t);
    }

    /// Replace the ZooKeeper configuration (only before anything has started).
    pub fn set_zk_config(&mut self, cfg: ZkConfig) {
        let cfg = Rc::new(cfg);
        for (i, n) in self.zk_nodes.clone().into_iter().enumerate() {
            let _ = self.world.replace_proc(n, Proc::Zk(ZkServer::new(cfg.clone(), Sid(i as u64 + 1))));
        }
        self.zk_cfg = cfg;
    }

    /// Whether any node has ever started.
    pub fn started(&self) -> bool {
        self.world.events() > 0 || self.world.slots().iter().any(|s| s.is_up() || s.incarnation > 0)
    }

    /// Replace the broker configuration (only before anything has started).
    pub fn set_kafka_config(&mut self, cfg: KafkaConfig) {
        let cfg = Rc::new(cfg);
        for (i, n) in self.broker_nodes.clone().into_iter().enumerate() {
            let _ = self.world.replace_proc(n, Proc::Broker(Broker::new(cfg.clone(), BrokerId(i as i32 + 1))));
        }
        self.kafka_cfg = cfg;
    }

    pub fn broker_node(&self, id: u32) -> Option<NodeId> {
        if id == 0 {
            return None;
        }
        self.broker_nodes.get(id as usize - 1).copied()
    }

    pub fn broker(&self, id: u32) -> Option<&Broker> {
        match self.world.proc(self.broker_node(id)?) {
            Some(Proc::Broker(b)) => Some(b),
            _ => None,
        }
    }

    /// The broker acting as controller (up, holding a controller context), if any.
    pub fn controller(&self) -> Option<&Broker> {
        self.broker_nodes
            .iter()
            .filter(|n| self.world.is_up(**n))
            .filter_map(|n| match self.world.proc(*n) {
                Some(Proc::Broker(b)) if b.is_controller() => Some(b),
                _ => None,
            })
            .max_by_key(|b| b.ctl.as_ref().map(|c| c.epoch))
    }

    /// Resolve `host:port` to a broker node (9092 + id - 1).
    pub fn resolve_broker(&self, host: &str, port: u16) -> Option<NodeId> {
        let local = matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "::1");
        let id = port.checked_sub(self.kafka_cfg.base_port)? as u32 + 1;
        let node = self.broker_node(id)?;
        if local || host == format!("b{id}") {
            Some(node)
        } else {
            None
        }
    }

    pub fn zk_node(&self, id: u32) -> Option<NodeId> {
        if id == 0 {
            return None;
        }
        self.zk_nodes.get(id as usize - 1).copied()
    }

    pub fn zk(&self, id: u32) -> Option<&ZkServer> {
        match self.world.proc(self.zk_node(id)?) {
            Some(Proc::Zk(s)) => Some(s),
            _ => None,
        }
    }

    /// Add a tool process (reusing an exited tool's slot) and start it.
    pub fn spawn_tool(&mut self, proc: Proc) -> NodeId {
        let id = match self.free_tools.pop() {
            Some(id) => {
                let _ = self.world.replace_proc(id, proc);
                id
            }
            None => {
                self.tool_count += 1;
                let name = format!("cli{}", self.tool_count);
                self.world.add_node(name, proc)
            }
        };
        let _ = self.world.start(id);
        id
    }

    /// Return exited tool slots to the pool.
    pub fn reap_tools(&mut self) {
        for (i, s) in self.world.slots().iter().enumerate() {
            let id = NodeId(i as u32);
            let is_tool = matches!(s.proc, Proc::Shell(_) | Proc::Nc(_) | Proc::KafkaTool(_));
            if is_tool && !s.is_up() && !self.free_tools.contains(&id) {
                self.free_tools.push(id);
            }
        }
        crate::sorted::sort_by(&mut self.free_tools, |a, b| b.cmp(a));
    }

    pub fn is_free_tool(&self, id: NodeId) -> bool {
        self.free_tools.contains(&id)
    }

    /// Resolve `host:port` to a ZooKeeper server node (any of localhost, 127.0.0.1, 0.0.0.0 or the
    /// server's name `zkN`).
    pub fn resolve_zk(&self, host: &str, port: u16) -> Option<NodeId> {
        let local = matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "::1");
        let addr = self.zk_cfg.by_client_port(port)?;
        if local || host == format!("zk{}", addr.sid) {
            Some(addr.node)
        } else {
            None
        }
    }

    pub fn now(&self) -> Time {
        self.world.now()
    }

    /// Run until `done` holds (checked after every event) or `limit` virtual time passes.
    pub fn run_while(&mut self, limit: Duration, mut done: impl FnMut(&Cluster) -> bool) -> bool {
        let end = self.world.now() + limit;
        loop {
            if done(self) {
                return true;
            }
            match self.world.next_event_time() {
                Some(t) if t <= end => {
                    self.step();
                }
                _ => {
                    self.world.run_until(end);
                    return done(self);
                }
            }
        }
    }
}
