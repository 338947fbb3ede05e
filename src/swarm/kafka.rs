//! The Kafka swarm: 1, 3 or 5 ZooKeeper servers, 2–5 brokers, a topic (1–6 partitions, RF 1–3,
//! min.insync.replicas 1..RF, unclean election on or off), an acks=all load producer and console
//! producers with acks 0, 1 and all, and a random schedule of [`Fault`]s applied through the
//! terminal (so they are recorded as its input lines); every Kafka and ZooKeeper invariant checked
//! after every event; then the faults stop and a controller must elect a leader for every
//! partition that has a live ISR member within [`KAFKA_LIVENESS_BOUND`].

use super::{leader_serves, Menu, Seen, SwarmRun};
use crate::cluster::{Cluster, Proc};
use crate::fault::{Fault, Server};
use crate::sim::rng::{Ppm, Rng};
use crate::sim::time::Duration;
use crate::sim::NodeId;
use crate::terminal::Terminal;

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

/// Run one Kafka seed (the default menu).
pub fn run_kafka_seed(seed: u64) -> SwarmRun {
    run_kafka_seed_with(seed, Menu::Wide)
}

/// Run one Kafka seed with the given fault menu.
pub fn run_kafka_seed_with(seed: u64, menu: Menu) -> SwarmRun {
    run_kafka_seed_traced_with(seed, false, menu).0
}

pub fn run_kafka_seed_traced(seed: u64, keep_trace: bool) -> (SwarmRun, Terminal) {
    run_kafka_seed_traced_with(seed, keep_trace, Menu::Wide)
}

pub fn run_kafka_seed_traced_with(seed: u64, keep_trace: bool, menu: Menu) -> (SwarmRun, Terminal) {
    use crate::kafka::cli::{KafkaTool, ToolJob};
    let wide = menu == Menu::Wide;
    let mut r = Rng::new(seed ^ 0x4b61_666b_6121);
    let zk = *r.pick(&[1u32, 3, 3, 3, 5]).unwrap_or(&3);
    let brokers = r.range_inclusive(2, 5) as u32;
    let mut t = Terminal::new(seed);
    t.cluster.world.trace.keep = keep_trace;
    t.cluster.world.trace.cap = usize::MAX;
    t.cluster.enable_checker();
    let mut seen = Seen::default();
    seen.add(format!("zk-servers:{zk}"));
    seen.add(format!("brokers:{brokers}"));
    let _ = t.run_line(&format!("cluster --zk {zk} --brokers {brokers}"));
    let mut cfg = (*t.cluster.kafka_cfg).clone();
    cfg.unclean = r.chance(Ppm::percent(if wide { 50 } else { 15 }));
    seen.add(format!("unclean.leader.election.enable:{}", cfg.unclean));
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
    seen.add(format!("replication-factor:{rf}"));
    seen.add(format!("min.insync.replicas:{min_isr}-of-rf:{rf}"));
    let _ = t.run_line("sleep 2s");
    let boot: Vec<NodeId> = t.cluster.broker_nodes.clone();
    let load = KafkaTool::new(
        ToolJob::Load { topic: "swarm".into(), every: Duration::from_millis(100) },
        None,
        boot,
        t.cluster.kafka_cfg.brokers.clone(),
    );
    t.cluster.spawn_tool(Proc::KafkaTool(load));
    seen.add("acks:all");
    if wide {
        // A console producer with acks 0, 1 or all besides the acks=all load.
        let acks = *r.pick(&["0", "1", "all"]).unwrap_or(&"1");
        faults.push(produce(&mut t, acks, &mut seen));
    }

    let n_faults = r.range_inclusive(2, 10);
    for _ in 0..n_faults {
        t.cluster.run_for(Duration::from_millis(r.range_inclusive(100, 15_000)));
        let step = match menu {
            Menu::Classic => classic_step(&mut r, zk, brokers),
            Menu::Wide => wide_step(&mut r, &t, zk, brokers),
        };
        let line = match step {
            None => continue,
            Some(KStep::Faults(list, gap)) => {
                let mut lines = Vec::new();
                for (i, f) in list.iter().enumerate() {
                    if i > 0 {
                        t.cluster.run_for(gap);
                    }
                    lines.push(apply(&mut t, f, &mut seen));
                }
                lines.join("; ")
            }
            Some(KStep::Produce(acks)) => produce(&mut t, acks, &mut seen),
        };
        faults.push(line);
    }
    t.cluster.run_for(Duration::from_millis(r.range_inclusive(0, 5000)));

    // Faults stop: resume, heal, start everything, wait for a controller and leaders.
    for i in 1..=zk {
        if t.cluster.zk_node(i).is_some_and(|n| t.cluster.world.is_paused(n)) {
            let _ = t.apply_fault(&Fault::Resume(Server::Zk(i)));
        }
    }
    for i in 1..=brokers {
        if t.cluster.broker_node(i).is_some_and(|n| t.cluster.world.is_paused(n)) {
            let _ = t.apply_fault(&Fault::Resume(Server::Broker(i)));
        }
    }
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
    (SwarmRun { seed, servers: zk, faults, events, recovered_in, writes, failures, kafka: true, menu, coverage: seen.into_vec() }, t)
}

