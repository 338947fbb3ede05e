//! The JavaScript facade in real Chromium (`wasm-pack test --headless --chrome -- --test wasm`,
//! run by `scripts/test.sh`): the seed walkthrough through `Sandbox`, and the determinism check
//! against the native run of the same scenario (its hash comes in as `ZKAFKA_NATIVE_HASH` at
//! compile time, computed by `examples/web_hash.rs` earlier in the same test run).
#![cfg(target_arch = "wasm32")]

use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use zkafka_sandbox::wasm::Sandbox;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Deserialize, Debug)]
struct Out {
    lines: Vec<String>,
    error: bool,
}

fn run(sb: &mut Sandbox, line: &str) -> Vec<String> {
    let out: Out = serde_wasm_bindgen::from_value(sb.run(line)).expect("run returns {lines, error}");
    assert!(!out.error, "{line}: {:?}", out.lines);
    out.lines
}

fn mode(sb: &mut Sandbox, server: u32) -> String {
    let lines = run(sb, &format!("echo srvr | nc localhost {} | grep Mode", 2180 + server));
    lines.first().cloned().unwrap_or_default()
}

fn leader(sb: &mut Sandbox) -> u32 {
    let leaders: Vec<u32> = (1..=3).filter(|i| mode(sb, *i) == "Mode: leader").collect();
    assert_eq!(leaders.len(), 1, "exactly one leader, got {leaders:?}");
    leaders[0]
}

fn snapshot(sb: &Sandbox) -> serde_json::Value {
    serde_wasm_bindgen::from_value(sb.snapshot(0.0, None, None)).expect("snapshot is plain JSON-like data")
}

#[wasm_bindgen_test]
fn the_seed_walkthrough_zookeeper_part_runs_through_the_facade() {
    let mut sb = Sandbox::new(JsValue::from_str("1"), Some(3), Some(4)).expect("seed 1 is valid");
    for i in 1..=3 {
        run(&mut sb, &format!("zookeeper-server-start config/zookeeper{i}.properties"));
    }
    run(&mut sb, "sleep 5s");
    let old = leader(&mut sb);
    run(&mut sb, "zookeeper-shell localhost:2181 create /hello world");
    let got = run(&mut sb, "zookeeper-shell localhost:2183 get -s /hello");
    assert!(got.iter().any(|l| l == "world"), "{got:?}");

    // Kill the leader by a click, as the page does.
    let out: Out = serde_wasm_bindgen::from_value(sb.act("kill", &format!("zk{old}"))).unwrap();
    assert!(!out.error, "{:?}", out.lines);
    assert_eq!(out.lines[0], format!("$ zk kill {old}"));
    sb.advance(5_000_000.0, u32::MAX);
    let new = leader(&mut sb);
    assert_ne!(new, old);
    assert_eq!(run(&mut sb, &format!("echo srvr | nc localhost {} | grep Zxid", 2180 + new)), vec!["Zxid: 0x200000000".to_string()]);

    let snap = snapshot(&sb);
    let nodes = snap["nodes"].as_array().unwrap();
    let by_name = |n: &str| nodes.iter().find(|x| x["name"] == n).unwrap().clone();
    assert_eq!(by_name(&format!("zk{old}"))["life"], "crashed");
    assert_eq!(by_name(&format!("zk{new}"))["role"], "LEADING");
    assert_eq!(by_name(&format!("zk{new}"))["epoch"], 2);
    assert!(snap["znodes"].as_array().unwrap().iter().any(|z| z["path"] == "/hello" && z["data"] == "world"));

    // Restart the old leader: it follows.
    run(&mut sb, &format!("zookeeper-server-start -daemon config/zookeeper{old}.properties"));
    run(&mut sb, "sleep 5s");
    assert_eq!(mode(&mut sb, old), "Mode: follower");
    let got = run(&mut sb, &format!("zookeeper-shell localhost:{} get /hello", 2180 + old));
    assert_eq!(got.last().map(String::as_str), Some("world"));
}

