//! What the browser page sees: a driver around the terminal (seed parsing, typed clicks turned
//! into terminal commands, clock control) and the serialisable snapshot the page draws.
//!
//! Everything here is target-independent so that it is unit-tested natively; `wasm.rs` only
//! converts values at the JavaScript boundary. Derived facts (roles, the serving tree, topic
//! leaders and ISRs, what an event changed) are computed here, never in JavaScript.
//!
//! Numbers that can exceed 2^53 (zxids, session ids, hashes) cross as strings; times cross as
//! microseconds, which stay below 2^53 for 285 years of virtual time.
//!
//! Simplified: the znode tree is read from one server (the serving leader, else any serving
//! server, else any running one), so a partitioned minority's view is not shown; data is shown
//! as lossy UTF-8 and cut at [`DATA_SHOWN`] bytes.

use crate::json_out::json_struct;

use crate::cluster::{Cluster, Proc};
use crate::fault::{Fault, Server};
use crate::highlight::{Highlight, Highlighter};
use crate::kafka::json::{parse_controller, parse_partition_state, parse_topic_assignment};
use crate::sim::time::{Duration, Time};
use crate::sim::trace::{narrate, TraceKind, TraceRecord};
use crate::sim::world::{Life, Payload};
use crate::sim::NodeId;
use crate::terminal::ast::NodeAction;
use crate::terminal::exec::Output;
use crate::terminal::Terminal;
use crate::vocab::MsgKind;
use crate::zk::tree::DataTree;

/// Bytes of znode data sent to the page per node.
pub const DATA_SHOWN: usize = 1024;
/// Znodes sent to the page at most.
pub const ZNODES_SHOWN: usize = 2000;
/// Trace records sent per snapshot at most (the newest ones).
pub const TRACE_SHOWN: usize = 250;
/// In-flight messages sent per snapshot at most (the oldest ones).
pub const FLIGHTS_SHOWN: usize = 500;
/// Largest shape the page accepts (the terminal accepts up to 7 ZooKeeper servers).
pub const MAX_BROKERS: u32 = 9;

/// Parse a seed typed by a person: decimal (`42`) or hex (`0x2a`), 0 ..= 2^64-1.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.len() <= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => u64::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None if !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_digit()) => t.parse::<u64>().ok(),
        None => None,
    };
    parsed.ok_or_else(|| format!("seed must be a whole number from 0 to 18446744073709551615 (or 0x… hex), got '{}'", shorten(t, 40)))
}

/// Parse a seed given as a JavaScript number: a whole number from 0 to 2^53.
pub fn seed_from_f64(n: f64) -> Result<u64, String> {
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_992.0 {
        Ok(n as u64)
    } else {
        Err(format!(
            "seed must be a whole number from 0 to 2^53 when given as a number, got {}; pass larger seeds as strings",
            number_text(n)
        ))
    }
}

/// A virtual duration in microseconds from a JavaScript number (finite, ≥ 0; fractions dropped).
pub fn micros_from_f64(us: f64) -> Result<u64, String> {
    if us.is_finite() && us >= 0.0 {
        Ok(us.min(9_007_199_254_740_992.0) as u64)
    } else {
        Err(format!("time must be a finite number of microseconds ≥ 0, got {}", number_text(us)))
    }
}

/// A JavaScript number as JavaScript prints it (`NaN`, `-Infinity`, `0.5`, `1e+300`). In the
/// browser module JavaScript does the printing: Rust's float formatting would add ≈ 10 KB
/// (gzipped) to the module for these two messages. Natively the text is built from Rust's
/// shortest round-trip digits with `Number.prototype.toString`'s layout: `-0` prints `0`, and
/// magnitudes from 1e21 up or below 1e-6 in exponent form with a signed exponent. (The two can
/// pick a different last digit when the shortest form is 16–17 digits long: 33 of 200,000
/// random doubles.)
fn number_text(n: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Number::from(n).to_string_with_radix(10).map(String::from).unwrap_or_default();
    #[cfg(not(target_arch = "wasm32"))]
    return match n {
        n if n.is_nan() => "NaN".to_string(),
        n if n.is_infinite() => if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string(),
        0.0 => "0".to_string(),
        n if (1e-6..1e21).contains(&n.abs()) => format!("{n}"),
        n => {
            let s = format!("{n:e}");
            if s.contains("e-") {
                s
            } else {
                s.replacen('e', "e+", 1)
            }
        }
    };
}

