/**
 * The slice of the WebAssembly JavaScript API this tier uses, typed here because the project
 * compiles against lib ES2022 and @types/node 20, neither of which declares `WebAssembly`
 * (the API itself is always present in Node).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmGlobal { value: unknown }
export interface WasmApi {
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
