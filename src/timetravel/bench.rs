//! The time-travel benchmark (`sandbox bench`, `Sandbox.benchTimeTravel` in the page): one
//! virtual hour of the seed cluster (3 ZooKeeper servers, 4 brokers, `test` 10×RF4, one acks=all
//! producer; a broker killed at 20 minutes and restarted at 30), run live through the time
//! machine with the trace kept as the page keeps it, then seeks to random times and single
//! steps back from random positions, each timed with the caller's clock. Prints figures;
//! asserts nothing.

use crate::bench::WallClock;
use crate::sim::rng::Rng;
use crate::view::Driver;

use super::TimeMachine;

/// The measured figures (milliseconds).
#[derive(Clone, Debug)]
pub struct TravelFigures {
    pub events: u64,
    pub checkpoints: usize,
    pub interval: u64,
    pub seek: [f64; 3],
    pub back: [f64; 3],
    pub trace_hash: u64,
}

impl TravelFigures {
    pub fn line(&self) -> String {
        format!(
            "time travel (seed cluster, 1 virtual hour, {} events, {} checkpoints every {} steps): seek to a random time p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (target p95 < 50 ms); step back p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (target p95 < 16 ms); trace hash {:016x}",
            self.events, self.checkpoints, self.interval, self.seek[0], self.seek[1], self.seek[2], self.back[0], self.back[1], self.back[2], self.trace_hash
        )
    }
}

fn stats(mut v: Vec<f64>) -> [f64; 3] {
    if v.is_empty() {
        return [0.0; 3];
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    [at(0.5), at(0.95), v[v.len() - 1]]
}

/// The hour-long session, built live (`checkpoints` false: none taken, to measure what they
/// cost in memory).
pub fn session(secs: u64, checkpoints: bool) -> TimeMachine {
    let term = crate::bench::seed_cluster(42, true);
    let mut tm = TimeMachine::from_driver(Driver::from_terminal(term));
    tm.checkpointing = checkpoints;
    let end = secs * 1_000_000;
    let mut t = tm.now_us();
    while t < end {
        t = (t + 1_000_000).min(end);
        tm.run_until(t, u32::MAX);
        if t == end / 3 {
            tm.run("broker kill 3");
        } else if t == end / 2 {
            tm.run("broker start 3");
        }
    }
    tm
}

/// Build the session, then time `seeks` seeks to random times and `backs` steps back.
pub fn run(secs: u64, seeks: u32, backs: u32, now: WallClock<'_>) -> TravelFigures {
    let mut tm = session(secs, true);
    let events = tm.position().live.events;
    let trace_hash = tm.live_hash();
    let span = tm.position().live.at_us;
    let mut rng = Rng::new(7);
    let mut seek = Vec::new();
    for _ in 0..seeks {
        let t = rng.below(span.max(1));
        let s = now();
        tm.seek_time(t);
        seek.push((now() - s) * 1000.0);
    }
    let mut back = Vec::new();
    for _ in 0..backs {
        tm.seek_time(rng.below(span.max(1)));
        let s = now();
        tm.step_back(1);
        back.push((now() - s) * 1000.0);
    }
    TravelFigures {
        events,
        checkpoints: tm.checkpoints(),
        interval: tm.checkpoint_interval(),
        seek: stats(seek),
        back: stats(back),
        trace_hash,
    }
}