/// Parts per million as a percentage without trailing zeros (`0%`, `12.5%`).
fn percent(ppm: u32) -> String {
    let whole = format!("{}", ppm / 10_000);
    let frac = format!("{:04}", ppm % 10_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{whole}%")
    } else {
        format!("{whole}.{frac}%")
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

json_struct! {
    /// How far a clock advance got.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct Advanced {
        /// Events processed.
        pub events: u32,
        /// Whether the target time was reached (false when the event budget ran out first).
        pub reached: bool,
        pub now_us: u64,
    }
}

/// The page's handle on one simulated cluster: the terminal plus clock control.
#[derive(Clone, Debug)]
pub struct Driver {
    pub term: Terminal,
    /// What mattered so far (`highlight.rs`), read from the trace after every call that runs.
    pub highlights: Highlighter,
}

impl Driver {
    /// A cluster of `zk` ZooKeeper servers and `brokers` brokers, nothing started. The shape is
    /// set with the terminal's own `cluster` command, so a replay of the trace shows it.
    pub fn new(seed: u64, zk: u32, brokers: u32) -> Result<Driver, String> {
        if !(1..=7).contains(&zk) {
            return Err(format!("zk must be between 1 and 7, got {zk}"));
        }
        if !(1..=MAX_BROKERS).contains(&brokers) {
            return Err(format!("brokers must be between 1 and {MAX_BROKERS}, got {brokers}"));
        }
        let mut term = Terminal::new(seed);
        let shape = term.cluster.shape;
        if shape.zk != zk || shape.brokers != brokers {
            let out = term.run_line(&format!("cluster --zk {zk} --brokers {brokers}"));
            if out.error {
                return Err(out.lines.join(" "));
            }
        }
        let mut d = Driver { term, highlights: Highlighter::new() };
        d.highlights.update(&d.term.cluster);
        Ok(d)
    }

    /// A driver over a terminal prepared elsewhere (the time-travel benchmark's cluster).
    pub fn from_terminal(term: Terminal) -> Driver {
        let mut d = Driver { term, highlights: Highlighter::new() };
        d.highlights.update(&d.term.cluster);
        d
    }

    pub fn seed(&self) -> u64 {
        self.term.seed
    }

    /// One terminal line, exactly as typed.
    pub fn run(&mut self, line: &str) -> Output {
        let out = self.term.run_line(line);
        self.highlights.update(&self.term.cluster);
        out
    }

    /// Highlights with `index >= since` (the newest can still grow: ask again from a few back).
    pub fn highlights_since(&mut self, since: u64) -> Vec<Highlight> {
        self.highlights.update(&self.term.cluster);
        self.highlights.since(since).to_vec()
    }

    /// A click: `start|stop|kill|restart` on a node (`zk2`, `b1`, `broker1`), `isolate` a node
    /// from the other servers, `partition` with groups (`zk1,zk2|zk3`), or `heal`. Runs the
    /// equivalent terminal command, so clicks and typing leave the same trace.
    pub fn act(&mut self, kind: &str, node: &str) -> Output {
        match action_command(kind, node, &self.node_names()) {
            Ok(cmd) => {
                let mut out = self.term.run_line(&cmd);
                out.lines.insert(0, format!("$ {cmd}"));
                self.highlights.update(&self.term.cluster);
                out
            }
            Err(e) => Output { lines: vec![e], error: true },
        }
    }

    /// Names of the ZooKeeper servers and brokers, in drawing order.
    pub fn node_names(&self) -> Vec<String> {
        let c = &self.term.cluster;
        let mut v: Vec<String> = c.zk_nodes.iter().map(|n| c.world.name(*n)).collect();
        v.extend(broker_views(c, None).into_iter().map(|b| b.name));
        v
    }

    pub fn now_us(&self) -> u64 {
        self.term.cluster.world.now().as_micros()
    }

    /// Process events up to virtual time `t_us` (at most `max_events` of them), then set the clock
    /// to `t_us` if every event up to it was processed.
    pub fn run_until(&mut self, t_us: u64, max_events: u32) -> Advanced {
        let target = Time(t_us);
        let c = &mut self.term.cluster;
        let mut events = 0u32;
        let mut reached = true;
        while let Some(t) = c.world.next_event_time() {
            if t > target {
                break;
            }
            if events >= max_events {
                reached = false;
                break;
            }
            c.step();
            events += 1;
        }
        if reached {
            c.run_until(target);
        }
        c.reap_tools();
        let now_us = c.world.now().as_micros();
        self.highlights.update(&self.term.cluster);
        Advanced { events, reached, now_us }
    }

    /// `run_until(now + us)`.
    pub fn advance(&mut self, us: u64, max_events: u32) -> Advanced {
        let t = self.term.cluster.world.now() + Duration(us);
        self.run_until(t.as_micros(), max_events)
    }

    /// Process the next `n` events (fewer when nothing is scheduled); returns how many ran.
    pub fn step(&mut self, n: u32) -> u32 {
        let mut done = 0;
        while done < n && self.term.cluster.step().is_some() {
            done += 1;
        }
        self.term.cluster.reap_tools();
        self.highlights.update(&self.term.cluster);
        done
    }

    /// Step until a node changes state (a narrated state change, a start, crash or exit), at
    /// most `max_events` events. Returns how many ran.
    pub fn step_to_change(&mut self, max_events: u32) -> u32 {
        let mut done = 0;
        while done < max_events {
            let from = self.term.cluster.world.trace.len();
            if self.term.cluster.step().is_none() {
                break;
            }
            done += 1;
            let changed = self.term.cluster.world.trace.since(from).any(|r| matches!(r.kind, TraceKind::Note(_) | TraceKind::Life(_)));
            if changed {
                break;
            }
        }
        self.term.cluster.reap_tools();
        self.highlights.update(&self.term.cluster);
        done
    }

    pub fn trace_hash(&self) -> u64 {
        self.term.cluster.world.trace.hash()
    }

    /// Everything the page draws; trace records from index `since` on (the newest
    /// [`TRACE_SHOWN`] of them).
    pub fn snapshot(&self, since: u64) -> Snapshot {
        Snapshot { highlights: self.highlights.all().len() as u64, ..snapshot(&self.term, since, TRACE_SHOWN, Panels::ALL) }
    }

    /// [`Driver::snapshot`] with at most `max_trace` trace records (the newest ones; at most
    /// [`TRACE_SHOWN`]) and only the panels asked for. A `since` past the end sends no records
    /// and skips none.
    pub fn snapshot_with(&self, since: u64, max_trace: usize, panels: Panels) -> Snapshot {
        Snapshot { highlights: self.highlights.all().len() as u64, ..snapshot(&self.term, since, max_trace.min(TRACE_SHOWN), panels) }
    }
}

/// The terminal command for a click, checked against the known node names: the line of the
/// [`Fault`] the click means (the terminal shows it, then applies that fault).
pub fn action_command(kind: &str, node: &str, known: &[String]) -> Result<String, String> {
    let check = |n: &str| -> Result<String, String> {
        let n = n.trim();
        if known.iter().any(|k| k == n) {
            Ok(n.to_string())
        } else {
            Err(format!("unknown node '{}' (nodes: {})", shorten(n, 40), known.join(", ")))
        }
    };
    match kind {
        "start" | "stop" | "kill" | "restart" | "pause" | "resume" => {
            let n = check(node)?;
            let action = match kind {
                "start" => NodeAction::Start,
                "stop" => NodeAction::Stop,
                "kill" => NodeAction::Kill,
                "restart" => NodeAction::Restart,
                "pause" => NodeAction::Pause,
                _ => NodeAction::Resume,
            };
            let id = |s: &str| s.parse::<u32>().ok().filter(|i| *i > 0);
            let server = if let Some(i) = n.strip_prefix("zk").and_then(id) {
                Server::Zk(i)
            } else if let Some(i) = n.strip_prefix("broker").or_else(|| n.strip_prefix('b')).and_then(id) {
                Server::Broker(i)
            } else {
                let done = match kind {
                    "stop" => "stopped",
                    "kill" => "killed",
                    "start" => "started",
                    "restart" => "restarted",
                    "pause" => "paused",
                    _ => "resumed",
                };
                return Err(format!("{n} cannot be {done} from the page"));
            };
            Ok(Fault::node(action, server).to_string())
        }
        "isolate" => {
            let n = check(node)?;
            let others: Vec<&String> = known.iter().filter(|k| **k != n && k.starts_with("zk")).collect();
            if others.is_empty() {
                return Err(format!("{n} has no other server to be isolated from"));
            }
            Ok(Fault::Partition(vec![vec![n.clone()], others.into_iter().cloned().collect()]).to_string())
        }
        "partition" => {
            let mut groups = Vec::new();
            for g in node.split('|') {
                let names: Result<Vec<String>, String> = g.split(',').filter(|s| !s.trim().is_empty()).map(check).collect();
                let names = names?;
                if names.is_empty() {
                    return Err("partition: every group needs at least one node (e.g. zk1,zk2|zk3)".into());
                }
                groups.push(names);
            }
            if groups.len() < 2 {
                return Err("partition: give at least two groups separated by | (e.g. zk1,zk2|zk3)".into());
            }
            Ok(Fault::Partition(groups).to_string())
        }
        "heal" => Ok(Fault::Heal.to_string()),
        other => {
            Err(format!("unknown action '{}' (start, stop, kill, restart, pause, resume, isolate, partition, heal)", shorten(other, 20)))
        }
    }
}

// ---------------------------------------------------------------------------------- snapshot

json_struct! {
    /// Everything the page draws at one instant.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct Snapshot {
        pub seed: String,
        pub now_us: u64,
        /// `12.345s`, as the trace prints it.
        pub now: String,
        /// The virtual wall clock (ms since the Unix epoch).
        pub wall_ms: u64,
        pub events: u64,
        pub trace_hash: String,
        /// Records ever traced; the next snapshot's `since`.
        pub trace_len: u64,
        /// Records between `since` and the first one sent that were left out.
        pub trace_skipped: u64,
        pub trace: Vec<TraceView>,
        pub nodes: Vec<NodeView>,
        pub flights: Vec<FlightView>,
        pub flights_total: usize,
        /// Cut links `[from, to]`.
        pub cuts: Vec<[String; 2]>,
        pub net: String,
        /// The server whose tree is shown.
        pub tree_source: Option<String>,
        /// Changes whenever the shown tree changes (skip redraws otherwise).
        pub tree_digest: String,
        pub znodes: Vec<ZnodeView>,
        pub znodes_total: usize,
        pub controller: Option<i32>,
        pub topics: Vec<TopicView>,
        /// An interactive zookeeper-shell is open (the terminal prompt changes).
        pub shell_open: bool,
        pub violations: Vec<String>,
        /// Highlights derived so far (`Sandbox.highlights(since)` fetches them).
        pub highlights: u64,
    }
}

