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
}

impl SwarmRun {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
    /// How to replay this seed.
    pub fn replay_command(&self) -> String {
        format!("cargo run --release --bin sandbox -- swarm --seed {} --verbose", self.seed)
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
    (SwarmRun { seed, servers, faults, events: c.world.events(), recovered_in, writes, failures }, c)
}
