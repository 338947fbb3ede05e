//! The simulated network keeps one TCP stream per pair of nodes in order, whatever the loss, cuts
//! and heals: ZooKeeper's quorum protocol relies on it (a leader writes every packet for a learner
//! to one socket, in order: `LearnerHandler.sendPackets` drains `queuedPackets` into its
//! `BufferedOutputStream`, 3.5.9), and so does a follower that checks each COMMIT against its next
//! pending proposal (`FollowerZooKeeperServer.commit`).

use std::fmt;
use std::hash::Hash;

use zkafka_sandbox::sim::rng::{Ppm, Rng};
use zkafka_sandbox::sim::time::Duration;
use zkafka_sandbox::sim::trace::StableHasher;
use zkafka_sandbox::sim::world::World;
use zkafka_sandbox::sim::{Ctx, Fingerprint, Io, NodeId, Process};

/// A numbered packet.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Packet(u64);

impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "packet {}", self.0)
    }
}

impl Fingerprint for Packet {
    fn fingerprint(&self, h: &mut StableHasher) {
        use std::hash::Hasher as _;
        h.write_u64(self.0);
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Tick;

impl fmt::Display for Tick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tick")
    }
}

/// Node 0 sends 1, 2, 3, … to node 1, a few every 5 ms; node 1 keeps what arrives.
#[derive(Clone, Debug, Default)]
struct Stream {
    next: u64,
    got: Vec<u64>,
}

impl Process for Stream {
    type Msg = Packet;
    type Timer = Tick;
    type Fact = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == NodeId(0) {
            Io::<Packet, Tick, ()>::set_timer(ctx, Tick, Duration::from_millis(1));
        }
    }
    fn on_msg(&mut self, _from: NodeId, msg: Packet, _ctx: &mut Ctx<'_, Self>) {
        self.got.push(msg.0);
    }
    fn on_timer(&mut self, _timer: Tick, ctx: &mut Ctx<'_, Self>) {
        let burst = Io::<Packet, Tick, ()>::rng(ctx).range_inclusive(1, 4);
        for _ in 0..burst {
            self.next += 1;
            Io::<Packet, Tick, ()>::send(ctx, NodeId(1), Packet(self.next));
        }
        Io::<Packet, Tick, ()>::set_timer(ctx, Tick, Duration::from_millis(5));
    }
    fn on_disconnect(&mut self, _peer: NodeId, _ctx: &mut Ctx<'_, Self>) {}
    fn on_stop(&mut self, ctx: &mut Ctx<'_, Self>) {
        Io::<Packet, Tick, ()>::exit(ctx);
    }
    fn crash(&mut self) {}
}

#[test]
fn packets_arrive_in_send_order_through_loss_cuts_and_heals() {
    for seed in 0..12u64 {
        let mut w: World<Stream> = World::new(seed);
        let a = w.add_node("a", Stream::default());
        let b = w.add_node("b", Stream::default());
        w.start(b).unwrap();
        w.start(a).unwrap();
        let mut r = Rng::new(seed ^ 0x5eed);
        for _ in 0..40 {
            w.run_for(Duration::from_millis(r.range_inclusive(1, 800)));
            match r.below(3) {
                0 => w.bus.config.loss = Ppm::percent(r.range_inclusive(0, 40) as u32),
                1 => {
                    w.bus.set_cut(a, b, true);
                    w.bus.set_cut(b, a, true);
                }
                _ => {
                    w.bus.heal();
                    w.release_held();
                }
            }
        }
        // Stop sending, heal, and let everything arrive.
        w.bus.heal();
        w.release_held();
        let sent = w.proc(a).map(|p| p.next).unwrap_or(0);
        let _ = w.stop(a);
        w.run_for(Duration::from_secs(120));
        let got = &w.proc(b).unwrap().got;
        let out_of_order = got.windows(2).find(|p| p[1] != p[0] + 1);
        assert_eq!(out_of_order, None, "seed {seed}: a packet overtook another ({} packets arrived)", got.len());
        assert_eq!(got.len() as u64, sent, "seed {seed}: a stopped sender's packets all arrive");
        assert!(got.len() > 500, "seed {seed}: only {} packets arrived", got.len());
    }
}