/// A ZooKeeper server, a broker or a client tool: an object tagged by `kind` (`zk`, `broker`,
/// `tool`; `vocab::vocabulary().nodes`), with the fields of its variant.
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(tag = "kind", rename_all = "lowercase"))]
pub enum NodeView {
    Zk(ZkServerView),
    Broker(BrokerNodeView),
    Tool(ToolView),
}

impl NodeView {
    pub fn name(&self) -> &str {
        match self {
            NodeView::Zk(n) => &n.name,
            NodeView::Broker(n) => &n.name,
            NodeView::Tool(n) => &n.name,
        }
    }

    /// The tag: `zk`, `broker` or `tool`.
    pub fn kind(&self) -> &'static str {
        match self {
            NodeView::Zk(_) => "zk",
            NodeView::Broker(_) => "broker",
            NodeView::Tool(_) => "tool",
        }
    }

    pub fn up(&self) -> bool {
        match self {
            NodeView::Zk(n) => n.up,
            NodeView::Broker(n) => n.up,
            NodeView::Tool(n) => n.up,
        }
    }

    pub fn zk(&self) -> Option<&ZkServerView> {
        match self {
            NodeView::Zk(n) => Some(n),
            _ => None,
        }
    }

    pub fn broker(&self) -> Option<&BrokerNodeView> {
        match self {
            NodeView::Broker(n) => Some(n),
            _ => None,
        }
    }
}

impl crate::json_out::ToJson for NodeView {
    fn write_json(&self, out: &mut String) {
        let (tag, inner): (&str, &dyn crate::json_out::ToJson) = match self {
            NodeView::Zk(n) => ("zk", n),
            NodeView::Broker(n) => ("broker", n),
            NodeView::Tool(n) => ("tool", n),
        };
        // `{"kind":TAG,` then the variant's own members (its object without the opening brace).
        out.push_str("{\"kind\":\"");
        out.push_str(tag);
        out.push('"');
        let start = out.len();
        inner.write_json(out);
        out.replace_range(start..start + 1, ",");
    }
}

json_struct! {
    /// A ZooKeeper server (`QuorumPeer`).
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct ZkServerView {
        pub name: String,
        /// `myid`.
        pub id: i64,
        /// `up`, `stopping`, `stopped`, `crashed`.
        pub life: &'static str,
        pub up: bool,
        /// `LOOKING`, `FOLLOWING`, `LEADING` (when up).
        pub role: Option<&'static str>,
        /// What `srvr` says after `Mode:` (`leader`, `follower`, `standalone`), when serving.
        pub mode: Option<&'static str>,
        pub epoch: Option<u32>,
        pub zxid: Option<String>,
        pub round: Option<String>,
        /// The leader this server follows or is.
        pub leader: Option<String>,
        /// Sessions in the server's database.
        pub sessions: Option<usize>,
        /// Client connections to this server.
        pub clients: Option<usize>,
    }
}

json_struct! {
    /// A Kafka broker (`KafkaServer`).
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct BrokerNodeView {
        pub name: String,
        /// `broker.id`.
        pub id: i64,
        pub life: &'static str,
        pub up: bool,
        /// `CONTROLLER` or `BROKER` (when up).
        pub role: Option<&'static str>,
        /// The controller epoch this broker holds while it is the controller.
        pub controller_epoch: Option<u32>,
        /// The controller this broker knows of (`b3`).
        pub active_controller: Option<String>,
        /// Broker is the controller (`/controller`).
        pub controller: bool,
        /// Broker is registered under `/brokers/ids`.
        pub registered: bool,
        /// Broker state (`RunningAsBroker`, `PendingControlledShutdown`, …) and its ZooKeeper session.
        pub broker_state: Option<String>,
    }
}

json_struct! {
    /// A running client tool (zookeeper-shell, nc, a load client).
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct ToolView {
        pub name: String,
        /// The tool's node number.
        pub id: i64,
        pub life: &'static str,
        pub up: bool,
    }
}

json_struct! {
    /// A message on its way (or held by a cut).
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct FlightView {
        pub id: u64,
        pub from: String,
        pub to: String,
        /// Coarse kind for colour and filter: `vote`, `discovery`, `sync`, `broadcast`, `ping`,
        /// `session`, `4lw`, `client`, `fin`, and the Kafka kinds (`leader-and-isr`, `fetch`, `produce`, …).
        pub kind: &'static str,
        pub sent_us: u64,
        pub deliver_us: u64,
        pub held: bool,
    }
}

