/// <reference lib="webworker" />
// Thin entry: exposes the engine host over Comlink. All behaviour is in ./engine-host.ts.
import * as Comlink from 'comlink';
import { EngineHost } from './engine-host';
import { enableWasmChecksum } from '../src/core/packet/wasm/csum-wasm';

// Large checksums run in WebAssembly SIMD when the browser has it; sums are exact, so results are identical.
enableWasmChecksum();
Comlink.expose(new EngineHost());
