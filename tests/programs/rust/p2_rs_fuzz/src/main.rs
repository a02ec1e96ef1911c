//! p2_rs_fuzz: the WASI 0.2 host-call fuzzer's guest. `p2_rs_fuzz SEED N` makes N calls
//! drawn from a seeded xorshift generator straight into the host's `wasi:filesystem`,
//! `wasi:io`, `wasi:clocks` and `wasi:random` (the `wasip2` crate's bindings; the preview1
//! adapter only carries its stdout), on the preopen `/sandbox`: opens, reads and writes at
//! huge offsets and lengths, streams read with `u64::MAX` lengths, spliced and skipped,
//! escaping and looping paths, random flag bits and timestamps (nanoseconds past a second
//! included), descriptors and streams dropped in any order (a stream outliving its
//! descriptor), polls over many pollables. Every call must return (an error code is fine)
//! without trapping; the host test (crates/eddy-cli/tests/hostcall_fuzz_p2.rs) checks the
//! exit status, the last line, the host's memory and that nothing outside the sandbox
//! changed. Calls the spec makes traps (a write past `check-write`'s permit, a
//! `blocking-write-and-flush` over 4 096 bytes, random bytes past the host's limit) are not
//! made. Prints `OP: ok N, err M` per operation, then `done N`.

use std::collections::BTreeMap;

use wasip2::clocks::monotonic_clock::subscribe_duration;
use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::{
    Advice, Datetime, Descriptor, DescriptorFlags, DirectoryEntryStream, NewTimestamp, OpenFlags,
    PathFlags,
};
use wasip2::io::poll::poll;
use wasip2::io::streams::{InputStream, OutputStream};
use wasip2::random::random::get_random_bytes;

/// xorshift64*, as the preview1 fuzzer uses.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }
    /// A length or offset: mostly small, sometimes at the edges of u64.
    fn size(&mut self) -> u64 {
        match self.below(10) {
            0..=5 => self.below(8192),
            6 => self.pick(&[u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1]),
            7 => self.pick(&[1 << 32, 1 << 40, 1 << 20]),
            _ => self.next(),
        }
    }
    fn timestamp(&mut self) -> NewTimestamp {
        match self.below(4) {
            0 => NewTimestamp::NoChange,
            1 => NewTimestamp::Now,
            _ => NewTimestamp::Timestamp(Datetime {
                seconds: self.pick(&[0, 1, 1_000_000_000, u64::MAX, 1 << 62, self.0 >> 20]),
                nanoseconds: self.pick(&[0, 999_999_999, 1_000_000_000, u32::MAX]),
            }),
        }
    }
}

const PATHS: &[&str] = &[
    "file",
    "dir",
    "dir/inner",
    "dir/",
    "file/",
    ".",
    "..",
    "",
    "new",
    "new/sub",
    "dir/new",
    "../outside",
    "../outside/secret",
    "dir/../../outside",
    "/etc/passwd",
    "/",
    "link-out",
    "link-out/secret",
    "link-abs",
    "link-dangling",
    "loop",
    "loop/x",
    "dir//inner",
    "a\0b",
    "./././file",
    "dir/inner/../../file",
];

/// Most live handles of each kind; beyond it a random one is dropped first.
const MAX_LIVE: usize = 48;

