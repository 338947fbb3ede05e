//! The deterministic discrete-event simulation core.
//!
//! ```text
//!   user input ──► World::with_node / start / crash / stop
//!                        │
//!   event queue (Time, seq) ──► World::step ──► Process::on_msg / on_timer / on_disconnect
//!        ▲                                            │
//!        │                                   Ctx collects Commands
//!        └──── Bus (latency, FIFO, loss, cuts) ◄──────┘  Send / SetTimer / CancelTimer / Close / Exit
//! ```
//!
//! Nodes are sans-IO state machines (`Process`): they see messages and timers and return
//! commands; only the `World` turns commands into events. Modelled on stateright's actor
//! `Command`s, turmoil's per-host forked RNG and madsim's discrete-event clock.
//!
//! Simplifications, stated once: every connection between two nodes is one reliable FIFO stream
//! (TCP): a lost transmission is retransmitted (it arrives late, in order), a cut link holds
//! messages until the link heals; a crashed node's peers see the connection close (RST/EOF) when
//! the network lets them. There is no byte-level framing, no bandwidth limit, no clock drift.

pub mod bus;
pub mod rng;
pub mod time;
pub mod trace;
pub mod world;

use std::fmt::{Debug, Display};
use std::hash::Hash;

use self::rng::Rng;
use self::time::{Duration, Time};

/// Index of a node (ZooKeeper server, broker, client tool) in the world.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, serde::Serialize)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node asks the world to do.
#[derive(Clone, Debug)]
pub enum Command<M, T> {
    /// Send `msg` to `to` over the (simulated TCP) connection between the two.
    Send { to: NodeId, msg: M },
    /// Fire `timer` after `after`; setting a timer that is already set replaces it.
    SetTimer { timer: T, after: Duration },
    /// Forget `timer` if it is set.
    CancelTimer(T),
    /// Close the connection to `peer`: it sees `on_disconnect` after the messages already sent.
    Close { peer: NodeId },
    /// The process exits (end of a graceful stop, or a tool that finished).
    Exit,
}

/// A sans-IO node. Handlers may only touch `self` and the `Ctx`.
/// A cheap identity of a message for the trace hash: enough to tell apart what the protocol
/// does (type, ids, zxids), without hashing payload bytes on every delivery.
pub trait Fingerprint {
    fn fingerprint(&self, h: &mut trace::StableHasher);
}

pub trait Process: Clone {
    type Msg: Clone + Debug + Hash + Display + Fingerprint;
    type Timer: Clone + Debug + Hash + Eq + Display;
    /// Facts a node reports for the invariant checker (cheap values; dropped unless observed).
    type Fact: Clone + Debug;

    /// The process (re)starts: volatile state is fresh, durable state is as it was.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>);
    fn on_msg(&mut self, from: NodeId, msg: Self::Msg, ctx: &mut Ctx<'_, Self>);
    fn on_timer(&mut self, timer: Self::Timer, ctx: &mut Ctx<'_, Self>);
    /// The connection to `peer` closed (the peer crashed, stopped, or closed it).
    fn on_disconnect(&mut self, peer: NodeId, ctx: &mut Ctx<'_, Self>);
    /// Graceful stop requested (SIGTERM). The process emits `Command::Exit` when done, now or later.
    fn on_stop(&mut self, ctx: &mut Ctx<'_, Self>);
    /// Crash: drop every volatile field, keep only what is durable (txn log, snapshot, epochs, …).
    fn crash(&mut self);
}

/// The handle a node gets while it handles one event.
pub struct Ctx<'a, P: Process> {
    id: NodeId,
    now: Time,
    wall_ms: u64,
    rng: &'a mut Rng,
    out: &'a mut Vec<Command<P::Msg, P::Timer>>,
    notes: &'a mut Vec<String>,
    facts: &'a mut Vec<P::Fact>,
    observing: bool,
    narrating: bool,
}

impl<'a, P: Process> Ctx<'a, P> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: NodeId,
        now: Time,
        wall_ms: u64,
        rng: &'a mut Rng,
        out: &'a mut Vec<Command<P::Msg, P::Timer>>,
        notes: &'a mut Vec<String>,
        facts: &'a mut Vec<P::Fact>,
        observing: bool,
        narrating: bool,
    ) -> Self {
        Ctx { id, now, wall_ms, rng, out, notes, facts, observing, narrating }
    }
}

/// The view of `Ctx` a protocol module uses: it sends its own message type `M`, sets its own
/// timers `T` and reports its own facts `F`, which the host process type wraps (`From`). This
/// keeps `zk` and `kafka` independent of the enum that joins them into one world.
pub trait Io<M, T, F> {
    fn id(&self) -> NodeId;
    fn now(&self) -> Time;
    fn wall_ms(&self) -> u64;
    fn rng(&mut self) -> &mut Rng;
    fn send(&mut self, to: NodeId, msg: M);
    fn set_timer(&mut self, timer: T, after: Duration);
    fn cancel_timer(&mut self, timer: T);
    fn close(&mut self, peer: NodeId);
    fn exit(&mut self);
    fn narrating(&self) -> bool;
    fn note(&mut self, text: String);
    fn observing(&self) -> bool;
    fn fact(&mut self, f: F);
}

impl<'a, P, M, T, F> Io<M, T, F> for Ctx<'a, P>
where
    P: Process,
    P::Msg: From<M>,
    P::Timer: From<T>,
    P::Fact: From<F>,
{
    fn id(&self) -> NodeId {
        self.id
    }
    fn now(&self) -> Time {
        self.now
    }
    fn wall_ms(&self) -> u64 {
        self.wall_ms
    }
    fn rng(&mut self) -> &mut Rng {
        self.rng
    }
    fn send(&mut self, to: NodeId, msg: M) {
        self.out.push(Command::Send { to, msg: msg.into() });
    }
    fn set_timer(&mut self, timer: T, after: Duration) {
        self.out.push(Command::SetTimer { timer: timer.into(), after });
    }
    fn cancel_timer(&mut self, timer: T) {
        self.out.push(Command::CancelTimer(timer.into()));
    }
    fn close(&mut self, peer: NodeId) {
        self.out.push(Command::Close { peer });
    }
    fn exit(&mut self) {
        self.out.push(Command::Exit);
    }
    fn narrating(&self) -> bool {
        self.narrating
    }
    fn note(&mut self, text: String) {
        if self.narrating {
            self.notes.push(text);
        }
    }
    // Only the invariant checker observes, and the browser module has none: there the facts
    // (and the code that builds them) compile away.
    fn observing(&self) -> bool {
        cfg!(not(target_arch = "wasm32")) && self.observing
    }
    fn fact(&mut self, f: F) {
        if self.observing() {
            self.facts.push(f.into());
        }
    }
}
