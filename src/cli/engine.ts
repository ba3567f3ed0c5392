/**
 * The CLI's link to the filter compiler (src/filter) and the cBPF interpreter (src/cbpf).
 *
 * The compiler is loaded with a dynamic `import()` so the command line works, and says clearly
 * what is missing, while it is still being written: an empty expression needs no compiler (it
 * accepts every packet, like libpcap's `ret #snaplen`), and `--program FILE` needs none at all.
 * A compiler module that exists but fails to load is reported with its reason.
 */
import { UserError } from '../errors.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import { assertValid, createInterpreter } from '../cbpf/index.ts';

export interface CompileOptions {
  linkType: number;
  snaplen: number;
  optimize: boolean;
  netmask?: number;
}

/** A packet filter: the cBPF return value (0 = drop, else bytes to keep). */
export type PacketFilter = (pkt: Uint8Array, caplen: number, wirelen: number) => number;

type CompileFn = (text: string, opts: CompileOptions) => CbpfProgram;

/** A variable specifier: the compiler may not exist yet, so TypeScript must not resolve it. */
const FILTER_MODULE = '../filter/index.ts';

async function tryImport(specifiers: readonly string[]): Promise<{ mod: Record<string, unknown> | null; why: string }> {
  let why = 'not present';
  for (const s of specifiers) {
    try {
      return { mod: (await import(s)) as Record<string, unknown>, why: '' };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // A missing file is expected while the module is being written; anything else is a reason.
      if (err.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(s.replace(/^\.\.\//, ''))) {
        why = `failed to load (${err.message.split('\n')[0]})`;
      }
    }
  }
  return { mod: null, why };
}

/** The accept-all program libpcap produces for an empty expression. */
export function acceptAllProgram(snaplen: number): CbpfProgram {
  return [{ code: 0x06, jt: 0, jf: 0, k: snaplen >>> 0 }];
}

/** Compiles a filter expression; the empty expression compiles without the compiler. */
export async function compileExpression(text: string, opts: CompileOptions): Promise<CbpfProgram> {
  // libpcap compiles the empty expression to `ret #snaplen` on every link type it knows, even
  // those it cannot filter on (the link type itself is checked before, by the caller).
  if (text.trim() === '') return acceptAllProgram(opts.snaplen);
  const { mod, why } = await tryImport([FILTER_MODULE]);
  const compile = mod?.compile as CompileFn | undefined;
  if (typeof compile !== 'function') {
    throw new UserError(
      'cli.no-compiler',
      `filter expressions are not supported yet: the compiler (src/filter/index.ts) is ${why}; use --program FILE, or no expression to accept every packet`,
    );
  }
  return compile(text, opts);
}

/**
 * A runnable filter for `prog`: validated first with libpcap's `bpf_validate` rules (what
 * tcpdump applies to a program it runs in userland: backward `ja`, which libpcap emits for
 * `protochain`, and programs longer than the kernel's limit are allowed), then pre-decoded by
 * the reference interpreter. Every problem is named.
 */
export function createFilter(prog: CbpfProgram): PacketFilter {
  assertValid(prog, { strict: false });
  return createInterpreter(prog);
}
