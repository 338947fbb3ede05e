//! The ZooKeeper swarm: an ensemble of 1–7 servers, latencies, 1–3 writing clients with
//! ephemerals, and a random schedule of faults (kills, graceful stops, restarts, pauses,
//! partitions that also cut clients off, one-way cuts, heals, loss, delay), every invariant
//! checked after every event; then the faults stop and a leader must serve with a quorum of
//! synced followers within [`LIVENESS_BOUND`].

use super::{Menu, Seen, SwarmRun};
use crate::cluster::{Cluster, Proc, Shape};
use crate::fault::{Fault, Server};
use crate::sim::rng::{Ppm, Rng};
use crate::sim::time::Duration;
use crate::sim::NodeId;
use crate::zk::load::WriterProc;
use crate::zk::server::LhPhase;

/// Liveness bound after the faults stop. FLE's notification back-off can reach 60 s, so a server
/// that was alone for long may stay quiet that long before it re-sends its vote.
pub const LIVENESS_BOUND: Duration = Duration::from_secs(90);

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

/// The server that leads (or runs standalone), if any.
fn leader(c: &Cluster) -> Option<NodeId> {
    c.zk_nodes
        .iter()
        .copied()
        .find(|n| c.world.is_up(*n) && matches!(c.world.proc(*n), Some(Proc::Zk(s)) if matches!(s.mode(), Some("leader" | "standalone"))))
}

/// Run one seed (the default menu).
pub fn run_seed(seed: u64) -> SwarmRun {
    run_seed_with(seed, Menu::Wide)
}

/// Run one seed with the given fault menu.
pub fn run_seed_with(seed: u64, menu: Menu) -> SwarmRun {
    run_seed_traced_with(seed, false, menu).0
}

/// Run one seed, keeping the narrated trace when `keep_trace` (for replays), and return the
/// cluster too.
pub fn run_seed_traced(seed: u64, keep_trace: bool) -> (SwarmRun, Cluster) {
    run_seed_traced_with(seed, keep_trace, Menu::Wide)
}

/// One swarm step: its faults, applied in order.
struct Step {
    faults: Vec<Fault>,
    /// Time to let pass between the faults (a restart's down time).
    gap: Option<Duration>,
}

pub fn run_seed_traced_with(seed: u64, keep_trace: bool, menu: Menu) -> (SwarmRun, Cluster) {
    let mut r = Rng::new(seed ^ 0x5377_6172_6d21);
    let servers = *r.pick(&[1u32, 2, 3, 3, 3, 4, 5, 5, 7]).unwrap_or(&3);
    let mut c = Cluster::new(seed, Shape { zk: servers, brokers: 0 });
    c.world.trace.keep = keep_trace;
    c.world.trace.cap = usize::MAX;
    c.enable_checker();
    let mut seen = Seen::default();
    seen.add(format!("zk-servers:{servers}"));
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
        let step = match menu {
            Menu::Classic => classic_step(&mut r, &c, target, &client_nodes),
            Menu::Wide => wide_step(&mut r, &c, target, &client_nodes, &mut seen),
        };
        let Some(step) = step else { continue };
        let mut lines = Vec::new();
        for (i, f) in step.faults.iter().enumerate() {
            if i > 0 {
                if let Some(gap) = step.gap {
                    c.run_for(gap);
                }
            }
            let on_leader = f.server().is_some() && f.server() == leader(&c).map(|n| server_of(&c, n));
            let serving = leader_serves(&c);
            match f.apply(&mut c) {
                Ok(_) => {
                    seen.add(format!("fault:{}", f.kind()));
                    if on_leader {
                        seen.add(format!("leader-{}", f.kind()));
                    }
                    if !serving {
                        seen.add("fault-without-quorum");
                    }
                    lines.push(f.to_string());
                }
                Err(_) => lines.push(format!("{f} (rejected)")),
            }
        }
        faults.push(lines.join("; "));
    }
    c.run_for(Duration::from_millis(r.range_inclusive(0, 5000)));

    // Liveness phase: faults stop, the network heals, every server runs.
    for n in c.zk_nodes.clone() {
        if c.world.is_paused(n) {
            let _ = Fault::Resume(server_of(&c, n)).apply(&mut c);
        }
    }
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
    let run = SwarmRun {
        seed,
        servers,
        faults,
        events: c.world.events(),
        recovered_in,
        writes,
        failures,
        kafka: false,
        menu,
        coverage: seen.into_vec(),
    };
    (run, c)
}

