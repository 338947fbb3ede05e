//! The JavaScript facade: one exported type, `Sandbox`, whose methods are one to three lines
//! over [`crate::view::Driver`] (the Game of Life split: the logic lives in target-independent
//! Rust, this file only converts values at the boundary).
//!
//! Every input from JavaScript is checked; bad input comes back as a thrown `Error` (constructor)
//! or an `{lines, error: true}` value, never a panic. Numbers that may exceed 2^53 cross as
//! strings.

use wasm_bindgen::prelude::*;

use crate::json_out::{to_json, ToJson};
use crate::terminal::exec::Output;
use crate::timetravel::{facade, session, TimeMachine};
use crate::view::{micros_from_f64, parse_seed, seed_from_f64};

#[global_allocator]
static ALLOC: crate::wasm_alloc::SizeClassAlloc = crate::wasm_alloc::SizeClassAlloc::new();

/// A value as a plain JavaScript object: written as JSON text (`json_out`) and parsed by the
/// browser's `JSON.parse`, which is smaller and faster than building the object field by field
/// across the boundary.
fn to_js<T: ToJson>(v: &T) -> JsValue {
    js_sys::JSON::parse(&to_json(v)).unwrap_or(JsValue::NULL)
}

fn err_output(e: String) -> JsValue {
    to_js(&Output { lines: vec![e], error: true })
}

/// A simulated ZooKeeper ensemble (and Kafka brokers) on a virtual clock, with time travel:
/// `d` is a [`TimeMachine`], which reads as the shown state's `Driver` (`Deref`) and takes
/// every input and clock call itself.
#[wasm_bindgen]
pub struct Sandbox {
    d: TimeMachine,
    /// Set by `fromSessionState` when the link was made by another version of the sandbox.
    warning: Option<String>,
    /// The lesson condition being waited for (`waitFor`).
    wait: Option<crate::lesson::Waiter>,
}

