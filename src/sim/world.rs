//! The world: virtual clock, total-order event queue, nodes, the bus, faults and the trace.
//!
//! `step()` pops the earliest event — keyed `(time, seq)`, so the order is total and replays are
//! exact — hands it to the node it concerns, and turns the commands the node returns into new
//! events (madsim's discrete-event loop, stateright's `process_commands`). `World: Clone` is the
//! checkpoint used for time travel: restoring a clone and re-applying the same inputs gives the
//! same future.

use std::hash::{Hash, Hasher};

use super::bus::Bus;
use super::rng::Rng;
use super::time::{Duration, Time};
use super::trace::{hash_deliver, hash_timer, Trace, TraceKind};
use super::{Command, Ctx, NodeId, Process};

/// What travels on a connection: a protocol message, or the end of the connection (FIN/RST).
#[derive(Clone, Debug, Hash)]
pub enum Payload<M> {
    Msg(M),
    Fin,
}

/// A message on the bus.
#[derive(Clone, Debug)]
pub struct Envelope<M> {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    /// The destination's incarnation when this was sent: a restarted node never sees messages
    /// meant for its previous life (their TCP connection died with it).
    pub to_incarnation: u32,
    /// The sender's crash count when it sent (a crash resets its connections).
    pub from_resets: u32,
    /// The sender's incarnation when it sent, and whether the destination was down then.
    pub from_incarnation: u32,
    pub to_was_down: bool,
    /// An answer to a request from a run of the destination that has exited since (it travels
    /// on that run's connection, whose closing the request's sender learns from the FIN that
    /// followed the request: its loss resets nothing more).
    pub answers_exited: bool,
    pub sent_at: Time,
    /// When it arrives (meaningless while held by a cut link).
    pub deliver_at: Time,
    pub payload: Payload<M>,
}

#[derive(Clone, Debug)]
enum EventKind<M, T> {
    Deliver(Envelope<M>),
    Timer { node: NodeId, incarnation: u32, timer: T, gen: u64 },
}

/// A timer that is set: its generation, when it should fire, and when its queued event fires.
/// Re-arming a timer for later (the common case: read timeouts re-armed on every packet) only
/// moves `deadline`; the queued event re-queues itself when it finds the deadline moved.
#[derive(Clone, Debug)]
struct TimerEntry<T> {
    timer: T,
    gen: u64,
    deadline: Time,
    queued_at: Time,
}

/// The key kept in the queue's order: small, so moving it is cheap; the payload sits in a slab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    at: Time,
    seq: u64,
    idx: u32,
}

impl Key {
    /// Whether `self` comes before `o` in the total order `(at, seq)`.
    #[inline]
    fn before(&self, o: &Key) -> bool {
        self.at < o.at || (self.at == o.at && self.seq < o.seq)
    }
}

/// How many keys `push` compares one by one from the earliest end before it binary-searches.
const LINEAR_SCAN: usize = 8;

/// The event queue: a total order on `(time, seq)`.
///
/// The keys are kept sorted, latest first, so the earliest event is popped from the end of the
/// vector. A simulation holds a few dozen pending events, and most new events (message
/// deliveries a few milliseconds ahead) belong near the earliest end: inserting them moves only
/// a few keys, which beats a binary heap's sifting. Keys are unique (`seq` is), so the order is
/// the same total order a heap would give.
#[derive(Clone, Debug)]
struct Queue<K> {
    /// Sorted by `(at, seq)`, descending: the earliest key is last.
    keys: Vec<Key>,
    slab: Vec<Option<(Time, K)>>,
    free: Vec<u32>,
}

