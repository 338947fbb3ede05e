//! Swarm testing (TigerBeetle's VOPR idea): every seed draws a whole scenario — cluster shape,
//! latencies, clients, and a random schedule of [`Fault`](crate::fault::Fault)s — runs it with
//! every invariant checked after every event, then stops the faults and checks liveness.
//!
//! - `zk.rs`: a ZooKeeper ensemble with writing clients; liveness = a leader serves with a quorum.
//! - `kafka.rs`: ZooKeeper plus brokers, a topic and producers; liveness = a controller and a
//!   leader for every partition that has a live ISR member.
//!
//! Each run lists the faults and features it exercised ([`SwarmRun::coverage`]); [`Coverage`]
//! counts them over many seeds so that a blind spot shows. [`run_many`] spreads seeds over
//! threads; a seed's outcome depends on the seed alone, never on the number of threads.
//!
//! Two fault menus: [`Menu::Wide`] (the default: pause/resume, ZooKeeper faults while brokers run,
//! broker restarts during a controller failover, `broker stop` without a ZooKeeper quorum, acks
//! 0/1/all, unclean election on and off) and [`Menu::Classic`], the menu the swarms drew from
//! before it, kept so that the seeds found failing with it (issue 11: ZooKeeper 320240 and
//! 836647568, Kafka 52682, 50824, ...) replay exactly: `sandbox swarm --menu classic --seed N`.
//!
//! A failure reports its seed; `sandbox swarm [--kafka] --seed N --verbose` replays it.

mod kafka;
mod zk;

pub use kafka::{
    kafka_settled, run_kafka_seed, run_kafka_seed_traced, run_kafka_seed_traced_with, run_kafka_seed_with, KAFKA_LIVENESS_BOUND,
};
pub use zk::{leader_serves, run_seed, run_seed_traced, run_seed_traced_with, run_seed_with, LIVENESS_BOUND};

use crate::sim::time::Duration;
use crate::sorted::{SortedMap, SortedSet};

/// Which fault menu a seed draws from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Menu {
    /// Every fault and feature (the default).
    #[default]
    Wide,
    /// The menu before pause and the wider Kafka faults: replays the seeds found with it.
    Classic,
}

impl Menu {
    pub fn name(self) -> &'static str {
        match self {
            Menu::Wide => "wide",
            Menu::Classic => "classic",
        }
    }
}

/// What one seed did.
#[derive(Clone, Debug)]
pub struct SwarmRun {
    pub seed: u64,
    pub servers: u32,
    /// The scenario (its first line) and the faults, each as the terminal line that applies it.
    pub faults: Vec<String>,
    pub events: u64,
    /// Virtual time from the end of the faults until the cluster served again (None = never).
    pub recovered_in: Option<Duration>,
    pub writes: u64,
    pub failures: Vec<String>,
    /// A Kafka seed (`run_kafka_seed`) rather than a ZooKeeper-only one.
    pub kafka: bool,
    pub menu: Menu,
    /// The faults applied (`fault:kill`, ...) and the features exercised, sorted, each once.
    pub coverage: Vec<String>,
}

impl SwarmRun {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
    /// How to replay this seed.
    pub fn replay_command(&self) -> String {
        format!(
            "cargo run --release --bin sandbox -- swarm{}{} --seed {} --verbose",
            if self.kafka { " --kafka" } else { "" },
            if self.menu == Menu::Classic { " --menu classic" } else { "" },
            self.seed
        )
    }
    /// Everything that must not depend on how seeds were spread over threads.
    pub fn outcome(&self) -> (u64, u64, u64, Vec<String>, Vec<String>, Vec<String>) {
        (self.seed, self.events, self.writes, self.faults.clone(), self.failures.clone(), self.coverage.clone())
    }
}

/// A run's coverage list under construction: sorted, each entry once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Seen(SortedSet<String>);

impl Seen {
    pub(crate) fn add(&mut self, what: impl Into<String>) {
        self.0.insert(what.into());
    }
    pub(crate) fn into_vec(self) -> Vec<String> {
        self.0.iter().cloned().collect()
    }
}

/// How many seeds exercised each fault and feature.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub seeds: u64,
    counts: SortedMap<String, u64>,
}

impl Coverage {
    pub fn add(&mut self, run: &SwarmRun) {
        self.seeds += 1;
        for c in &run.coverage {
            match self.counts.get_mut(c) {
                Some(n) => *n += 1,
                None => {
                    self.counts.insert(c.clone(), 1);
                }
            }
        }
    }
    /// Seeds that exercised `what`.
    pub fn count(&self, what: &str) -> u64 {
        self.counts.get(what).copied().unwrap_or(0)
    }
    /// One line per fault or feature: `  fault:pause  1234 seeds (12.3%)`, in name order.
    pub fn lines(&self) -> Vec<String> {
        let width = self.counts.keys().map(|k| k.len()).max().unwrap_or(0);
        self.counts
            .iter()
            .map(|(k, n)| {
                let pct = if self.seeds == 0 { 0.0 } else { *n as f64 * 100.0 / self.seeds as f64 };
                format!("  {k:width$}  {n:>8} seeds ({pct:.1}%)")
            })
            .collect()
    }
}

/// Run the seeds `from..from + count` with `run`, on `jobs` threads (at least 1), and return the
/// runs in seed order. Each seed is a world of its own: the result does not depend on `jobs`.
pub fn run_many(from: u64, count: u64, jobs: usize, run: impl Fn(u64) -> SwarmRun + Sync) -> Vec<SwarmRun> {
    let mut out = Vec::new();
    run_many_with(from, count, jobs, run, |r| out.push(r));
    out
}

/// [`run_many`], handing each run to `each` in seed order as soon as it and every earlier seed
/// are done (so a long run keeps no more than a window of runs in memory).
pub fn run_many_with(from: u64, count: u64, jobs: usize, run: impl Fn(u64) -> SwarmRun + Sync, mut each: impl FnMut(SwarmRun)) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::mpsc;
    let end = from.saturating_add(count);
    let jobs = jobs.max(1);
    if jobs == 1 {
        (from..end).map(&run).for_each(each);
        return;
    }
    let next = AtomicU64::new(from);
    let (tx, rx) = mpsc::channel::<SwarmRun>();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            let run = &run;
            s.spawn(move || loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= end {
                    break;
                }
                if tx.send(run(seed)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Hand runs on in seed order.
        let mut pending: SortedMap<u64, SwarmRun> = SortedMap::new();
        let mut want = from;
        for r in rx {
            pending.insert(r.seed, r);
            while let Some(r) = pending.remove(&want) {
                each(r);
                want += 1;
            }
        }
    });
}
