//! Swarm test: random ensembles, faults and clients per seed; every invariant after every event;
//! liveness once the faults stop. A failure prints its seed and the command that replays it.

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

use zkafka_sandbox::swarm::{run_seed, SwarmRun};

fn run_range(from: u64, count: u64) -> Vec<SwarmRun> {
    (from..from + count).map(run_seed).filter(|r| !r.ok()).collect()
}

fn report(failed: &[SwarmRun]) -> String {
    let mut s = String::new();
    for r in failed.iter().take(10) {
        s.push_str(&format!("seed {} ({} servers) failed:\n", r.seed, r.servers));
        for f in r.failures.iter().take(5) {
            s.push_str(&format!("  {f}\n"));
        }
        s.push_str(&format!("  faults: {}\n  replay: {}\n", r.faults.join("; "), r.replay_command()));
    }
    s
}

#[test]
fn a_thousand_seeds_of_faults_keep_every_invariant_and_recover_a_serving_leader() {
    let failed = run_range(0, 1000);
    assert!(failed.is_empty(), "{} of 1000 seeds failed:\n{}", failed.len(), report(&failed));
}

#[test]
fn swarm_runs_really_exercise_elections_writes_and_recovery() {
    // Guard against a swarm that passes because nothing happens.
    let runs: Vec<SwarmRun> = (0..50).map(run_seed).collect();
    let writes: u64 = runs.iter().map(|r| r.writes).sum();
    let faults: usize = runs.iter().map(|r| r.faults.len() - 1).sum();
    let slow_recoveries = runs.iter().filter(|r| r.recovered_in.map(|d| d.as_millis() > 0).unwrap_or(false)).count();
    assert!(writes > 1000, "only {writes} client writes in 50 seeds");
    assert!(faults > 200, "only {faults} faults in 50 seeds");
    assert!(slow_recoveries > 5, "only {slow_recoveries} seeds needed a new election after the faults");
}

#[test]
#[ignore = "long run: 10,000 seeds (about a minute in release); `cargo test --release --test swarm -- --ignored`"]
fn ten_thousand_seeds_keep_every_invariant_and_recover() {
    let failed = run_range(1000, 10_000);
    assert!(failed.is_empty(), "{} of 10000 seeds failed:\n{}", failed.len(), report(&failed));
}

// ---------------------------------------------------------------------------------------------
// Kafka: brokers, a topic, an acks=all producer, broker and ZooKeeper faults; Kafka invariants
// (one controller per epoch, leader in ISR, HW monotonic, acknowledged records not lost) after
// every event, then liveness: a controller and a leader for every partition with a live ISR member.
// ---------------------------------------------------------------------------------------------

use zkafka_sandbox::swarm::run_kafka_seed;

fn run_kafka_range(from: u64, count: u64) -> Vec<SwarmRun> {
    (from..from + count).map(run_kafka_seed).filter(|r| !r.ok()).collect()
}

#[test]
fn a_thousand_kafka_seeds_keep_every_invariant_and_recover_a_controller_with_leaders() {
    let failed = run_kafka_range(0, 1000);
    assert!(failed.is_empty(), "{} of 1000 Kafka seeds failed:\n{}", failed.len(), report(&failed));
}

#[test]
fn kafka_swarm_runs_really_produce_move_controllers_and_recover() {
    let runs: Vec<SwarmRun> = (0..50).map(run_kafka_seed).collect();
    let acked: u64 = runs.iter().map(|r| r.writes).sum();
    let kills = runs.iter().flat_map(|r| r.faults.iter()).filter(|f| f.starts_with("broker kill") && !f.ends_with("(rejected)")).count();
    let slow = runs.iter().filter(|r| r.recovered_in.map(|d| d.as_millis() > 1000).unwrap_or(false)).count();
    assert!(acked > 5000, "only {acked} acknowledged records in 50 seeds");
    assert!(kills > 30, "only {kills} broker kills in 50 seeds");
    assert!(slow > 5, "only {slow} seeds needed more than a second to recover after the faults");
}

#[test]
#[ignore = "long run: 10,000 Kafka seeds (about 40 s in release); `cargo test --release --test swarm -- --ignored`"]
fn ten_thousand_kafka_seeds_keep_every_invariant_and_recover() {
    let failed = run_kafka_range(1000, 10_000);
    assert!(failed.is_empty(), "{} of 10000 Kafka seeds failed:\n{}", failed.len(), report(&failed));
}
