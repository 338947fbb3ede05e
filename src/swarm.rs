//! Swarm testing (TigerBeetle's VOPR idea): every seed draws a whole scenario — ensemble size,
//! latencies, clients, and a random schedule of kills, graceful stops, restarts, partitions,
//! one-way cuts, heals and message loss — runs it with every invariant checked after every event,
//! then stops the faults and checks liveness: with the network healed and every server running,
//! a leader serves with a quorum of followers within a bounded virtual time.
//!
//! A failure reports its seed; `sandbox swarm --seed N --verbose` replays it.

use crate::cluster::{Cluster, Proc, Shape};
use crate::sim::rng::{Ppm, Rng};
use crate::sim::time::Duration;
use crate::sim::NodeId;
use crate::zk::load::WriterProc;
use crate::zk::server::LhPhase;

/// Liveness bound after the faults stop. FLE's notification back-off can reach 60 s, so a server
/// that was alone for long may stay quiet that long before it re-sends its vote.
pub const LIVENESS_BOUND: Duration = Duration::from_secs(90);

/// What one seed did.
#[derive(Clone, Debug)]
pub struct SwarmRun {
    pub seed: u64,
    pub servers: u32,
    pub faults: Vec<String>,
    pub events: u64,
    /// Virtual time from the end of the faults until a leader served (None = never).
    pub recovered_in: Option<Duration>,
    pub writes: u64,
    pub failures: Vec<String>,
    /// A Kafka seed (`run_kafka_seed`) rather than a ZooKeeper-only one.
    pub kafka: bool,
}

impl SwarmRun {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
    /// How to replay this seed.
    pub fn replay_command(&self) -> String {
        format!("cargo run --release --bin sandbox -- swarm{} --seed {} --verbose", if self.kafka { " --kafka" } else { "" }, self.seed)
    }
}

/// Whether some leader serves with a quorum of synced followers.
pub fn leader_serves(c: &Cluster) -> bool {
    c.zk_nodes.iter().any(|n| {
        if !c.world.is_up(*n) {
            return false;
        }
        let Some(Proc::Zk(s)) = c.world.proc(*n) else { return false };
        match s.mode() {
            Some("standalone") => true,
            Some("leader") => {
                let synced = match &s.v.role {
                    crate::zk::server::Role::Leading(l) => l.learners.values().filter(|h| h.phase == LhPhase::Broadcast).count(),
                    _ => 0,
                };
                s.cfg.is_quorum(synced + 1)
            }
            _ => false,
        }
    })
}

/// Run one seed.
pub fn run_seed(seed: u64) -> SwarmRun {
    run_seed_traced(seed, false).0
}