json_struct! {
    /// One narrated trace record.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct TraceView {
        pub index: u64,
        pub at_us: u64,
        pub at: String,
        pub node: String,
        /// `deliver`, `dropped`, `timer`, `disconnect`, `note`, `input`, `life`.
        pub kind: &'static str,
        /// The message kind for `deliver`/`dropped`.
        pub msg_kind: Option<&'static str>,
        /// The sender for `deliver`/`dropped`/`disconnect`.
        pub peer: Option<String>,
        pub text: String,
        /// What it changed: the state changes narrated while it was handled.
        pub effects: Vec<String>,
    }
}

json_struct! {
    /// A znode with its full Stat.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct ZnodeView {
        pub path: String,
        pub name: String,
        pub depth: usize,
        /// Lossy UTF-8, cut at [`DATA_SHOWN`] bytes; `None` for null data.
        pub data: Option<String>,
        pub data_truncated: bool,
        pub czxid: String,
        pub mzxid: String,
        pub pzxid: String,
        pub ctime_ms: u64,
        pub mtime_ms: u64,
        pub version: i32,
        pub cversion: i32,
        pub aversion: i32,
        pub ephemeral_owner: String,
        pub data_length: i32,
        pub num_children: i32,
    }
}

json_struct! {
    /// A topic as the znodes describe it.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct TopicView {
        pub name: String,
        pub topic_id: Option<String>,
        pub partitions: Vec<PartitionView>,
        /// A znode of the topic could not be parsed.
        pub error: Option<String>,
    }
}

json_struct! {
    /// One partition: assignment from `/brokers/topics/T`, leader and ISR from its `state` znode.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct PartitionView {
        pub id: i32,
        pub replicas: Vec<i32>,
        /// -1 without a leader; `None` without a state znode yet.
        pub leader: Option<i32>,
        pub leader_epoch: Option<i32>,
        pub isr: Vec<i32>,
        /// Replicas outside the ISR (derived here, so the page only colours).
        pub out_of_sync: Vec<i32>,
        /// Per replica log end offset and high watermark, from the brokers' logs.
        pub replica_logs: Vec<ReplicaLogView>,
    }
}

json_struct! {
    /// LEO/HW of one replica (filled by the broker simulation).
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct ReplicaLogView {
        pub broker: i32,
        pub leo: String,
        pub hw: String,
    }
}

/// The costlier parts of a snapshot, each left empty unless asked for (a page builds only what
/// a visible panel draws). `tree_source`, `tree_digest`, `znodes_total` and `controller` are
/// always sent, so a page sees when the tree changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panels {
    pub znodes: bool,
    pub topics: bool,
}

impl Panels {
    pub const ALL: Panels = Panels { znodes: true, topics: true };
}

/// The snapshot of a terminal's cluster.
pub fn snapshot(term: &Terminal, since: u64, max_trace: usize, panels: Panels) -> Snapshot {
    let c = &term.cluster;
    let w = &c.world;
    let (tree_source, tree) = shown_tree(c);
    let controller = tree.and_then(controller_of);
    let mut nodes = zk_views(c);
    nodes.extend(broker_views(c, tree).into_iter().map(|b| b.node));
    nodes.extend(tool_views(c));

    let in_flight = w.in_flight();
    let flights_total = in_flight.len();
    let flights = in_flight
        .iter()
        .take(FLIGHTS_SHOWN)
        .map(|f| {
            let e = f.envelope;
            let kind = match &e.payload {
                Payload::Msg(m) => m.kind().id(),
                Payload::Fin => MsgKind::Fin.id(),
            };
            FlightView {
                id: e.id,
                from: w.name(e.from),
                to: w.name(e.to),
                kind,
                sent_us: e.sent_at.as_micros(),
                deliver_us: e.deliver_at.as_micros(),
                held: f.held,
            }
        })
        .collect();

    let (trace, trace_skipped) = trace_views(c, since, max_trace);
    let (znodes, znodes_total) = match tree {
        Some(t) if panels.znodes => znode_views(t),
        Some(t) => (Vec::new(), t.paths().count()),
        None => (Vec::new(), 0),
    };
    let cfg = w.bus.config;
    Snapshot {
        seed: term.seed.to_string(),
        now_us: w.now().as_micros(),
        now: w.now().to_string(),
        wall_ms: w.wall_ms(),
        events: w.events(),
        trace_hash: format!("{:016x}", w.trace.hash()),
        trace_len: w.trace.len(),
        trace_skipped,
        trace,
        nodes,
        flights,
        flights_total,
        cuts: w.bus.cuts().iter().map(|(a, b)| [w.name(*a), w.name(*b)]).collect(),
        net: format!("delay {}-{}, loss {}", cfg.delay_min, cfg.delay_max, percent(cfg.loss.0)),
        tree_source,
        tree_digest: tree.map(|t| format!("{:016x}", t.digest())).unwrap_or_default(),
        znodes,
        znodes_total,
        controller,
        topics: tree.filter(|_| panels.topics).map(|t| topic_views(c, t)).unwrap_or_default(),
        shell_open: term.in_shell(),
        violations: c.violation_lines(),
        highlights: 0,
    }
}

/// A node's life for the page: `paused` while it is stopped by SIGSTOP (`zk pause N`).
fn life_of(s: &crate::sim::world::Slot<Proc>) -> &'static str {
    if s.is_up() && s.is_paused() {
        "paused"
    } else {
        life_name(s.life)
    }
}

fn life_name(l: Life) -> &'static str {
    match l {
        Life::Up => "up",
        Life::Stopping => "stopping",
        Life::Stopped => "stopped",
        Life::Crashed => "crashed",
    }
}

fn zk_views(c: &Cluster) -> Vec<NodeView> {
    let w = &c.world;
    let mut v = Vec::new();
    for (i, n) in c.zk_nodes.iter().enumerate() {
        let Some(slot) = w.slot(*n) else { continue };
        let Proc::Zk(s) = &slot.proc else { continue };
        let up = slot.is_up();
        v.push(NodeView::Zk(ZkServerView {
            name: slot.name.clone(),
            id: i as i64 + 1,
            life: life_of(slot),
            up,
            role: up.then(|| s.state().name()),
            mode: if up { s.mode() } else { None },
            epoch: up.then(|| s.epoch()),
            zxid: up.then(|| s.last_processed().to_string()),
            round: up.then(|| s.round().to_string()),
            leader: if up { s.leader().and_then(|sid| c.zk_node(sid.0 as u32)).map(|n| w.name(n)) } else { None },
            sessions: up.then(|| s.tree().sessions().len()),
            clients: up.then(|| s.clients().len()),
        }));
    }
    v
}

