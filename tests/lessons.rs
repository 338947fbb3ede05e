//! Every lesson plays to its end natively: each `lessons/*.json` (and the engine's own example in
//! `tests/fixtures/lesson-*.json`) is checked for the format the page reads, then its steps are
//! run through the terminal — each line must run without an error, and each step's `until`
//! condition must hold within its `within_s` of virtual time after the step's lines ran.
//! Also: the lessons index lists exactly the lesson files, and the conditions judge real states.

use std::path::{Path, PathBuf};

use serde_json::Value;
use zkafka_sandbox::lesson::{run_until_met, Waiter};
use zkafka_sandbox::sim::time::{Duration, Time};
use zkafka_sandbox::view::Driver;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p: &PathBuf| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".json") && name.starts_with(prefix) && name != "index.json"
        })
        .collect();
    v.sort();
    v
}

fn lesson_files() -> Vec<PathBuf> {
    let mut v = json_files(&root().join("lessons"), "");
    v.extend(json_files(&root().join("tests/fixtures"), "lesson-"));
    v
}

fn load(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", p.display()))
}

/// The format of COMMON.md's lesson contract: every problem found, as text.
fn format_problems(name: &str, l: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let texts = |what: &str, v: &Value, bad: &mut Vec<String>| {
        for lang in ["en", "ko"] {
            if v.get(lang).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                bad.push(format!("{name}: {what} has no '{lang}' text"));
            }
        }
    };
    if l.get("id").and_then(Value::as_str).is_none() {
        bad.push(format!("{name}: no 'id'"));
    }
    if l.get("order").and_then(Value::as_u64).is_none() {
        bad.push(format!("{name}: no numeric 'order'"));
    }
    texts("title", &l["title"], &mut bad);
    texts("summary", &l["summary"], &mut bad);
    let setup = &l["setup"];
    for k in ["seed", "zk", "brokers"] {
        if setup.get(k).and_then(Value::as_u64).is_none() {
            bad.push(format!("{name}: setup.{k} is not a number"));
        }
    }
    let steps = l["steps"].as_array().cloned().unwrap_or_default();
    if steps.is_empty() {
        bad.push(format!("{name}: no steps"));
    }
    for (i, s) in steps.iter().enumerate() {
        let at = format!("step {}", i + 1);
        texts(&format!("{at} title"), &s["title"], &mut bad);
        texts(&format!("{at} text"), &s["text"], &mut bad);
        if let Some(run) = s.get("run") {
            if !run.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                bad.push(format!("{name}: {at}: 'run' is not a list of lines"));
            }
        }
        if let Some(w) = s.get("wait") {
            if w.get("until").and_then(Value::as_str).is_none() || w.get("within_s").and_then(Value::as_f64).is_none_or(|x| x <= 0.0) {
                bad.push(format!("{name}: {at}: 'wait' needs 'until' text and a positive 'within_s'"));
            }
        }
        if let Some(f) = s.get("focus") {
            for k in ["nodes", "partitions", "znodes"] {
                if f.get(k).is_some_and(|v| !v.as_array().is_some_and(|a| a.iter().all(Value::is_string))) {
                    bad.push(format!("{name}: {at}: focus.{k} is not a list of names"));
                }
            }
            if let Some(p) = f.get("panel") {
                if !matches!(p.as_str(), Some("events" | "znodes" | "topics")) {
                    bad.push(format!("{name}: {at}: focus.panel must be events, znodes or topics"));
                }
            }
        }
    }
    bad
}

/// Play a lesson; the first failure as "lesson / step / what".
fn play(l: &Value) -> Result<(), String> {
    let id = l["id"].as_str().unwrap_or("?");
    let setup = &l["setup"];
    let mut d = Driver::new(
        setup["seed"].as_u64().unwrap_or(1),
        setup["zk"].as_u64().unwrap_or(3) as u32,
        setup["brokers"].as_u64().unwrap_or(0).max(1) as u32,
    )
    .map_err(|e| format!("{id}: setup: {e}"))?;
    for (i, s) in l["steps"].as_array().into_iter().flatten().enumerate() {
        let at = format!("{id} / step {} ({})", i + 1, s["title"]["en"].as_str().unwrap_or(""));
        // The wait is armed before the lines run, so changes they cause count.
        let wait = match s.get("wait") {
            Some(w) => {
                let until = w["until"].as_str().unwrap_or("");
                Some((
                    Waiter::arm(&d.term.cluster, until).map_err(|e| format!("{at}: condition '{until}': {e}"))?,
                    w["within_s"].as_f64().unwrap_or(0.0),
                ))
            }
            None => None,
        };
        for line in s["run"].as_array().into_iter().flatten() {
            let line = line.as_str().unwrap_or("");
            let out = d.run(line);
            if out.error {
                return Err(format!("{at}: line '{line}' failed: {}", out.lines.join(" / ")));
            }
        }
        if let Some((w, within)) = wait {
            let limit = d.term.cluster.now() + Duration((within * 1e6) as u64);
            let r = run_until_met(&mut d, &w, limit, u32::MAX);
            if !r.met {
                return Err(format!("{at}: condition '{}' not met within {within} s (at {})", w.text, Time(r.now_us)));
            }
        }
    }
    Ok(())
}

