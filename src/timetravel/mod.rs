//! Time travel: a session is its inputs, and every moment of it can be shown again exactly.
//!
//! What it models: the replay debugger of a deterministic simulation (RaftScope's and
//! raft-visualization's "rewind without loss, act in the past to fork"). A session is the seed,
//! the cluster's shape and the list of user inputs — terminal lines, clicks as the terminal
//! lines they run — each made at a position: the number of events popped from the world's queue
//! (`World::pops`) and the virtual time. The same seed and inputs give the same world, so any
//! earlier moment is rebuilt by restoring the nearest earlier checkpoint (a clone of the
//! terminal and its world, taken every few thousand events while the session runs) and
//! replaying. No upstream ZooKeeper or Kafka file is followed: this is the sandbox's own
//! machinery, built on `World: Clone` (`src/sim/world.rs`).
//!
//! Positions. A *stop* is what one step shows: one counted event (a message delivered or
//! dropped, a timer fired) or one input. Stops are numbered from 0 (the fresh cluster); stepping
//! back n stops and forward n stops returns to the same state. Inputs run as a whole (a
//! `zookeeper-shell` line runs until the tool finishes), except a plain `sleep`, which is a clock
//! advance a seek can stop inside.
//!
//! Narration and trace stay outside the checkpoints: the trace's record store is taken out of a
//! world before it is cloned and put back into a restored one (`sim::trace::Records`), records
//! of the timeline already stored are not stored again, and the trace never shows a record past
//! the position. The terminal history is the inputs' outputs, kept here.
//!
//! Forking: an input made at a position in the past drops the inputs after it (kept once, so
//! that [`TimeMachine::redo`] can return to that future), the checkpoints after it and the
//! trace records after it; the session then continues from there.
//!
//! Simplified: checkpoints are thinned (every other one dropped, the interval doubled) when
//! there are more than [`TimeMachine::max_checkpoints`], so memory stays bounded and seeks slow
//! down only logarithmically with the session's length; the clock's position between events is
//! not part of a stop (a stop is shown at the time of its event).

pub mod bench;
pub mod facade;
pub mod session;

use std::ops::Deref;

use crate::cluster::Cluster;
use crate::sim::time::{Duration, Time};
use crate::sim::trace::TraceKind;
use crate::terminal::ast::Cmd;
use crate::terminal::exec::Output;
use crate::terminal::Terminal;
use crate::view::{Advanced, Driver, TRACE_SHOWN};

/// Checkpoints taken every this many stops at first.
pub const FIRST_INTERVAL: u64 = 2_048;
/// Checkpoints kept at most (then thinned); about 0.5 MB each for the seed cluster.
pub const MAX_CHECKPOINTS: usize = 96;
/// The longest session replayed from a text (the terminal's own `sleep` limit).
pub const MAX_SESSION_US: u64 = 1000 * 3600 * 1_000_000;

/// One user input: a terminal line (typed, or run by a click) at its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub line: String,
    /// Made by a click on the page (shown differently; replayed the same).
    pub click: bool,
    /// Events popped from the queue when it was made.
    pub pops: u64,
    /// Virtual time when it was made.
    pub at_us: u64,
    /// Counted events when it was made (for the page).
    pub events: u64,
    /// The stop it is (set when it is applied).
    pub stop: u64,
    /// A plain `sleep`: replayed as a clock advance of this many µs that a seek can stop inside.
    pub sleep_us: Option<u64>,
    /// What it printed (`None` until it has run in this page, or while a sleep is cut short).
    pub output: Option<Output>,
}

/// Where the shown state is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    /// Stops reached.
    stops: u64,
    /// Inputs applied.
    inputs: usize,
    /// A `sleep` input in progress: its index and its end (µs).
    sleep: Option<(usize, u64)>,
    /// Bumped when an input replaced the world's trace (`cluster`): record stores of another
    /// generation are not put back into a restored world.
    gen: u32,
}

