//! `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown` on sockets the host granted
//! ([`crate::WasiCtxBuilder::socket`]) and connections accepted from them.
//!
//! Like the rest of p1 these are synchronous: one direct syscall on the calling thread, into
//! or out of guest memory. A blocking socket blocks the guest's thread; a guest that wants
//! otherwise sets NONBLOCK (`sock_accept` flags, `fd_fdstat_set_flags`) and waits in
//! `poll_oneoff`.

use std::io::IoSlice;

use rustix::net::{RecvFlags, SendFlags, Shutdown, SocketFlags};

use super::fd::{gather, need, MAX_IOVS};
use super::table::{FdEntry, FdTable, Object};
use super::{rights, wasi_fn, GuestMemory, MODULE};
use crate::errno::{Errno, Result};
use crate::readiness::Interest;
use crate::sockets::{Socket, SocketKind};
use crate::sys::retry;

/// `fdflags::nonblock`, the only flag `sock_accept` takes.
const FDFLAGS_NONBLOCK: u32 = 1 << 2;
/// `riflags::recv_peek`.
const RECV_PEEK: u32 = 1 << 0;
/// `riflags::recv_waitall`.
const RECV_WAITALL: u32 = 1 << 1;
/// `sdflags::rd`.
const SDFLAGS_RD: u32 = 1 << 0;
/// `sdflags::wr`.
const SDFLAGS_WR: u32 = 1 << 1;

/// The entry and socket at `fd`. Errors: `EBADF` (not open), `ENOTSOCK` (not a socket).
#[inline]
fn socket(table: &FdTable, fd: u32) -> Result<(&FdEntry, &Socket)> {
    let e = table.get(fd)?;
    match &e.object {
        Object::Socket(s) => Ok((e, s)),
        _ => Err(Errno::Notsock),
    }
}

/// The entry and socket at `fd`, which must be a connected stream. Errors: as [`socket`],
/// plus `ENOTCONN` on a listener.
#[inline]
fn stream(table: &FdTable, fd: u32) -> Result<(&FdEntry, &Socket)> {
    let (e, s) = socket(table, fd)?;
    match s.kind {
        SocketKind::TcpStream => Ok((e, s)),
        SocketKind::TcpListener => Err(Errno::Notconn),
    }
}

/// The first non-empty iovec (a receive fills one buffer per call: a short read the spec
/// allows, and no aliasing of guest memory). `None` if every iovec is empty.
#[inline]
fn first_iovec(mem: &GuestMemory<'_>, iovs: u32, iovs_len: u32) -> Result<Option<(u32, u32)>> {
    for i in 0..iovs_len {
        let (buf, len) = mem.iovec(iovs, i)?;
        if len != 0 {
            return Ok(Some((buf, len)));
        }
    }
    Ok(None)
}