fn tool_views(c: &Cluster) -> Vec<NodeView> {
    let w = &c.world;
    w.slots()
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            matches!(s.proc, Proc::Shell(_) | Proc::Nc(_) | Proc::Writer(_)) && s.is_up() && !c.is_free_tool(NodeId(*i as u32))
        })
        .map(|(i, s)| NodeView::Tool(ToolView { name: s.name.clone(), id: i as i64, life: life_of(s), up: true }))
        .collect()
}

/// A broker as the page shows it.
#[derive(Clone, Debug)]
pub struct BrokerView {
    pub name: String,
    pub id: i32,
    pub node: NodeView,
}

/// The brokers of the cluster's shape: liveness from the world, state, controller flag and
/// controller epoch from the broker processes (`/controller` as a fallback for a broker whose
/// process is not up), registration from `/brokers/ids`.
pub fn broker_views(c: &Cluster, tree: Option<&DataTree>) -> Vec<BrokerView> {
    use crate::cluster::Proc;
    use crate::kafka::broker::Phase;
    let w = &c.world;
    let controller = tree.and_then(controller_of);
    let registered: Vec<i32> =
        tree.and_then(|t| t.children("/brokers/ids")).unwrap_or_default().iter().filter_map(|s| s.parse().ok()).collect();
    (1..=c.shape.brokers as i32)
        .map(|id| {
            let node_id = c.broker_node(id as u32);
            let slot = node_id.and_then(|n| w.slot(n));
            let name = slot.map(|s| s.name.clone()).unwrap_or_else(|| format!("b{id}"));
            let reg = registered.contains(&id);
            let (life, up) = match slot {
                Some(s) => (life_of(s), s.is_up()),
                None => ("stopped", false),
            };
            let broker = match slot.map(|s| &s.proc) {
                Some(Proc::Broker(b)) if up => Some(b),
                _ => None,
            };
            // Kafka's BrokerState names.
            let state = broker.map(|b| {
                let st = match &b.phase {
                    Phase::Down => "NotRunning",
                    Phase::Starting => "Starting",
                    Phase::Running => "RunningAsBroker",
                    Phase::ShuttingDown => "PendingControlledShutdown",
                    Phase::Failed(_) => "NotRunning",
                };
                if b.zk.is_connected() {
                    format!("{st} · ZooKeeper session 0x{:x}", b.zk.session.0)
                } else {
                    format!("{st} · no ZooKeeper connection")
                }
            });
            let is_ctl = broker.map_or(up && controller == Some(id), |b| b.is_controller());
            let node = NodeView::Broker(BrokerNodeView {
                name: name.clone(),
                id: id as i64,
                life,
                up,
                role: broker.map(|b| if b.is_controller() { "CONTROLLER" } else { "BROKER" }),
                controller_epoch: broker.and_then(|b| b.ctl.as_ref()).map(|c| c.epoch.0 as u32),
                active_controller: broker.and_then(|b| b.active_controller).map(|c| format!("b{c}")),
                controller: is_ctl,
                registered: reg,
                broker_state: state,
            });
            BrokerView { name, id, node }
        })
        .collect()
}

/// LEO/HW per replica of a partition, from the broker processes' logs (a stopped broker's log
/// is still on its disk: its LEO is shown too).
pub fn partition_logs(c: &Cluster, topic: &str, partition: i32) -> Vec<ReplicaLogView> {
    use crate::cluster::Proc;
    let tp = crate::kafka::types::TopicPartition::new(topic, partition);
    let mut out = Vec::new();
    for (i, n) in c.broker_nodes.iter().enumerate() {
        if let Some(Proc::Broker(b)) = c.world.proc(*n) {
            if let Some(log) = b.durable.logs.get(&tp) {
                out.push(ReplicaLogView { broker: i as i32 + 1, leo: log.leo().to_string(), hw: log.hw.to_string() });
            }
        }
    }
    out
}

/// The tree to show: the serving leader's, else a serving server's, else a running one's.
fn shown_tree(c: &Cluster) -> (Option<String>, Option<&DataTree>) {
    let w = &c.world;
    let servers: Vec<(NodeId, &crate::zk::server::ZkServer)> = c
        .zk_nodes
        .iter()
        .filter(|n| w.is_up(**n))
        .filter_map(|n| match w.proc(*n) {
            Some(Proc::Zk(s)) => Some((*n, s)),
            _ => None,
        })
        .collect();
    let pick = servers
        .iter()
        .find(|(_, s)| s.is_serving() && s.mode() == Some("leader"))
        .or_else(|| servers.iter().find(|(_, s)| s.is_serving()))
        .or_else(|| servers.first());
    match pick {
        Some((n, s)) => (Some(w.name(*n)), Some(s.tree())),
        None => (None, None),
    }
}

fn controller_of(t: &DataTree) -> Option<i32> {
    let (data, _) = t.node("/controller")?;
    let text = String::from_utf8_lossy(data?);
    parse_controller(&text).ok().map(|c| c.broker.0)
}

fn data_text(t: &DataTree, path: &str) -> Option<String> {
    let (data, _) = t.node(path)?;
    Some(String::from_utf8_lossy(data?).into_owned())
}

fn znode_views(t: &DataTree) -> (Vec<ZnodeView>, usize) {
    let total = t.paths().count();
    let v = t
        .paths()
        .take(ZNODES_SHOWN)
        .filter_map(|path| {
            let (data, st) = t.node(path)?;
            let depth = if path == "/" { 0 } else { path.matches('/').count() };
            let name = if path == "/" { "/".to_string() } else { path.rsplit('/').next().unwrap_or(path).to_string() };
            let (data, data_truncated) = match data {
                Some(d) => (Some(String::from_utf8_lossy(&d[..d.len().min(DATA_SHOWN)]).into_owned()), d.len() > DATA_SHOWN),
                None => (None, false),
            };
            Some(ZnodeView {
                path: path.to_string(),
                name,
                depth,
                data,
                data_truncated,
                czxid: st.czxid.to_string(),
                mzxid: st.mzxid.to_string(),
                pzxid: st.pzxid.to_string(),
                ctime_ms: st.ctime,
                mtime_ms: st.mtime,
                version: st.version,
                cversion: st.cversion,
                aversion: st.aversion,
                ephemeral_owner: st.ephemeral_owner.to_string(),
                data_length: st.data_length,
                num_children: st.num_children,
            })
        })
        .collect();
    (v, total)
}