/// A restorable state: the terminal (its world without trace records) and the cursor.
#[derive(Clone, Debug)]
struct Checkpoint {
    term: Terminal,
    cur: Cursor,
    at_us: u64,
    trace_len: u64,
}

/// The furthest state reached: the end of the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveEnd {
    pub stops: u64,
    pub pops: u64,
    pub events: u64,
    pub at_us: u64,
    /// Trace records there.
    pub trace_len: u64,
    /// The trace hash there.
    pub hash: u64,
}

/// The future dropped by the last fork, kept for one redo.
#[derive(Clone, Debug)]
struct Discarded {
    /// Inputs applied at the fork (those before it are shared).
    at_inputs: usize,
    at_stops: u64,
    inputs: Vec<Input>,
    live: LiveEnd,
    checkpoints: Vec<Checkpoint>,
    live_ckpt: Option<Box<Checkpoint>>,
}

/// What a seek aims at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Right after stop n.
    Stop(u64),
    /// Right after trace record n (what the events panel numbers and a highlight's `event`
    /// names), or after the input it belongs to.
    Event(u64),
    /// Everything up to virtual time t (µs) done, the clock at t.
    Time(u64),
}

/// How far a forward run goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Until {
    Target(Target),
    /// The next narrated state change (or input).
    Change,
    /// The running `sleep` input has ended.
    SleepEnd,
    /// At least this many stops, and no `sleep` running (the live end).
    End(u64),
}

/// The answer to an input: what it printed, and whether it forked the session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunResult {
    pub output: Output,
    /// The input was made in the past: the session now continues from there.
    pub forked: bool,
    /// Later inputs dropped by the fork.
    pub dropped: usize,
}

/// The current position, for the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub event: u64,
    pub at_us: u64,
    pub stop: u64,
    pub inputs: usize,
    pub live: LiveEnd,
    pub live_inputs: usize,
    pub is_live: bool,
    /// A redo (back to the future the last fork dropped) is possible.
    pub can_redo: bool,
}

/// A session with time travel: the shown state (a [`Driver`], read through `Deref`), the
/// inputs, checkpoints and the live end.
#[derive(Clone, Debug)]
pub struct TimeMachine {
    d: Driver,
    cur: Cursor,
    zk: u32,
    brokers: u32,
    inputs: Vec<Input>,
    live: LiveEnd,
    /// The live state, saved when a seek leaves it (`go_live` restores it at once).
    live_ckpt: Option<Box<Checkpoint>>,
    /// Ordered by stops; the first is the fresh cluster.
    ckpts: Vec<Checkpoint>,
    interval: u64,
    /// More checkpoints than this: every other one is dropped and the interval doubled.
    pub max_checkpoints: usize,
    /// Take checkpoints (the benchmark turns them off to measure what they cost).
    pub checkpointing: bool,
    discarded: Option<Discarded>,
    /// No event later than this is processed (replaying a session text up to its recorded end).
    cap_us: u64,
    /// The position a session text asked to show (stop, time), to show it again.
    shown: Option<(u64, u64)>,
}

impl Deref for TimeMachine {
    type Target = Driver;
    fn deref(&self) -> &Driver {
        &self.d
    }
}

impl TimeMachine {
    /// The driver's highlights with `index >= since` (see [`Driver::highlights_since`]).
    pub fn highlights_since(&mut self, since: u64) -> Vec<crate::highlight::Highlight> {
        self.d.highlights_since(since)
    }

    /// A fresh session: `zk` servers and `brokers` brokers, nothing started (see [`Driver::new`]).
    pub fn new(seed: u64, zk: u32, brokers: u32) -> Result<TimeMachine, String> {
        let mut tm = TimeMachine::from_driver(Driver::new(seed, zk, brokers)?);
        (tm.zk, tm.brokers) = (zk, brokers);
        Ok(tm)
    }