impl<K> Queue<K> {
    fn new() -> Self {
        Queue { keys: Vec::new(), slab: Vec::new(), free: Vec::new() }
    }
    fn push(&mut self, at: Time, seq: u64, kind: K) {
        let idx = match self.free.pop() {
            Some(i) => {
                self.slab[i as usize] = Some((at, kind));
                i
            }
            None => {
                self.slab.push(Some((at, kind)));
                (self.slab.len() - 1) as u32
            }
        };
        let key = Key { at, seq, idx };
        // Insertion sort step from the earliest end: shift earlier keys up by one until the key's
        // place. Most new keys belong a few places from that end; a key further away (a timer
        // set far ahead) is placed by binary search.
        let n = self.keys.len();
        self.keys.push(key);
        let keys = &mut self.keys[..];
        let stop = n.saturating_sub(LINEAR_SCAN);
        let mut i = n;
        while i > stop && keys[i - 1].before(&key) {
            keys[i] = keys[i - 1];
            i -= 1;
        }
        if i == stop && i > 0 && keys[i - 1].before(&key) {
            let p = keys[..i].partition_point(|k| key.before(k));
            keys.copy_within(p..i, p + 1);
            i = p;
        }
        keys[i] = key;
    }
    /// The earliest event, with its sequence number.
    fn pop(&mut self) -> Option<(Time, u64, K)> {
        let key = self.keys.pop()?;
        let item = self.slab.get_mut(key.idx as usize).and_then(|e| e.take());
        self.free.push(key.idx);
        item.map(|(at, k)| (at, key.seq, k))
    }
    fn peek_time(&self) -> Option<Time> {
        self.keys.last().map(|k| k.at)
    }
    fn iter(&self) -> impl Iterator<Item = &(Time, K)> {
        self.slab.iter().filter_map(|e| e.as_ref())
    }
}

/// Lifecycle of a node slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Life {
    /// Never started, or exited after a graceful stop.
    Stopped,
    /// Running.
    Up,
    /// Running, but asked to stop and not yet exited.
    Stopping,
    /// Killed (kill -9) and not restarted.
    Crashed,
}

/// An event that came due while its node was paused, with its queue sequence number.
type Stashed<P> = (u64, EventKind<<P as Process>::Msg, <P as Process>::Timer>);

/// A node and the world's bookkeeping for it.
#[derive(Clone, Debug)]
pub struct Slot<P: Process> {
    pub name: String,
    pub proc: P,
    pub life: Life,
    /// Bumped on every crash or exit.
    pub incarnation: u32,
    /// Bumped on every crash (kill -9): its connections are reset, in-flight data lost.
    pub resets: u32,
    rng: Rng,
    /// Timers currently set.
    timers: Vec<TimerEntry<P::Timer>>,
    /// Paused (SIGSTOP, or a long GC pause): its handlers do not run; the events due meanwhile
    /// wait in `stash`, in the order they came due, with their queue sequence numbers.
    paused: bool,
    stash: Vec<Stashed<P>>,
}

impl<P: Process> Slot<P> {
    pub fn is_up(&self) -> bool {
        matches!(self.life, Life::Up | Life::Stopping)
    }
    /// Whether the process is paused (`zk pause N`, `broker pause N`).
    pub fn is_paused(&self) -> bool {
        self.paused
    }
}

/// What one `step` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stepped {
    pub at: Time,
    /// The node the event was for.
    pub node: NodeId,
    /// Whether the node's handler ran (false for held or dropped messages and stale timers).
    pub handled: bool,
}

/// A message on its way, for the UI.
#[derive(Clone, Debug)]
pub struct InFlight<'a, M> {
    pub envelope: &'a Envelope<M>,
    /// Held by a cut link.
    pub held: bool,
}

/// The simulated world.
#[derive(Clone, Debug)]
pub struct World<P: Process> {
    now: Time,
    seq: u64,
    seed: u64,
    /// The virtual wall clock at time zero, ms since the Unix epoch.
    epoch_ms: u64,
    rng: Rng,
    slots: Vec<Slot<P>>,
    queue: Queue<EventKind<P::Msg, P::Timer>>,
    pub bus: Bus,
    held: Vec<Envelope<P::Msg>>,
    pub trace: Trace<P>,
    facts: Vec<P::Fact>,
    observing: bool,
    events: u64,
    /// Events popped from the queue, counted or not (stale timers, re-queues, held messages):
    /// with the time, the exact position a time-travel replay applies an input at.
    pops: u64,
    scratch: Vec<Command<P::Msg, P::Timer>>,
    /// While a node handles a message: the sender and the incarnation it sent from. What the
    /// handler sends back travels on that connection (see `send_payload`).
    replying_to: Option<(NodeId, u32)>,
    notes: Vec<String>,
}

