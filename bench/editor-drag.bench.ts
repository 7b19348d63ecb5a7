/**
 * Editor drag benchmark (Playwright + Chromium): frame times while dragging nodes on a 200-node, 300-link
 * topology, against a 5-node baseline measured in the same run. The scenario goes in through the real
 * autosave restore path. Builds the app to a temporary directory and serves it with `vite preview`.
 *
 *   node --import tsx bench/editor-drag.bench.ts
 *
 * Two numbers per row: the rAF interval (what the user sees; one vsync is 16.7 ms) and the main-thread busy
 * time per frame (first pointer event of the frame → after that frame's rendering), both p50/p95/max.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { applyEdit, type Edit } from '../src/core/edit/edit';
import { connectEdit, emptyScenario, newNode } from '../src/core/edit/ops';
import type { Endpoint, HostId, Scenario } from '../src/core/scenario/types';
import { parseScenario } from '../src/core/scenario/validate';
import { findPreset } from '../src/core/scenario/presets';
import { encodeAutosave, AUTOSAVE_KEY } from '../src/store/autosave';

const PORT = 4179;

const ep = (node: string, iface: string) => ({ node, iface }) as Endpoint;
const f = (x: number) => x.toFixed(2).padStart(7);

/** 100 VMs, each on its own 5-port bridge; bridges chained and cross-linked: 200 nodes, 300 links, valid. */
export function bigScenario(): Scenario {
  let s: Scenario = { ...emptyScenario(), id: 'bench-200', title: 'bench: 200 nodes, 300 links', hosts: [{ id: 'h1' as HostId, cores: 64 }] };
  const apply = (e: Edit | string) => {
    if (typeof e === 'string') throw new Error(e);
    const r = applyEdit(s, e);
    if (!r.ok) throw new Error(r.error);
    s = r.scenario;
  };
  for (let i = 0; i < 100; i++) {
    const col = (i % 10) * 2;
    const row = Math.floor(i / 10);
    apply({ kind: 'add-node', node: newNode('vm', `vm${i}`, 'h1', { x: 100 + col * 170, y: 100 + row * 110 }) });
    const br = newNode('bridge', `br${i}`, 'h1', { x: 100 + (col + 1) * 170, y: 100 + row * 110 });
    br.interfaces = ['tap0', 'tap1', 'tap2', 'tap3', 'tap4'].map((name) => ({ ...br.interfaces[0], name }));
    apply({ kind: 'add-node', node: br });
  }
  for (let i = 0; i < 100; i++) apply(connectEdit(s, ep(`vm${i}`, 'eth0'), ep(`br${i}`, 'tap0')));
  for (let i = 0; i < 99; i++) apply(connectEdit(s, ep(`br${i}`, 'tap1'), ep(`br${i + 1}`, 'tap2')));
  for (let i = 0; i < 100; i++) apply(connectEdit(s, ep(`br${i}`, 'tap3'), ep(`br${(i + 10) % 100}`, 'tap4')));
  apply(connectEdit(s, ep('br0', 'tap2'), ep('br99', 'tap1')));
  return s;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function waitFor(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

const PROBE = `
  window.benchProbe = { intervals: [], busy: [], on: false };
  let last = 0, pending = null;
  const ch = new MessageChannel();
  ch.port1.onmessage = () => { if (pending !== null && window.benchProbe.on) window.benchProbe.busy.push(performance.now() - pending); pending = null; };
  addEventListener('pointermove', () => { if (pending === null) pending = performance.now(); }, { capture: true });
  const loop = (t) => { if (last && window.benchProbe.on) window.benchProbe.intervals.push(t - last); last = t; ch.port2.postMessage(0); requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
`;

interface Row {
  name: string;
  nodes: number;
  links: number;
  frames: number;
  intervalP50: number;
  intervalP95: number;
  busyP50: number;
  busyP95: number;
  busyMax: number;
}

async function measure(page: Page, url: string, scenario: Scenario, name: string, opts: { selectAll: boolean; target: string }): Promise<Row> {
  await page.goto(url);
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [AUTOSAVE_KEY, encodeAutosave({ presetId: 'custom', seed: 1, scenario })] as const);
  await page.reload();
  await page.getByTestId('run-state').filter({ hasText: 'loaded' }).waitFor({ timeout: 60_000 });
  await page.keyboard.press('f');
  await page.waitForTimeout(300);
  if (opts.selectAll) await page.keyboard.press('Control+a');
  const box = await page.locator(`[data-node-id="${opts.target}"] rect.node-box`).boundingBox();
  if (!box) throw new Error(`no node ${opts.target}`);
  const x0 = box.x + box.width / 2;
  const y0 = box.y + 6;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.evaluate(() => ((window as unknown as { benchProbe: { on: boolean } }).benchProbe.on = true));
  // A slow circle, one pointer event per step: about 4 s of continuous dragging.
  const steps = 240;
  for (let i = 1; i <= steps; i++) {
    const a = (i / steps) * Math.PI * 4;
    await page.mouse.move(x0 + 120 * Math.sin(a), y0 + 60 * (1 - Math.cos(a)));
  }
  const data = await page.evaluate(() => {
    const b = (window as unknown as { benchProbe: { on: boolean; intervals: number[]; busy: number[] } }).benchProbe;
    b.on = false;
    return { intervals: b.intervals, busy: b.busy };
  });
  await page.mouse.up();
  return {
    name,
    nodes: scenario.nodes.length,
    links: scenario.links.length,
    frames: data.intervals.length,
    intervalP50: pct(data.intervals, 50),
    intervalP95: pct(data.intervals, 95),
    busyP50: pct(data.busy, 50),
    busyP95: pct(data.busy, 95),
    busyMax: Math.max(...data.busy),
  };
}

async function main() {
  const big = bigScenario();
  const check = parseScenario(big);
  if (!check.ok) throw new Error(`bench scenario invalid: ${check.errors[0].message}`);
  const small = findPreset('router-club')?.scenario;
  if (!small) throw new Error('router-club preset missing');

  const out = mkdtempSync(join(tmpdir(), 'offload-lab-bench-'));
  let server: ChildProcess | null = null;
  try {
    const b = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('vite build failed');
    server = spawn('npx', ['vite', 'preview', '--outDir', out, '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
    const url = `http://127.0.0.1:${PORT}/`;
    await waitFor(url, 30_000);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.addInitScript(PROBE);
    const rows = [
      await measure(page, url, small, 'baseline: router-club, drag 1 node', { selectAll: false, target: 'r1' }),
      await measure(page, url, big, '200 nodes, drag 1 bridge (5 links)', { selectAll: false, target: 'br45' }),
      await measure(page, url, big, '200 nodes, drag all 200 (300 links)', { selectAll: true, target: 'br45' }),
    ];
    await browser.close();
    const base = rows[0];
    console.log('scenario                                 nodes links frames  rAF p50  rAF p95  busy p50 busy p95 busy max  ×base(busy p95)');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(40)} ${String(r.nodes).padStart(5)} ${String(r.links).padStart(5)} ${String(r.frames).padStart(6)} ${f(r.intervalP50)}  ${f(r.intervalP95)}  ${f(r.busyP50)}  ${f(r.busyP95)}  ${f(r.busyMax)}  ${(r.busyP95 / base.busyP95).toFixed(2).padStart(6)}`,
      );
    }
    console.log('(ms; one frame at 60 Hz is 16.7 ms. Headless Chromium, --disable-gpu, 1280×720.)');
  } finally {
    if (server?.pid) {
      try {
        process.kill(-server.pid);
      } catch {
        // already gone
      }
    }
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