/// Topics from `/brokers/topics/T` and `/brokers/topics/T/partitions/P/state`.
fn topic_views(c: &Cluster, t: &DataTree) -> Vec<TopicView> {
    let names = t.children("/brokers/topics").unwrap_or_default();
    names
        .into_iter()
        .map(|name| {
            let base = format!("/brokers/topics/{name}");
            let assignment = data_text(t, &base).map(|j| parse_topic_assignment(&j));
            let (partitions, topic_id, error) = match assignment {
                Some(Ok(a)) => {
                    let mut error = None;
                    let parts = a
                        .partitions
                        .iter()
                        .map(|(pid, replicas)| {
                            let state = data_text(t, &format!("{base}/partitions/{pid}/state")).map(|j| parse_partition_state(&j));
                            let state = match state {
                                Some(Ok(s)) => Some(s),
                                Some(Err(e)) => {
                                    error = Some(format!("partition {pid} state: {}", e.0));
                                    None
                                }
                                None => None,
                            };
                            let replicas: Vec<i32> = replicas.iter().map(|b| b.0).collect();
                            let isr: Vec<i32> = state.as_ref().map(|s| s.isr.iter().map(|b| b.0).collect()).unwrap_or_default();
                            let out_of_sync =
                                if state.is_some() { replicas.iter().copied().filter(|r| !isr.contains(r)).collect() } else { Vec::new() };
                            PartitionView {
                                id: *pid,
                                replicas,
                                leader: state.as_ref().map(|s| s.leader.0),
                                leader_epoch: state.as_ref().map(|s| s.leader_epoch.0),
                                isr,
                                out_of_sync,
                                replica_logs: partition_logs(c, &name, *pid),
                            }
                        })
                        .collect();
                    (parts, a.topic_id.map(|id| id.to_string()), error)
                }
                Some(Err(e)) => (Vec::new(), None, Some(e.0)),
                None => (Vec::new(), None, None),
            };
            TopicView { name, topic_id, partitions, error }
        })
        .collect()
}

fn record_kind<P: crate::sim::Process>(r: &TraceRecord<P>) -> &'static str {
    match r.kind {
        TraceKind::Deliver { .. } => "deliver",
        TraceKind::Dropped { .. } => "dropped",
        TraceKind::Timer(_) => "timer",
        TraceKind::Disconnect { .. } => "disconnect",
        TraceKind::Note(_) => "note",
        TraceKind::Input(_) => "input",
        TraceKind::Life(_) => "life",
    }
}

