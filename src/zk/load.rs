//! A load generator: a ZooKeeper client that writes continuously (one `setData` in flight at a
//! time on its own znode), for the benchmark and the swarm test. Not a real tool; it behaves
//! like an application using the Java client's async API with one outstanding request.

use crate::sim::{Io, NodeId};

use super::client::{ClientEvent, ZkClient};
use super::msg::ZkMsg;
use super::shell::ToolTimer;
use super::types::{CreateMode, ErrCode, Op, WriteOp};

/// A continuously writing client.
#[derive(Clone, Debug)]
pub struct WriterProc {
    pub client: ZkClient,
    pub path: String,
    /// Successful writes.
    pub writes: u64,
    /// Failed writes (connection loss, expiry).
    pub failures: u64,
    /// Also create ephemeral (and sequential) nodes now and then (swarm).
    pub ephemerals: bool,
    /// Pause between writes (0 = write back to back).
    pub pace: crate::sim::time::Duration,
    busy: bool,
    next_tag: u64,
    /// Reused buffer for the client's events.
    events: Vec<ClientEvent>,
}

/// `n` in decimal ASCII, as shared znode data (no intermediate `String`).
fn decimal(mut n: u64) -> super::types::Data {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[i..].into()
}

type WIo<'a, F> = dyn Io<ZkMsg, ToolTimer, F> + 'a;

impl WriterProc {
    pub fn new(servers: Vec<NodeId>, path: String, session_timeout_ms: u32) -> WriterProc {
        WriterProc {
            client: ZkClient::new(servers, session_timeout_ms),
            path,
            writes: 0,
            failures: 0,
            ephemerals: false,
            pace: crate::sim::time::Duration::ZERO,
            busy: false,
            next_tag: 1,
            events: Vec::new(),
        }
    }

    fn next_op(&mut self) -> Op {
        let n = self.writes;
        if self.writes == 0 {
            return Op::Write(WriteOp::Create {
                path: self.path.clone(),
                data: Some(b"0".as_slice().into()),
                mode: CreateMode::PERSISTENT,
            });
        }
        if self.ephemerals && n % 7 == 3 {
            return Op::Write(WriteOp::Create {
                path: format!("{}-e", self.path),
                data: Some(b"".as_slice().into()),
                mode: CreateMode { ephemeral: true, sequential: n.is_multiple_of(2) },
            });
        }
        Op::Write(WriteOp::SetData { path: self.path.clone(), data: Some(decimal(n)), version: -1 })
    }

    fn issue<F>(&mut self, io: &mut WIo<'_, F>) {
        if self.busy || !self.client.is_connected() {
            return;
        }
        self.busy = true;
        let tag = self.next_tag;
        self.next_tag += 1;
        let op = self.next_op();
        let mut cio = super::shell::ClientIo { inner: io };
        let ev = self.client.submit(&mut cio, tag, op);
        self.handle(io, ev);
    }

    fn handle<F>(&mut self, io: &mut WIo<'_, F>, mut events: Vec<ClientEvent>) {
        self.handle_drain(io, &mut events);
    }

    fn handle_drain<F>(&mut self, io: &mut WIo<'_, F>, events: &mut Vec<ClientEvent>) {
        for e in events.drain(..) {
            match e {
                ClientEvent::Reply { result, .. } => {
                    match result {
                        Ok(_) | Err(ErrCode::NodeExists) | Err(ErrCode::NoNode) | Err(ErrCode::BadVersion) => self.writes += 1,
                        Err(_) => self.failures += 1,
                    }
                    if self.pace.0 > 0 {
                        // Think time before the next write; stay busy until it passes.
                        let jitter = io.rng().below(self.pace.0 + 1);
                        io.set_timer(ToolTimer::Think, crate::sim::time::Duration(self.pace.0 / 2 + jitter));
                    } else {
                        self.busy = false;
                    }
                }
                ClientEvent::Expired => {
                    // Like Kafka: a new session with a new handle.
                    let servers = self.client.servers.clone();
                    let t = self.client.requested_timeout_ms;
                    self.client = ZkClient::new(servers, t);
                    self.busy = false;
                    let mut cio = super::shell::ClientIo { inner: io };
                    self.client.start(&mut cio);
                }
                _ => {}
            }
        }
        self.issue(io);
    }

    pub fn start<F>(&mut self, io: &mut WIo<'_, F>) {
        self.busy = false;
        let mut cio = super::shell::ClientIo { inner: io };
        self.client.start(&mut cio);
    }
    pub fn on_msg<F>(&mut self, io: &mut WIo<'_, F>, from: NodeId, msg: ZkMsg) {
        let mut ev = std::mem::take(&mut self.events);
        let mut cio = super::shell::ClientIo { inner: io };
        self.client.on_msg_into(&mut cio, from, msg, &mut ev);
        self.handle_drain(io, &mut ev);
        self.events = ev;
    }
    pub fn on_timer<F>(&mut self, io: &mut WIo<'_, F>, t: ToolTimer) {
        if t == ToolTimer::Think {
            self.busy = false;
            self.issue(io);
            return;
        }
        if let ToolTimer::Client(t) = t {
            let mut cio = super::shell::ClientIo { inner: io };
            let ev = self.client.on_timer(&mut cio, t);
            self.handle(io, ev);
        }
    }
    pub fn on_disconnect<F>(&mut self, io: &mut WIo<'_, F>, peer: NodeId) {
        let mut cio = super::shell::ClientIo { inner: io };
        let ev = self.client.on_disconnect(&mut cio, peer);
        self.handle(io, ev);
    }
    pub fn crash(&mut self) {
        self.client.reset();
        self.busy = false;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_matches_to_string() {
        for n in [0u64, 1, 9, 10, 99, 100, 12345, u64::MAX] {
            assert_eq!(&*super::decimal(n), n.to_string().as_bytes());
        }
    }
}