/// Run one seed, keeping the narrated trace when `keep_trace` (for replays), and return the
/// cluster too.
pub fn run_seed_traced(seed: u64, keep_trace: bool) -> (SwarmRun, Cluster) {
    let mut r = Rng::new(seed ^ 0x5377_6172_6d21);
    let servers = *r.pick(&[1u32, 2, 3, 3, 3, 4, 5, 5, 7]).unwrap_or(&3);
    let mut c = Cluster::new(seed, Shape { zk: servers, brokers: 0 });
    c.world.trace.keep = keep_trace;
    c.world.trace.cap = usize::MAX;
    c.enable_checker();
    let min = r.range_inclusive(200, 3000);
    let max = min + r.range_inclusive(0, 20_000);
    c.world.bus.config.delay_min = Duration(min);
    c.world.bus.config.delay_max = Duration(max);
    let mut faults = vec![format!("{servers} servers, delay {}-{}", Duration(min), Duration(max))];

    // Servers start together or one by one.
    let staggered = r.chance(Ppm::percent(50));
    for n in c.zk_nodes.clone() {
        let _ = c.world.start(n);
        if staggered {
            c.run_for(Duration::from_millis(r.range_inclusive(0, 3000)));
        }
    }
    let clients = r.range_inclusive(1, 3) as u32;
    let mut client_nodes: Vec<NodeId> = Vec::new();
    for i in 0..clients {
        let mut list = c.zk_nodes.clone();
        r.shuffle(&mut list);
        let timeout = *r.pick(&[4000u32, 6000, 10_000, 18_000]).unwrap_or(&6000);
        let mut w = WriterProc::new(list, format!("/w{i}"), timeout);
        w.ephemerals = true;
        w.pace = Duration::from_millis(r.range_inclusive(20, 400));
        client_nodes.push(c.spawn_tool(Proc::Writer(w)));
    }

    // Fault phase.
    let n_faults = r.range_inclusive(3, 14);
    for _ in 0..n_faults {
        c.run_for(Duration::from_millis(r.range_inclusive(50, 6000)));
        let zk = c.zk_nodes.clone();
        let Some(&target) = r.pick(&zk) else { break };
        let name = c.world.name(target);
        let what = r.below(100);
        let desc = if what < 22 {
            if c.world.is_up(target) {
                let _ = c.world.crash(target);
                format!("kill {name}")
            } else {
                let _ = c.world.start(target);
                format!("start {name}")
            }
        } else if what < 32 {
            if c.world.is_up(target) {
                let _ = c.world.stop(target);
                format!("stop {name}")
            } else {
                let _ = c.world.start(target);
                format!("start {name}")
            }
        } else if what < 50 {
            // Partition: every node (servers and clients) goes to side A or B.
            let mut all: Vec<NodeId> = zk.clone();
            all.extend(client_nodes.iter().copied());
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for n in all {
                if r.chance(Ppm::percent(50)) {
                    a.push(n)
                } else {
                    b.push(n)
                }
            }
            for x in &a {
                for y in &b {
                    c.world.bus.set_cut(*x, *y, true);
                    c.world.bus.set_cut(*y, *x, true);
                }
            }
            let names = |v: &Vec<NodeId>| v.iter().map(|n| c.world.name(*n)).collect::<Vec<_>>().join(",");
            format!("partition {} | {}", names(&a), names(&b))
        } else if what < 58 {
            let Some(&other) = r.pick(&zk) else { continue };
            if other == target {
                continue;
            }
            c.world.bus.set_cut(target, other, true);
            format!("cut {name}->{}", c.world.name(other))
        } else if what < 78 {
            c.world.bus.heal();
            c.world.release_held();
            "heal".to_string()
        } else if what < 88 {
            let p = r.range_inclusive(0, 30) as u32;
            c.world.bus.config.loss = Ppm::percent(p);
            format!("loss {p}%")
        } else {
            let _ = c.world.crash(target);
            c.run_for(Duration::from_millis(r.range_inclusive(0, 500)));
            let _ = c.world.start(target);
            format!("restart {name}")
        };
        faults.push(desc);
    }
    c.run_for(Duration::from_millis(r.range_inclusive(0, 5000)));

    // Liveness phase: faults stop, the network heals, every server runs.
    c.world.bus.heal();
    c.world.bus.config.loss = Ppm::ZERO;
    c.world.release_held();
    for n in c.zk_nodes.clone() {
        if !c.world.is_up(n) {
            let _ = c.world.start(n);
        }
    }
    let calm = c.now();
    let live = c.run_while(LIVENESS_BOUND, leader_serves);
    let recovered_in = if live { Some(c.now().since(calm)) } else { None };
    // Let the clients write a little on the healed ensemble; the checker keeps watching.
    c.run_for(Duration::from_secs(3));

    let mut failures: Vec<String> = c.violations().iter().map(|v| format!("[{}] at {}: {}", v.invariant, v.at, v.detail)).collect();
    if !live {
        failures.push(format!("[liveness] no leader served with a quorum within {LIVENESS_BOUND} after the faults stopped"));
    }
    let writes = c.world.slots().iter().map(|s| if let Proc::Writer(w) = &s.proc { w.writes } else { 0 }).sum();
    (SwarmRun { seed, servers, faults, events: c.world.events(), recovered_in, writes, failures, kafka: false }, c)
}

// ------------------------------------------------------------------------------------------------
// Kafka swarm
// ------------------------------------------------------------------------------------------------