/// The Kafka half of the seed walkthrough through the facade: broker 1 (the controller) killed,
/// its session expires, every partition has a leader other than 1 and an ISR without it.
#[wasm_bindgen_test]
fn the_seed_walkthrough_kafka_part_runs_through_the_facade() {
    let mut sb = Sandbox::new(JsValue::from_str("1"), Some(3), Some(4)).unwrap();
    for i in 1..=3 {
        run(&mut sb, &format!("zk start {i}"));
    }
    run(&mut sb, "sleep 5s");
    for b in 1..=4 {
        run(&mut sb, &format!("broker start {b}"));
    }
    run(&mut sb, "sleep 10s");
    run(&mut sb, "kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1");
    run(&mut sb, "sleep 5s");
    let before = run(&mut sb, "kafka-topics --describe --zookeeper localhost:2181 --topic test");
    assert_eq!(before.iter().filter(|l| l.contains("Partition:")).count(), 10, "{before:?}");
    run(&mut sb, "broker kill 1");
    run(&mut sb, "sleep 30s");
    let after = run(&mut sb, "kafka-topics --describe --zookeeper localhost:2181 --topic test");
    let parts: Vec<&String> = after.iter().filter(|l| l.contains("Partition:")).collect();
    assert_eq!(parts.len(), 10, "{after:?}");
    for l in parts {
        let field = |name: &str| l.split('\t').find_map(|f| f.trim().strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default();
        assert_ne!(field("Leader:"), "1", "{l}");
        assert!(!field("Isr:").split(',').any(|b| b == "1"), "broker 1 left every ISR: {l}");
    }
    let snap = snapshot(&sb);
    let topic = snap["topics"].as_array().unwrap().iter().find(|t| t["name"] == "test").unwrap().clone();
    for p in topic["partitions"].as_array().unwrap() {
        assert!(p["out_of_sync"].as_array().unwrap().iter().any(|b| b == 1), "{p}");
    }
}

#[wasm_bindgen_test]
fn the_same_seed_and_commands_give_the_same_trace_hash_in_wasm_as_natively() {
    let native = option_env!("ZKAFKA_NATIVE_HASH")
        .expect("ZKAFKA_NATIVE_HASH is set by scripts/test.sh (cargo run --profile test --example web_hash)");
    let mut sb = Sandbox::new(JsValue::from_f64(7.0), Some(3), Some(4)).unwrap();
    for line in include_str!("web/determinism.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        match words.next() {
            Some("@advance") => {
                sb.advance(words.next().and_then(|w| w.parse().ok()).unwrap_or(0.0), u32::MAX);
            }
            Some("@step") => {
                sb.step(words.next().and_then(|w| w.parse().ok()).unwrap_or(1));
            }
            Some("@change") => {
                sb.step_to_change(1_000_000);
            }
            _ => {
                sb.run(line);
            }
        }
    }
    assert_eq!(sb.trace_hash(), native.trim());
}

#[wasm_bindgen_test]
fn bad_input_from_javascript_is_an_error_value_not_a_panic() {
    assert!(Sandbox::new(JsValue::from_str("abc"), None, None).is_err());
    assert!(Sandbox::new(JsValue::from_f64(-1.0), None, None).is_err());
    assert!(Sandbox::new(JsValue::from_f64(f64::NAN), None, None).is_err());
    assert!(Sandbox::new(JsValue::TRUE, None, None).is_err());
    assert!(Sandbox::new(JsValue::from_str("1"), Some(0), None).is_err());
    assert!(Sandbox::new(JsValue::from_str("1"), Some(3), Some(1000)).is_err());
    assert_eq!(Sandbox::check_seed("12"), None);
    assert!(Sandbox::check_seed("<b>").is_some());
    let fresh = Sandbox::fresh_seed();
    assert!(fresh.parse::<u64>().is_ok(), "{fresh}");
    let mut sb = Sandbox::new(JsValue::from_str("0x10"), None, None).unwrap();
    assert_eq!(sb.seed(), "16");
    for (kind, node) in [("kill", "zk42"), ("nuke", "zk1"), ("partition", "zk1"), ("start", "")] {
        let out: Out = serde_wasm_bindgen::from_value(sb.act(kind, node)).unwrap();
        assert!(out.error, "{kind} {node}");
    }
    let out: Out = serde_wasm_bindgen::from_value(sb.run("\u{0}bogus ||| <script>")).unwrap();
    assert!(out.error);
    let bad: Out = serde_wasm_bindgen::from_value(sb.advance(f64::NAN, 10)).unwrap();
    assert!(bad.error);
    let _ = sb.snapshot(f64::NAN, None, Some(0));
    let _ = sb.snapshot(-5.0, Some(3), Some(99));
    assert_eq!(sb.step(5), 0);
}
