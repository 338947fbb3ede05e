//! Bad input never crashes: 100,000+ random and mutated lines through the terminal on a running
//! ensemble (and 30,000 Kafka lines on a cluster with brokers). Every line returns; every rejected
//! line says why in one line; the invariants hold.

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

use zkafka_sandbox::sim::rng::Rng;
use zkafka_sandbox::terminal::Terminal;

const VALID: &[&str] = &[
    "zk start 1",
    "zk stop 2",
    "zk kill 3",
    "zk restart 1",
    "zk start 2",
    "zk start 3",
    "sleep 500ms",
    "sleep 2s",
    "step 5",
    "status",
    "net partition zk1 | zk2,zk3",
    "net cut zk1->zk2",
    "net loss 10",
    "net delay 1ms-5ms",
    "net heal",
    "net",
    "echo srvr | nc localhost 2181",
    "echo mntr | nc localhost 2182 | grep zk_",
    "echo ruok | nc localhost 2183",
    "zookeeper-shell localhost:2181 ls /",
    "zookeeper-shell localhost:2182 create /f x",
    "zookeeper-shell localhost:2183 get -s /f",
    "zookeeper-shell localhost:2181 set -v 3 /f y",
    "zookeeper-shell localhost:2181 delete /f",
    "zookeeper-shell localhost:2181 create -e -s /f/e x",
    "zookeeper-shell localhost:2181,localhost:2182 stat /zookeeper",
    "zookeeper-shell localhost:2181 deleteall /f",
    "help",
    "help net",
    "cluster --zk 5",
    "zookeeper-server-start -daemon config/zookeeper2.properties",
    "# comment",
    "",
];

const WEIRD: &[&str] = &[
    "\u{0}",
    "\u{202e}",
    "e\u{301}",
    "🦀",
    "\u{feff}",
    "\\",
    "'",
    "\"",
    "|",
    "||",
    "->",
    "-",
    "--",
    "--zk",
    "=",
    "%",
    "$",
    "$ ",
    "99999999999999999999999",
    "-1",
    "0",
    "4294967296",
    "1e9",
    "NaN",
    "0x10",
    "1.5",
    "-0",
    "..",
    "/",
    "//",
    "/a/",
    "\t",
    "\r",
];