/// Liveness bound for the Kafka swarm once faults stop: a broker session may need 18 s to expire,
/// the ensemble up to a minute to elect, then the controller fails over and elects leaders.
pub const KAFKA_LIVENESS_BOUND: Duration = Duration::from_secs(150);

/// Whether a controller acts and every partition that has a live ISR member has a live leader.
pub fn kafka_settled(c: &Cluster) -> bool {
    let Some(ctl) = c.controller().and_then(|b| b.ctl.as_ref()) else { return false };
    if ctl.states.is_empty() && !ctl.topics.is_empty() {
        return false;
    }
    let live: Vec<_> = c
        .broker_nodes
        .iter()
        .filter(|n| c.world.is_up(**n))
        .filter_map(|n| match c.world.proc(*n) {
            Some(Proc::Broker(b)) if b.is_running() => Some(b.id),
            _ => None,
        })
        .collect();
    // The controller's view of live brokers must have caught up with reality.
    if ctl.live.keys().copied().collect::<Vec<_>>() != live {
        return false;
    }
    ctl.states.values().all(|s| {
        let has_live_isr = s.isr.iter().any(|b| live.contains(b));
        !has_live_isr || (s.leader.0 >= 0 && live.contains(&s.leader))
    })
}

/// Run one Kafka seed: 3 or 5 ZooKeeper servers, 2–5 brokers, a topic, a producer with acks=all,
/// and faults drawn from the seed walkthrough (broker kills, graceful stops, restarts, ZooKeeper
/// server kills, partitions between brokers and from ZooKeeper, message loss).
pub fn run_kafka_seed(seed: u64) -> SwarmRun {
    run_kafka_seed_traced(seed, false).0
}

