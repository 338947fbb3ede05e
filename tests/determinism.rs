//! Same seed + same inputs ⇒ byte-identical trace (structural hash and narrated text); a
//! different seed gives a different run.

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

use zkafka_sandbox::sim::trace::narrate;
use zkafka_sandbox::sim::NodeId;
use zkafka_sandbox::terminal::script::run_script;
use zkafka_sandbox::terminal::Terminal;

const SCRIPT: &str = include_str!("../lessons/seed-zookeeper.txt");

/// Runs `script` with `seed`: the trace hash, the narrated trace and the transcript.
fn run_with(script: &str, seed: u64) -> (u64, String, String) {
    let mut t = Terminal::new(seed);
    let transcript = run_script(&mut t, script, true);
    let w = &t.cluster.world;
    let name = |id: NodeId| w.name(id);
    let text: String = w.trace.since(0).map(|r| format!("{} {}\n", r.at, narrate(r, &name))).collect();
    (w.trace.hash(), text, transcript)
}

fn run(seed: u64) -> (u64, String, String) {
    run_with(SCRIPT, seed)
}

#[test]
fn the_same_seed_and_script_give_byte_identical_traces() {
    let (h1, t1, s1) = run(7);
    let (h2, t2, s2) = run(7);
    assert_eq!(h1, h2);
    assert_eq!(t1, t2);
    assert_eq!(s1, s2);
    assert!(t1.lines().count() > 200, "the trace should be substantial: {} lines", t1.lines().count());
}

#[test]
fn a_different_seed_gives_a_different_trace() {
    let (h1, _, _) = run(7);
    let (h2, _, _) = run(8);
    assert_ne!(h1, h2);
}

#[test]
fn swarm_runs_are_deterministic_per_seed() {
    for seed in [3, 17, 99] {
        let (a, ca) = zkafka_sandbox::swarm::run_seed_traced(seed, true);
        let (b, cb) = zkafka_sandbox::swarm::run_seed_traced(seed, true);
        assert_eq!(a.events, b.events);
        assert_eq!(ca.world.trace.hash(), cb.world.trace.hash());
        assert_eq!(ca.world.fingerprint(), cb.world.fingerprint());
    }
}

#[test]
fn a_restored_checkpoint_replays_the_same_future() {
    // Time travel: clone the world mid-run, run both copies with the same inputs.
    let mut t = Terminal::new(5);
    for l in ["zk start 1", "zk start 2", "zk start 3", "sleep 3s"] {
        t.run_line(l);
    }
    let mut copy = t.clone();
    for term in [&mut t, &mut copy] {
        for l in ["zookeeper-shell localhost:2181 create /x 1", "zk kill 2", "sleep 10s", "echo srvr | nc localhost 2183"] {
            term.run_line(l);
        }
    }
    assert_eq!(t.cluster.world.trace.hash(), copy.cluster.world.trace.hash());
    assert_eq!(t.cluster.world.fingerprint(), copy.cluster.world.fingerprint());
}

const KAFKA_SCRIPT: &str = include_str!("../lessons/seed-walkthrough.txt");

fn run_kafka(seed: u64) -> (u64, String, String) {
    run_with(KAFKA_SCRIPT, seed)
}

#[test]
fn the_whole_seed_walkthrough_with_brokers_is_byte_identical_for_the_same_seed() {
    let (h1, t1, s1) = run_kafka(5);
    let (h2, t2, s2) = run_kafka(5);
    assert_eq!(h1, h2);
    assert_eq!(t1, t2);
    assert_eq!(s1, s2);
    assert!(s1.contains("Leader: 4\tReplicas: 1,4,2,3\tIsr: 4,2,3"), "the walkthrough ran: {s1}");
    let (h3, _, _) = run_kafka(6);
    assert_ne!(h1, h3, "another seed changes the run (timestamps, session ids, timing)");
}

#[test]
fn kafka_swarm_runs_are_deterministic_per_seed() {
    for seed in [4, 21] {
        let (a, ta) = zkafka_sandbox::swarm::run_kafka_seed_traced(seed, false);
        let (b, tb) = zkafka_sandbox::swarm::run_kafka_seed_traced(seed, false);
        assert_eq!(ta.cluster.world.trace.hash(), tb.cluster.world.trace.hash(), "seed {seed}");
        assert_eq!((a.events, a.writes, a.faults), (b.events, b.writes, b.faults));
    }
}
