/**
 * Classic BPF semantics: the validator (libpcap + kernel rules) and the reference interpreter
 * (libpcap 1.10.3 bpf_filter semantics).
 */
export { validate, assertValid, type ValidateOptions, type ValidationIssue } from './validate.ts';
export { interpret, createInterpreter, type CbpfFilter } from './interpret.ts';