pub fn run_kafka_seed_traced(seed: u64, keep_trace: bool) -> (SwarmRun, crate::terminal::Terminal) {
    use crate::kafka::cli::{KafkaTool, ToolJob};
    let mut r = Rng::new(seed ^ 0x4b61_666b_6121);
    let zk = *r.pick(&[1u32, 3, 3, 3, 5]).unwrap_or(&3);
    let brokers = r.range_inclusive(2, 5) as u32;
    let mut t = crate::terminal::Terminal::new(seed);
    t.cluster.world.trace.keep = keep_trace;
    t.cluster.world.trace.cap = usize::MAX;
    t.cluster.enable_checker();
    let _ = t.run_line(&format!("cluster --zk {zk} --brokers {brokers}"));
    let mut cfg = (*t.cluster.kafka_cfg).clone();
    cfg.unclean = r.chance(Ppm::percent(15));
    t.cluster.set_kafka_config(cfg.clone());
    let min = r.range_inclusive(200, 2000);
    let max = min + r.range_inclusive(0, 10_000);
    t.cluster.world.bus.config.delay_min = Duration(min);
    t.cluster.world.bus.config.delay_max = Duration(max);
    let mut faults = vec![format!("{zk} zk, {brokers} brokers, unclean {}, delay {}-{}", cfg.unclean, Duration(min), Duration(max))];
    for i in 1..=zk {
        let _ = t.run_line(&format!("zk start {i}"));
    }
    let _ = t.run_line("sleep 3s");
    for i in 1..=brokers {
        let _ = t.run_line(&format!("broker start {i}"));
    }
    let _ = t.run_line("sleep 3s");
    let parts = r.range_inclusive(1, 6);
    let rf = r.range_inclusive(1, brokers.min(3) as u64);
    let min_isr = r.range_inclusive(1, rf);
    let create = format!("kafka-topics --create --bootstrap-server localhost:9092 --topic swarm --partitions {parts} --replication-factor {rf} --config min.insync.replicas={min_isr}");
    let _ = t.run_line(&create);
    faults.push(format!("topic swarm: {parts} partitions, RF {rf}, min.insync.replicas {min_isr}"));
    let _ = t.run_line("sleep 2s");
    let boot: Vec<NodeId> = t.cluster.broker_nodes.clone();
    let load = KafkaTool::new(
        ToolJob::Load { topic: "swarm".into(), every: Duration::from_millis(100) },
        None,
        boot,
        t.cluster.kafka_cfg.brokers.clone(),
    );
    t.cluster.spawn_tool(Proc::KafkaTool(load));

    let n_faults = r.range_inclusive(2, 10);
    for _ in 0..n_faults {
        t.cluster.run_for(Duration::from_millis(r.range_inclusive(100, 15_000)));
        let what = r.below(100);
        let b = r.range_inclusive(1, brokers as u64);
        let z = r.range_inclusive(1, zk as u64);
        let line = if what < 25 {
            format!("broker kill {b}")
        } else if what < 35 {
            format!("broker stop {b}")
        } else if what < 55 {
            format!("broker start {b}")
        } else if what < 62 {
            format!("zk kill {z}")
        } else if what < 70 {
            format!("zk start {z}")
        } else if what < 78 {
            // One broker cut off from the other brokers (replication stops; ZooKeeper still sees it).
            let others: Vec<String> = (1..=brokers as u64).filter(|x| *x != b).map(|x| format!("b{x}")).collect();
            if others.is_empty() {
                continue;
            }
            format!("net partition b{b} | {}", others.join(","))
        } else if what < 84 {
            // A broker cut off from ZooKeeper (its session expires if it lasts).
            let zks: Vec<String> = (1..=zk).map(|x| format!("zk{x}")).collect();
            format!("net partition b{b} | {}", zks.join(","))
        } else if what < 94 {
            "net heal".to_string()
        } else {
            format!("net loss {}", r.range_inclusive(0, 20))
        };
        let out = t.run_line(&line);
        faults.push(if out.error { format!("{line} (rejected)") } else { line });
    }
    t.cluster.run_for(Duration::from_millis(r.range_inclusive(0, 5000)));

    // Faults stop: heal, start everything, wait for a controller and leaders.
    let _ = t.run_line("net heal");
    let _ = t.run_line("net loss 0");
    for i in 1..=zk {
        if !t.cluster.zk_node(i).map(|n| t.cluster.world.is_up(n)).unwrap_or(true) {
            let _ = t.run_line(&format!("zk start {i}"));
        }
    }
    // A broker restarted too early exits (its old session still exists): retry like an operator.
    let calm = t.cluster.now();
    let mut live = false;
    while t.cluster.now().since(calm) < KAFKA_LIVENESS_BOUND {
        for i in 1..=brokers {
            if !t.cluster.broker_node(i).map(|n| t.cluster.world.is_up(n)).unwrap_or(true) {
                let _ = t.run_line(&format!("broker start {i}"));
            }
        }
        if t.cluster.run_while(Duration::from_secs(10), kafka_settled) {
            live = true;
            break;
        }
    }
    let recovered_in = if live { Some(t.cluster.now().since(calm)) } else { None };
    t.cluster.run_for(Duration::from_secs(3));
    let mut failures: Vec<String> = t.cluster.violations().iter().map(|v| format!("[{}] at {}: {}", v.invariant, v.at, v.detail)).collect();
    if !live {
        let status = t.status().join("; ");
        let states = t
            .cluster
            .controller()
            .and_then(|b| b.ctl.as_ref())
            .map(|c| {
                format!(
                    "controller live {:?}, states {:?}",
                    c.live.keys().collect::<Vec<_>>(),
                    c.states.iter().map(|(tp, s)| format!("{tp}: leader {} isr {:?}", s.leader, s.isr)).collect::<Vec<_>>()
                )
            })
            .unwrap_or_else(|| "no controller".into());
        failures.push(format!("[liveness] no controller with leaders for every partition with a live ISR member within {KAFKA_LIVENESS_BOUND} after the faults stopped ({status}; {states})"));
    }
    let writes = t.cluster.world.slots().iter().map(|s| if let Proc::KafkaTool(k) = &s.proc { k.acked } else { 0 }).sum();
    let events = t.cluster.world.events();
    (SwarmRun { seed, servers: zk, faults, events, recovered_in, writes, failures, kafka: true }, t)
}