#[test]
fn every_lesson_file_has_the_format_the_page_reads() {
    let files = lesson_files();
    assert!(!files.is_empty(), "no lesson files found");
    let mut bad = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let l = load(f);
        bad.extend(format_problems(&name, &l));
        if f.starts_with(root().join("lessons")) && l["id"].as_str().map(|id| format!("{id}.json")) != Some(name.clone()) {
            bad.push(format!("{name}: the id must be the file name without .json"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_lessons_index_lists_exactly_the_lesson_files() {
    let index = load(&root().join("lessons/index.json"));
    let listed: Vec<String> = index["lessons"]
        .as_array()
        .expect("index.json: {\"lessons\": [ids]}")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    let mut files: Vec<String> =
        json_files(&root().join("lessons"), "").iter().map(|p| p.file_stem().unwrap().to_string_lossy().to_string()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    files.sort();
    assert_eq!(sorted, files, "lessons/index.json must list every lessons/*.json id once");
}

#[test]
fn every_lesson_plays_to_its_end_with_each_condition_met() {
    let mut failures = Vec::new();
    for f in lesson_files() {
        if let Err(e) = play(&load(&f)) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_condition_that_never_holds_fails_the_lesson_with_its_step_and_text() {
    let mut l = load(&root().join("tests/fixtures/lesson-controller-failover.json"));
    l["steps"][0]["wait"]["until"] = Value::from("zk-leader-is zk1");
    let e = play(&l).unwrap_err();
    assert!(e.contains("step 1") && e.contains("'zk-leader-is zk1' not met within 30 s"), "{e}");
    l["steps"][0]["run"][0] = Value::from("zookeeper-server-start -daemon config/zookeeper9.properties");
    assert!(play(&l).unwrap_err().contains("failed"));
}

#[test]
fn conditions_judge_the_state_and_remember_where_the_wait_began() {
    let mut d = Driver::new(1, 3, 3).unwrap();
    let c = &d.term.cluster;
    let met = |d: &Driver, t: &str| Waiter::arm(&d.term.cluster, t).unwrap().met(&d.term.cluster);
    assert!(met(&d, "zk-no-quorum") && met(&d, "node-down zk1") && !met(&d, "zk-leader-elected"));
    assert!(!met(&d, "znode-missing /controller"), "without a serving server znode conditions are unmet");
    assert!(Waiter::arm(c, "zk-leader-is zk4").unwrap_err().contains("there is no server zk4"));
    assert!(Waiter::arm(c, "broker-registered 7").unwrap_err().contains("there is no broker 7"));
    for l in ["zk start 1", "zk start 2", "zk start 3", "broker start 1", "broker start 2", "sleep 10s"] {
        assert!(!d.run(l).error, "{l}");
    }
    assert!(met(&d, "all(zk-leader-is zk3; controller-is b1; znode-exists /controller; broker-registered 2)"));
    assert!(met(&d, "any(zk-no-quorum; zk-looking zk1; controller-epoch-at-least 1)"));
    let changed = Waiter::arm(&d.term.cluster, "controller-changed").unwrap();
    let expired = Waiter::arm(&d.term.cluster, "session-expired b1").unwrap();
    assert!(!changed.met(&d.term.cluster) && !expired.met(&d.term.cluster));
    assert!(!d.run("broker kill 1").error);
    d.run("sleep 10s");
    assert!(!expired.met(&d.term.cluster) && !changed.met(&d.term.cluster), "the session lasts 18 s after the crash");
    assert!(met(&d, "broker-registered 1"));
    let limit = d.term.cluster.now() + Duration::from_secs(30);
    let r = run_until_met(&mut d, &changed, limit, u32::MAX);
    assert!(r.met && !r.timed_out);
    for t in ["controller-is b2", "broker-unregistered 1", "controller-epoch-at-least 2"] {
        assert!(met(&d, t), "{t}");
    }
    assert!(expired.met(&d.term.cluster));
    assert!(!Waiter::arm(&d.term.cluster, "controller-changed").unwrap().met(&d.term.cluster), "armed now: no change since");
    let never = Waiter::arm(&d.term.cluster, "zk-looking zk3").unwrap();
    let limit = d.term.cluster.now() + Duration::from_secs(5);
    let r = run_until_met(&mut d, &never, limit, u32::MAX);
    assert!(!r.met && r.timed_out && r.now_us == limit.as_micros());
}