/// One Kafka swarm step.
enum KStep {
    /// Faults applied in order, `Duration` apart.
    Faults(Vec<Fault>, Duration),
    /// A console producer sending a few records with this `acks`.
    Produce(&'static str),
}

fn one(f: Fault) -> Option<KStep> {
    Some(KStep::Faults(vec![f], Duration::ZERO))
}

/// Apply a fault through the terminal and note what it exercised; the line for the fault list.
fn apply(t: &mut Terminal, f: &Fault, seen: &mut Seen) -> String {
    let quorum = leader_serves(&t.cluster);
    let brokers_up = t.cluster.broker_nodes.iter().any(|n| t.cluster.world.is_up(*n));
    let controller = t.cluster.controller().map(|b| b.id.0 as u32);
    let failover = t.cluster.broker_nodes.iter().any(|n| t.cluster.world.is_up(*n)) && controller.is_none();
    let out = t.apply_fault(f);
    if out.error {
        return format!("{f} (rejected)");
    }
    seen.add(format!("fault:{}", f.kind()));
    match f.server() {
        Some(Server::Zk(_)) if brokers_up => seen.add(format!("zk-{}-while-brokers-run", f.kind())),
        Some(Server::Broker(b)) => {
            if controller == Some(b) {
                seen.add(format!("controller-{}", f.kind()));
            }
            if failover && matches!(f, Fault::Restart(_) | Fault::Start(_) | Fault::Kill(_)) {
                seen.add(format!("broker-{}-during-controller-failover", f.kind()));
            }
            if !quorum && matches!(f, Fault::Stop(_)) {
                seen.add("broker-stop-without-zk-quorum");
            }
        }
        _ => {}
    }
    if let Fault::Partition(groups) = f {
        let zk_side = groups.iter().any(|g| g.iter().any(|n| n.starts_with("zk")));
        seen.add(if zk_side { "partition-brokers-from-zk" } else { "partition-between-brokers" });
    }
    if let Fault::Loss { ppm } = f {
        if *ppm > 0 && brokers_up {
            seen.add("loss-on-broker-links");
        }
    }
    f.to_string()
}

/// A console producer sending three records with `acks`.
fn produce(t: &mut Terminal, acks: &'static str, seen: &mut Seen) -> String {
    let line =
        format!("kafka-console-producer --bootstrap-server localhost:9092 --topic swarm --producer-property acks={acks} --messages 3");
    let out = t.run_line(&line);
    seen.add(format!("acks:{acks}"));
    if out.error {
        format!("{line} (rejected)")
    } else {
        line
    }
}

fn broker_names(brokers: u32, but: u64) -> Vec<String> {
    (1..=brokers as u64).filter(|x| *x != but).map(|x| format!("b{x}")).collect()
}

fn zk_names(zk: u32) -> Vec<String> {
    (1..=zk).map(|x| format!("zk{x}")).collect()
}

/// The menu the Kafka swarm drew from before pause existed (its draws, in its order).
fn classic_step(r: &mut Rng, zk: u32, brokers: u32) -> Option<KStep> {
    let what = r.below(100);
    let b = r.range_inclusive(1, brokers as u64);
    let z = r.range_inclusive(1, zk as u64);
    let (sb, sz) = (Server::Broker(b as u32), Server::Zk(z as u32));
    if what < 25 {
        one(Fault::Kill(sb))
    } else if what < 35 {
        one(Fault::Stop(sb))
    } else if what < 55 {
        one(Fault::Start(sb))
    } else if what < 62 {
        one(Fault::Kill(sz))
    } else if what < 70 {
        one(Fault::Start(sz))
    } else if what < 78 {
        // One broker cut off from the other brokers (replication stops; ZooKeeper still sees it).
        let others = broker_names(brokers, b);
        if others.is_empty() {
            return None;
        }
        one(Fault::Partition(vec![vec![format!("b{b}")], others]))
    } else if what < 84 {
        // A broker cut off from ZooKeeper (its session expires if it lasts).
        one(Fault::Partition(vec![vec![format!("b{b}")], zk_names(zk)]))
    } else if what < 94 {
        one(Fault::Heal)
    } else {
        one(Fault::Loss { ppm: Ppm::percent(r.range_inclusive(0, 20) as u32).0 })
    }
}

/// The wide menu: the classic faults, plus ZooKeeper stops, restarts and pauses while brokers
/// run, broker pauses (a zombie controller), broker restarts during a controller failover,
/// `broker stop` while ZooKeeper has no quorum, and producers with acks 0, 1 and all.
fn wide_step(r: &mut Rng, t: &Terminal, zk: u32, brokers: u32) -> Option<KStep> {
    let what = r.below(100);
    let b = r.range_inclusive(1, brokers as u64);
    let z = r.range_inclusive(1, zk as u64);
    let (sb, sz) = (Server::Broker(b as u32), Server::Zk(z as u32));
    let c = &t.cluster;
    let paused = |n: Option<NodeId>| n.is_some_and(|n| c.world.is_paused(n));
    if what < 14 {
        one(Fault::Kill(sb))
    } else if what < 20 {
        one(if paused(c.broker_node(b as u32)) { Fault::Resume(sb) } else { Fault::Stop(sb) })
    } else if what < 32 {
        one(Fault::Start(sb))
    } else if what < 37 {
        one(Fault::Kill(sz))
    } else if what < 40 {
        one(if paused(c.zk_node(z as u32)) { Fault::Resume(sz) } else { Fault::Stop(sz) })
    } else if what < 46 {
        one(Fault::Start(sz))
    } else if what < 49 {
        one(Fault::Restart(sz))
    } else if what < 55 {
        let others = broker_names(brokers, b);
        if others.is_empty() {
            return None;
        }
        one(Fault::Partition(vec![vec![format!("b{b}")], others]))
    } else if what < 60 {
        one(Fault::Partition(vec![vec![format!("b{b}")], zk_names(zk)]))
    } else if what < 68 {
        one(Fault::Heal)
    } else if what < 72 {
        one(Fault::Loss { ppm: Ppm::percent(r.range_inclusive(0, 20) as u32).0 })
    } else if what < 79 {
        // Pause a broker, often the controller: 0.1–40 s, past its 18 s session timeout or not.
        let target = if r.chance(Ppm::percent(50)) { c.controller().map(|x| x.id.0 as u32).unwrap_or(b as u32) } else { b as u32 };
        let s = Server::Broker(target);
        if paused(c.broker_node(target)) {
            return one(Fault::Resume(s));
        }
        let gap = Duration::from_millis(r.range_inclusive(100, 40_000));
        if r.chance(Ppm::percent(70)) {
            Some(KStep::Faults(vec![Fault::Pause(s), Fault::Resume(s)], gap))
        } else {
            one(Fault::Pause(s))
        }
    } else if what < 83 {
        // Pause a ZooKeeper server.
        if paused(c.zk_node(z as u32)) {
            return one(Fault::Resume(sz));
        }
        let gap = Duration::from_millis(r.range_inclusive(100, 30_000));
        Some(KStep::Faults(vec![Fault::Pause(sz), Fault::Resume(sz)], gap))
    } else if what < 89 {
        // Controller failover with a broker restart in the middle of it.
        let ctl = c.controller().map(|x| x.id.0 as u32).unwrap_or(b as u32);
        let kill = if r.chance(Ppm::percent(50)) { Fault::Kill(Server::Broker(ctl)) } else { Fault::Stop(Server::Broker(ctl)) };
        let other = r.range_inclusive(1, brokers as u64) as u32;
        let gap = Duration::from_millis(r.range_inclusive(0, 3000));
        Some(KStep::Faults(vec![kill, Fault::Restart(Server::Broker(other))], gap))
    } else if what < 94 {
        // ZooKeeper loses its quorum, then a broker is stopped.
        let mut list: Vec<Fault> = (1..=zk).filter(|i| *i <= zk / 2 + 1).map(|i| Fault::Kill(Server::Zk(i))).collect();
        list.push(Fault::Stop(sb));
        Some(KStep::Faults(list, Duration::from_millis(r.range_inclusive(0, 2000))))
    } else {
        Some(KStep::Produce(r.pick(&["0", "1", "all"]).unwrap_or(&"1")))
    }
}
