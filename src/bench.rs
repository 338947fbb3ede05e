//! The benchmark (`sandbox bench`): simulation speed on fixed, seeded scenarios. It prints
//! figures; nothing here asserts a speed. The wall clock is read only by the caller (the binary),
//! never by the simulation.

use crate::cluster::{Cluster, Proc, Shape};
use crate::sim::time::Duration;
use crate::zk::load::WriterProc;

/// A clock reading in seconds, supplied by the binary (`Instant`-based natively).
pub type WallClock<'a> = &'a dyn Fn() -> std::time::Instant;

/// One measured run.
#[derive(Clone, Debug)]
pub struct Figures {
    pub name: String,
    pub events: u64,
    pub virtual_secs: f64,
    pub wall_secs: f64,
    pub writes: u64,
    pub trace_hash: u64,
}

impl Figures {
    pub fn events_per_sec(&self) -> f64 {
        if self.wall_secs > 0.0 {
            self.events as f64 / self.wall_secs
        } else {
            0.0
        }
    }
    pub fn line(&self) -> String {
        format!(
            "{}: {} events in {:.0} virtual s, {:.3} wall s = {:.0} events/s ({} client writes, trace hash {:016x})",
            self.name,
            self.events,
            self.virtual_secs,
            self.wall_secs,
            self.events_per_sec(),
            self.writes,
            self.trace_hash
        )
    }
}

/// A 3-server ensemble, started together, with `clients` writers; ready to run.
pub fn zk_write_cluster(seed: u64, clients: u32, keep_trace: bool) -> Cluster {
    let mut c = Cluster::new(seed, Shape { zk: 3, brokers: 0 });
    c.world.trace.keep = keep_trace;
    for n in c.zk_nodes.clone() {
        let _ = c.world.start(n);
    }
    c.run_for(Duration::from_secs(5));
    for i in 0..clients {
        let mut servers = c.zk_nodes.clone();
        servers.rotate_left(i as usize % 3);
        let w = WriterProc::new(servers, format!("/bench{i}"), 30_000);
        c.spawn_tool(Proc::Writer(w));
    }
    c
}

/// Run the ZooKeeper write benchmark for `secs` virtual seconds.
pub fn zk_writes(secs: u64, keep_trace: bool, now: WallClock<'_>) -> Figures {
    let mut c = zk_write_cluster(42, 4, keep_trace);
    let e0 = c.world.events();
    let t0 = c.world.now();
    let start = now();
    c.run_for(Duration::from_secs(secs));
    let wall = now().duration_since(start).as_secs_f64();
    let writes = c.world.slots().iter().map(|s| if let Proc::Writer(w) = &s.proc { w.writes } else { 0 }).sum();
    Figures {
        name: format!("zk 3 servers + 4 writers, trace {}", if keep_trace { "kept" } else { "hashed only" }),
        events: c.world.events() - e0,
        virtual_secs: c.world.now().since(t0).as_micros() as f64 / 1e6,
        wall_secs: wall,
        writes,
        trace_hash: c.world.trace.hash(),
    }
}

/// Every benchmark, as printable lines.
pub fn run_all(secs: u64, now: WallClock<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    let f = zk_writes(secs, false, now);
    lines.push(f.line());
    let g = zk_writes(secs.min(600), true, now);
    lines.push(g.line());
    lines
}