wasi_fn! {
    module = MODULE, register = add;

    /// `sock_accept(fd: fd, flags: fdflags) -> Result<fd, errno>` — accept(2)s one
    /// connection on a listening socket (blocking unless the listener is non-blocking), gives
    /// it the lowest free fd, with the socket rights minus `SOCK_ACCEPT`, and writes that fd
    /// (u32) at `ro_fd`. `flags` `NONBLOCK` (4) makes the new socket non-blocking.
    ///
    /// Errors: `EBADF` (not open), `ENOTSOCK` (not a socket), `EINVAL` (flags other than
    /// `NONBLOCK`, or `fd` is a connected stream), `ENOTCAPABLE` (`SOCK_ACCEPT` dropped from
    /// the listener), `EFAULT` (result pointer; checked before accepting, so no connection
    /// is taken), `EAGAIN` (non-blocking listener, no connection pending), `EMFILE` (fd table
    /// full; the connection is closed), others as the OS reports.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-sock_acceptfd-fd-flags-fdflags---resultfd-errno>
    fn sock_accept(ctx, mem, fd: u32, flags: u32, ro_fd: u32) {
        let (e, s) = socket(&ctx.table, fd)?;
        if flags & !FDFLAGS_NONBLOCK != 0 {
            return Err(Errno::Inval);
        }
        if s.kind != SocketKind::TcpListener {
            return Err(Errno::Inval);
        }
        need(e, rights::SOCK_ACCEPT)?;
        // Checked first so a bad pointer does not take a connection the guest never sees.
        mem.slice_mut(ro_fd, 4)?;
        let mut sf = SocketFlags::CLOEXEC;
        if flags & FDFLAGS_NONBLOCK != 0 {
            sf |= SocketFlags::NONBLOCK;
        }
        if let Some(d) = ctx.deadline {
            super::fd::wait_ready(s.as_fd(), Interest::Read, d)?;
        }
        let conn = retry(|| rustix::net::accept_with(s.as_fd(), sf))?;
        let r = rights::SOCKET & !rights::SOCK_ACCEPT;
        let new = ctx.table.insert(FdEntry {
            object: Object::Socket(Socket { fd: conn, kind: SocketKind::TcpStream }),
            rights_base: r,
            rights_inheriting: r,
            preopen: None,
            nonblock: false,
        })?;
        mem.write_u32(ro_fd, new)
    }

    /// `sock_recv(fd: fd, ri_data: iovec_array, ri_flags: riflags) -> Result<(size, roflags), errno>`
    /// — recv(2) into the first non-empty iovec of the `ri_data_len` at `ri_data` (one
    /// buffer per call: a short read the spec allows); writes the bytes received (u32) at
    /// `ro_datalen`, 0 when the peer has shut down, and roflags (u16) at `ro_flags`, always
    /// 0 (`RECV_DATA_TRUNCATED` is for datagrams). ri_flags: `RECV_PEEK` 1 (leave the data
    /// queued), `RECV_WAITALL` 2 (fill that iovec unless the connection ends).
    ///
    /// Errors: `EBADF`, `ENOTSOCK`, `ENOTCONN` (a listener), `ENOTCAPABLE` (`FD_READ`
    /// dropped), `EINVAL` (undefined ri_flags bits), `EFAULT`, `EAGAIN` (non-blocking,
    /// nothing queued), `ECONNRESET`, …
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-sock_recvfd-fd-ri_data-iovec_array-ri_flags-riflags---resultsize-roflags-errno>
    fn sock_recv(
        ctx,
        mem,
        fd: u32,
        ri_data: u32,
        ri_data_len: u32,
        ri_flags: u32,
        ro_datalen: u32,
        ro_flags: u32,
    ) {
        let (e, s) = stream(&ctx.table, fd)?;
        need(e, rights::FD_READ)?;
        if ri_flags & !(RECV_PEEK | RECV_WAITALL) != 0 {
            return Err(Errno::Inval);
        }
        mem.slice_mut(ro_datalen, 4)?;
        mem.slice_mut(ro_flags, 2)?;
        let mut rf = RecvFlags::empty();
        if ri_flags & RECV_PEEK != 0 {
            rf |= RecvFlags::PEEK;
        }
        if ri_flags & RECV_WAITALL != 0 {
            rf |= RecvFlags::WAITALL;
        }
        let n = match first_iovec(&mem, ri_data, ri_data_len)? {
            Some((buf, len)) => {
                let dst = mem.slice_mut(buf, len)?;
                if let Some(d) = ctx.deadline {
                    super::fd::wait_ready(s.as_fd(), Interest::Read, d)?;
                    // Whatever is there now: a `RECV_WAITALL` for more would wait unbounded.
                    rf |= RecvFlags::DONTWAIT;
                }
                retry(|| rustix::net::recv(s.as_fd(), &mut *dst, rf))?.0
            }
            None => 0,
        };
        mem.write_u32(ro_datalen, n as u32)?;
        mem.write_u16(ro_flags, 0)
    }

    /// `sock_send(fd: fd, si_data: ciovec_array, si_flags: siflags) -> Result<size, errno>` —
    /// send(2)/sendmsg(2) of up to 16 non-empty ciovecs of the `si_data_len` at `si_data`
    /// (more is a short send), without SIGPIPE; writes the bytes sent (u32) at `so_datalen`.
    ///
    /// Errors: `EBADF`, `ENOTSOCK`, `ENOTCONN` (a listener), `ENOTCAPABLE` (`FD_WRITE`
    /// dropped), `EINVAL` (si_flags not 0), `EFAULT`, `EPIPE` (shut down for writing),
    /// `EAGAIN`, …
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-sock_sendfd-fd-si_data-ciovec_array-si_flags-siflags---resultsize-errno>
    fn sock_send(
        ctx,
        mem,
        fd: u32,
        si_data: u32,
        si_data_len: u32,
        si_flags: u32,
        so_datalen: u32,
    ) {
        let (e, s) = stream(&ctx.table, fd)?;
        need(e, rights::FD_WRITE)?;
        if si_flags != 0 {
            return Err(Errno::Inval);
        }
        mem.slice_mut(so_datalen, 4)?;
        let mut bufs = [IoSlice::new(&[]); MAX_IOVS];
        let n = gather(&mem, si_data, si_data_len, &mut bufs)?;
        // Under a deadline: wait for room (bounded), then send what fits without blocking.
        let mut sf = SendFlags::NOSIGNAL;
        if let (Some(d), true) = (ctx.deadline, n > 0) {
            super::fd::wait_ready(s.as_fd(), Interest::Write, d)?;
            sf |= SendFlags::DONTWAIT;
        }
        let sent = match n {
            0 => 0,
            1 => retry(|| rustix::net::send(s.as_fd(), &bufs[0], sf))?,
            _ => retry(|| {
                let mut control = rustix::net::SendAncillaryBuffer::default();
                rustix::net::sendmsg(s.as_fd(), &bufs[..n], &mut control, sf)
            })?,
        };
        mem.write_u32(so_datalen, sent as u32)
    }

    /// `sock_shutdown(fd: fd, how: sdflags) -> Result<(), errno>` — shutdown(2) of the
    /// receive side (`RD` 1), the send side (`WR` 2) or both (3).
    ///
    /// Errors: `EBADF`, `ENOTSOCK`, `ENOTCONN` (a listener, or not connected), `ENOTCAPABLE`
    /// (`SOCK_SHUTDOWN` dropped), `EINVAL` (`how` is 0 or has undefined bits).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-sock_shutdownfd-fd-how-sdflags---result-errno>
    fn sock_shutdown(ctx, _mem, fd: u32, how: u32) {
        let (e, s) = stream(&ctx.table, fd)?;
        let how = match how {
            SDFLAGS_RD => Shutdown::Read,
            SDFLAGS_WR => Shutdown::Write,
            3 => Shutdown::Both,
            _ => return Err(Errno::Inval),
        };
        need(e, rights::SOCK_SHUTDOWN)?;
        retry(|| rustix::net::shutdown(s.as_fd(), how))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    use wasmtime::{Engine, Instance, Linker, Memory, Module, Store, TypedFunc};

    use super::*;
    use crate::p1::P1Ctx;
    use crate::{WasiCtx, WasiCtxBuilder};

    /// Guest addresses: result slots, the iovec array, the data buffer.
    const RES: u32 = 0x100;
    const RES2: u32 = 0x108;
    const IOVS: u32 = 0x200;
    const BUF: u32 = 0x400;

    /// A guest that only forwards to the four `sock_*` functions, so the test fills guest
    /// memory and calls the host functions through wasmtime.
    struct Guest {
        store: Store<P1Ctx>,
        mem: Memory,
        accept: TypedFunc<(u32, u32, u32), i32>,
        recv: TypedFunc<(u32, u32, u32, u32, u32, u32), i32>,
        send: TypedFunc<(u32, u32, u32, u32, u32), i32>,
        shutdown: TypedFunc<(u32, u32), i32>,
    }

    fn guest(ctx: WasiCtx) -> Guest {
        let engine = Engine::default();
        let module = Module::new(
            &engine,
            r#"(module
                (import "wasi_snapshot_preview1" "sock_accept"
                    (func $accept (param i32 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "sock_recv"
                    (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "sock_send"
                    (func $send (param i32 i32 i32 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "sock_shutdown"
                    (func $shutdown (param i32 i32) (result i32)))
                (memory (export "memory") 1)
                (func (export "accept") (param i32 i32 i32) (result i32)
                    (call $accept (local.get 0) (local.get 1) (local.get 2)))
                (func (export "recv") (param i32 i32 i32 i32 i32 i32) (result i32)
                    (call $recv (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                        (local.get 4) (local.get 5)))
                (func (export "send") (param i32 i32 i32 i32 i32) (result i32)
                    (call $send (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                        (local.get 4)))
                (func (export "shutdown") (param i32 i32) (result i32)
                    (call $shutdown (local.get 0) (local.get 1))))"#,
        )
        .unwrap();
        let mut linker = Linker::new(&engine);
        crate::p1::add_to_linker(&mut linker).unwrap();
        let mut store = Store::new(&engine, P1Ctx::new(ctx).unwrap());
        let instance: Instance = linker.instantiate(&mut store, &module).unwrap();
        Guest {
            mem: instance.get_memory(&mut store, "memory").unwrap(),
            accept: instance.get_typed_func(&mut store, "accept").unwrap(),
            recv: instance.get_typed_func(&mut store, "recv").unwrap(),
            send: instance.get_typed_func(&mut store, "send").unwrap(),
            shutdown: instance.get_typed_func(&mut store, "shutdown").unwrap(),
            store,
        }
    }

    const OK: i32 = 0;
    fn e(errno: Errno) -> i32 {
        errno as i32
    }

    impl Guest {
        fn put(&mut self, at: u32, b: &[u8]) {
            self.mem.write(&mut self.store, at as usize, b).unwrap();
        }
        fn get(&self, at: u32, len: usize) -> Vec<u8> {
            self.mem.data(&self.store)[at as usize..][..len].to_vec()
        }
        fn u32(&self, at: u32) -> u32 {
            u32::from_le_bytes(self.get(at, 4).try_into().unwrap())
        }
        /// sock_accept; the errno and the new fd.
        fn accept(&mut self, fd: u32, flags: u32) -> (i32, u32) {
            let r = self.accept.call(&mut self.store, (fd, flags, RES)).unwrap();
            (r, self.u32(RES))
        }
        /// sock_recv into one 64-byte buffer (after an empty iovec); errno, data, roflags.
        fn recv(&mut self, fd: u32, flags: u32) -> (i32, Vec<u8>, u16) {
            self.put(IOVS, &[BUF.to_le_bytes(), 0u32.to_le_bytes()].concat());
            self.put(IOVS + 8, &[BUF.to_le_bytes(), 64u32.to_le_bytes()].concat());
            self.put(RES2, &[0xff, 0xff]);
            let r = self.recv.call(&mut self.store, (fd, IOVS, 2, flags, RES, RES2)).unwrap();
            if r != OK {
                return (r, Vec::new(), 0);
            }
            let n = self.u32(RES) as usize;
            let ro = u16::from_le_bytes(self.get(RES2, 2).try_into().unwrap());
            (r, self.get(BUF, n), ro)
        }
        /// sock_send of `parts` as separate ciovecs; errno and bytes sent.
        fn send(&mut self, fd: u32, parts: &[&[u8]], flags: u32) -> (i32, u32) {
            let mut at = BUF;
            for (i, p) in parts.iter().enumerate() {
                self.put(at, p);
                let iov = [at.to_le_bytes(), (p.len() as u32).to_le_bytes()].concat();
                self.put(IOVS + 8 * i as u32, &iov);
                at += p.len() as u32;
            }
            let n = parts.len() as u32;
            let r = self.send.call(&mut self.store, (fd, IOVS, n, flags, RES)).unwrap();
            (r, self.u32(RES))
        }
        fn shutdown(&mut self, fd: u32, how: u32) -> i32 {
            self.shutdown.call(&mut self.store, (fd, how)).unwrap()
        }
    }

    /// A context whose fd 3 is a listener on a loopback port; the port's address.
    fn listening() -> (WasiCtx, std::net::SocketAddr) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let sock = Socket { fd: l.into(), kind: SocketKind::TcpListener };
        (WasiCtxBuilder::new().socket(sock).build().unwrap(), addr)
    }

    #[test]
    fn accept_recv_send_shutdown() {
        let (ctx, addr) = listening();
        let mut g = guest(ctx);
        let mut client = TcpStream::connect(addr).unwrap();

        let (r, fd) = g.accept(3, 0);
        assert_eq!(r, OK);
        assert_eq!(fd, 4);
        let rb = g.store.data().table.get(fd).unwrap().rights_base;
        assert_eq!(rb, rights::SOCKET & !rights::SOCK_ACCEPT);

        client.write_all(b"ping").unwrap();
        // PEEK leaves the data queued; WAITALL fills the buffer or returns what there was
        // when the peer's data ends, so only peek at it.
        assert_eq!(g.recv(fd, RECV_PEEK), (OK, b"ping".to_vec(), 0));
        assert_eq!(g.recv(fd, 0), (OK, b"ping".to_vec(), 0));

        // Two ciovecs gathered into one sendmsg; one into send.
        assert_eq!(g.send(fd, &[b"po", b"ng"], 0), (OK, 4));
        assert_eq!(g.send(fd, &[b"!"], 0), (OK, 1));
        let mut got = [0u8; 5];
        client.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"pong!");

        // Shut down the send side: the client sees EOF; sending now is EPIPE (no SIGPIPE).
        assert_eq!(g.shutdown(fd, SDFLAGS_WR), OK);
        assert_eq!(client.read(&mut got).unwrap(), 0);
        assert_eq!(g.send(fd, &[b"late"], 0).0, e(Errno::Pipe));
        // The client closes: recv returns 0 (end of stream).
        drop(client);
        assert_eq!(g.recv(fd, 0), (OK, Vec::new(), 0));
        // Both directions closed: the OS says not connected.
        assert_eq!(g.shutdown(fd, SDFLAGS_RD | SDFLAGS_WR), e(Errno::Notconn));
    }

    #[test]
    fn accept_nonblock_flag() {
        let (ctx, addr) = listening();
        let mut g = guest(ctx);
        let _client = TcpStream::connect(addr).unwrap();
        let (r, fd) = g.accept(3, FDFLAGS_NONBLOCK);
        assert_eq!(r, OK);
        // The accepted socket is non-blocking: nothing queued is EAGAIN, not a hang.
        assert_eq!(g.recv(fd, 0).0, e(Errno::Again));
    }

    #[test]
    fn accept_nonblocking_listener_nothing_pending() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let sock = Socket { fd: l.into(), kind: SocketKind::TcpListener };
        let mut g = guest(WasiCtxBuilder::new().socket(sock).build().unwrap());
        assert_eq!(g.accept(3, 0).0, e(Errno::Again));
    }

    #[test]
    fn errors() {
        let (mut ctx, addr) = listening();
        let _client = TcpStream::connect(addr).unwrap();
        let mut g = guest(std::mem::replace(&mut ctx, WasiCtxBuilder::new().build().unwrap()));
        // Bad fd; not a socket (stdio).
        for (fd, errno) in [(99, Errno::Badf), (0, Errno::Notsock), (1, Errno::Notsock)] {
            assert_eq!(g.accept(fd, 0).0, e(errno), "accept {fd}");
            assert_eq!(g.recv(fd, 0).0, e(errno), "recv {fd}");
            assert_eq!(g.send(fd, &[b"x"], 0).0, e(errno), "send {fd}");
            assert_eq!(g.shutdown(fd, 3), e(errno), "shutdown {fd}");
        }
        // A listener is not connected.
        assert_eq!(g.recv(3, 0).0, e(Errno::Notconn));
        assert_eq!(g.send(3, &[b"x"], 0).0, e(Errno::Notconn));
        assert_eq!(g.shutdown(3, 3), e(Errno::Notconn));
        // Flags other than NONBLOCK.
        assert_eq!(g.accept(3, 1).0, e(Errno::Inval));
        assert_eq!(g.accept(3, 0x10004).0, e(Errno::Inval));
        // Result pointer out of bounds: EFAULT, and the connection is still there.
        assert_eq!(g.accept.call(&mut g.store, (3, 0, 65534)).unwrap(), e(Errno::Fault));
        let (r, fd) = g.accept(3, 0);
        assert_eq!(r, OK);
        // accept on a stream.
        assert_eq!(g.accept(fd, 0).0, e(Errno::Inval));
        // Undefined flag bits.
        assert_eq!(g.recv(fd, 4).0, e(Errno::Inval));
        assert_eq!(g.send(fd, &[b"x"], 1).0, e(Errno::Inval));
        assert_eq!(g.shutdown(fd, 0), e(Errno::Inval));
        assert_eq!(g.shutdown(fd, 4), e(Errno::Inval));
        // Dropped rights.
        g.store.data_mut().table.get_mut(fd).unwrap().rights_base = 0;
        assert_eq!(g.recv(fd, 0).0, e(Errno::Notcapable));
        assert_eq!(g.send(fd, &[b"x"], 0).0, e(Errno::Notcapable));
        assert_eq!(g.shutdown(fd, 3), e(Errno::Notcapable));
        g.store.data_mut().table.get_mut(3).unwrap().rights_base &= !rights::SOCK_ACCEPT;
        assert_eq!(g.accept(3, 0).0, e(Errno::Notcapable));
    }

    #[test]
    fn poll_on_socket() {
        let (ctx, addr) = listening();
        let mut g = guest(ctx);
        let mut client = TcpStream::connect(addr).unwrap();
        let (_, fd) = g.accept(3, 0);
        client.write_all(b"abc").unwrap();
        // poll_oneoff through the same instance's linker: fd_read on the stream reports the
        // bytes queued (FIONREAD).
        let engine = g.store.engine().clone();
        let module = Module::new(
            &engine,
            r#"(module
                (import "wasi_snapshot_preview1" "poll_oneoff"
                    (func $p (param i32 i32 i32 i32) (result i32)))
                (memory (export "memory") 1)
                (func (export "p") (param i32 i32 i32 i32) (result i32)
                    (call $p (local.get 0) (local.get 1) (local.get 2) (local.get 3))))"#,
        )
        .unwrap();
        let mut linker = Linker::new(&engine);
        crate::p1::add_to_linker(&mut linker).unwrap();
        let inst = linker.instantiate(&mut g.store, &module).unwrap();
        let mem = inst.get_memory(&mut g.store, "memory").unwrap();
        let p = inst.get_typed_func::<(u32, u32, u32, u32), i32>(&mut g.store, "p").unwrap();
        let mut sub = [0u8; 48];
        sub[0..8].copy_from_slice(&0x50C4u64.to_le_bytes());
        sub[8] = 1;
        sub[16..20].copy_from_slice(&fd.to_le_bytes());
        mem.write(&mut g.store, 0, &sub).unwrap();
        assert_eq!(p.call(&mut g.store, (0, 64, 1, 128)).unwrap(), 0);
        let d = mem.data(&g.store);
        assert_eq!(d[128], 1, "one event");
        assert_eq!(&d[64..72], &0x50C4u64.to_le_bytes());
        assert_eq!(&d[72..74], &[0, 0], "error");
        assert_eq!(d[74], 1, "fd_read");
        assert_eq!(&d[80..88], &3u64.to_le_bytes(), "nbytes");
    }
}
