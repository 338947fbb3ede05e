//! Time travel (`src/timetravel/`): stepping back and forward, seeking by time and by event,
//! forking, redo, and sessions as text (the page's URL), compared with fresh runs.

use zkafka_sandbox::json_out::to_json;
use zkafka_sandbox::timetravel::session::{decode, encode, replay};
use zkafka_sandbox::timetravel::{Target, TimeMachine};
use zkafka_sandbox::view::Driver;

const TOPIC: &str = "kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1";

/// The seed scenario as a learner plays it: lines typed at clock times (µs), the clock run by
/// the page in between, broker 1 (the controller) killed at 40 s.
fn scenario() -> Vec<(u64, &'static str)> {
    vec![
        (0, "zk start 1"),
        (0, "zk start 2"),
        (1_000_000, "zk start 3"),
        (6_000_000, "broker start 1"),
        (6_000_000, "broker start 2"),
        (6_500_000, "broker start 3"),
        (6_500_000, "broker start 4"),
        (12_000_000, TOPIC),
        (15_000_000, "kafka-console-producer --bootstrap-server localhost:9092 --topic test --producer-property acks=all --messages 20"),
        (40_000_000, "broker kill 1"),
        (70_000_000, "zookeeper-shell localhost:2181 get /controller"),
    ]
}

/// Run the scenario on a time machine up to `end` µs, the clock advanced in page-like slices.
fn session(seed: u64, end: u64) -> TimeMachine {
    let mut tm = TimeMachine::new(seed, 3, 4).unwrap();
    for (at, line) in scenario() {
        while tm.now_us() < at {
            tm.run_until((tm.now_us() + 16_700).min(at), 500);
        }
        let r = tm.run(line);
        assert!(!r.output.error && !r.forked, "{line}: {:?}", r.output.lines);
    }
    while tm.now_us() < end {
        tm.run_until((tm.now_us() + 1_670_000).min(end), 5_000);
    }
    tm
}

/// The same inputs on a plain driver (no time travel), up to `t` µs.
fn fresh(seed: u64, t: u64) -> Driver {
    let mut d = Driver::new(seed, 3, 4).unwrap();
    for (at, line) in scenario() {
        if at > t {
            break;
        }
        d.run_until(at, u32::MAX);
        d.run(line);
    }
    d.run_until(t, u32::MAX);
    d
}

fn panels(d: &Driver) -> String {
    let mut s = d.snapshot(0);
    s.seed.clear();
    to_json(&s)
}

#[test]
fn the_time_machine_runs_a_session_exactly_as_the_plain_driver_does() {
    let tm = session(7, 90_000_000);
    let d = fresh(7, 90_000_000);
    assert_eq!(tm.trace_hash(), d.trace_hash());
    assert_eq!(panels(&tm), panels(&d));
    assert!(tm.position().is_live);
}

#[test]
fn seeking_to_a_time_shows_the_same_state_and_panels_as_a_fresh_run_to_that_time() {
    let mut tm = session(7, 90_000_000);
    let live = tm.trace_hash();
    for t in [45_000_000, 5_000_000, 39_999_999, 40_000_000, 58_123_456, 0, 89_000_000, 12_000_000] {
        tm.seek_time(t);
        let d = fresh(7, t);
        assert_eq!((tm.trace_hash(), tm.now_us()), (d.trace_hash(), d.now_us()), "seek to {t}");
        assert_eq!(panels(&tm), panels(&d), "panels at {t}");
        assert!(!tm.position().is_live);
    }
    tm.go_live();
    assert_eq!(tm.trace_hash(), live);
    assert!(tm.position().is_live);
}

#[test]
fn stepping_back_n_then_forward_n_returns_to_the_same_trace_hash() {
    let mut tm = session(3, 60_000_000);
    tm.seek_time(41_000_000);
    for n in [1u32, 7, 60, 900, 2_000] {
        let (hash, pos) = (tm.trace_hash(), tm.position());
        assert!(pos.stop > n as u64);
        tm.step_back(n as u64);
        let back = tm.position();
        assert_eq!(back.stop, pos.stop - n as u64, "back {n}");
        assert!(back.event <= pos.event);
        assert_eq!(tm.step(n), n);
        assert_eq!((tm.trace_hash(), tm.position().stop, tm.position().event), (hash, pos.stop, pos.event), "back and forth {n}");
    }
    // Across the kill (an input is one stop) and from the live end.
    tm.go_live();
    let live = tm.trace_hash();
    let kill = tm.inputs().iter().find(|i| i.line == "broker kill 1").unwrap().stop;
    tm.seek(Target::Stop(kill));
    let after_kill = tm.trace_hash();
    tm.step_back(1);
    assert_eq!(tm.inputs_done(), 9, "one step back undoes the kill");
    tm.step(1);
    assert_eq!(tm.trace_hash(), after_kill);
    tm.go_live();
    assert_eq!(tm.trace_hash(), live);
}

