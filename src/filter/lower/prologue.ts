/**
 * Link-header prologues for 802.11 with a radio header (radiotap, PPI, AVS, Prism). These
 * headers have a variable length, and so has the 802.11 header after them (QoS data frames
 * are 2 bytes longer; radiotap may ask for 4-byte padding). Like libpcap, we compute both once,
 * at the start of the program, into two reserved scratch slots: LINK_SLOT (where the 802.11
 * header starts) and VAR_SLOT (where its payload starts). The prologue is a small CFG of
 * *pinned* blocks that the optimizer leaves alone; it ends by jumping to the filter's root.
 */
import { newBlock } from '../cfg.ts';
import type { Block, Stmt } from '../cfg.ts';
import * as I from '../insn.ts';

export const LINK_SLOT = 14;
export const VAR_SLOT = 15;

export type RadioKind = 'radiotap' | 'ppi' | 'avs' | 'prism';

function pin(stmts: Stmt[], code: number, k: number): Block {
  const b = newBlock(stmts, code, k);
  b.pinned = true;
  return b;
}

/** An unconditional edge: a pinned jump whose two targets are the same. */
function goto(stmts: Stmt[], to: Block): Block {
  const b = pin(stmts, I.JEQ_K, 0);
  b.jt = to; b.jf = to;
  return b;
}

/** A = little-endian 16-bit length at offset 2 (radiotap, PPI). */
const LE16_AT_2: Stmt[] = [I.ldb(3), I.aluK(I.LSH, 8), I.tax(), I.ldb(2), I.aluX(I.OR)];

/**
 * Builds the prologue in front of `root`. `needPayload` is false when the filter only reads
 * 802.11 header fields; then only the radio header length is computed (as libpcap does).
 * `reject` is the program's `ret #0` block (PPI frames that do not carry 802.11 are rejected).
 */
export function radioPrologue(kind: RadioKind, needPayload: boolean, root: Block, reject: Block, datapad = true): Block {
  // Entry into `tail` with A = radio header length.
  let tail: Block;
  if (!needPayload) {
    tail = goto([I.st(LINK_SLOT)], root);
  } else {
    // Padding for radiotap (data frames): if the flags field is present (and no extended bitmap), and the
    // flags byte (after the 8-byte TSFT when present) has DATAPAD, round up to 4 bytes.
    let after: Block = root;
    // (Not when the expression switched the link type with pppoes/geneve: libpcap 1.10.3 builds
    // this code at the end and checks the link type it has then.)
    if (kind === 'radiotap' && datapad) {
      const pad = goto([I.ldMem(VAR_SLOT), I.aluK(I.ADD, 3), I.aluK(I.AND, 0xfffffffc), I.st(VAR_SLOT)], root);
      const flagsAt16 = pin([I.ldb(16)], I.JSET_K, 0x20); flagsAt16.jt = pad; flagsAt16.jf = root;
      const flagsAt8 = pin([I.ldb(8)], I.JSET_K, 0x20); flagsAt8.jt = pad; flagsAt8.jf = root;
      const tsft = pin([], I.JSET_K, 0x01000000); tsft.jt = flagsAt16; tsft.jf = flagsAt8;
      const ext = pin([], I.JSET_K, 0x80); ext.jt = root; ext.jf = tsft;
      const present = pin([I.ld(4)], I.JSET_K, 0x02000000); present.jt = ext; present.jf = root;
      after = present;
    }
    const qos = goto([I.ldMem(VAR_SLOT), I.aluK(I.ADD, 2), I.st(VAR_SLOT)], after);
    const qosBit = pin([], I.JSET_K, 0x80); qosBit.jt = qos; qosBit.jf = after;
    // Only data frames get the QoS and padding adjustments: other frames go straight to the filter.
    const notCtl = pin([], I.JSET_K, 0x04); notCtl.jt = root; notCtl.jf = qosBit;
    // M[link] = A; X = A; M[var] = A + 24; A = fc; data frame?
    tail = pin([I.st(LINK_SLOT), I.tax(), I.txa(), I.aluK(I.ADD, 24), I.st(VAR_SLOT), I.ldInd(0, 1)], I.JSET_K, 0x08);
    tail.jt = notCtl; tail.jf = root;
  }
  switch (kind) {
    case 'radiotap': return prepend(LE16_AT_2, tail);
    case 'avs': return prepend([I.ld(4)], tail);
    case 'ppi': {
      // PPI's DLT field (little-endian) must say 802.11 (105).
      const check = pin([I.ld(4)], I.JEQ_K, 0x69000000);
      check.jt = prepend(LE16_AT_2, tail); check.jf = reject;
      return check;
    }
    case 'prism': {
      // An AVS header (magic 0x80211000 in the top 20 bits) gives its length; else Prism's 144.
      const avs = goto([I.ld(4)], tail);
      const prism = goto([I.ldImm(144)], tail);
      const magic = pin([I.ld(0), I.aluK(I.AND, 0xfffff000)], I.JEQ_K, 0x80211000);
      magic.jt = avs; magic.jf = prism;
      return magic;
    }
  }
}

/** Runs `stmts` before `b` (inserted into the block: b is pinned and has a single entry). */
function prepend(stmts: Stmt[], b: Block): Block {
  b.stmts = [...stmts, ...b.stmts];
  return b;
}