/// 2021-09-17T11:09:50Z, a few seconds before the seed's `/controller` timestamp (1631876996515).
pub const DEFAULT_EPOCH_MS: u64 = 1_631_876_990_000;

impl<P: Process> World<P> {
    /// An empty world whose every random choice follows from `seed`.
    pub fn new(seed: u64) -> World<P> {
        World {
            now: Time::ZERO,
            seq: 0,
            seed,
            epoch_ms: DEFAULT_EPOCH_MS,
            rng: Rng::new(seed),
            slots: Vec::new(),
            queue: Queue::new(),
            bus: Bus::default(),
            held: Vec::new(),
            trace: Trace::new(true),
            facts: Vec::new(),
            observing: false,
            events: 0,
            pops: 0,
            scratch: Vec::new(),
            replying_to: None,
            notes: Vec::new(),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn now(&self) -> Time {
        self.now
    }
    /// The virtual wall clock now (ms since the Unix epoch).
    pub fn wall_ms(&self) -> u64 {
        self.epoch_ms + self.now.as_millis()
    }
    /// Number of events processed so far: messages delivered or dropped, timers fired (internal
    /// re-queues of re-armed timers do not count).
    pub fn events(&self) -> u64 {
        self.events
    }
    /// Events popped from the queue so far, including those that do not count as events
    /// (stale timers, re-armed timers queued again). Time travel records inputs at a pop count.
    pub fn pops(&self) -> u64 {
        self.pops
    }
    /// Move the clock forward to `t` without processing anything (a replay putting the clock
    /// where it stood when an input was made). Never moves it back.
    pub fn set_clock(&mut self, t: Time) {
        self.now = self.now.max(t);
    }
    /// Turn invariant-checker facts on or off.
    pub fn set_observing(&mut self, on: bool) {
        self.observing = on;
        if !on {
            self.facts.clear();
        }
    }
    /// Facts reported since the last call.
    pub fn take_facts(&mut self) -> Vec<P::Fact> {
        std::mem::take(&mut self.facts)
    }

    /// Add a node (not started). Its PRNG is forked from the world seed by its index.
    pub fn add_node(&mut self, name: impl Into<String>, proc: P) -> NodeId {
        let id = NodeId(self.slots.len() as u32);
        let rng = Rng::new(self.seed).fork(0x6e6f_6465_0000_0000 | id.0 as u64);
        self.slots.push(Slot {
            name: name.into(),
            proc,
            life: Life::Stopped,
            incarnation: 0,
            resets: 0,
            rng,
            timers: Vec::new(),
            paused: false,
            stash: Vec::new(),
        });
        self.bus.grow(self.slots.len());
        id
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    pub fn slot(&self, id: NodeId) -> Option<&Slot<P>> {
        self.slots.get(id.index())
    }
    pub fn slots(&self) -> &[Slot<P>] {
        &self.slots
    }
    /// The node's process (also while it is down: then only its durable state is meaningful).
    pub fn proc(&self, id: NodeId) -> Option<&P> {
        self.slots.get(id.index()).map(|s| &s.proc)
    }
    /// Mutable access to a process, for the host to take output buffers (tools' printed lines).
    /// Protocol state must only change through events and `with_node`.
    pub fn proc_mut(&mut self, id: NodeId) -> Option<&mut P> {
        self.slots.get_mut(id.index()).map(|s| &mut s.proc)
    }
    pub fn name(&self, id: NodeId) -> String {
        self.slots.get(id.index()).map(|s| s.name.clone()).unwrap_or_else(|| format!("#{}", id.0))
    }
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.slots.iter().position(|s| s.name == name).map(|i| NodeId(i as u32))
    }
    pub fn is_up(&self, id: NodeId) -> bool {
        self.slot(id).map(|s| s.is_up()).unwrap_or(false)
    }

    /// Put a different process in a slot that is not running (tool slots are reused).
    pub fn replace_proc(&mut self, id: NodeId, proc: P) -> Result<(), String> {
        let slot = self.slots.get_mut(id.index()).ok_or_else(|| format!("no node #{}", id.0))?;
        if slot.is_up() {
            return Err(format!("{} is running", slot.name));
        }
        slot.proc = proc;
        slot.life = Life::Stopped;
        slot.timers.clear();
        Ok(())
    }

    /// Record a user input in the trace.
    pub fn record_input(&mut self, text: &str) {
        self.trace.push(self.now, NodeId(0), TraceKind::Input(text.to_string()));
    }

    /// Start a node that is not running.
    pub fn start(&mut self, id: NodeId) -> Result<(), String> {
        let slot = self.slots.get_mut(id.index()).ok_or_else(|| format!("no node #{}", id.0))?;
        if slot.is_up() {
            return Err(format!("{} is already running", slot.name));
        }
        slot.life = Life::Up;
        self.trace.push(self.now, id, TraceKind::Life("started"));
        self.run_handler(id, |p, ctx| p.on_start(ctx));
        Ok(())
    }

    /// Crash a node (kill -9): its volatile state is lost, its peers see their connections close.
    pub fn crash(&mut self, id: NodeId) -> Result<(), String> {
        let slot = self.slots.get(id.index()).ok_or_else(|| format!("no node #{}", id.0))?;
        if !slot.is_up() {
            return Err(format!("{} is not running", slot.name));
        }
        self.trace.push(self.now, id, TraceKind::Life("crashed (kill -9): volatile state lost"));
        self.take_down(id, Life::Crashed);
        Ok(())
    }

    /// Ask a node to stop gracefully; it exits when its `on_stop` work is done.
    pub fn stop(&mut self, id: NodeId) -> Result<(), String> {
        let slot = self.slots.get_mut(id.index()).ok_or_else(|| format!("no node #{}", id.0))?;
        if slot.paused && slot.is_up() {
            // SIGTERM stays pending on a stopped process until SIGCONT.
            return Err(format!("{} is paused: resume it first (SIGTERM waits for SIGCONT; kill works)", slot.name));
        }
        match slot.life {
            Life::Up => {
                slot.life = Life::Stopping;
                self.trace.push(self.now, id, TraceKind::Life("stopping (SIGTERM)"));
                self.run_handler(id, |p, ctx| p.on_stop(ctx));
                Ok(())
            }
            Life::Stopping => Ok(()),
            _ => Err(format!("{} is not running", slot.name)),
        }
    }

    /// Pause a running node (SIGSTOP, or a stop-the-world GC pause): its timers do not fire and
    /// the messages that reach it wait, in order, in its socket buffers. Its peers notice nothing
    /// but silence: their own timers (session timeouts, heartbeats) keep running.
    pub fn pause(&mut self, id: NodeId) -> Result<(), String> {
        let slot = self.slots.get_mut(id.index()).ok_or_else(|| format!("no node #{}", id.0))?;
        if !slot.is_up() {
            return Err(format!("{} is not running", slot.name));
        }
        if slot.paused {
            return Err(format!("{} is already paused", slot.name));
        }
        slot.paused = true;
        self.trace.push(self.now, id, TraceKind::Life("paused (SIGSTOP): timers and inbound messages wait"));
        Ok(())
    }

    /// Resume a paused node (SIGCONT): like a JVM after a GC pause it sees the clock jump; every
    /// timer that came due meanwhile fires now, and the messages that waited are read now, each
    /// link's in the order they were sent.
    pub fn resume(&mut self, id: NodeId) -> Result<(), String> {
        let slot = self.slots.get_mut(id.index()).ok_or_else(|| format!("no node #{}", id.0))?;
        if !slot.paused || !slot.is_up() {
            return Err(format!("{} is not paused", slot.name));
        }
        slot.paused = false;
        let stash = std::mem::take(&mut slot.stash);
        self.trace.push(self.now, id, TraceKind::Life("resumed (SIGCONT): what came due meanwhile happens now"));
        // Re-queued at `now` under their own sequence numbers: a message keeps its id, so a
        // link's messages stay in send order, also relative to later ones on the same link.
        for (seq, kind) in stash {
            self.queue.push(self.now, seq, kind);
        }
        Ok(())
    }

    /// Whether node `id` is paused.
    pub fn is_paused(&self, id: NodeId) -> bool {
        self.slot(id).map(|s| s.is_up() && s.paused).unwrap_or(false)
    }

    fn take_down(&mut self, id: NodeId, life: Life) {
        let Some(slot) = self.slots.get_mut(id.index()) else { return };
        slot.life = life;
        slot.paused = false;
        slot.stash.clear();
        slot.incarnation = slot.incarnation.wrapping_add(1);
        if life == Life::Crashed {
            slot.resets = slot.resets.wrapping_add(1);
        }
        slot.timers.clear();
        slot.proc.crash();
        // The OS closes the process's sockets: every peer sees EOF/RST after what was already sent.
        for peer in self.bus.open_peers(id) {
            self.bus.close(id, peer);
            self.send_payload(id, peer, Payload::Fin);
        }
    }

    /// Run a handler of node `id` outside any event (user input), then apply its commands.
    pub fn with_node<R>(&mut self, id: NodeId, f: impl FnOnce(&mut P, &mut Ctx<'_, P>) -> R) -> Option<R> {
        if !self.is_up(id) || self.is_paused(id) {
            return None;
        }
        Some(self.run_handler(id, f))
    }

    fn run_handler<R>(&mut self, id: NodeId, f: impl FnOnce(&mut P, &mut Ctx<'_, P>) -> R) -> R {
        let mut out = std::mem::take(&mut self.scratch);
        let wall_ms = self.wall_ms();
        let narrating = self.trace.keep;
        let slot = &mut self.slots[id.index()];
        let r = {
            let mut ctx =
                Ctx::new(id, self.now, wall_ms, &mut slot.rng, &mut out, &mut self.notes, &mut self.facts, self.observing, narrating);
            f(&mut slot.proc, &mut ctx)
        };
        if !self.notes.is_empty() {
            for n in self.notes.drain(..) {
                self.trace.push(self.now, id, TraceKind::Note(n));
            }
        }
        self.apply(id, &mut out);
        self.scratch = out;
        r
    }

    fn apply(&mut self, id: NodeId, out: &mut Vec<Command<P::Msg, P::Timer>>) {
        for cmd in out.drain(..) {
            match cmd {
                Command::Send { to, msg } => {
                    if to.index() < self.slots.len() {
                        self.bus.touch(id, to);
                        self.send_payload(id, to, Payload::Msg(msg));
                    }
                }
                Command::SetTimer { timer, after } => {
                    let deadline = self.now + after;
                    let slot = &mut self.slots[id.index()];
                    let incarnation = slot.incarnation;
                    match slot.timers.iter_mut().find(|e| e.timer == timer) {
                        // Its queued event fires no later than the new deadline: just move the deadline.
                        Some(e) if e.queued_at <= deadline => e.deadline = deadline,
                        found => {
                            self.seq += 1;
                            let gen = self.seq;
                            match found {
                                Some(e) => {
                                    e.gen = gen;
                                    e.deadline = deadline;
                                    e.queued_at = deadline;
                                }
                                None => slot.timers.push(TimerEntry { timer: timer.clone(), gen, deadline, queued_at: deadline }),
                            }
                            self.queue.push(deadline, gen, EventKind::Timer { node: id, incarnation, timer, gen });
                        }
                    }
                }
                Command::CancelTimer(timer) => {
                    self.slots[id.index()].timers.retain(|e| e.timer != timer);
                }
                Command::Close { peer } => {
                    if peer.index() < self.slots.len() && self.bus.close(id, peer) {
                        self.send_payload(id, peer, Payload::Fin);
                    }
                }
                Command::Exit => {
                    if self.is_up(id) {
                        self.trace.push(self.now, id, TraceKind::Life("exited"));
                        self.take_down(id, Life::Stopped);
                    }
                }
            }
        }
    }

    fn send_payload(&mut self, from: NodeId, to: NodeId, payload: Payload<P::Msg>) {
        self.seq += 1;
        let mut env = Envelope {
            id: self.seq,
            from,
            to,
            to_incarnation: match self.replying_to {
                // An answer goes back on the connection the request came on: if its sender has
                // exited since, no later run of it sees the answer (its socket is gone).
                Some((n, inc)) if n == to => inc,
                _ => self.slots[to.index()].incarnation,
            },
            from_resets: self.slots[from.index()].resets,
            from_incarnation: self.slots[from.index()].incarnation,
            to_was_down: !self.slots[to.index()].is_up(),
            answers_exited: matches!(self.replying_to, Some((n, inc)) if n == to && inc != self.slots[to.index()].incarnation),
            sent_at: self.now,
            deliver_at: self.now,
            payload,
        };
        if self.bus.is_cut(from, to) {
            self.held.push(env);
        } else {
            env.deliver_at = self.bus.delivery_time(&mut self.rng, self.now, from, to);
            self.queue.push(env.deliver_at, env.id, EventKind::Deliver(env));
        }
    }

    /// Re-send held messages whose link is no longer cut, in their original order.
    pub fn release_held(&mut self) {
        let mut held = std::mem::take(&mut self.held);
        // A message caught in flight by a cut joins the held list after messages sent later
        // while the link was already cut: restore send order (ids grow with every send).
        crate::sorted::sort_by_key(&mut held, |e| e.id);
        for mut env in held {
            if self.bus.is_cut(env.from, env.to) {
                self.held.push(env);
            } else {
                env.deliver_at = self.bus.delivery_time(&mut self.rng, self.now, env.from, env.to);
                self.bus.note_resent(env.from, env.to, env.id, env.deliver_at, self.now);
                self.queue.push(env.deliver_at, env.id, EventKind::Deliver(env));
            }
        }
    }

    /// Time of the next event, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek_time()
    }

    /// Process the next event. `None` when nothing is scheduled.
    pub fn step(&mut self) -> Option<Stepped> {
        let (at, seq, kind) = self.queue.pop()?;
        self.pops += 1;
        self.now = self.now.max(at);
        match kind {
            EventKind::Deliver(mut env) => {
                if let Some(at) = self.bus.behind_resent(env.from, env.to, env.id, env.deliver_at) {
                    // Sent behind a message that a cut held and the heal re-sent: TCP delivers
                    // the stream in order, so this one waits for it.
                    let to = env.to;
                    env.deliver_at = at;
                    self.queue.push(at, env.id, EventKind::Deliver(env));
                    return Some(Stepped { at: self.now, node: to, handled: false });
                }
                self.events += 1;
                Some(self.deliver(env))
            }
            EventKind::Timer { node, incarnation, timer, gen } => {
                let now = self.now;
                let slot = &mut self.slots[node.index()];
                let live = slot.is_up() && slot.incarnation == incarnation;
                let pos = slot.timers.iter().position(|e| e.gen == gen && e.timer == timer);
                match (live, pos) {
                    (true, Some(i)) if slot.timers[i].deadline > now => {
                        // Re-armed for later meanwhile: queue again for the new deadline.
                        let deadline = slot.timers[i].deadline;
                        slot.timers[i].queued_at = deadline;
                        self.seq += 1;
                        self.queue.push(deadline, self.seq, EventKind::Timer { node, incarnation, timer, gen });
                        Some(Stepped { at: now, node, handled: false })
                    }
                    (true, Some(_)) if slot.paused => {
                        // Due while paused: it fires when the process resumes.
                        slot.stash.push((seq, EventKind::Timer { node, incarnation, timer, gen }));
                        Some(Stepped { at: now, node, handled: false })
                    }
                    (true, Some(i)) => {
                        self.events += 1;
                        slot.timers.swap_remove(i);
                        self.trace.push_with(now, node, || TraceKind::Timer(timer.clone()), |h| hash_timer::<P>(h, &timer));
                        self.run_handler(node, |p, ctx| p.on_timer(timer, ctx));
                        Some(Stepped { at: now, node, handled: true })
                    }
                    _ => Some(Stepped { at: now, node, handled: false }),
                }
            }
        }
    }

    fn deliver(&mut self, env: Envelope<P::Msg>) -> Stepped {
        let (from, to) = (env.from, env.to);
        if self.bus.is_cut(from, to) {
            // Cut while in flight: held until the link heals (TCP keeps retransmitting).
            self.held.push(env);
            return Stepped { at: self.now, node: to, handled: false };
        }
        if env.to_was_down && self.slots[from.index()].incarnation != env.from_incarnation && matches!(env.payload, Payload::Msg(_)) {
            // Sent while the destination was down (a connection being attempted, held by a cut),
            // by a process that has exited since: its close aborted the attempt, so nothing of
            // it reaches the destination's next run. (Seed 52682 of the Kafka swarm: a stopped
            // broker's held ZooKeeper reconnects resumed its old session under its next run.)
            if let Payload::Msg(msg) = env.payload {
                self.trace.push(self.now, to, TraceKind::Dropped { from, msg, why: "its sender exited before connecting" });
            }
            return Stepped { at: self.now, node: to, handled: false };
        }
        if self.slots[from.index()].resets != env.from_resets && matches!(env.payload, Payload::Msg(_)) {
            // Data still in flight from a process that has crashed since (kill -9): its
            // connections were reset when it died, so what had not arrived is lost — always a
            // suffix of what it sent, since links are FIFO. The connection's FIN/RST still
            // arrives, after what was delivered: the receiver learns that the stream it was
            // reading ended (and a restarted process's new connection is its own). A graceful
            // exit closes its sockets normally: what it sent is still delivered.
            if let Payload::Msg(msg) = env.payload {
                self.trace.push(self.now, to, TraceKind::Dropped { from, msg, why: "the sender crashed: its connection was reset" });
            }
            return Stepped { at: self.now, node: to, handled: false };
        }
        let slot = &self.slots[to.index()];
        if !slot.is_up() || slot.incarnation != env.to_incarnation {
            if let Payload::Msg(msg) = env.payload {
                let why = if slot.is_up() { "connection belonged to a previous run" } else { "node is down" };
                self.trace.push(self.now, to, TraceKind::Dropped { from, msg, why });
                // Nobody listens: the sender's connection is reset (connection refused / RST).
                if !env.answers_exited && self.is_up(from) && self.bus.close(from, to) {
                    self.send_payload(to, from, Payload::Fin);
                }
            }
            return Stepped { at: self.now, node: to, handled: false };
        }
        if slot.paused {
            // Arrived, but the process does not run: it waits in the socket buffer until resume.
            let slot = &mut self.slots[to.index()];
            slot.stash.push((env.id, EventKind::Deliver(env)));
            return Stepped { at: self.now, node: to, handled: false };
        }
        match env.payload {
            Payload::Msg(msg) => {
                self.trace.push_with(self.now, to, || TraceKind::Deliver { from, msg: msg.clone() }, |h| hash_deliver(h, from, &msg));
                self.replying_to = Some((from, env.from_incarnation));
                self.run_handler(to, |p, ctx| p.on_msg(from, msg, ctx));
                self.replying_to = None;
            }
            Payload::Fin => {
                self.bus.close(from, to);
                self.trace.push(self.now, to, TraceKind::Disconnect { from });
                self.run_handler(to, |p, ctx| p.on_disconnect(from, ctx));
            }
        }
        Stepped { at: self.now, node: to, handled: true }
    }

    /// Process every event up to and including `t`, then set the clock to `t`.
    pub fn run_until(&mut self, t: Time) {
        while self.queue.peek_time().map(|at| at <= t).unwrap_or(false) {
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// `run_until(now + d)`.
    pub fn run_for(&mut self, d: Duration) {
        let t = self.now + d;
        self.run_until(t);
    }

    /// Messages on the wire and held by cuts, in send order.
    pub fn in_flight(&self) -> Vec<InFlight<'_, P::Msg>> {
        let mut v: Vec<InFlight<'_, P::Msg>> = self
            .queue
            .iter()
            .filter_map(|(_, k)| match k {
                EventKind::Deliver(env) => Some(InFlight { envelope: env, held: false }),
                _ => None,
            })
            .chain(self.held.iter().map(|env| InFlight { envelope: env, held: true }))
            .collect();
        crate::sorted::sort_by_key(&mut v, |f| f.envelope.id);
        v
    }

    /// Timers set on `id`, for the UI: `(timer, fires_at)`.
    pub fn timers_of(&self, id: NodeId) -> Vec<(P::Timer, Time)> {
        let Some(slot) = self.slot(id) else { return Vec::new() };
        let mut v: Vec<(P::Timer, Time)> = slot.timers.iter().map(|e| (e.timer.clone(), e.deadline)).collect();
        crate::sorted::sort_by_key(&mut v, |(_, at)| *at);
        v
    }

    /// A hash of the state that matters for determinism checks (trace hash, time, event count).
    pub fn fingerprint(&self) -> u64 {
        let mut h = super::trace::StableHasher::new();
        self.trace.hash().hash(&mut h);
        self.now.hash(&mut h);
        self.events.hash(&mut h);
        h.finish()
    }
}

#[cfg(test)]
mod queue_tests {
    use super::{Queue, Time};
    use crate::sim::rng::Rng;

    /// The queue pops in `(time, seq)` order whatever the push pattern (near and far keys).
    #[test]
    fn queue_pops_in_total_order() {
        let mut rng = Rng::new(11);
        let mut q: Queue<u64> = Queue::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut now = 0u64;
        let mut seq = 0u64;
        for round in 0..20_000u64 {
            let pushes = rng.below(3);
            for _ in 0..pushes {
                seq += 1;
                let at = now + if rng.below(4) == 0 { rng.below(5_000_000) } else { rng.below(3_000) };
                q.push(Time(at), seq, seq);
                reference.insert((at, seq));
            }
            if round % 3 != 0 {
                let want = reference.pop_first();
                let got = q.pop().map(|(t, _, s)| (t.0, s));
                assert_eq!(got, want);
                if let Some((t, _)) = got {
                    now = t;
                }
                assert_eq!(q.peek_time().map(|t| t.0), reference.first().map(|k| k.0));
            }
        }
        while let Some(want) = reference.pop_first() {
            assert_eq!(q.pop().map(|(t, _, s)| (t.0, s)), Some(want));
        }
        assert!(q.pop().is_none());
    }

    /// Ties on time are broken by `seq` even when `seq` does not grow with pushes (held messages
    /// re-sent with their original ids).
    #[test]
    fn queue_breaks_time_ties_by_seq() {
        let mut rng = Rng::new(5);
        let mut q: Queue<u64> = Queue::new();
        let mut reference = std::collections::BTreeSet::new();
        for i in 1..5_000u64 {
            let seq = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let at = rng.below(4) * 1000 + if rng.below(10) == 0 { 1_000_000 } else { 0 };
            q.push(Time(at), seq, seq);
            reference.insert((at, seq));
            if i % 4 == 0 {
                assert_eq!(q.pop().map(|(t, _, s)| (t.0, s)), reference.pop_first());
            }
        }
        while let Some(want) = reference.pop_first() {
            assert_eq!(q.pop().map(|(t, _, s)| (t.0, s)), Some(want));
        }
    }
}