/// The fault target of a ZooKeeper node (`zk3` for the third server).
fn server_of(c: &Cluster, n: NodeId) -> Server {
    Server::Zk(c.zk_nodes.iter().position(|x| *x == n).map(|i| i as u32 + 1).unwrap_or(0))
}

/// A partition putting every server and client on side A or side B.
fn random_partition(r: &mut Rng, c: &Cluster, clients: &[NodeId]) -> Fault {
    let mut all: Vec<NodeId> = c.zk_nodes.clone();
    all.extend(clients.iter().copied());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for n in all {
        if r.chance(Ppm::percent(50)) {
            a.push(c.world.name(n))
        } else {
            b.push(c.world.name(n))
        }
    }
    Fault::Partition(vec![a, b])
}

/// The menu the swarm drew from before pause existed (its draws, in its order).
fn classic_step(r: &mut Rng, c: &Cluster, target: NodeId, clients: &[NodeId]) -> Option<Step> {
    let s = server_of(c, target);
    let up = c.world.is_up(target);
    let one = |f: Fault| Some(Step { faults: vec![f], gap: None });
    let what = r.below(100);
    if what < 22 {
        one(if up { Fault::Kill(s) } else { Fault::Start(s) })
    } else if what < 32 {
        one(if up { Fault::Stop(s) } else { Fault::Start(s) })
    } else if what < 50 {
        one(random_partition(r, c, clients))
    } else if what < 58 {
        let &other = r.pick(&c.zk_nodes)?;
        if other == target {
            return None;
        }
        one(Fault::Cut { from: c.world.name(target), to: c.world.name(other) })
    } else if what < 78 {
        one(Fault::Heal)
    } else if what < 88 {
        one(Fault::Loss { ppm: Ppm::percent(r.range_inclusive(0, 30) as u32).0 })
    } else {
        let gap = Duration::from_millis(r.range_inclusive(0, 500));
        Some(Step { faults: vec![Fault::Kill(s), Fault::Start(s)], gap: Some(gap) })
    }
}

/// The wide menu: the classic faults plus pause/resume (of any server, or of the leader), delay
/// changes, and kills aimed at the leader.
fn wide_step(r: &mut Rng, c: &Cluster, target: NodeId, clients: &[NodeId], seen: &mut Seen) -> Option<Step> {
    let what = r.below(100);
    // Aim at the leader now and then: the interesting server to lose.
    let target = if what >= 94 { leader(c).unwrap_or(target) } else { target };
    let s = server_of(c, target);
    let up = c.world.is_up(target);
    let paused = c.world.is_paused(target);
    let one = |f: Fault| Some(Step { faults: vec![f], gap: None });
    if what < 18 {
        one(if up { Fault::Kill(s) } else { Fault::Start(s) })
    } else if what < 26 {
        one(if paused {
            Fault::Resume(s)
        } else if up {
            Fault::Stop(s)
        } else {
            Fault::Start(s)
        })
    } else if what < 40 {
        one(random_partition(r, c, clients))
    } else if what < 46 {
        let &other = r.pick(&c.zk_nodes)?;
        if other == target {
            return None;
        }
        one(Fault::Cut { from: c.world.name(target), to: c.world.name(other) })
    } else if what < 60 {
        one(Fault::Heal)
    } else if what < 68 {
        one(Fault::Loss { ppm: Ppm::percent(r.range_inclusive(0, 30) as u32).0 })
    } else if what < 76 {
        let gap = Duration::from_millis(r.range_inclusive(0, 500));
        Some(Step { faults: vec![Fault::Kill(s), Fault::Start(s)], gap: Some(gap) })
    } else if !(88..97).contains(&what) {
        // Pause (a GC pause of 0.1–40 s, resumed at once, or left for a later step to resume).
        if paused {
            return one(Fault::Resume(s));
        }
        if !up {
            return one(Fault::Start(s));
        }
        if r.chance(Ppm::percent(50)) {
            let gap = Duration::from_millis(r.range_inclusive(100, 40_000));
            seen.add("pause-then-resume");
            Some(Step { faults: vec![Fault::Pause(s), Fault::Resume(s)], gap: Some(gap) })
        } else {
            one(Fault::Pause(s))
        }
    } else if what < 94 {
        let min = r.range_inclusive(200, 3000);
        let max = min + r.range_inclusive(0, 20_000);
        one(Fault::Delay { min: Duration(min), max: Duration(max) })
    } else {
        one(if up { Fault::Kill(s) } else { Fault::Start(s) })
    }
}