    /// A session whose first state is `d` (the benchmark's prepared cluster; its inputs are
    /// not part of the session, so its text does not reopen it).
    pub fn from_driver(d: Driver) -> TimeMachine {
        let shape = d.term.cluster.shape;
        let mut tm = TimeMachine {
            d,
            cur: Cursor { stops: 0, inputs: 0, sleep: None, gen: 0 },
            zk: shape.zk,
            brokers: shape.brokers,
            inputs: Vec::new(),
            live: LiveEnd { stops: 0, pops: 0, events: 0, at_us: 0, trace_len: 0, hash: 0 },
            live_ckpt: None,
            ckpts: Vec::new(),
            interval: FIRST_INTERVAL,
            max_checkpoints: MAX_CHECKPOINTS,
            checkpointing: true,
            discarded: None,
            cap_us: u64::MAX,
            shown: None,
        };
        tm.live = tm.here();
        let first = tm.checkpoint();
        tm.ckpts.push(first);
        tm
    }

    pub fn shape(&self) -> (u32, u32) {
        (self.zk, self.brokers)
    }
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }
    /// Inputs applied at the shown position.
    pub fn inputs_done(&self) -> usize {
        self.cur.inputs
    }
    pub fn live_end(&self) -> LiveEnd {
        self.live
    }
    pub fn checkpoints(&self) -> usize {
        self.ckpts.len() + usize::from(self.live_ckpt.is_some())
    }
    /// Trace records up to the shown position.
    pub fn trace_len(&self) -> u64 {
        self.world().trace.len()
    }
    /// Whether input `i` is a `sleep` the shown state is inside.
    pub fn in_sleep(&self, i: usize) -> bool {
        self.cur.sleep.is_some_and(|(j, _)| j == i)
    }
    pub fn checkpoint_interval(&self) -> u64 {
        self.interval
    }
    /// Keep at most `cap` trace records in the ring (tests use a small one to exercise the
    /// window of the past; the page keeps the default).
    pub fn set_trace_cap(&mut self, cap: usize) {
        self.d.term.cluster.world.trace.cap = cap;
        for c in &mut self.ckpts {
            c.term.cluster.world.trace.cap = cap;
        }
    }

    fn world(&self) -> &crate::sim::world::World<crate::cluster::Proc> {
        &self.d.term.cluster.world
    }

    fn here(&self) -> LiveEnd {
        let w = self.world();
        LiveEnd {
            stops: self.cur.stops,
            pops: w.pops(),
            events: w.events(),
            at_us: w.now().as_micros(),
            trace_len: w.trace.len(),
            hash: w.trace.hash(),
        }
    }

    /// Whether the shown state is the end of the session.
    pub fn is_live(&self) -> bool {
        self.cur.inputs == self.inputs.len() && self.cur.sleep.is_none() && self.cur.stops >= self.live.stops
    }

    pub fn position(&self) -> Position {
        let h = self.here();
        Position {
            event: h.events,
            at_us: h.at_us,
            stop: h.stops,
            inputs: self.cur.inputs,
            live: self.live,
            live_inputs: self.inputs.len(),
            is_live: self.is_live(),
            can_redo: self.discarded.is_some(),
        }
    }

    // ------------------------------------------------------------------ checkpoints

    fn checkpoint(&mut self) -> Checkpoint {
        let records = self.d.term.cluster.world.trace.take_records();
        let term = self.d.term.clone();
        self.d.term.cluster.world.trace.put_records(records);
        let h = self.here();
        Checkpoint { term, cur: self.cur, at_us: h.at_us, trace_len: self.world().trace.len() }
    }

    fn restore(&mut self, ck: &Checkpoint) {
        let records = self.d.term.cluster.world.trace.take_records();
        self.d.term = ck.term.clone();
        if ck.cur.gen == self.cur.gen {
            self.d.term.cluster.world.trace.put_records(records);
        }
        self.cur = ck.cur;
    }

    /// After a stop: take a checkpoint when one is due, and follow the live end.
    fn after_stop(&mut self) {
        if self.cur.stops > self.live.stops && self.cur.inputs == self.inputs.len() && self.cur.sleep.is_none() {
            // Past the old end: the session grows; the saved live state is behind us.
            self.live_ckpt = None;
        }
        if !self.checkpointing {
            return;
        }
        let last = self.ckpts.last().map_or(0, |c| c.cur.stops);
        if self.cur.stops >= last + self.interval {
            let ck = self.checkpoint();
            self.ckpts.push(ck);
            if self.ckpts.len() > self.max_checkpoints.max(2) {
                self.interval *= 2;
                let mut i = 0;
                self.ckpts.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
            }
        }
    }

    fn touch_live(&mut self) {
        // The highlights follow the shown position (they rewind when the trace is shorter).
        self.d.highlights.update(&self.d.term.cluster);
        if self.is_live() {
            self.live_ckpt = None;
            let h = self.here();
            self.live.stops = h.stops;
            self.live.pops = self.live.pops.max(h.pops);
            self.live.events = self.live.events.max(h.events);
            self.live.at_us = self.live.at_us.max(h.at_us);
            self.live.trace_len = h.trace_len;
            self.live.hash = h.hash;
        }
    }

    // ------------------------------------------------------------------ the forward engine

    /// Apply input `i` (which is due: its pop count is reached).
    fn apply_input(&mut self, i: usize) {
        // Only a bad session text holds a line the terminal would have refused (the time machine
        // never records one): it is dropped with everything after it.
        if !self.d.term.in_producer() {
            let refused = match crate::terminal::parse::parse(&self.inputs[i].line, self.d.term.in_shell()) {
                Err(_) => true,
                Ok(l) => l.cmd == Cmd::Empty,
            };
            if refused {
                self.drop_unreachable();
                return;
            }
        }
        let (at, sleep, line) = {
            let inp = &self.inputs[i];
            (inp.at_us, inp.sleep_us, inp.line.clone())
        };
        let c = &mut self.d.term.cluster;
        c.world.set_clock(Time(at));
        c.reap_tools();
        let len_before = c.world.trace.len();
        self.inputs[i].events = c.world.events();
        self.cur.inputs += 1;
        self.cur.stops += 1;
        self.inputs[i].stop = self.cur.stops;
        match sleep {
            Some(d) => {
                // `Terminal::run_line` for a plain sleep: the input is recorded, then the clock
                // runs (here in steps a seek can stop between), then the shell's output is taken.
                self.d.term.cluster.world.record_input(line.trim());
                let end = self.d.term.cluster.world.now() + Duration(d);
                self.cur.sleep = Some((i, end.as_micros()));
            }
            None => {
                let out = self.d.term.run_line(&line);
                self.inputs[i].output.get_or_insert(out);
            }
        }
        if self.world().trace.len() < len_before {
            self.cur.gen += 1;
        }
        self.after_stop();
    }

    /// The end of a replayed `sleep`: what `run_line` does after the clock has run.
    fn finish_sleep(&mut self, i: usize) {
        let extra = self.d.term.drain_shell().unwrap_or_default();
        self.d.term.cluster.reap_tools();
        self.cur.sleep = None;
        if let Some(inp) = self.inputs.get_mut(i) {
            inp.output.get_or_insert(Output { lines: extra, error: false });
        }
    }

    /// Run forward — replaying recorded inputs at their positions, past the live end as a live
    /// run — until `until` is reached or `budget` pops and inputs are done. Returns the work
    /// done and whether `until` was reached. A recorded input that can no longer be reached at
    /// its position (only a bad session text can hold one) is dropped with everything after it.
    fn forward(&mut self, until: Until, budget: u64) -> (u64, bool) {
        self.forward_while(until, budget, None)
    }

    /// [`Self::forward`], also stopping (reached) as soon as `stop` holds after a step.
    fn forward_while(&mut self, until: Until, budget: u64, stop: Option<&dyn Fn(&Cluster) -> bool>) -> (u64, bool) {
        let mut work = 0u64;
        let r = loop {
            match until {
                Until::Target(Target::Stop(s)) if self.cur.stops >= s => break true,
                Until::Target(Target::Event(n)) if self.world().trace.len() > n => break true,
                Until::SleepEnd if self.cur.sleep.is_none() => break true,
                Until::End(s) if self.cur.stops >= s && self.cur.sleep.is_none() => break true,
                _ => {}
            }
            if work >= budget {
                break false;
            }
            let time_limit = match until {
                Until::Target(Target::Time(t)) => Some(t.min(self.cap_us)),
                _ => Some(self.cap_us).filter(|c| *c < u64::MAX),
            };
            let pops = self.world().pops();
            let next = self.world().next_event_time().map(|t| t.as_micros());
            let due = self.inputs.get(self.cur.inputs).filter(|inp| inp.pops <= pops).map(|inp| inp.at_us);
            if let Some((i, end)) = self.cur.sleep {
                // An input due now (not one later than the time limit) cuts the sleep short or
                // follows its end; either way the sleep ends first.
                let due_now = due.filter(|at| time_limit.is_none_or(|t| *at <= t));
                if due_now.is_some() || next.is_none_or(|t| t > end) {
                    if due_now.is_none() {
                        if let Some(t) = time_limit.filter(|t| *t < end) {
                            self.d.term.cluster.world.set_clock(Time(t));
                            break true;
                        }
                        self.d.term.cluster.world.set_clock(Time(end));
                    }
                    self.finish_sleep(i);
                    continue;
                }
            }
            if let Some(at) = due {
                if time_limit.is_some_and(|t| at > t) {
                    self.d.term.cluster.world.set_clock(Time(time_limit.unwrap_or(at)));
                    break true;
                }
                if self.inputs[self.cur.inputs].pops < pops {
                    self.drop_unreachable();
                    continue;
                }
                self.apply_input(self.cur.inputs);
                work += 1;
                if until == Until::Change || stop.is_some_and(|f| f(&self.d.term.cluster)) {
                    break true;
                }
                continue;
            }
            // A pending input must come before the next event's time (else it is unreachable).
            if let Some(inp) = self.inputs.get(self.cur.inputs) {
                if next.is_none_or(|t| t > inp.at_us) {
                    self.drop_unreachable();
                    continue;
                }
            }
            match (next, time_limit) {
                (None, Some(t)) => {
                    self.d.term.cluster.world.set_clock(Time(t));
                    break true;
                }
                (None, None) => break false,
                (Some(at), Some(t)) if at > t => {
                    self.d.term.cluster.world.set_clock(Time(t));
                    break true;
                }
                _ => {}
            }
            let events = self.world().events();
            let from = self.world().trace.len();
            self.d.term.cluster.step();
            work += 1;
            if self.world().events() > events {
                self.cur.stops += 1;
                self.after_stop();
            }
            if until == Until::Change && self.world().trace.since(from).any(|r| matches!(r.kind, TraceKind::Note(_) | TraceKind::Life(_))) {
                break true;
            }
            if stop.is_some_and(|f| f(&self.d.term.cluster)) {
                break true;
            }
        };
        self.d.term.cluster.reap_tools();
        self.touch_live();
        (work, r)
    }

    /// Drop the pending input and every later one (they cannot be replayed where they were
    /// recorded: a bad session text).
    fn drop_unreachable(&mut self) {
        self.inputs.truncate(self.cur.inputs);
        self.live = self.here();
        self.live_ckpt = None;
        self.ckpts.retain(|c| c.cur.stops <= self.cur.stops);
    }

    // ------------------------------------------------------------------ the clock (live or replay)

    /// Process events up to virtual time `t_us` (at most `max_events` events and inputs), then
    /// set the clock to `t_us` if everything up to it was done. In the past this replays.
    pub fn run_until(&mut self, t_us: u64, max_events: u32) -> Advanced {
        let (work, reached) = self.forward(Until::Target(Target::Time(t_us)), max_events as u64);
        Advanced { events: work.min(u32::MAX as u64) as u32, reached, now_us: self.now_us() }
    }

    /// `run_until(now + us)`.
    pub fn advance(&mut self, us: u64, max_events: u32) -> Advanced {
        let t = self.now_us().saturating_add(us);
        self.run_until(t, max_events)
    }

    /// Go `n` stops forward (events or inputs); returns how many were made.
    pub fn step(&mut self, n: u32) -> u32 {
        let from = self.cur.stops;
        self.forward(Until::Target(Target::Stop(from.saturating_add(n as u64))), u64::MAX);
        (self.cur.stops - from) as u32
    }

    /// Run the clock until `met` holds (checked now and after every event or replayed input),
    /// until virtual time `limit_us`, or for at most `max_events` events (a lesson waiting for
    /// its condition). Returns whether it holds and the events run.
    pub fn run_until_met(&mut self, limit_us: u64, max_events: u32, met: &dyn Fn(&Cluster) -> bool) -> (bool, u32) {
        if met(&self.d.term.cluster) {
            return (true, 0);
        }
        let (work, _) = self.forward_while(Until::Target(Target::Time(limit_us)), max_events as u64, Some(met));
        (met(&self.d.term.cluster), work.min(u32::MAX as u64) as u32)
    }

    /// Step until a node changes state or an input is replayed (at most `max_events` events).
    pub fn step_to_change(&mut self, max_events: u32) -> u32 {
        self.forward(Until::Change, max_events as u64).0 as u32
    }

    // ------------------------------------------------------------------ inputs

    /// One terminal line. Made in the past, it forks the session (see [`RunResult`]).
    pub fn run(&mut self, line: &str) -> RunResult {
        self.input(line, false)
    }

    /// A click (see [`Driver::act`]): the terminal line it stands for, made like a typed one.
    pub fn act(&mut self, kind: &str, node: &str) -> RunResult {
        match crate::view::action_command(kind, node, &self.d.node_names()) {
            Ok(cmd) => {
                let mut r = self.input(&cmd, true);
                r.output.lines.insert(0, format!("$ {cmd}"));
                r
            }
            Err(e) => RunResult { output: Output { lines: vec![e], error: true }, forked: false, dropped: 0 },
        }
    }

    fn input(&mut self, line: &str, click: bool) -> RunResult {
        let term = &self.d.term;
        let mut sleep = None;
        if !term.in_producer() {
            // A line that does not parse changes nothing: it is not an input (and does not fork).
            match crate::terminal::parse::parse(line, term.in_shell()) {
                Err(e) => return RunResult { output: Output { lines: vec![e], error: true }, forked: false, dropped: 0 },
                Ok(l) if l.cmd == Cmd::Empty => return RunResult::default(),
                Ok(l) => {
                    if let (Cmd::Sleep(d), None) = (&l.cmd, &l.grep) {
                        sleep = Some(d.as_micros());
                    }
                }
            }
        }
        let (forked, dropped) = self.fork_here();
        let h = self.here();
        self.inputs.push(Input {
            line: line.to_string(),
            click,
            pops: h.pops,
            at_us: h.at_us,
            events: h.events,
            stop: 0,
            sleep_us: sleep,
            output: None,
        });
        let i = self.inputs.len() - 1;
        self.apply_input(i);
        if sleep.is_some() {
            self.forward(Until::SleepEnd, u64::MAX);
        }
        self.d.term.cluster.reap_tools();
        self.touch_live();
        let output = self.inputs[i].output.clone().unwrap_or_default();
        RunResult { output, forked, dropped }
    }

    /// Make the shown state the end of the session (before an input in the past).
    fn fork_here(&mut self) -> (bool, usize) {
        if self.is_live() {
            // Live (perhaps a few uncounted pops behind the old end): nothing to drop.
            self.live_ckpt = None;
            self.live = self.here();
            return (false, 0);
        }
        if let Some((i, _)) = self.cur.sleep {
            // A sleep cut short by the new input: it ends here.
            self.finish_sleep(i);
        }
        let dropped_inputs: Vec<Input> = self.inputs.drain(self.cur.inputs..).collect();
        let dropped = dropped_inputs.len();
        let (keep, later): (Vec<Checkpoint>, Vec<Checkpoint>) =
            std::mem::take(&mut self.ckpts).into_iter().partition(|c| c.cur.stops <= self.cur.stops && c.cur.inputs <= self.cur.inputs);
        self.ckpts = keep;
        self.discarded = Some(Discarded {
            at_inputs: self.cur.inputs,
            at_stops: self.cur.stops,
            inputs: dropped_inputs,
            live: self.live,
            checkpoints: later,
            live_ckpt: self.live_ckpt.take(),
        });
        self.d.term.cluster.world.trace.drop_future();
        self.live = self.here();
        (true, dropped)
    }

    /// Return to the future the last fork dropped (once): the inputs made since the fork are
    /// dropped instead, and the shown position is the fork point. `false` if there is none.
    pub fn redo(&mut self) -> bool {
        let Some(d) = self.discarded.take() else { return false };
        if self.inputs.len() < d.at_inputs {
            return false;
        }
        self.inputs.truncate(d.at_inputs);
        self.inputs.extend(d.inputs);
        self.ckpts.retain(|c| c.cur.stops <= d.at_stops && c.cur.inputs <= d.at_inputs);
        self.ckpts.extend(d.checkpoints);
        self.live = d.live;
        self.live_ckpt = d.live_ckpt;
        // Back at the fork point on the old timeline (the records after it are regenerated).
        let ck = self.ckpts.iter().rposition(|c| c.cur.stops <= d.at_stops && c.cur.inputs <= d.at_inputs).unwrap_or(0);
        let ck = self.ckpts[ck].clone();
        self.restore(&ck);
        self.d.term.cluster.world.trace.drop_future();
        self.forward(Until::Target(Target::Stop(d.at_stops)), u64::MAX);
        self.ensure_window(Target::Stop(d.at_stops));
        true
    }

    /// Show the position a session text asked for (again: a page reads the live end's
    /// highlights first). `false` when there is none (or it was the live end).
    pub fn show_session_position(&mut self) -> bool {
        let Some((stops, at_us)) = self.shown else { return false };
        if stops >= self.live.stops {
            self.go_live();
            return false;
        }
        self.seek(Target::Stop(stops));
        self.set_clock_within(Time(at_us));
        true
    }

    /// Remember the position to show for [`Self::show_session_position`].
    pub fn set_session_position(&mut self, stops: u64, at_us: u64) {
        self.shown = Some((stops, at_us));
    }

    /// The trace hash at the live end.
    pub fn live_hash(&self) -> u64 {
        self.live.hash
    }

    /// Move the clock forward to `t`, but not past the next event (a position read from a text).
    pub fn set_clock_within(&mut self, t: Time) {
        let w = &mut self.d.term.cluster.world;
        let t = match w.next_event_time() {
            Some(n) => t.min(n),
            None => t,
        };
        w.set_clock(t);
        self.touch_live();
    }

    /// Replay recorded inputs (a session read from text) up to the recorded end: `live.stops`
    /// stops, the clock at `live.at_us`, no event later than that. Inputs that cannot be
    /// replayed at their positions are dropped (the caller compares the counts).
    pub fn load(&mut self, inputs: Vec<Input>, live: LiveEnd) {
        self.inputs = inputs;
        self.live = LiveEnd { stops: live.stops, pops: 0, events: 0, at_us: live.at_us, trace_len: u64::MAX, hash: 0 };
        self.cap_us = live.at_us;
        self.forward(Until::End(live.stops), u64::MAX);
        self.cap_us = u64::MAX;
        if self.cur.inputs < self.inputs.len() {
            self.drop_unreachable();
        }
        self.set_clock_within(Time(live.at_us));
        self.live = self.here();
    }

    // ------------------------------------------------------------------ seeking

    /// Show the state at `target` (the live end for a target beyond it).
    pub fn seek(&mut self, target: Target) {
        let beyond = match target {
            Target::Stop(s) => s >= self.live.stops,
            Target::Event(n) => n >= self.live.trace_len,
            Target::Time(t) => t >= self.live.at_us,
        };
        if beyond {
            self.go_live();
            return;
        }
        if self.is_live() && self.live_ckpt.is_none() {
            let ck = self.checkpoint();
            self.live_ckpt = Some(Box::new(ck));
        }
        if !self.before(target, None) {
            let i = self.start_for(target, u64::MAX);
            let ck = self.ckpts[i].clone();
            self.restore(&ck);
        }
        self.forward(Until::Target(target), u64::MAX);
        self.ensure_window(target);
        self.d.highlights.update(&self.d.term.cluster);
    }

    /// Whether the shown state (or checkpoint `ck`) is at or before `target`.
    fn before(&self, target: Target, ck: Option<&Checkpoint>) -> bool {
        let (stops, trace_len, at) = match ck {
            Some(c) => (c.cur.stops, c.trace_len, c.at_us),
            None => (self.cur.stops, self.world().trace.len(), self.now_us()),
        };
        match target {
            Target::Stop(s) => stops <= s,
            Target::Event(n) => trace_len <= n,
            Target::Time(t) => at <= t,
        }
    }

    /// The latest checkpoint before `target` whose trace length is at most `max_trace`.
    fn start_for(&self, target: Target, max_trace: u64) -> usize {
        self.ckpts.iter().rposition(|c| self.before(target, Some(c)) && c.trace_len <= max_trace).unwrap_or(0)
    }

    /// The page shows the newest trace records before the position: when a replay started too
    /// close to the position to regenerate them, replay again from an earlier checkpoint.
    fn ensure_window(&mut self, target: Target) {
        let tr = &self.world().trace;
        if !tr.keep {
            return;
        }
        let len = tr.len();
        let want = len.saturating_sub(TRACE_SHOWN as u64);
        if tr.kept_from() <= want {
            return;
        }
        let i = self.start_for(target, want);
        let ck = self.ckpts[i].clone();
        let now = self.now_us();
        self.restore(&ck);
        self.forward(Until::Target(target), u64::MAX);
        // A time target set the clock; a stop or event target leaves it at the event.
        self.d.term.cluster.world.set_clock(Time(now));
    }

    /// Show the state right after trace record `n`.
    pub fn seek_event(&mut self, n: u64) {
        self.seek(Target::Event(n));
    }
    pub fn seek_time(&mut self, t_us: u64) {
        self.seek(Target::Time(t_us));
    }
    /// Go back `n` stops (events or inputs).
    pub fn step_back(&mut self, n: u64) {
        let s = self.cur.stops.saturating_sub(n);
        if s < self.cur.stops || !self.is_live() {
            self.seek(Target::Stop(s));
        }
    }

    /// Show the end of the session.
    pub fn go_live(&mut self) {
        if self.is_live() {
            return;
        }
        if let Some(ck) = self.live_ckpt.take() {
            self.restore(&ck);
        } else {
            let i = self.start_for(Target::Stop(self.live.stops), u64::MAX);
            let ck = self.ckpts[i].clone();
            self.restore(&ck);
            self.forward(Until::End(self.live.stops), u64::MAX);
            let at = self.live.at_us;
            self.d.term.cluster.world.set_clock(Time(at));
        }
        let stops = self.cur.stops;
        self.ensure_window(Target::Stop(stops));
        self.d.highlights.update(&self.d.term.cluster);
    }
}
