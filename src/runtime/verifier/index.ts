/**
 * The eBPF verifier: `verify(program, hook)` proves a program safe to load for a hook (see
 * verify.ts for what is proven and what is left to run-time checks) or throws a
 * `VerifierError` naming the pc and the disassembled instruction.
 */
export { VerifierError } from './error.ts';
export { conformanceHook, runtimeHook, socketFilterHook, SK_BUFF_FIELDS, tcHook, XDP_MD_FIELDS, xdpHook } from './hooks.ts';
export type { CtxField, CtxFieldKind, HookSpec, LoopPolicy } from './hooks.ts';
export { MAX_CALL_FRAMES } from './structure.ts';
export { DEFAULT_MAX_STEPS, defaultMaxSteps, verify } from './verify.ts';
export type { ProgramInput, ProvenRegion, VerifiedProgram } from './verify.ts';
export { rewriteCtxLoads, shadowLayout } from './ctx-rewrite.ts';
export type { ShadowLayout } from './ctx-rewrite.ts';
