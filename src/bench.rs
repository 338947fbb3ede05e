//! The benchmark (`sandbox bench`): simulation speed on fixed, seeded scenarios. It prints
//! figures; nothing here asserts a speed. The wall clock is read only by the caller (the binary),
//! never by the simulation.

use crate::cluster::{Cluster, Proc, Shape};
use crate::sim::time::Duration;
use crate::zk::load::WriterProc;

/// A clock reading in seconds, supplied by the caller (`Instant`-based in the binary,
/// `performance.now()` in the browser); only differences between two readings are used.
pub type WallClock<'a> = &'a dyn Fn() -> f64;

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
    let name = format!("zk 3 servers + 4 writers, trace {}", if keep_trace { "kept" } else { "hashed only" });
    measure(name, &mut c, secs, written, now)
}

/// Writes completed by the benchmark's writer clients.
fn written(c: &Cluster) -> u64 {
    c.world.slots().iter().map(|s| if let Proc::Writer(w) = &s.proc { w.writes } else { 0 }).sum()
}

/// The seed cluster: 3 ZooKeeper servers, 4 brokers, topic `test` (10 partitions, RF 4, the seed's
/// assignment) and one acks=all producer, set up and ready to run.
pub fn seed_cluster(seed: u64, keep_trace: bool) -> crate::terminal::Terminal {
    let mut t = crate::terminal::Terminal::new(seed);
    t.cluster.world.trace.keep = keep_trace;
    for l in [
        "zk start 1",
        "zk start 2",
        "zk start 3",
        "sleep 5s",
        "broker start 1",
        "broker start 2",
        "broker start 3",
        "broker start 4",
        "sleep 5s",
        "kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1",
        "sleep 2s",
    ] {
        let _ = t.run_line(l);
    }
    spawn_producers(&mut t, "test", 1);
    t
}

fn spawn_producers(t: &mut crate::terminal::Terminal, topic: &str, n: u32) {
    use crate::kafka::cli::{KafkaTool, ToolJob};
    for _ in 0..n {
        let boot = t.cluster.broker_nodes.clone();
        let load = KafkaTool::new(
            ToolJob::Load { topic: topic.into(), every: Duration::from_millis(100) },
            None,
            boot,
            t.cluster.kafka_cfg.brokers.clone(),
        );
        t.cluster.spawn_tool(Proc::KafkaTool(load));
    }
}

/// Records acknowledged to the benchmark's producers.
fn acked(c: &Cluster) -> u64 {
    c.world.slots().iter().map(|s| if let Proc::KafkaTool(k) = &s.proc { k.acked } else { 0 }).sum()
}

/// Run a prepared cluster for `secs` virtual seconds and measure; `writes` counts the clients'
/// completed writes.
fn measure(name: String, c: &mut Cluster, secs: u64, writes: fn(&Cluster) -> u64, now: WallClock<'_>) -> Figures {
    let e0 = c.world.events();
    let t0 = c.world.now();
    let w0 = writes(c);
    let start = now();
    c.run_for(Duration::from_secs(secs));
    let wall = now() - start;
    Figures {
        name,
        events: c.world.events() - e0,
        virtual_secs: c.world.now().since(t0).as_micros() as f64 / 1e6,
        wall_secs: wall,
        writes: writes(c) - w0,
        trace_hash: c.world.trace.hash(),
    }
}

/// The seed cluster for `secs` virtual seconds.
pub fn kafka_seed(secs: u64, now: WallClock<'_>) -> Figures {
    let mut t = seed_cluster(42, false);
    measure("kafka seed cluster (3 zk + 4 brokers, test 10×RF4, 1 producer)".into(), &mut t.cluster, secs, acked, now)
}

/// The scale cluster: 5 ZooKeeper servers, 50 brokers, 1,000 partitions with RF 3, 10 producers.
pub fn kafka_scale(secs: u64, now: WallClock<'_>) -> Figures {
    let mut t = crate::terminal::Terminal::new(42);
    t.cluster.world.trace.keep = false;
    let _ = t.run_line("cluster --zk 5 --brokers 50");
    for i in 1..=5 {
        let _ = t.run_line(&format!("zk start {i}"));
    }
    let _ = t.run_line("sleep 5s");
    for i in 1..=50 {
        let _ = t.run_line(&format!("broker start {i}"));
    }
    let _ = t.run_line("sleep 5s");
    let _ = t.run_line("kafka-topics --create --bootstrap-server localhost:9092 --topic scale --partitions 1000 --replication-factor 3");
    let _ = t.run_line("sleep 10s");
    spawn_producers(&mut t, "scale", 10);
    measure("kafka scale cluster (5 zk + 50 brokers, 1000 partitions RF3, 10 producers)".into(), &mut t.cluster, secs, acked, now)
}

/// Every benchmark, as printable lines.
pub fn run_all(secs: u64, now: WallClock<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    let k = kafka_seed(secs, now);
    lines.push(k.line());
    let s = kafka_scale(60, now);
    lines.push(format!("{} — 1 virtual minute in {:.3} s wall (target < 1 s)", s.line(), s.wall_secs));
    let f = zk_writes(secs, false, now);
    lines.push(f.line());
    let g = zk_writes(secs.min(600), true, now);
    lines.push(g.line());
    lines
}

/// One benchmark by name (`kafka-seed`, `kafka-scale`, `zk`), for profiling.
pub fn run_one(which: &str, secs: u64, now: WallClock<'_>) -> Option<String> {
    match which {
        "kafka-seed" => Some(kafka_seed(secs, now).line()),
        "kafka-scale" => Some(kafka_scale(60, now).line()),
        "zk" => Some(zk_writes(secs, false, now).line()),
        _ => None,
    }
}