#[derive(Default)]
struct Counts(BTreeMap<&'static str, (u64, u64)>);

impl Counts {
    fn add<T, E>(&mut self, op: &'static str, r: &Result<T, E>) {
        let c = self.0.entry(op).or_default();
        if r.is_ok() {
            c.0 += 1
        } else {
            c.1 += 1
        }
    }
}

fn cap<T>(v: &mut Vec<T>, rng: &mut Rng, keep_first: bool) {
    while v.len() >= MAX_LIVE {
        let lo = usize::from(keep_first);
        let i = lo + rng.index(v.len() - lo);
        drop(v.swap_remove(i));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut descs: Vec<Descriptor> = get_directories().into_iter().map(|(d, _)| d).collect();
    if descs.is_empty() {
        println!("no preopen");
        std::process::exit(1);
    }
    let mut ins: Vec<InputStream> = Vec::new();
    let mut outs: Vec<OutputStream> = Vec::new();
    let mut entries: Vec<DirectoryEntryStream> = Vec::new();
    let mut c = Counts::default();
    for _ in 0..n {
        let d = rng.index(descs.len());
        let path = rng.pick(PATHS);
        let pflags = PathFlags::from_bits_retain(rng.below(4) as u8);
        match rng.below(32) {
            0 | 1 => {
                let oflags = OpenFlags::from_bits_retain(rng.below(16) as u8);
                let dflags = DescriptorFlags::from_bits_retain(rng.next() as u8 & 0x3f);
                let r = descs[d].open_at(pflags, path, oflags, dflags);
                c.add("open-at", &r);
                if let Ok(f) = r {
                    cap(&mut descs, &mut rng, true);
                    descs.push(f);
                }
            }
            2 => {
                let r = descs[d].read(rng.size(), rng.size());
                c.add("read", &r);
            }
            3 => {
                let buf = vec![b'w'; rng.below(8192) as usize];
                let r = descs[d].write(&buf, rng.size());
                c.add("write", &r);
            }
            4 => c.add("stat", &descs[d].stat()),
            5 => c.add("stat-at", &descs[d].stat_at(pflags, path)),
            6 => c.add("set-size", &descs[d].set_size(rng.size())),
            7 => {
                let (a, m) = (rng.timestamp(), rng.timestamp());
                c.add("set-times", &descs[d].set_times(a, m));
            }
            8 => {
                let (a, m) = (rng.timestamp(), rng.timestamp());
                c.add("set-times-at", &descs[d].set_times_at(pflags, path, a, m));
            }
            9 => {
                let advice = rng.pick(&[
                    Advice::Normal,
                    Advice::Sequential,
                    Advice::Random,
                    Advice::WillNeed,
                    Advice::DontNeed,
                    Advice::NoReuse,
                ]);
                c.add("advise", &descs[d].advise(rng.size(), rng.size(), advice));
            }
            10 => {
                let r = descs[d].read_via_stream(rng.size());
                c.add("read-via-stream", &r);
                if let Ok(s) = r {
                    cap(&mut ins, &mut rng, false);
                    ins.push(s);
                }
            }
            11 | 12 => {
                let r = if rng.below(2) == 0 {
                    descs[d].write_via_stream(rng.size())
                } else {
                    descs[d].append_via_stream()
                };
                c.add("write/append-via-stream", &r);
                if let Ok(s) = r {
                    cap(&mut outs, &mut rng, false);
                    outs.push(s);
                }
            }
            13 | 14 if !ins.is_empty() => {
                let s = &ins[rng.index(ins.len())];
                let len = rng.pick(&[0, 1, 4096, 1 << 20, u64::MAX, 1 << 32]);
                match rng.below(3) {
                    0 => c.add("input read", &s.read(len)),
                    1 => c.add("input blocking-read", &s.blocking_read(len)),
                    _ => c.add("input skip", &s.skip(len)),
                }
            }
            15 | 16 if !outs.is_empty() => {
                let s = &outs[rng.index(outs.len())];
                match rng.below(5) {
                    0 => {
                        let permit = s.check_write();
                        c.add("output check-write", &permit);
                        if let Ok(p) = permit {
                            let k = p.min(rng.below(70_000)) as usize;
                            c.add("output write", &s.write(&vec![b'o'; k]));
                        }
                    }
                    1 => {
                        let k = rng.below(4097) as usize;
                        c.add("output blocking-write-and-flush", &s.blocking_write_and_flush(&vec![b'b'; k]));
                    }
                    2 => c.add("output flush", &s.flush()),
                    3 => {
                        if let Ok(p) = s.check_write() {
                            c.add("output write-zeroes", &s.write_zeroes(p.min(rng.size())));
                        }
                    }
                    _ if !ins.is_empty() => {
                        let src = &ins[rng.index(ins.len())];
                        c.add("output splice", &s.splice(src, rng.size()));
                    }
                    _ => c.add("output blocking-flush", &s.blocking_flush()),
                }
            }
            17 => {
                let r = descs[d].read_directory();
                c.add("read-directory", &r);
                if let Ok(s) = r {
                    cap(&mut entries, &mut rng, false);
                    entries.push(s);
                }
            }
            18 if !entries.is_empty() => {
                let s = &entries[rng.index(entries.len())];
                c.add("read-directory-entry", &s.read_directory_entry());
            }
            19 => c.add("create-directory-at", &descs[d].create_directory_at(path)),
            20 => c.add("remove-directory-at", &descs[d].remove_directory_at(path)),
            21 => c.add("unlink-file-at", &descs[d].unlink_file_at(path)),
            22 => {
                let e = rng.index(descs.len());
                let to = rng.pick(PATHS);
                c.add("rename-at", &descs[d].rename_at(path, &descs[e], to));
            }
            23 => {
                let e = rng.index(descs.len());
                let to = rng.pick(PATHS);
                c.add("link-at", &descs[d].link_at(pflags, path, &descs[e], to));
            }
            24 => {
                let target = rng.pick(PATHS);
                c.add("symlink-at", &descs[d].symlink_at(target, path));
            }
            25 => c.add("readlink-at", &descs[d].readlink_at(path)),
            26 => {
                let r = if rng.below(2) == 0 {
                    descs[d].metadata_hash()
                } else {
                    descs[d].metadata_hash_at(pflags, path)
                };
                c.add("metadata-hash(-at)", &r);
            }
            27 => {
                let e = rng.index(descs.len());
                let same = descs[d].is_same_object(&descs[e]);
                c.add::<bool, ()>("is-same-object", &Ok(same));
                c.add("sync", &descs[d].sync());
                c.add("sync-data", &descs[d].sync_data());
                c.add("get-flags", &descs[d].get_flags());
                c.add("get-type", &descs[d].get_type());
            }
            28 => {
                // Drop something: a descriptor (never the preopen at 0) while streams made
                // from it may live on, or a stream.
                match rng.below(4) {
                    0 if descs.len() > 1 => drop(descs.swap_remove(1 + rng.index(descs.len() - 1))),
                    1 if !ins.is_empty() => drop(ins.swap_remove(rng.index(ins.len()))),
                    2 if !outs.is_empty() => drop(outs.swap_remove(rng.index(outs.len()))),
                    _ if !entries.is_empty() => drop(entries.swap_remove(rng.index(entries.len()))),
                    _ => {}
                }
                c.add::<(), ()>("drop", &Ok(()));
            }
            29 => {
                // Poll many pollables at once, repeats included, with a short timer so the
                // call returns even when no stream is ready.
                let mut ps = vec![subscribe_duration(rng.below(1_000_000))];
                for _ in 0..rng.below(64) {
                    match rng.below(2) {
                        0 if !ins.is_empty() => ps.push(ins[rng.index(ins.len())].subscribe()),
                        _ if !outs.is_empty() => ps.push(outs[rng.index(outs.len())].subscribe()),
                        _ => ps.push(subscribe_duration(rng.size())),
                    }
                }
                let refs: Vec<_> = ps.iter().collect();
                let ready = poll(&refs);
                c.add::<usize, ()>("poll", &Ok(ready.len()));
            }
            30 => {
                let bytes = get_random_bytes(rng.below(1 << 20));
                c.add::<usize, ()>("get-random-bytes", &Ok(bytes.len()));
            }
            // The arms whose handles do not exist yet, and 31: no call this round.
            _ => {}
        }
    }
    for (op, (ok, err)) in &c.0 {
        println!("{op}: ok {ok}, err {err}");
    }
    println!("done {n}");
}
