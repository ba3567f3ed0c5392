/**
 * Linux errno numbers that map operations and helpers return (negated, as the kernel does:
 * `bpf_map_update_elem` returns -EEXIST, not an exception). One table so tests, helpers and
 * messages agree; `errnoName(-17)` → "EEXIST" for readable dumps and errors.
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  EOPNOTSUPP: 95,
  ENOTSUPP: 524,
} as const;

export function errnoName(result: number): string {
  const n = Math.abs(result);
  for (const [name, v] of Object.entries(Errno)) if (v === n) return name;
  return `errno ${n}`;
}
