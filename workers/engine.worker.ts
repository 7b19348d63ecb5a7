/// <reference lib="webworker" />
// Thin entry: exposes the engine host over Comlink. All behaviour is in ./engine-host.ts.
import * as Comlink from 'comlink';
import { EngineHost } from './engine-host';

Comlink.expose(new EngineHost());
