//! Highlights (`src/highlight.rs`): the plain-language record of what mattered, derived from the
//! trace, checked on the seed walkthrough (`lessons/seed-walkthrough.txt`: Kafka 2.8's controller
//! failover in `KafkaController.scala`, ISR changes in `Partition.scala`, session expiry in
//! ZooKeeper's `SessionTrackerImpl.java`) and across a rewind (time travel).

#![cfg(not(target_arch = "wasm32"))]

use zkafka_sandbox::highlight::Highlight;
use zkafka_sandbox::view::Driver;

fn walkthrough() -> Driver {
    let mut d = Driver::new(1, 3, 4).unwrap();
    let script = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/seed-walkthrough.txt")).unwrap();
    for line in script.lines() {
        let out = d.run(line);
        assert!(!out.error, "{line}: {:?}", out.lines);
    }
    d
}

fn show(h: &Highlight) -> String {
    let args: Vec<String> = h.args.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{} {}", h.kind, args.join(" "))
}

fn changes(hs: &[Highlight]) -> Vec<String> {
    hs.iter().filter(|h| h.kind != "input").map(show).collect()
}

#[test]
fn the_seed_walkthrough_yields_elections_the_controller_moving_after_session_expiry_and_isr_changes_in_order() {
    let mut d = walkthrough();
    let hs = d.highlights_since(0);
    // In this seed broker 4 wins /controller after broker 1's session expires (the post shows 3:
    // any live broker may win the race).
    let expected = [
        "zk-new-epoch server=zk2 epoch=1",
        "zk-leader-elected server=zk2 epoch=1",
        "broker-registered brokers=1",
        "controller-elected broker=1 epoch=1 previous=-",
        "broker-registered brokers=2",
        "broker-registered brokers=3",
        "broker-registered brokers=4",
        // broker kill 1: nothing until its session expires 18 s later (zookeeper.session.timeout.ms).
        "session-expired session=0x10000cf33ee0000 owner=b1 server=zk2",
        "ephemeral-deleted paths=/controller",
        "controller-elected broker=4 epoch=2 previous=1",
        "ephemeral-deleted paths=/brokers/ids/1",
        "broker-gone brokers=1 controller=4",
        "isr-shrunk partitions=test-0, test-1, test-2, test-3, test-4, test-5, test-6, test-7, test-8, test-9 brokers=1",
        "partition-leader-changed partitions=test-2, test-6 from=1 to=none",
        "partition-leader-changed partitions=test-2 from=none to=4",
        "partition-leader-changed partitions=test-6 from=none to=2",
        // broker 1 returns: registered again, appended to every ISR by the leaders' AlterIsr.
        "broker-registered brokers=1",
        "isr-expanded partitions=test-1, test-2, test-5, test-9, test-0, test-4, test-8, test-3, test-6, test-7 brokers=1",
        // 300 s later the preferred-leader rebalance gives broker 1 its leaderships back.
        "partition-leader-changed partitions=test-2 from=4 to=1",
        "partition-leader-changed partitions=test-6 from=2 to=1",
        // zk kill 2 (the ZooKeeper leader): zk3 leads a new epoch.
        "zk-new-epoch server=zk3 epoch=2",
        "zk-leader-elected server=zk3 epoch=2",
    ];
    assert_eq!(changes(&hs), expected);
    // Every typed line is an input highlight, in order; indexes count up; events and times never go back.
    let inputs: Vec<&str> = hs.iter().filter(|h| h.kind == "input").map(|h| h.args.get("line").unwrap()).collect();
    assert_eq!(inputs.first(), Some(&"zookeeper-server-start -daemon config/zookeeper1.properties"));
    assert!(inputs.contains(&"broker kill 1"));
    for (i, w) in hs.windows(2).enumerate() {
        assert_eq!(w[0].index, i as u64);
        assert!(w[0].event <= w[1].event && w[0].at_us <= w[1].at_us, "{:?} then {:?}", w[0], w[1]);
    }
}

#[test]
fn highlights_are_a_function_of_the_trace_whatever_the_chunks_they_were_read_in() {
    let mut d = walkthrough();
    let incremental = d.highlights_since(0);
    let mut fresh = zkafka_sandbox::highlight::Highlighter::new();
    fresh.update(&d.term.cluster);
    assert_eq!(fresh.all(), incremental.as_slice());
}

#[test]
fn after_a_rewind_to_the_controller_move_the_same_highlights_are_derived_again() {
    let mut d = walkthrough();
    let all = d.highlights_since(0);
    let moved = all.iter().find(|h| h.kind == "controller-elected" && h.args.get("previous") == Some("1")).unwrap();
    let mut h = d.highlights.clone();
    h.rewind(moved.event);
    assert_eq!(h.all(), &all[..moved.index as usize], "everything from the controller move on is forgotten");
    assert_eq!(h.position(), moved.event);
    // Reading the trace again from there derives the same highlights (the memory of the first
    // controller, broker 1, was restored: `previous=1`).
    h.update(&d.term.cluster);
    assert_eq!(h.all(), all.as_slice());
    // Rewinding to the start forgets everything.
    h.rewind(0);
    assert!(h.all().is_empty());
    h.update(&d.term.cluster);
    assert_eq!(h.all(), all.as_slice());
}

#[test]
fn since_returns_the_tail_and_a_since_past_the_end_returns_nothing() {
    let mut d = walkthrough();
    let all = d.highlights_since(0);
    assert_eq!(d.highlights_since(3), all[3..].to_vec());
    assert!(d.highlights_since(u64::MAX).is_empty());
    assert_eq!(d.snapshot(0).highlights, all.len() as u64);
}