/// Exported to JavaScript.
#[wasm_bindgen]
impl Sandbox {
    /// `new Sandbox(seed, zk, brokers)`: `seed` a number (≤ 2^53) or a decimal/`0x` string;
    /// `zk` 1–7 servers (default 3), `brokers` 0–9 (default 4). Nothing is started.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: JsValue, zk: Option<u32>, brokers: Option<u32>) -> Result<Sandbox, JsError> {
        let seed = if let Some(n) = seed.as_f64() {
            seed_from_f64(n)
        } else if let Some(s) = seed.as_string() {
            parse_seed(&s)
        } else {
            Err("seed must be a number or a string".to_string())
        };
        let seed = seed.map_err(|e| JsError::new(&e))?;
        TimeMachine::new(seed, zk.unwrap_or(3), brokers.unwrap_or(4))
            .map(|d| Sandbox { d, warning: None, wait: None })
            .map_err(|e| JsError::new(&e))
    }

    /// A fresh seed from the browser's entropy (the only use of entropy: the simulation itself
    /// is a function of the seed). Below 2^32 so it is short to read and type.
    #[wasm_bindgen(js_name = freshSeed)]
    // The one read of OS entropy (clippy.toml): it picks a seed, outside any simulation.
    #[allow(clippy::disallowed_methods)]
    pub fn fresh_seed() -> String {
        let mut b = [0u8; 4];
        match getrandom::fill(&mut b) {
            Ok(()) => u32::from_le_bytes(b).to_string(),
            Err(_) => "1".to_string(),
        }
    }

    /// Check a seed string without building a sandbox: `null` if fine, else the error text.
    #[wasm_bindgen(js_name = checkSeed)]
    pub fn check_seed(seed: &str) -> Option<String> {
        parse_seed(seed).err()
    }

    /// The page's vocabularies (`vocab.rs`): `{messages: [{id, label, colour, members}],
    /// trace_filters: [{id, label, kinds}], nodes: [{id, label, place}]}`. The page keeps no list
    /// of its own: the legend, the filters and the cluster's rows are built from this.
    pub fn vocabulary() -> JsValue {
        to_js(&crate::vocab::vocabulary())
    }

    /// What mattered (`highlight.rs`): highlights with `index >= since`, each
    /// `{index, at_us, event, kind, args}` (`event` is the trace index, `args` an object of
    /// strings for the template `highlights.<kind>`). The newest can still grow while its
    /// instant lasts: ask again from a few back. A bad `since` counts as 0.
    pub fn highlights(&mut self, since: f64) -> JsValue {
        let since = if since.is_finite() && since > 0.0 { since as u64 } else { 0 };
        to_js(&self.d.highlights_since(since))
    }

    /// The seed, as a decimal string.
    pub fn seed(&self) -> String {
        self.d.seed().to_string()
    }

    /// The cluster's shape: `[zk, brokers]`.
    pub fn shape(&self) -> JsValue {
        let (zk, brokers) = self.d.shape();
        to_js(&[zk, brokers])
    }

    /// Run one terminal line: `{lines: string[], error: bool, forked: bool, dropped: number}`
    /// (`forked`: made in the past, the session continues from there and `dropped` later
    /// inputs were dropped).
    pub fn run(&mut self, line: &str) -> JsValue {
        to_js(&facade::run_view(self.d.run(line)))
    }

    /// A click: `act("kill", "zk2")`, `act("isolate", "zk1")`, `act("partition", "zk1,zk2|zk3")`,
    /// `act("heal", "")`. Returns the terminal output, its first line the command it ran, and
    /// `forked`/`dropped` as `run` does.
    pub fn act(&mut self, kind: &str, node: &str) -> JsValue {
        to_js(&facade::run_view(self.d.act(kind, node)))
    }

    /// Where the shown state is: `{event, events, at_us, stop, live_event, live_at_us,
    /// live_stop, live, inputs, live_inputs, can_redo}` (`event`: the newest trace record).
    pub fn position(&self) -> JsValue {
        to_js(&facade::position(&self.d))
    }

    /// Show the state right after trace record `n` (the events panel's numbering, a
    /// highlight's `event`; after the input it belongs to, or the live end for `n` past it).
    /// Returns the position.
    #[wasm_bindgen(js_name = seekEvent)]
    pub fn seek_event(&mut self, n: f64) -> JsValue {
        match micros_from_f64(n) {
            Ok(n) => {
                self.d.seek_event(n);
                self.position()
            }
            Err(_) => err_output(format!("seekEvent: the event must be a whole number ≥ 0, got {n}")),
        }
    }

    /// Show the state right after step `n` (events and inputs, as `position().stop` counts
    /// them; an input's `stop` is the state right after it). Returns the position.
    #[wasm_bindgen(js_name = seekStop)]
    pub fn seek_stop(&mut self, n: f64) -> JsValue {
        match micros_from_f64(n) {
            Ok(n) => {
                self.d.seek(crate::timetravel::Target::Stop(n));
                self.position()
            }
            Err(_) => err_output(format!("seekStop: the step must be a whole number ≥ 0, got {n}")),
        }
    }

    /// Show again the position a session text asked for (`fromSessionState` shows it; a page
    /// reading the live end's highlights first goes live, then back). Returns the position.
    #[wasm_bindgen(js_name = showSessionPosition)]
    pub fn show_session_position(&mut self) -> JsValue {
        self.d.show_session_position();
        self.position()
    }

    /// Show the state at virtual time `us` (µs). Returns the position.
    #[wasm_bindgen(js_name = seekTime)]
    pub fn seek_time(&mut self, us: f64) -> JsValue {
        match micros_from_f64(us) {
            Ok(t) => {
                self.d.seek_time(t);
                self.position()
            }
            Err(e) => err_output(e),
        }
    }

    /// Go back `n` steps (events or inputs; default 1). Returns the position.
    #[wasm_bindgen(js_name = stepBack)]
    pub fn step_back(&mut self, n: Option<u32>) -> JsValue {
        self.d.step_back(n.unwrap_or(1) as u64);
        self.position()
    }

    /// Show the end of the session. Returns the position.
    #[wasm_bindgen(js_name = goLive)]
    pub fn go_live(&mut self) -> JsValue {
        self.d.go_live();
        self.position()
    }

    /// Return to the future the last fork dropped (once); `false` if there is none.
    pub fn redo(&mut self) -> bool {
        self.d.redo()
    }

    /// Every input of the session: `[{line, click, at_us, event, stop, applied, lines, error}]`.
    pub fn inputs(&self) -> JsValue {
        to_js(&facade::inputs(&self.d))
    }

    /// The session as text for the URL (seed, shape, inputs with positions, the position).
    #[wasm_bindgen(js_name = sessionState)]
    pub fn session_state(&self) -> String {
        session::encode(&self.d)
    }

    /// A sandbox replayed from `sessionState()` text (throws an `Error` saying what is wrong).
    #[wasm_bindgen(js_name = fromSessionState)]
    pub fn from_session_state(text: &str) -> Result<Sandbox, JsError> {
        session::replay(text).map(|r| Sandbox { d: r.tm, warning: r.warning, wait: None }).map_err(|e| JsError::new(&e))
    }

    /// A warning from `fromSessionState` (a link made by another version), or `null`.
    #[wasm_bindgen(js_name = sessionWarning)]
    pub fn session_warning(&self) -> Option<String> {
        self.warning.clone()
    }

    /// Advance to virtual time `t_us` (processing at most `max_events` events):
    /// `{events, reached, now_us}`.
    #[wasm_bindgen(js_name = runUntil)]
    pub fn run_until(&mut self, t_us: f64, max_events: u32) -> JsValue {
        match micros_from_f64(t_us) {
            Ok(t) => to_js(&self.d.run_until(t, max_events)),
            Err(e) => err_output(e),
        }
    }

    /// Advance by `us` microseconds of virtual time (at most `max_events` events).
    pub fn advance(&mut self, us: f64, max_events: u32) -> JsValue {
        match micros_from_f64(us) {
            Ok(d) => to_js(&self.d.advance(d, max_events)),
            Err(e) => err_output(e),
        }
    }

    /// Process the next `n` events; returns how many ran.
    pub fn step(&mut self, n: u32) -> u32 {
        self.d.step(n)
    }

    /// Step until some node changes state (at most `max_events` events); returns how many ran.
    #[wasm_bindgen(js_name = stepToChange)]
    pub fn step_to_change(&mut self, max_events: u32) -> u32 {
        self.d.step_to_change(max_events)
    }

    /// Virtual time in microseconds.
    #[wasm_bindgen(js_name = nowUs)]
    pub fn now_us(&self) -> f64 {
        self.d.now_us() as f64
    }

    /// The rolling trace hash, 16 hex digits.
    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        format!("{:016x}", self.d.trace_hash())
    }

    /// Everything the page draws, with trace records from index `since` (see `view::Snapshot`):
    /// the newest `max_trace` of them (default and at most 250). A `since` past the end
    /// (`Infinity`) sends none: the page skips the trace's cost on frames that do not show it.
    /// `panels` (default 3): 1 = the znode list, 2 = the topics; a part not asked for is empty.
    pub fn snapshot(&self, since: f64, max_trace: Option<u32>, panels: Option<u32>) -> JsValue {
        let since = if since.is_nan() || since <= 0.0 {
            0
        } else if since >= u64::MAX as f64 {
            u64::MAX
        } else {
            since as u64
        };
        let max = max_trace.map_or(crate::view::TRACE_SHOWN, |m| m as usize);
        let p = panels.unwrap_or(3);
        to_js(&self.d.snapshot_with(since, max, crate::view::Panels { znodes: p & 1 != 0, topics: p & 2 != 0 }))
    }

    /// Whether a lesson condition holds now: `{met, error}` (`error` names the bad part). The
    /// condition armed by `waitFor` with the same text keeps what it compares with
    /// (`controller-changed` since the wait began); any other text is judged from now.
    #[wasm_bindgen(js_name = checkCondition)]
    pub fn check_condition(&self, text: &str) -> JsValue {
        let c = &self.d.term.cluster;
        let r = match &self.wait {
            Some(w) if w.text == text.trim() => Ok(w.met(c)),
            _ => crate::lesson::Waiter::arm(c, text).map(|w| w.met(c)),
        };
        to_js(&crate::lesson::CheckResult::of(r))
    }

    /// Begin waiting for a lesson condition (replacing any earlier one): `{met, error}`.
    #[wasm_bindgen(js_name = waitFor)]
    pub fn wait_for(&mut self, text: &str) -> JsValue {
        let c = &self.d.term.cluster;
        let r = crate::lesson::Waiter::arm(c, text);
        let out = crate::lesson::CheckResult::of(r.as_ref().map(|w| w.met(c)).map_err(|e| e.clone()));
        self.wait = r.ok();
        to_js(&out)
    }

    /// A condition as the parts a learner reads: `{parts: [{name, args}], error}` (the parts of an
    /// `all(…)`, each with its arguments as written), for the page to say in words.
    #[wasm_bindgen(js_name = describeCondition)]
    pub fn describe_condition(text: &str) -> JsValue {
        match crate::lesson::parse(text) {
            Ok(c) => to_js(&crate::lesson::Described { parts: c.parts(), error: None }),
            Err(e) => to_js(&crate::lesson::Described { parts: Vec::new(), error: Some(e) }),
        }
    }

    /// Stop waiting for the condition set by `waitFor`.
    #[wasm_bindgen(js_name = clearWait)]
    pub fn clear_wait(&mut self) {
        self.wait = None;
    }

    /// Run the clock until the `waitFor` condition holds, virtual time `limit_us` passes, or
    /// `max_events` events ran: `{met, events, timed_out, now_us, error}`.
    #[wasm_bindgen(js_name = runUntilCondition)]
    pub fn run_until_condition(&mut self, limit_us: f64, max_events: u32) -> JsValue {
        let limit = match micros_from_f64(limit_us) {
            Ok(t) => crate::sim::time::Time(t),
            Err(e) => return err_output(e),
        };
        match &self.wait {
            Some(w) => {
                // Through the time machine, so a wait in the past replays the recorded inputs.
                let (met, events) = self.d.run_until_met(limit.as_micros(), max_events, &|c| w.met(c));
                let now_us = self.d.now_us();
                to_js(&crate::lesson::WaitResult { met, events, timed_out: !met && now_us >= limit.as_micros(), now_us, error: None })
            }
            None => to_js(&crate::lesson::CheckResult {
                met: false,
                error: Some("no condition is being waited for (call waitFor first)".into()),
            }),
        }
    }

    /// The facts the explaining pictures draw (`pictures::Pictures`): LOOKING servers' votes, the
    /// controller and its epoch, sessions with the time left, and the partition `partition`
    /// (`test-2`; empty for none) with LEO/HW per replica.
    pub fn pictures(&self, partition: &str) -> JsValue {
        to_js(&crate::pictures::pictures(&self.d.term.cluster, partition))
    }

    /// The Kafka seed cluster benchmark (`sandbox bench --only kafka-seed`: 3 ZooKeeper
    /// servers, 4 brokers, `test` 10×RF4, one acks=all producer), run for `virtual_secs` after
    /// set-up: `{events, trace_hash, wall_ms}`. `clock` (e.g. `() => performance.now()`, in ms)
    /// times the run alone, as the native bench does; the simulation itself never reads a clock.
    #[wasm_bindgen(js_name = benchKafka)]
    pub fn bench_kafka(virtual_secs: u32, clock: Option<js_sys::Function>) -> JsValue {
        bench_result(|now| crate::bench::kafka_seed(virtual_secs as u64, now), clock)
    }

    /// The ZooKeeper benchmark (`sandbox bench --only zk`: 3 servers + 4 writing clients, seed
    /// 42, trace hashed only), timed like `benchKafka`.
    #[wasm_bindgen(js_name = benchRun)]
    pub fn bench_run(virtual_secs: u32, clock: Option<js_sys::Function>) -> JsValue {
        bench_result(|now| crate::bench::zk_writes(virtual_secs as u64, false, now), clock)
    }
}

/// A native benchmark run with the page's clock (milliseconds; without one, or if it does not
/// return numbers, `wall_ms` is `null`).
fn bench_result(run: impl FnOnce(crate::bench::WallClock<'_>) -> crate::bench::Figures, clock: Option<js_sys::Function>) -> JsValue {
    let now = || clock.as_ref().and_then(|f| f.call0(&JsValue::NULL).ok()).and_then(|v| v.as_f64()).map_or(f64::NAN, |ms| ms / 1000.0);
    let f = run(&now);
    let wall_ms = Some(f.wall_secs * 1000.0).filter(|ms| ms.is_finite());
    // Built field by field: `wall_ms` is a float, which the JSON writer does not write.
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &JsValue::from_str(k), &v).is_ok();
    let _ = set("events", JsValue::from_f64(f.events as f64))
        && set("trace_hash", JsValue::from_str(&format!("{:016x}", f.trace_hash)))
        && set("wall_ms", wall_ms.map_or(JsValue::NULL, JsValue::from_f64));
    out.into()
}
