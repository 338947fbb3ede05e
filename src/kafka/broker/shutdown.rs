//! Stopping a broker (SIGTERM): controlled shutdown first (if enabled), then the session closes
//! and the process exits.
//!
//! Follows `KafkaServer.controlledShutdown` (2.8: ControlledShutdown requests to the controller,
//! `controlled.shutdown.max.retries` attempts `controlled.shutdown.retry.backoff.ms` apart, then
//! shut down anyway) and `KafkaServer.shutdown` (the ZooKeeper session is closed, which deletes
//! the registration). The controller's side is `controller/shutdown.rs`.

use crate::sim::time::Duration;

use super::super::msg::{KErr, KafkaMsg};
use super::{Broker, KIo, KOut, KafkaTimer, Phase, ZkIo};

impl Broker {
    // ------------------------------------------------------------------ shutdown

    /// SIGTERM: controlled shutdown first (if enabled), then close the session and exit.
    pub fn stop(&mut self, io: &mut KIo<'_>) {
        if !self.is_running() {
            self.phase = Phase::Down;
            {
                let mut zio = ZkIo { inner: io };
                let _ = self.zk.close(&mut zio);
            }
            io.exit();
            return;
        }
        self.phase = Phase::ShuttingDown;
        self.shutdown_tries = 0;
        if self.cfg.controlled_shutdown {
            io.note(format!("broker {}: starting controlled shutdown", self.id));
            self.controlled_shutdown(io);
        } else {
            self.close_session(io);
        }
    }

    pub(super) fn controlled_shutdown(&mut self, io: &mut KIo<'_>) {
        if self.phase != Phase::ShuttingDown {
            return;
        }
        if self.shutdown_tries > self.cfg.shutdown_retries {
            io.note(format!(
                "broker {}: controlled shutdown did not finish after {} retries; shutting down anyway",
                self.id, self.cfg.shutdown_retries
            ));
            self.close_session(io);
            return;
        }
        self.shutdown_tries += 1;
        let controller = self.active_controller.or(self.meta_controller);
        match controller {
            Some(c) if c == self.id => {
                let (b, e) = (self.id, self.broker_epoch);
                self.controller_controlled_shutdown(io, None, b, e);
            }
            Some(c) => {
                if let Some(n) = self.cfg.node_of(c) {
                    io.send(n, KOut::Kafka(KafkaMsg::ControlledShutdown { broker: self.id, broker_epoch: self.broker_epoch }));
                }
                io.set_timer(KafkaTimer::ShutdownRetry, Duration::from_millis(self.cfg.shutdown_backoff_ms));
            }
            None => io.set_timer(KafkaTimer::ShutdownRetry, Duration::from_millis(self.cfg.shutdown_backoff_ms)),
        }
    }

    pub(super) fn handle_shutdown_response(&mut self, io: &mut KIo<'_>, remaining: usize, error: Option<KErr>) {
        if self.phase != Phase::ShuttingDown {
            return;
        }
        io.cancel_timer(KafkaTimer::ShutdownRetry);
        if error.is_none() && remaining == 0 {
            io.note(format!("broker {}: controlled shutdown succeeded", self.id));
            self.close_session(io);
        } else {
            io.note(format!(
                "broker {}: controlled shutdown: {remaining} partitions still led here; retrying in {} ms",
                self.id, self.cfg.shutdown_backoff_ms
            ));
            io.set_timer(KafkaTimer::ShutdownRetry, Duration::from_millis(self.cfg.shutdown_backoff_ms));
        }
    }

    pub(super) fn close_session(&mut self, io: &mut KIo<'_>) {
        if self.is_controller() {
            self.resign(io);
        }
        self.phase = Phase::Down;
        let ev = {
            let mut zio = ZkIo { inner: io };
            self.zk.close(&mut zio)
        };
        // `close()` reports `Closed` (now, or when the server answers): `zk_events` finishes.
        self.zk_events(io, ev);
    }

    /// The session is closed: answer what waits, and exit. (The world then drops every volatile
    /// field through `crash()`, as for any exit; logs stay.)
    pub(super) fn finish_shutdown(&mut self, io: &mut KIo<'_>) {
        for d in std::mem::take(&mut self.delayed) {
            io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Err(KErr::NotLeaderOrFollower) }));
        }
        io.exit();
    }
}