/// Trace records from `since` (the newest [`TRACE_SHOWN`]), each with what it changed: the
/// state changes narrated while it was handled (the `Note`s of the same node right after it;
/// for a user input, every change until the next input).
fn trace_views(c: &Cluster, since: u64, max: usize) -> (Vec<TraceView>, u64) {
    let w = &c.world;
    let name = |id: NodeId| w.name(id);
    // Only the newest records are sent: start there instead of walking everything since `since`
    // (at ×1000 that can be hundreds of thousands of records per frame).
    let from = since.max(w.trace.len().saturating_sub(max as u64));
    let recs: Vec<&TraceRecord<Proc>> = w.trace.since(from).collect();
    let start = recs.len().saturating_sub(max);
    let skipped = recs.first().map(|r| r.index.saturating_sub(since)).unwrap_or(0) + start as u64;
    let mut out = Vec::with_capacity(recs.len() - start);
    for (i, r) in recs.iter().enumerate().skip(start) {
        let kind = record_kind(r);
        let (msg_kind, peer) = match &r.kind {
            TraceKind::Deliver { from, msg } | TraceKind::Dropped { from, msg, .. } => (Some(msg.kind().id()), Some(w.name(*from))),
            TraceKind::Disconnect { from } => (None, Some(w.name(*from))),
            _ => (None, None),
        };
        let mut effects = Vec::new();
        if !matches!(r.kind, TraceKind::Note(_)) {
            for e in recs.iter().skip(i + 1) {
                let ends = match r.kind {
                    TraceKind::Input(_) => matches!(e.kind, TraceKind::Input(_)) || e.at != r.at,
                    _ => !matches!(e.kind, TraceKind::Note(_)) || e.node != r.node || e.at != r.at,
                };
                if ends || effects.len() >= 40 {
                    break;
                }
                if matches!(e.kind, TraceKind::Note(_) | TraceKind::Life(_)) {
                    effects.push(narrate(e, &name));
                }
            }
        }
        out.push(TraceView {
            index: r.index,
            at_us: r.at.as_micros(),
            at: r.at.to_string(),
            node: if matches!(r.kind, TraceKind::Input(_)) { "you".into() } else { w.name(r.node) },
            kind,
            msg_kind,
            peer,
            text: shorten(&narrate(r, &name), 400),
            effects,
        });
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(seed: u64) -> Driver {
        let mut d = Driver::new(seed, 3, 4).unwrap();
        for i in 1..=3 {
            assert!(!d.run(&format!("zk start {i}")).error);
        }
        d.advance(5_000_000, u32::MAX);
        d
    }

    fn leader(s: &Snapshot) -> Option<String> {
        s.nodes.iter().filter_map(NodeView::zk).find(|n| n.mode == Some("leader")).map(|n| n.name.clone())
    }

    #[test]
    fn seeds_parse_as_decimal_or_hex_and_bad_ones_are_explained() {
        assert_eq!(parse_seed("42"), Ok(42));
        assert_eq!(parse_seed(" 0x2a "), Ok(42));
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        for bad in ["", "-1", "1e3", "abc", "18446744073709551616", "0x", "0x1g", "<script>"] {
            let e = parse_seed(bad).unwrap_err();
            assert!(e.starts_with("seed must be"), "{bad}: {e}");
        }
        assert_eq!(seed_from_f64(7.0), Ok(7));
        assert!(
            seed_from_f64(-1.0).is_err()
                && seed_from_f64(0.5).is_err()
                && seed_from_f64(f64::NAN).is_err()
                && seed_from_f64(1e300).is_err()
        );
        assert!(micros_from_f64(f64::INFINITY).is_err() && micros_from_f64(-3.0).is_err());
        // Numbers in these messages read as the browser prints them (`String(n)` in JavaScript).
        for (n, js) in [
            (1e300, "1e+300"),
            (-1.5e-7, "-1.5e-7"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (-0.0, "0"),
            (0.5, "0.5"),
            (0.000001, "0.000001"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(number_text(n), js, "{n:?}");
        }
        assert!(seed_from_f64(1e300).unwrap_err().contains("got 1e+300;"));
    }

    #[test]
    fn shapes_outside_the_supported_range_are_rejected() {
        assert!(Driver::new(1, 0, 4).is_err());
        assert!(Driver::new(1, 8, 4).is_err());
        assert!(Driver::new(1, 3, 99).is_err());
        let d = Driver::new(1, 5, 2).unwrap();
        let s = d.snapshot(0);
        assert_eq!(s.nodes.iter().filter(|n| n.kind() == "zk").count(), 5);
        assert_eq!(s.nodes.iter().filter(|n| n.kind() == "broker").count(), 2);
    }

    #[test]
    fn clicks_become_the_equivalent_terminal_commands() {
        let known: Vec<String> = ["zk1", "zk2", "zk3", "b1", "b2"].iter().map(|s| s.to_string()).collect();
        assert_eq!(action_command("kill", "zk2", &known).unwrap(), "zk kill 2");
        assert_eq!(action_command("restart", "b1", &known).unwrap(), "broker restart 1");
        assert_eq!(action_command("isolate", "zk1", &known).unwrap(), "net partition zk1 | zk2,zk3");
        assert_eq!(action_command("partition", "zk1,zk2|zk3", &known).unwrap(), "net partition zk1,zk2 | zk3");
        assert_eq!(action_command("heal", "", &known).unwrap(), "net heal");
        assert!(action_command("kill", "zk9", &known).unwrap_err().contains("unknown node"));
        assert!(action_command("kill", "zk1; net heal", &known).is_err());
        assert!(action_command("explode", "zk1", &known).is_err());
        assert!(action_command("partition", "zk1", &known).is_err());
        assert!(action_command("partition", "zk1|", &known).is_err());
    }

    #[test]
    fn killing_the_leader_by_click_elects_a_new_leader_in_the_snapshot() {
        let mut d = started(1);
        let s = d.snapshot(0);
        let old = leader(&s).expect("a leader after 5 s");
        assert_eq!(s.nodes.iter().filter_map(NodeView::zk).filter(|n| n.role == Some("FOLLOWING")).count(), 2);
        let out = d.act("kill", &old);
        assert!(!out.error, "{:?}", out.lines);
        d.advance(5_000_000, u32::MAX);
        let s = d.snapshot(0);
        let new = leader(&s).expect("a new leader");
        assert_ne!(new, old);
        let dead = s.nodes.iter().filter_map(NodeView::zk).find(|n| n.name == old).unwrap();
        assert_eq!((dead.life, dead.role), ("crashed", None));
        assert_eq!(s.nodes.iter().filter_map(NodeView::zk).find(|n| n.name == new).unwrap().epoch, Some(2));
    }

    #[test]
    fn the_snapshot_shows_znodes_with_their_stat_and_data_literally() {
        let mut d = started(3);
        let out = d.run("zookeeper-shell localhost:2181 create /x '<img src=x onerror=alert(1)>'");
        assert!(!out.error, "{:?}", out.lines);
        let s = d.snapshot(0);
        let z = s.znodes.iter().find(|z| z.path == "/x").expect("/x shown");
        assert_eq!(z.data.as_deref(), Some("<img src=x onerror=alert(1)>"));
        assert_eq!((z.version, z.depth, z.name.as_str()), (0, 1, "x"));
        assert!(z.czxid.starts_with("0x1000000"));
        assert_eq!(s.tree_source.as_deref(), leader(&s).as_deref());
    }

    #[test]
    fn trace_records_come_incrementally_with_what_they_changed() {
        let mut d = Driver::new(1, 3, 1).unwrap();
        let s0 = d.snapshot(0);
        d.act("start", "zk1");
        d.act("start", "zk2");
        d.advance(3_000_000, u32::MAX);
        let s = d.snapshot(s0.trace_len);
        assert_eq!(s.trace.first().map(|t| t.index), Some(s0.trace_len));
        let input = s.trace.iter().find(|t| t.kind == "input").unwrap();
        assert_eq!(input.text, "$ zk start 1");
        assert!(input.effects.iter().any(|e| e.contains("zk1: started")), "{:?}", input.effects);
        assert!(s.trace.iter().any(|t| t.kind == "deliver" && t.msg_kind == Some("vote")));
        assert!(s.trace.iter().any(|t| !t.effects.is_empty() && t.kind == "deliver"));
        let later = d.snapshot(s.trace_len);
        assert!(later.trace.is_empty());
    }

    #[test]
    fn messages_in_flight_carry_send_and_delivery_times() {
        let mut d = Driver::new(1, 3, 1).unwrap();
        d.act("start", "zk1");
        d.act("start", "zk2");
        let s = d.snapshot(0);
        assert!(!s.flights.is_empty());
        for f in &s.flights {
            assert!(f.deliver_us >= f.sent_us && f.deliver_us > s.now_us, "{f:?}");
        }
        assert!(s.flights.iter().any(|f| f.kind == "vote"));
    }

    #[test]
    fn the_clock_advances_by_time_by_events_and_to_the_next_state_change() {
        let mut d = Driver::new(1, 3, 1).unwrap();
        d.act("start", "zk1");
        d.act("start", "zk2");
        assert_eq!(d.step(3), 3);
        let capped = d.advance(10_000_000, 5);
        assert_eq!((capped.events, capped.reached), (5, false));
        let before = d.snapshot(0).trace_len;
        let n = d.step_to_change(100_000);
        assert!(n >= 1);
        let s = d.snapshot(before);
        assert!(s.trace.iter().any(|t| t.kind == "note" || t.kind == "life"));
        let r = d.run_until(60_000_000, u32::MAX);
        assert!(r.reached && r.now_us == 60_000_000);
        // Nothing to do on an idle cluster: steps stop at once.
        let mut idle = Driver::new(1, 3, 1).unwrap();
        assert_eq!(idle.step(10), 0);
        assert_eq!(idle.step_to_change(10), 0);
    }

    #[test]
    fn advancing_in_event_slices_gives_the_same_trace_as_one_big_advance() {
        // The page advances in chunks of events within a per-frame time budget: wherever the
        // slices end, the trace must be the one a single advance gives.
        let setup = |d: &mut Driver| {
            for line in ["zk start 1", "zk start 2", "zk start 3", "sleep 3s", "broker start 1", "broker start 2", "sleep 3s"] {
                assert!(!d.run(line).error, "{line}");
            }
        };
        let mut one = Driver::new(9, 3, 2).unwrap();
        setup(&mut one);
        let end = one.now_us() + 20_000_000;
        assert!(one.run_until(end, u32::MAX).reached);
        for chunk in [1, 7, 1000] {
            let mut sliced = Driver::new(9, 3, 2).unwrap();
            setup(&mut sliced);
            // Frames of 16.7 ms of wall time at ×100, each running at most `chunk` events per call
            // and at most 3 calls (the budget), the clock lagging when they run out.
            let mut vt = sliced.now_us();
            let mut calls = 0u64;
            while sliced.now_us() < end {
                vt = (vt.max(sliced.now_us()) + 1_670_000).min(end);
                for _ in 0..3 {
                    calls += 1;
                    let r = sliced.run_until(vt, chunk);
                    if r.reached {
                        break;
                    }
                    vt = r.now_us;
                }
            }
            assert!(calls >= 12, "chunk {chunk}: {calls} calls");
            assert_eq!((sliced.trace_hash(), sliced.now_us()), (one.trace_hash(), one.now_us()), "chunk {chunk}");
        }
    }

    #[test]
    fn panels_not_asked_for_are_left_empty_but_their_digest_and_counts_are_sent() {
        let mut d = started(8);
        assert!(!d.run("zookeeper-shell localhost:2181 create /p x").error);
        let all = d.snapshot(0);
        let none = d.snapshot_with(u64::MAX, 0, Panels { znodes: false, topics: false });
        assert!(none.znodes.is_empty() && none.topics.is_empty() && none.trace.is_empty() && none.trace_skipped == 0);
        assert!(!all.znodes.is_empty());
        assert_eq!((none.tree_digest, none.znodes_total, none.tree_source), (all.tree_digest, all.znodes_total, all.tree_source));
        let some = d.snapshot_with(0, 5, Panels { znodes: true, topics: false });
        assert_eq!(some.trace.len(), 5);
        assert_eq!(some.znodes.len(), all.znodes.len());
    }

    #[test]
    fn partitions_and_heals_show_as_cut_links() {
        let mut d = started(2);
        let out = d.act("isolate", "zk1");
        assert!(!out.error, "{:?}", out.lines);
        assert_eq!(out.lines[0], "$ net partition zk1 | zk2,zk3");
        assert_eq!(d.snapshot(0).cuts.len(), 4);
        d.act("heal", "");
        assert!(d.snapshot(0).cuts.is_empty());
    }

    #[test]
    fn topics_brokers_and_replica_logs_come_from_the_simulated_kafka_cluster() {
        let mut d = started(4);
        for line in [
            "broker start 1",
            "broker start 2",
            "broker start 3",
            "sleep 3s",
            "kafka-topics --create --zookeeper localhost:2181 --topic t --replica-assignment 2:1:3",
            "sleep 2s",
            "kafka-console-producer --bootstrap-server localhost:9092 --topic t --producer-property acks=all --messages 3",
            "broker kill 3",
            "sleep 30s",
        ] {
            let out = d.run(line);
            assert!(!out.error && !out.lines.iter().any(|l| l.contains("Exception")), "{line}: {:?}", out.lines);
        }
        let s = d.snapshot(0);
        // Broker 1 started first and created /controller.
        assert_eq!(s.controller, Some(1));
        let b1 = s.nodes.iter().filter_map(NodeView::broker).find(|n| n.name == "b1").unwrap();
        assert!(b1.controller && b1.registered && b1.up && b1.role == Some("CONTROLLER"), "{b1:?}");
        assert!(b1.broker_state.as_deref().unwrap_or("").starts_with("RunningAsBroker"), "{b1:?}");
        let b3 = s.nodes.iter().filter_map(NodeView::broker).find(|n| n.name == "b3").unwrap();
        assert!(!b3.up && !b3.registered, "{b3:?}");
        let t = s.topics.iter().find(|t| t.name == "t").unwrap();
        let p = &t.partitions[0];
        // Broker 3's session expired: it left the ISR; leader 2 stays.
        assert_eq!((p.leader, &p.replicas, &p.isr, &p.out_of_sync), (Some(2), &vec![2, 1, 3], &vec![2, 1], &vec![3]));
        // Every replica has the 3 records; the leader's high watermark is 3.
        let leader_log = p.replica_logs.iter().find(|r| r.broker == 2).unwrap();
        assert_eq!((leader_log.leo.as_str(), leader_log.hw.as_str()), ("3", "3"));
        assert_eq!(p.replica_logs.len(), 3, "{:?}", p.replica_logs);
    }

    #[test]
    fn snapshots_outputs_and_advances_are_written_as_serde_json_writes_them() {
        use crate::json_out::to_json;
        let mut d = started(4);
        for line in [
            "broker start 1",
            "broker start 2",
            "sleep 3s",
            "kafka-topics --create --zookeeper localhost:2181 --topic t --partitions 2 --replication-factor 2",
            "zookeeper-shell localhost:2181 create /x \"<img src=x onerror=alert(1)>\\\"\tü\"",
            "broker kill 2",
            "no-such-command",
        ] {
            let out = d.run(line);
            assert_eq!(to_json(&out), serde_json::to_string(&out).unwrap(), "{line}");
            let adv = d.advance(1_500_000, 10_000);
            assert_eq!(to_json(&adv), serde_json::to_string(&adv).unwrap());
            let s = d.snapshot(0);
            assert_eq!(to_json(&s), serde_json::to_string(&s).unwrap(), "after {line}");
        }
        let s = d.snapshot(0);
        // The snapshots compared above held a topic and the payload znode.
        assert!(s.topics.iter().any(|t| t.name == "t" && t.partitions.len() == 2), "{:?}", s.topics);
        assert!(
            s.znodes.iter().any(|z| z.path == "/x" && z.data.as_deref() == Some("<img src=x onerror=alert(1)>\"\tü")),
            "{:?}",
            s.znodes
        );
    }

    #[test]
    fn the_snapshot_serialises_to_json_without_large_integers() {
        let mut d = started(5);
        d.run("zookeeper-shell localhost:2181 create -e /eph x");
        let s = d.snapshot(0);
        let json = crate::json_out::to_json(&s);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        fn check(v: &serde_json::Value) {
            match v {
                serde_json::Value::Number(n) => assert!(n.as_u64().map(|x| x < (1 << 53)).unwrap_or(true), "{n}"),
                serde_json::Value::Array(a) => a.iter().for_each(check),
                serde_json::Value::Object(o) => o.values().for_each(check),
                _ => {}
            }
        }
        check(&v);
    }

    #[test]
    fn bad_lines_are_errors_and_change_nothing() {
        let mut d = started(6);
        let h = d.trace_hash();
        for bad in ["zk kill 9", "rm -rf /", "net partition zk1 | zk8", "\u{0}\u{ffff}"] {
            assert!(d.run(bad).error, "{bad}");
        }
        assert!(d.act("kill", "zk9").error);
        // Rejected lines are not traced (parse errors) or leave the cluster as it was.
        let s = d.snapshot(0);
        assert!(leader(&s).is_some());
        let _ = h;
    }
}
