//! The one adapter through which an embedded ZooKeeper client (`client.rs`, `ClientCnxn`) talks
//! to the process that hosts it: a Kafka broker or tool (`KafkaZkClient` inside `KafkaServer`),
//! `zookeeper-shell` (`ZooKeeperMain`) or a load client. The client sends `ZkMsg` and sets
//! `ClientTimer`s; the host's `Io` speaks its own message and timer types, into which the
//! client's convert (`From`). Everything else (clock, PRNG, narration, facts) passes through.
//!
//! Upstream there is nothing to model here: a ZooKeeper handle owns its socket and threads. The
//! adapter only exists because the simulated processes are sans-IO.

use crate::sim::rng::Rng;
use crate::sim::time::{Duration, Time};
use crate::sim::{Io, NodeId};

use super::client::ClientTimer;
use super::msg::ZkMsg;

/// The host's `Io`, seen by its ZooKeeper client as an `Io<ZkMsg, ClientTimer, F>`.
pub struct ClientIo<'a, 'b, M, T, F> {
    pub inner: &'a mut (dyn Io<M, T, F> + 'b),
}

impl<M: From<ZkMsg>, T: From<ClientTimer>, F> Io<ZkMsg, ClientTimer, F> for ClientIo<'_, '_, M, T, F> {
    fn id(&self) -> NodeId {
        self.inner.id()
    }
    fn now(&self) -> Time {
        self.inner.now()
    }
    fn wall_ms(&self) -> u64 {
        self.inner.wall_ms()
    }
    fn rng(&mut self) -> &mut Rng {
        self.inner.rng()
    }
    fn send(&mut self, to: NodeId, msg: ZkMsg) {
        self.inner.send(to, msg.into())
    }
    fn set_timer(&mut self, timer: ClientTimer, after: Duration) {
        self.inner.set_timer(timer.into(), after)
    }
    fn cancel_timer(&mut self, timer: ClientTimer) {
        self.inner.cancel_timer(timer.into())
    }
    fn close(&mut self, peer: NodeId) {
        self.inner.close(peer)
    }
    fn exit(&mut self) {
        self.inner.exit()
    }
    fn narrating(&self) -> bool {
        self.inner.narrating()
    }
    fn note(&mut self, text: String) {
        self.inner.note(text)
    }
    fn observing(&self) -> bool {
        self.inner.observing()
    }
    fn fact(&mut self, f: F) {
        self.inner.fact(f)
    }
}