#[test]
fn seeking_to_a_trace_record_lands_right_after_it_or_after_the_input_it_belongs_to() {
    let mut tm = session(5, 50_000_000);
    let mut inside_an_input = 0;
    for n in [0u64, 1, 2, 100, 1_234, 3_000, 251, 4_000, 5_100] {
        tm.seek_event(n);
        let at = tm.position();
        assert!(tm.trace_len() > n, "record {n} is shown: {at:?}");
        let h = tm.trace_hash();
        tm.step_back(1);
        assert!(tm.trace_len() <= n, "one step earlier, record {n} has not happened");
        if tm.inputs_done() < at.inputs {
            // Record n was made inside an input (a broker starting, a tool running): the input
            // is one step.
            inside_an_input += 1;
        }
        tm.step(1);
        assert_eq!(tm.trace_hash(), h);
    }
    assert!(inside_an_input >= 1);
}

#[test]
fn a_seek_far_into_the_past_shows_the_newest_records_before_it_as_the_live_run_did() {
    let mut tm = TimeMachine::new(11, 3, 4).unwrap();
    // A ring smaller than the session: the past is regenerated into the window of the past.
    tm.set_trace_cap(3_000);
    let mut d = Driver::new(11, 3, 4).unwrap();
    for (at, line) in scenario() {
        tm.run_until(at, u32::MAX);
        tm.run(line);
    }
    tm.run_until(80_000_000, u32::MAX);
    for t in [20_000_000u64, 20_000_100, 7_000_000, 41_000_000] {
        tm.seek_time(t);
        d = fresh(11, t);
        let (a, b) = (tm.snapshot(0), d.snapshot(0));
        assert_eq!(a.trace.len(), 250, "at {t}");
        assert_eq!(to_json(&a.trace), to_json(&b.trace), "the events panel at {t}");
    }
    drop(d);
}

#[test]
fn an_input_in_the_past_forks_the_session_and_redo_returns_to_the_old_future() {
    let mut tm = session(9, 80_000_000);
    let (old_live, old_inputs) = (tm.trace_hash(), tm.inputs().len());
    tm.seek_time(30_000_000);
    let r = tm.run("broker kill 3");
    assert!(r.forked && !r.output.error);
    assert_eq!(r.dropped, 2, "the kill of broker 1 and the zookeeper-shell get");
    assert_eq!(tm.inputs().len(), old_inputs - 2 + 1);
    assert!(tm.position().is_live && tm.position().can_redo);
    tm.run_until(80_000_000, u32::MAX);
    assert_ne!(tm.trace_hash(), old_live);
    // The fork is a session like any other: a fresh run of its inputs gives its trace.
    let text = encode(&tm);
    let again = replay(&text).unwrap();
    assert_eq!(again.tm.trace_hash(), tm.trace_hash());
    // Redo: back to the dropped future.
    assert!(tm.redo());
    assert_eq!(tm.inputs().len(), old_inputs);
    tm.go_live();
    assert_eq!(tm.trace_hash(), old_live);
    assert!(!tm.redo(), "redo works once");
}

#[test]
fn a_line_that_does_not_parse_in_the_past_does_not_fork() {
    let mut tm = session(9, 50_000_000);
    tm.seek_time(20_000_000);
    let r = tm.run("no-such-command");
    assert!(r.output.error && !r.forked);
    assert!(!tm.position().is_live);
    assert_eq!(tm.inputs().len(), scenario().len());
}

#[test]
fn a_sleep_can_be_entered_by_a_seek_and_a_session_text_reopens_the_same_state() {
    let mut tm = TimeMachine::new(2, 3, 4).unwrap();
    for l in [
        "zk start 1",
        "zk start 2",
        "zk start 3",
        "sleep 5s",
        "broker start 1",
        "broker start 2",
        "sleep 30s",
        "broker kill 1",
        "sleep 30s",
    ] {
        assert!(!tm.run(l).output.error, "{l}");
    }
    let live = (tm.trace_hash(), tm.now_us());
    let kill = tm.inputs().iter().find(|i| i.line == "broker kill 1").unwrap().at_us;
    assert_eq!(live.1, kill + 30_000_000);
    // Inside the first 30 s sleep.
    tm.seek_time(20_000_000);
    assert_eq!((tm.now_us(), tm.inputs_done()), (20_000_000, 7));
    let mid = tm.trace_hash();
    let text = encode(&tm);
    assert!(text.len() < 400, "{text}");
    let r = replay(&text).unwrap();
    assert!(r.warning.is_none());
    assert_eq!((r.tm.trace_hash(), r.tm.now_us(), r.tm.position().is_live), (mid, 20_000_000, false));
    assert_eq!(panels(&r.tm), panels(&tm));
    let mut back = r.tm;
    back.go_live();
    assert_eq!((back.trace_hash(), back.now_us()), live);
    // The history a sleep printed is there once it ended.
    assert!(back.inputs().iter().all(|i| i.output.is_some()));
}