fn mutate(r: &mut Rng, line: &str) -> String {
    let mut words: Vec<String> = line.split(' ').map(|s| s.to_string()).collect();
    match r.below(7) {
        0 if !words.is_empty() => {
            let i = r.below(words.len() as u64) as usize;
            words[i] = WEIRD[r.below(WEIRD.len() as u64) as usize].to_string();
        }
        1 if !words.is_empty() => {
            let i = r.below(words.len() as u64) as usize;
            words.remove(i);
        }
        2 if !words.is_empty() => {
            let i = r.below(words.len() as u64) as usize;
            let w = words[i].clone();
            words.insert(i, w);
        }
        3 => words.push(WEIRD[r.below(WEIRD.len() as u64) as usize].to_string()),
        4 => {
            // random bytes, lossily decoded
            let n = r.below(40) as usize;
            let bytes: Vec<u8> = (0..n).map(|_| r.below(256) as u8).collect();
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        5 => {
            let n = r.below(100_000) as usize + 1;
            return "x".repeat(n);
        }
        _ => {
            // swap two characters
            let mut chars: Vec<char> = line.chars().collect();
            if chars.len() > 1 {
                let i = r.below(chars.len() as u64) as usize;
                let j = r.below(chars.len() as u64) as usize;
                chars.swap(i, j);
            }
            return chars.into_iter().collect();
        }
    }
    words.join(" ")
}

#[test]
fn a_hundred_thousand_random_and_mutated_lines_never_crash_and_every_rejection_says_why() {
    let mut t = Terminal::new(11);
    t.cluster.enable_checker();
    t.cluster.world.trace.keep = false;
    for l in ["zk start 1", "zk start 2", "zk start 3", "sleep 3s"] {
        t.run_line(l);
    }
    let mut r = Rng::new(2024);
    let (mut rejected, mut accepted, mut in_shell_lines) = (0u64, 0u64, 0u64);
    let total = 100_000u64;
    for i in 0..total {
        let base = VALID[r.below(VALID.len() as u64) as usize];
        // Mostly broken lines; now and then a valid one so the cluster keeps changing.
        let line = if r.below(100) < 4 { base.to_string() } else { mutate(&mut r, base) };
        if i % 10_000 == 5_000 {
            // Open and use an interactive shell for a while.
            t.run_line("zookeeper-shell localhost:2181");
        }
        if t.in_shell() {
            in_shell_lines += 1;
        }
        let out = t.run_line(&line);
        if out.error {
            rejected += 1;
            assert_eq!(out.lines.len(), 1, "a rejected line prints exactly one error line: {line:?} -> {:?}", out.lines);
            assert!(!out.lines[0].trim().is_empty(), "empty error for {line:?}");
            assert!(!out.lines[0].contains('\n'), "multi-line error for {line:?}");
        } else {
            accepted += 1;
        }
    }
    assert!(rejected > 25_000, "many mutated lines are rejected ({rejected})");
    assert!(accepted > 1_000, "valid lines still run ({accepted})");
    assert!(in_shell_lines > 0);
    let v = t.cluster.violations();
    assert!(v.is_empty(), "invariants broken: {v:?}");
    // The cluster still works after all that.
    for l in ["net heal", "net loss 0", "net delay 1ms-3ms", "zk start 1", "zk start 2", "zk start 3", "sleep 180s"] {
        t.run_line(l);
    }
    if t.in_shell() {
        t.run_line("quit");
    }
    let out = t.run_line("zookeeper-shell localhost:2181,localhost:2182,localhost:2183 create /after-fuzz ok");
    assert!(out.lines.iter().any(|l| l == "Created /after-fuzz"), "{:?}\n{:?}\n{:?}", out.lines, t.status(), t.run_line("net").lines);
}

#[test]
fn a_rejected_line_leaves_the_simulation_untouched() {
    let mut t = Terminal::new(3);
    for l in ["zk start 1", "zk start 2", "zk start 3", "sleep 3s"] {
        t.run_line(l);
    }
    let before = (t.cluster.world.fingerprint(), t.cluster.world.events(), t.status());
    for bad in [
        "zk kill 9",
        "zk frobnicate 1",
        "sleep -5s",
        "net partition zk1 | zk9",
        "cluster --zk 3",
        "nc",
        "zookeeper-shell",
        "echo srvr | nc localhost",
        "\u{0}\u{0}",
    ] {
        let out = t.run_line(bad);
        assert!(out.error, "{bad:?} should be rejected: {:?}", out.lines);
    }
    let after = (t.cluster.world.fingerprint(), t.cluster.world.events(), t.status());
    assert_eq!(before.1, after.1, "no event ran");
    assert_eq!(before.2, after.2);
}

const KAFKA_VALID: &[&str] = &[
    "broker start 1", "broker start 2", "broker start 3", "broker start 4", "broker kill 1", "broker stop 2", "broker restart 3",
    "kafka-server-start -daemon config/server4.properties", "kafka-server-stop", "sleep 5s", "sleep 20s", "status", "step 20",
    "kafka-topics --create --zookeeper localhost:2181 --topic t --partitions 3 --replication-factor 2",
    "kafka-topics --create --bootstrap-server localhost:9092 --topic u --partitions 2 --replication-factor 3 --config min.insync.replicas=2",
    "kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3",
    "kafka-topics --describe --zookeeper localhost:2181", "kafka-topics --describe --bootstrap-server localhost:9093 --topic t",
    "kafka-topics --list --bootstrap-server localhost:9092", "kafka-topics --delete --zookeeper localhost:2181 --topic u",
    "kafka-topics --alter --zookeeper localhost:2181 --topic t --partitions 5", "kafka-topics --alter --bootstrap-server localhost:9092 --topic t --partitions 6",
    "kafka-console-producer --bootstrap-server localhost:9092 --topic t --messages 3",
    "kafka-console-producer --bootstrap-server localhost:9092 --topic u --producer-property acks=all --messages 2",
    "kafka-console-producer --bootstrap-server localhost:9094 --topic t", "hello", ".",
    "kafka-console-consumer --bootstrap-server localhost:9092 --topic t --from-beginning --max-messages 2",
    "kafka-console-consumer --bootstrap-server localhost:9092 --topic t --partition 0 --from-beginning --timeout-ms 1000",
    "kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions",
    "net partition b1 | b2,b3,b4", "net partition b2 | zk1,zk2,zk3", "net heal", "zk kill 2", "zk start 2",
    "zookeeper-shell localhost:2181 get /controller", "zookeeper-shell localhost:2181 ls /brokers/ids",
];

#[test]
fn thirty_thousand_mutated_kafka_lines_never_crash_and_the_cluster_still_works() {
    let mut t = Terminal::new(23);
    t.cluster.enable_checker();
    t.cluster.world.trace.keep = false;
    for l in [
        "zk start 1",
        "zk start 2",
        "zk start 3",
        "sleep 3s",
        "broker start 1",
        "broker start 2",
        "broker start 3",
        "broker start 4",
        "sleep 3s",
    ] {
        t.run_line(l);
    }
    let mut r = Rng::new(4711);
    let (mut rejected, mut accepted) = (0u64, 0u64);
    for _ in 0..30_000u64 {
        let base = KAFKA_VALID[r.below(KAFKA_VALID.len() as u64) as usize];
        let line = if r.below(100) < 8 { base.to_string() } else { mutate(&mut r, base) };
        let out = t.run_line(&line);
        if out.error {
            rejected += 1;
            assert_eq!(out.lines.len(), 1, "a rejected line prints exactly one error line: {line:?} -> {:?}", out.lines);
            assert!(!out.lines[0].trim().is_empty(), "empty error for {line:?}");
            assert!(!out.lines[0].contains('\n'), "multi-line error for {line:?}");
        } else {
            accepted += 1;
        }
    }
    assert!(rejected > 5_000, "many mutated lines are rejected ({rejected})");
    assert!(accepted > 1_000, "valid lines still run ({accepted})");
    let v = t.cluster.violations();
    assert!(v.is_empty(), "invariants broken: {v:?}");
    // Afterwards: heal, start everything, and the cluster serves a new topic end to end.
    if t.in_producer() {
        t.run_line(".");
    }
    for l in [
        "net heal",
        "net loss 0",
        "net delay 1ms-3ms",
        "zk start 1",
        "zk start 2",
        "zk start 3",
        "sleep 60s",
        "broker start 1",
        "broker start 2",
        "broker start 3",
        "broker start 4",
        "sleep 30s",
        "broker start 1",
        "broker start 2",
        "broker start 3",
        "broker start 4",
        "sleep 10s",
    ] {
        t.run_line(l);
    }
    let out =
        t.run_line("kafka-topics --create --bootstrap-server localhost:9092 --topic after-fuzz --partitions 2 --replication-factor 2");
    assert_eq!(out.lines, vec!["Created topic after-fuzz.".to_string()], "{:?}", t.status());
    t.run_line("sleep 2s");
    let out =
        t.run_line("kafka-console-producer --bootstrap-server localhost:9092 --topic after-fuzz --producer-property acks=all --messages 4");
    assert!(out.lines.iter().any(|l| l.contains("4 record(s) acknowledged")), "{:?}", out.lines);
    let out = t.run_line("kafka-console-consumer --bootstrap-server localhost:9092 --topic after-fuzz --from-beginning --max-messages 4");
    assert_eq!(out.lines.last().map(String::as_str), Some("Processed a total of 4 messages"), "{:?}", out.lines);
}
