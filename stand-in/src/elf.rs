//! Just enough of an ELF reader to tell what a program needs to run: its machine, its
//! dynamic loader (`PT_INTERP`) and the shared libraries it names (`DT_NEEDED`). The stand-in
//! images copy a busybox out of a node image the learner chose, so the input is untrusted:
//! every offset is bounds-checked and a malformed file is an error, never a panic.
//! 32- and 64-bit, little- and big-endian.

/// What [`parse`] read from an ELF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfInfo {
    /// 32 or 64.
    pub bits: u8,
    pub little_endian: bool,
    /// `e_machine` (62 x86-64, 183 AArch64, 40 ARM, 3 i386, …).
    pub machine: u16,
    /// The dynamic loader (`/lib64/ld-linux-x86-64.so.2`); `None` for a static program.
    pub interp: Option<String>,
    /// The `DT_NEEDED` names in file order (`libc.so.6`).
    pub needed: Vec<String>,
}

/// Why an ELF file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    #[error("not an ELF file")]
    NotElf,
    #[error("unsupported ELF file: {0}")]
    Unsupported(&'static str),
    #[error("malformed ELF file: {0}")]
    Malformed(&'static str),
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_STRSZ: u64 = 10;

/// Longest loader path or library name taken; real ones are tens of bytes.
const MAX_NAME: usize = 4096;
/// Most `DT_NEEDED` entries taken.
const MAX_NEEDED: usize = 1024;

/// Reads the machine, loader and needed libraries of an ELF executable or shared object.
pub fn parse(b: &[u8]) -> Result<ElfInfo, ElfError> {
    if b.get(0..4) != Some(b"\x7fELF") {
        return Err(ElfError::NotElf);
    }
    let bits = match b.get(4) {
        Some(1) => 32,
        Some(2) => 64,
        _ => return Err(ElfError::Unsupported("unknown class (neither 32- nor 64-bit)")),
    };
    let little_endian = match b.get(5) {
        Some(1) => true,
        Some(2) => false,
        _ => return Err(ElfError::Unsupported("unknown byte order")),
    };
    let r = Reader { b, bits, le: little_endian };
    let machine = r.u16(0x12).ok_or(ElfError::Malformed("truncated header"))?;
    let (phoff, phentsize, phnum) = if bits == 64 {
        (r.u64(0x20), r.u16(0x36), r.u16(0x38))
    } else {
        (r.u32(0x1c).map(u64::from), r.u16(0x2a), r.u16(0x2c))
    };
    let (phoff, phentsize, phnum) = match (phoff, phentsize, phnum) {
        (Some(o), Some(s), Some(n)) => (o, u64::from(s), u64::from(n)),
        _ => return Err(ElfError::Malformed("truncated header")),
    };
    if phnum == 0xffff {
        return Err(ElfError::Unsupported("extended program header numbering"));
    }
    let min_entry = if bits == 64 { 56 } else { 32 };
    if phnum > 0 && phentsize < min_entry {
        return Err(ElfError::Malformed("program header entries too small"));
    }

    let mut headers = Vec::new();
    for i in 0..phnum {
        let at = i
            .checked_mul(phentsize)
            .and_then(|o| o.checked_add(phoff))
            .ok_or(ElfError::Malformed("program headers out of range"))?;
        headers.push(r.program_header(at).ok_or(ElfError::Malformed("program headers past the end of the file"))?);
    }

    let mut interp = None;
    for h in headers.iter().filter(|h| h.kind == PT_INTERP) {
        if interp.is_some() {
            return Err(ElfError::Malformed("more than one PT_INTERP"));
        }
        let raw = r.slice(h.offset, h.filesz).ok_or(ElfError::Malformed("PT_INTERP past the end of the file"))?;
        let raw = raw.split(|c| *c == 0).next().unwrap_or_default();
        interp = Some(name(raw).ok_or(ElfError::Malformed("PT_INTERP is not a path"))?);
    }

    let mut needed = Vec::new();
    if let Some(dynamic) = headers.iter().find(|h| h.kind == PT_DYNAMIC) {
        let entry = if bits == 64 { 16 } else { 8 };
        let (mut strtab, mut strsz, mut offsets) = (None, None, Vec::new());
        for i in 0..dynamic.filesz / entry {
            let at = dynamic.offset.checked_add(i * entry).ok_or(ElfError::Malformed("PT_DYNAMIC out of range"))?;
            let (tag, val) = r.dyn_entry(at).ok_or(ElfError::Malformed("PT_DYNAMIC past the end of the file"))?;
            match tag {
                DT_NULL => break,
                DT_NEEDED if offsets.len() >= MAX_NEEDED => return Err(ElfError::Malformed("too many DT_NEEDED")),
                DT_NEEDED => offsets.push(val),
                DT_STRTAB => strtab = Some(val),
                DT_STRSZ => strsz = Some(val),
                _ => {}
            }
        }
        if !offsets.is_empty() {
            let addr = strtab.ok_or(ElfError::Malformed("DT_NEEDED without DT_STRTAB"))?;
            let start = headers
                .iter()
                .filter(|h| h.kind == PT_LOAD)
                .find(|h| addr >= h.vaddr && addr - h.vaddr < h.filesz)
                .and_then(|h| h.offset.checked_add(addr - h.vaddr))
                .ok_or(ElfError::Malformed("DT_STRTAB is in no loaded segment"))?;
            let table_end = strsz.and_then(|s| start.checked_add(s)).unwrap_or(b.len() as u64).min(b.len() as u64);
            for off in offsets {
                let from = start
                    .checked_add(off)
                    .filter(|f| *f < table_end)
                    .ok_or(ElfError::Malformed("DT_NEEDED past its string table"))?;
                let rest = &b[from as usize..table_end as usize];
                let len =
                    rest.iter().position(|c| *c == 0).ok_or(ElfError::Malformed("unterminated DT_NEEDED name"))?;
                needed.push(name(&rest[..len]).ok_or(ElfError::Malformed("DT_NEEDED is not a file name"))?);
            }
        }
    }
    Ok(ElfInfo { bits, little_endian, machine, interp, needed })
}

/// Docker's architecture name (and variant) for an ELF machine, when docker has one.
pub fn docker_arch(info: &ElfInfo) -> Option<(&'static str, Option<&'static str>)> {
    Some(match (info.machine, info.bits, info.little_endian) {
        (62, 64, true) => ("amd64", None),
        (183, 64, true) => ("arm64", None),
        (40, 32, true) => ("arm", None),
        (3, 32, true) => ("386", None),
        (21, 64, true) => ("ppc64le", None),
        (21, 64, false) => ("ppc64", None),
        (22, 64, false) => ("s390x", None),
        (243, 64, true) => ("riscv64", None),
        (258, 64, true) => ("loong64", None),
        _ => return None,
    })
}

/// The Debian multiarch directory name (`x86_64-linux-gnu`) where glibc distributions keep
/// this machine's libraries, when there is a usual one.
pub fn multiarch_triplet(info: &ElfInfo) -> Option<&'static str> {
    Some(match (info.machine, info.bits, info.little_endian) {
        (62, 64, true) => "x86_64-linux-gnu",
        (183, 64, true) => "aarch64-linux-gnu",
        (40, 32, true) => "arm-linux-gnueabihf",
        (3, 32, true) => "i386-linux-gnu",
        (21, 64, true) => "powerpc64le-linux-gnu",
        (22, 64, false) => "s390x-linux-gnu",
        (243, 64, true) => "riscv64-linux-gnu",
        (258, 64, true) => "loongarch64-linux-gnu",
        _ => return None,
    })
}

/// A printable path or file name: UTF-8, not empty, no control characters, not too long.
fn name(raw: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(raw).ok()?;
    (!s.is_empty() && s.len() <= MAX_NAME && !s.chars().any(char::is_control)).then(|| s.to_string())
}

struct ProgramHeader {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
}

struct Reader<'a> {
    b: &'a [u8],
    bits: u8,
    le: bool,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&self, at: u64) -> Option<[u8; N]> {
        let at = usize::try_from(at).ok()?;
        self.b.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    fn u16(&self, at: u64) -> Option<u16> {
        self.bytes(at).map(|a| if self.le { u16::from_le_bytes(a) } else { u16::from_be_bytes(a) })
    }

    fn u32(&self, at: u64) -> Option<u32> {
        self.bytes(at).map(|a| if self.le { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) })
    }

    fn u64(&self, at: u64) -> Option<u64> {
        self.bytes(at).map(|a| if self.le { u64::from_le_bytes(a) } else { u64::from_be_bytes(a) })
    }

    /// A word: 8 bytes in a 64-bit file, 4 in a 32-bit one.
    fn word(&self, at: u64) -> Option<u64> {
        if self.bits == 64 {
            self.u64(at)
        } else {
            self.u32(at).map(u64::from)
        }
    }

    fn slice(&self, offset: u64, len: u64) -> Option<&[u8]> {
        let from = usize::try_from(offset).ok()?;
        self.b.get(from..from.checked_add(usize::try_from(len).ok()?)?)
    }

    fn program_header(&self, at: u64) -> Option<ProgramHeader> {
        let kind = self.u32(at)?;
        Some(if self.bits == 64 {
            ProgramHeader { kind, offset: self.u64(at + 8)?, vaddr: self.u64(at + 16)?, filesz: self.u64(at + 32)? }
        } else {
            ProgramHeader {
                kind,
                offset: self.u32(at + 4)?.into(),
                vaddr: self.u32(at + 8)?.into(),
                filesz: self.u32(at + 16)?.into(),
            }
        })
    }

    fn dyn_entry(&self, at: u64) -> Option<(u64, u64)> {
        let size = if self.bits == 64 { 8 } else { 4 };
        Some((self.word(at)?, self.word(at.checked_add(size)?)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(path: &str) -> Option<ElfInfo> {
        let bytes = std::fs::read(path).ok()?;
        Some(parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}")))
    }

    #[test]
    #[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
    fn a_glibc_program_names_its_loader_and_libc() {
        let ls = real("/bin/ls").expect("/bin/ls");
        assert_eq!((ls.bits, ls.little_endian, ls.machine), (64, true, 62));
        assert_eq!(ls.interp.as_deref(), Some("/lib64/ld-linux-x86-64.so.2"));
        assert!(ls.needed.contains(&"libc.so.6".to_string()), "{:?}", ls.needed);
        assert_eq!(docker_arch(&ls), Some(("amd64", None)));
        assert_eq!(multiarch_triplet(&ls), Some("x86_64-linux-gnu"));
        // A library has needs of its own but (unlike libc.so.6, which runs) no loader.
        let libm = real("/lib/x86_64-linux-gnu/libm.so.6").expect("libm");
        assert_eq!(libm.interp, None);
        assert_eq!(libm.needed, ["libc.so.6", "ld-linux-x86-64.so.2"]);
        let libc = real("/lib/x86_64-linux-gnu/libc.so.6").expect("libc");
        assert_eq!(
            (libc.interp.as_deref(), &libc.needed[..]),
            (Some("/lib64/ld-linux-x86-64.so.2"), &["ld-linux-x86-64.so.2".to_string()][..])
        );
    }

    #[test]
    fn a_static_busybox_needs_nothing() {
        // busybox-static is a harness requirement on the machines the tests run on.
        let Some(path) = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| std::path::Path::new(p).exists())
        else {
            eprintln!("no busybox here; skipped");
            return;
        };
        let info = real(path).unwrap();
        assert_eq!((info.interp, info.needed), (None, vec![]), "{path}");
    }

    /// A minimal ELF: one PT_LOAD over the whole file, PT_INTERP and PT_DYNAMIC with the
    /// given needed names, in the given class and byte order.
    fn synthetic(bits: u8, le: bool, interp: &str, needed: &[&str]) -> Vec<u8> {
        let w = |v: u64, n: usize| -> Vec<u8> {
            let full = if le { v.to_le_bytes() } else { v.to_be_bytes() };
            if le {
                full[..n].to_vec()
            } else {
                full[8 - n..].to_vec()
            }
        };
        let word = if bits == 64 { 8 } else { 4 };
        let (ehsize, phsize) = if bits == 64 { (64u64, 56u64) } else { (52, 32) };
        let phoff = ehsize;
        let interp_off = phoff + 3 * phsize;
        let mut strtab = vec![0u8];
        let mut name_offsets = Vec::new();
        for n in needed {
            name_offsets.push(strtab.len() as u64);
            strtab.extend_from_slice(n.as_bytes());
            strtab.push(0);
        }
        let strtab_off = interp_off + interp.len() as u64 + 1;
        let dyn_off = strtab_off + strtab.len() as u64;
        let mut dynamic = Vec::new();
        let vaddr = 0x1000u64;
        for (tag, val) in name_offsets.iter().map(|o| (DT_NEEDED, *o)).chain([
            (DT_STRTAB, vaddr + strtab_off),
            (DT_STRSZ, strtab.len() as u64),
            (DT_NULL, 0),
        ]) {
            dynamic.extend(w(tag, word));
            dynamic.extend(w(val, word));
        }
        let total = dyn_off + dynamic.len() as u64;

        let mut f = b"\x7fELF".to_vec();
        f.extend([if bits == 64 { 2 } else { 1 }, if le { 1 } else { 2 }, 1, 0]);
        f.resize(16, 0);
        f.extend(w(3, 2)); // e_type ET_DYN
        f.extend(w(if bits == 64 { 62 } else { 40 }, 2));
        f.extend(w(1, 4));
        f.extend(w(0, word)); // e_entry
        f.extend(w(phoff, word));
        f.extend(w(0, word)); // e_shoff
        f.extend(w(0, 4)); // e_flags
        f.extend(w(ehsize, 2));
        f.extend(w(phsize, 2));
        f.extend(w(3, 2));
        f.extend([0; 6]);
        assert_eq!(f.len() as u64, ehsize);
        for (kind, off, size) in [
            (PT_LOAD, 0, total),
            (PT_INTERP, interp_off, interp.len() as u64 + 1),
            (PT_DYNAMIC, dyn_off, dynamic.len() as u64),
        ] {
            let at = if kind == PT_LOAD { vaddr } else { vaddr + off };
            if bits == 64 {
                f.extend(w(kind.into(), 4));
                f.extend(w(4, 4));
                for v in [off, at, at, size, size, 8] {
                    f.extend(w(v, 8));
                }
            } else {
                f.extend(w(kind.into(), 4));
                for v in [off, at, at, size, size, 4, 4] {
                    f.extend(w(v, 4));
                }
            }
        }
        f.extend(interp.as_bytes());
        f.push(0);
        f.extend(strtab);
        f.extend(dynamic);
        f
    }

    #[test]
    fn every_class_and_byte_order_is_read() {
        for (bits, le) in [(64, true), (32, true), (64, false), (32, false)] {
            let f = synthetic(bits, le, "/lib/ld-musl-armhf.so.1", &["libc.musl-armhf.so.1", "libz.so.1"]);
            let info = parse(&f).unwrap_or_else(|e| panic!("{bits} {le}: {e}"));
            assert_eq!((info.bits, info.little_endian), (bits, le));
            assert_eq!(info.interp.as_deref(), Some("/lib/ld-musl-armhf.so.1"));
            assert_eq!(info.needed, ["libc.musl-armhf.so.1", "libz.so.1"]);
        }
        let arm = parse(&synthetic(32, true, "/lib/ld-linux-armhf.so.3", &[])).unwrap();
        assert_eq!(docker_arch(&arm), Some(("arm", None)));
        assert_eq!(multiarch_triplet(&arm), Some("arm-linux-gnueabihf"));
    }

    #[test]
    fn truncated_files_are_errors_not_panics() {
        let f = synthetic(64, true, "/lib/ld-musl-x86_64.so.1", &["libc.musl-x86_64.so.1"]);
        assert!(parse(&f).is_ok());
        for len in 0..f.len() {
            // Cut anywhere: an error (or, past the parts read, the same answer), never a panic.
            let _ = parse(&f[..len]);
        }
        assert_eq!(parse(&f[..3]), Err(ElfError::NotElf));
        assert_eq!(parse(&f[..40]), Err(ElfError::Malformed("truncated header")));
        assert!(matches!(parse(&f[..100]), Err(ElfError::Malformed(_))));
        assert_eq!(parse(b"#!/bin/sh\necho hi\n"), Err(ElfError::NotElf));
    }

    #[test]
    fn malformed_offsets_are_errors_not_panics() {
        let good = synthetic(64, true, "/lib/ld.so", &["libc.so"]);
        let set = |f: &mut Vec<u8>, at: usize, v: u64| f[at..at + 8].copy_from_slice(&v.to_le_bytes());
        // e_phoff far past the end, and so large that adding to it overflows.
        for phoff in [1 << 40, u64::MAX - 8] {
            let mut f = good.clone();
            set(&mut f, 0x20, phoff);
            assert!(matches!(parse(&f), Err(ElfError::Malformed(_))), "{phoff}");
        }
        // PT_INTERP (second header) with a huge size.
        let mut f = good.clone();
        set(&mut f, 64 + 56 + 32, u64::MAX);
        assert_eq!(parse(&f), Err(ElfError::Malformed("PT_INTERP past the end of the file")));
        // DT_STRTAB pointing nowhere.
        let mut f = good.clone();
        let dyn_at = f.len() - 3 * 16;
        set(&mut f, dyn_at + 8, 0xdead_0000);
        assert_eq!(parse(&f), Err(ElfError::Malformed("DT_STRTAB is in no loaded segment")));
        // A DT_NEEDED offset past the string table.
        let mut f = good.clone();
        let needed_at = f.len() - 4 * 16;
        set(&mut f, needed_at + 8, 1 << 20);
        assert_eq!(parse(&f), Err(ElfError::Malformed("DT_NEEDED past its string table")));
        // Unknown class and byte order.
        let mut f = good.clone();
        f[4] = 9;
        assert!(matches!(parse(&f), Err(ElfError::Unsupported(_))));
        let mut f = good;
        f[5] = 0;
        assert!(matches!(parse(&f), Err(ElfError::Unsupported(_))));
    }
}