#[test]
fn a_long_session_with_fifty_inputs_fits_in_a_short_text() {
    let mut tm = session(1, 60_000_000);
    for i in 0..39u64 {
        let t = tm.now_us() + 80_000_000;
        tm.run_until(t, u32::MAX);
        let node = ["b2", "b3", "b4", "zk1", "zk2"][(i % 5) as usize];
        let kind = if i % 2 == 0 { "kill" } else { "start" };
        tm.act(kind, node);
    }
    tm.run_until(3_600_000_000, u32::MAX);
    assert_eq!(tm.inputs().len(), 50);
    let text = encode(&tm);
    assert!(text.len() < 2_000, "{} characters: {text}", text.len());
    let r = replay(&text).unwrap();
    assert_eq!(r.tm.trace_hash(), tm.trace_hash());
    assert!(r.warning.is_none());
}

#[test]
fn hostile_session_texts_are_refused_with_a_reason() {
    let tm = session(4, 20_000_000);
    let good = encode(&tm);
    assert!(replay(&good).is_ok());
    let bad: Vec<String> = vec![
        String::new(),
        "z1".into(),
        "z2.1.3.4.0.0.L.0000000000000000".into(),
        good[..good.len() / 2].to_string(),
        good[..good.len() - 3].to_string(),
        good.replacen("z1.4.", "z1.abc.", 1),
        good.replacen(".3.4.", ".9.4.", 1),
        good.replacen(".3.4.", ".3.99.", 1),
        good.replacen(".3.4.", ".3.-1.", 1),
        format!("{good}~0.0.t.zzzzzzzzzz.x"),
        format!("{good}~0.0.x.1.a"),
        format!("{good}~0.0.s.5.hello"),
        format!("{good}~zzzzzzzzzzzzzzzz.0.t.1.a"),
        format!("{good}~0.zzzzzzzzzzzz.t.1.a"),
        format!("{good}~0.0.t.29.<script>alert(1)</script>"),
        format!("{good}~0.0.t.25.<script>alert(1)</script>"),
        format!("{good}~0.0.c.32.<img src=x onerror=alert(1)>"),
        format!("{}{}", good, "~0.0.t.1.a".repeat(1001)),
        "z1.1.3.4.zzzzzzzzzz.zzzzzzzzzz.L.0000000000000000".into(),
        "z1.1.3.4.5.0.zz_zz.0000000000000000".into(),
    ];
    for b in &bad {
        let e = replay(b).err().unwrap_or_else(|| panic!("accepted: {b}"));
        assert!(e.starts_with("the session in the link is not valid: "), "{e}");
        assert!(!e.contains("<script>"), "{e}");
    }
    assert!(decode(&good).is_ok());
}

#[test]
fn markup_in_an_input_is_replayed_as_the_terminal_line_it_is() {
    let mut tm = TimeMachine::new(1, 1, 1).unwrap();
    tm.run("zk start 1");
    tm.run_until(3_000_000, u32::MAX);
    let r = tm.run("zookeeper-shell localhost:2181 create /x '<img src=x onerror=alert(1)>~.L'");
    assert!(!r.output.error, "{:?}", r.output.lines);
    let again = replay(&encode(&tm)).unwrap().tm;
    assert_eq!(again.trace_hash(), tm.trace_hash());
    assert!(again.snapshot(0).znodes.iter().any(|z| z.data.as_deref() == Some("<img src=x onerror=alert(1)>~.L")));
}

#[test]
fn randomly_damaged_session_texts_never_panic() {
    let tm = session(6, 16_000_000);
    let good = encode(&tm);
    let bytes: Vec<char> = good.chars().collect();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..300 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut v = bytes.clone();
        let i = (x % v.len() as u64) as usize;
        match x % 4 {
            0 => {
                v.remove(i);
            }
            1 => v[i] = ['.', '~', 'z', '0', '_', 'L', 'é'][(x >> 20) as usize % 7],
            2 => v.truncate(i),
            _ => v.insert(i, '~'),
        }
        let text: String = v.into_iter().collect();
        if let Ok(r) = replay(&text) {
            assert!(r.tm.now_us() <= 16_000_000 || r.tm.position().live.at_us <= 1000 * 3600 * 1_000_000);
        }
    }
}
