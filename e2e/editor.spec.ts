import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { readFile } from 'node:fs/promises';
import { findPreset } from '../src/core/scenario/presets';
import { parseScenario } from '../src/core/scenario/validate';
import type { Scenario } from '../src/core/scenario/types';

const AUTOSAVE_KEY = 'offload-lab:autosave:v1';

async function saved(page: Page): Promise<Scenario | null> {
  const text = await page.evaluate((k) => localStorage.getItem(k), AUTOSAVE_KEY);
  return text ? (JSON.parse(text) as { scenario: Scenario }).scenario : null;
}

/** What the engine runs: everything but link ids, editor positions and the document's own id/title. */
function shapeOf(s: Scenario | null) {
  if (!s) return null;
  return {
    hosts: s.hosts,
    nodes: s.nodes.map(({ position: _p, ...n }) => n),
    links: s.links.map(({ id: _id, ...l }) => l),
    flows: s.flows,
    faults: s.faults,
  };
}

const NODES = ['vm vm1', 'bridge br1', 'router r1', 'bridge br2', 'vm vm2'];

const iface = (page: Page, name: string) => page.getByRole('button', { name: `interface ${name}`, exact: true });

async function setField(page: Page, label: string, value: string) {
  const input = page.getByRole('complementary', { name: 'Inspector' }).getByLabel(label, { exact: true });
  await input.fill(value);
  await input.press('Enter');
  await expect(input).toHaveValue(value);
}

async function center(page: Page, name: string) {
  const box = await iface(page, name).boundingBox();
  if (!box) throw new Error(`no box for ${name}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test('build router-club from an empty canvas by clicks and keys, toggle TSO, undo, reload', async ({ page }) => {
  const preset = findPreset('router-club');
  if (!preset) throw new Error('router-club preset missing');
  await page.goto('/');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');

  await page.getByRole('button', { name: 'New empty scenario' }).click();
  await expect(page.getByText('Empty canvas.')).toBeVisible();

  // Palette by keyboard: each new node goes next to the one just added.
  for (const key of ['2', '5', '4', '5', '2']) await page.keyboard.press(key);
  for (const name of NODES) await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  await page.keyboard.press('f');

  // Connect: drag dot to dot …
  const from = await center(page, 'vm1/eth0');
  const to = await center(page, 'br1/tap0');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByRole('button', { name: /^link l1: virtio, vm1\/eth0 to br1\/tap0$/ })).toBeVisible();

  // … by keyboard: Enter on a dot selects it, C starts a link, Enter on another dot completes it …
  await iface(page, 'r1/eth0').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('c');
  await expect(page.getByRole('status').filter({ hasText: 'Connecting from' })).toBeVisible();
  await iface(page, 'br1/tap1').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: /^link l2: virtio, r1\/eth0 to br1\/tap1$/ })).toBeVisible();

  // … and from the interface's properties.
  for (const [a, b] of [
    ['r1/eth1', 'br2/tap0'],
    ['vm2/eth0', 'br2/tap1'],
  ]) {
    await iface(page, a).click();
    await page.getByLabel('Connect to interface').selectOption(b);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
  }
  await expect(page.getByRole('button', { name: /^link l4: virtio, vm2\/eth0 to br2\/tap1$/ })).toBeVisible();

  // Addresses, as in the preset.
  const addr: [string, string, string][] = [
    ['vm1/eth0', '10.0.1.2/24', '52:54:00:00:00:01'],
    ['r1/eth0', '10.0.1.1/24', '52:54:00:00:00:11'],
    ['r1/eth1', '10.0.2.1/24', '52:54:00:00:00:12'],
    ['vm2/eth0', '10.0.2.2/24', '52:54:00:00:00:02'],
  ];
  for (const [name, ipv4, mac] of addr) {
    await iface(page, name).click();
    await setField(page, 'IPv4', ipv4);
    await setField(page, 'MAC', mac);
  }
  // The preset numbers br2's ports tap2/tap3.
  await iface(page, 'br2/tap0').click();
  await setField(page, 'Name', 'tap2');
  await iface(page, 'br2/tap1').click();
  await setField(page, 'Name', 'tap3');

  // Routes on the router.
  await page.getByRole('button', { name: 'router r1', exact: true }).click();
  for (const [prefix, dev] of [
    ['10.0.1.0/24', 'eth0'],
    ['10.0.2.0/24', 'eth1'],
  ]) {
    await page.getByLabel('Route prefix').fill(prefix);
    await page.getByLabel('Route interface').selectOption(dev);
    await page.getByRole('button', { name: 'Add route', exact: true }).click();
  }
  await expect(page.getByRole('table', { name: 'Routes of r1' })).toContainText('10.0.2.0/24');

  // Traffic: bulk TCP vm1 → vm2.
  await page.getByLabel('Flow kind').selectOption('tcp');
  await page.getByLabel('Flow from').selectOption('vm1');
  await page.getByLabel('Flow to').selectOption('vm2');
  await page.getByRole('button', { name: 'Add flow', exact: true }).click();

  // The drawing is router-club, the engine loaded it, and the autosave holds it.
  await expect(page.getByTestId('scenario-validity')).toHaveText('✓ runnable');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await expect.poll(async () => shapeOf(await saved(page))).toEqual(shapeOf(preset.scenario));
  await expect(page.getByRole('button', { name: 'Undo' })).toBeEnabled();

  // TSO off on r1/eth1: every TSO feature follows, and the ethtool -K line says so.
  await iface(page, 'r1/eth1').click();
  const offloads = page.getByRole('region', { name: 'Offloads of r1/eth1' });
  const tso = offloads.getByRole('switch', { name: 'tcp-segmentation-offload', exact: true });
  await expect(tso).toHaveAttribute('aria-checked', 'true');
  await tso.click();
  await expect(tso).toHaveAttribute('aria-checked', 'false');
  for (const child of ['tx-tcp-segmentation', 'tx-tcp6-segmentation', 'tx-tcp-ecn-segmentation']) {
    await expect(offloads.getByRole('switch', { name: child, exact: true })).toHaveAttribute('aria-checked', 'false');
  }
  await expect(offloads.getByRole('status', { name: 'ethtool -K command' })).toHaveText('ethtool -K eth1 tso off');

  // Scatter-gather off: TSO is still wanted but cannot be on, and says why.
  await page.keyboard.press('Control+z');
  await expect(tso).toHaveAttribute('aria-checked', 'true');
  await offloads.getByRole('switch', { name: 'scatter-gather', exact: true }).click();
  const tcpSeg = offloads.getByRole('switch', { name: 'tx-tcp-segmentation', exact: true });
  await expect(tcpSeg).toHaveAttribute('aria-checked', 'false');
  await expect(offloads.getByText('[requested on]').first()).toBeVisible();
  await expect(tcpSeg).toHaveAccessibleDescription(/requested on, but off: .*scatter-gather/i);
  await page.keyboard.press('Control+z');
  await expect(tcpSeg).toHaveAttribute('aria-checked', 'true');
  await expect(offloads.getByRole('status', { name: 'ethtool -K command' })).toContainText('no change');
  // Redo and undo again through the buttons.
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(tcpSeg).toHaveAttribute('aria-checked', 'false');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(tcpSeg).toHaveAttribute('aria-checked', 'true');

  // Reload: everything as it was (the undone toggles stay undone).
  await expect.poll(async () => shapeOf(await saved(page))).toEqual(shapeOf(preset.scenario));
  const before = await saved(page);
  await page.reload();
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await expect(page.getByTestId('scenario-validity')).toHaveText('✓ runnable');
  for (const name of NODES) await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: /^link l4: / })).toBeVisible();
  expect(await saved(page)).toEqual(before);
  await iface(page, 'r1/eth1').click();
  await expect(page.getByRole('region', { name: 'Offloads of r1/eth1' }).getByRole('switch', { name: 'tcp-segmentation-offload', exact: true })).toHaveAttribute('aria-checked', 'true');
});

test('a corrupt autosave is refused with a clear message and kept; nothing else is lost', async ({ page }) => {
  await page.goto('/');
  await page.evaluate((k) => localStorage.setItem(k, '{"format":"offload-lab-autosave","scenario":{"version":1,'), AUTOSAVE_KEY);
  await page.reload();
  await expect(page.getByRole('alert').filter({ hasText: 'Your autosaved scenario was not restored' })).toContainText('not valid JSON');
  expect(await page.evaluate(() => localStorage.getItem('offload-lab:autosave:unreadable'))).toContain('offload-lab-autosave');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
});

test('help overlay, delete, undo, and a bad import leaves the scenario alone', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Undo / redo');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  await page.getByRole('button', { name: 'bridge br0', exact: true }).click();
  await page.keyboard.press('Delete');
  await expect(page.getByRole('button', { name: 'bridge br0', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^link / })).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(page.getByRole('button', { name: 'bridge br0', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: /^link / })).toHaveCount(2);
  await expect(page.getByTestId('scenario-validity')).toHaveText('✓ runnable');

  // Drag from the palette onto the canvas places a node where it is dropped.
  await page.getByRole('button', { name: 'Add Container' }).dragTo(page.getByRole('application', { name: 'Topology canvas' }), { targetPosition: { x: 200, y: 60 } });
  await expect(page.getByRole('button', { name: 'container ct1', exact: true })).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(page.getByRole('button', { name: 'container ct1', exact: true })).toHaveCount(0);

  // Drag a node: one move edit on release; undo puts it back.
  const vm1 = page.getByRole('button', { name: 'vm vm1', exact: true });
  const before = await vm1.getAttribute('transform');
  const box = await vm1.locator('rect.node-box').boundingBox();
  if (!box) throw new Error('vm1 has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + 8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + 80, { steps: 6 });
  await page.mouse.up();
  await expect(vm1).not.toHaveAttribute('transform', before ?? '');
  await expect(page.locator('svg.drag-layer g *')).toHaveCount(0);
  // Esc in the middle of a drag puts it back and records nothing.
  const moved = await vm1.getAttribute('transform');
  const box2 = await vm1.locator('rect.node-box').boundingBox();
  if (!box2) throw new Error('vm1 has no box');
  await page.mouse.move(box2.x + box2.width / 2, box2.y + 8);
  await page.mouse.down();
  await page.mouse.move(box2.x + box2.width / 2 + 60, box2.y + 60, { steps: 5 });
  await expect(page.locator('svg.drag-layer g > *').first()).toBeAttached();
  await page.keyboard.press('Escape');
  await page.mouse.up();
  await expect(page.locator('svg.drag-layer g *')).toHaveCount(0);
  await expect(vm1).toHaveAttribute('transform', moved ?? '');
  await expect(vm1).toBeVisible();
  await expect(vm1).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(vm1).toHaveAttribute('transform', before ?? '');

  // A second host: new nodes go into the selected host; dropping a node in another host's box moves it there.
  await page.keyboard.press('1');
  await expect(page.getByRole('button', { name: /^host h2 · 8 cores · empty$/ })).toBeVisible();
  await page.keyboard.press('3');
  const ct = page.getByRole('button', { name: 'container ct1', exact: true });
  await expect(ct).toBeVisible();
  await expect(page.getByRole('button', { name: /^host h2 · 8 cores$/ })).toBeVisible();
  await page.keyboard.press('f');
  const h1 = await page.locator('[data-host-id="h1"] rect.host-box').boundingBox();
  const ctBox = await ct.locator('rect.node-box').boundingBox();
  if (!h1 || !ctBox) throw new Error('no boxes');
  await page.mouse.move(ctBox.x + ctBox.width / 2, ctBox.y + 8);
  await page.mouse.down();
  await page.mouse.move(h1.x + 30, h1.y + h1.height - 20, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByRole('button', { name: /^host h2 · 8 cores · empty$/ })).toBeVisible();
  await ct.click();
  await expect(page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Host')).toHaveValue('h1');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Control+z');
  await expect(ct).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^host h2/ })).toHaveCount(0);

  // Flow settings: a byte limit on the bulk TCP flow, validated, one undo step.
  await page.getByText('vm1 → vm2').click();
  const flow = page.getByRole('group', { name: 'Flow f1 settings' });
  await flow.getByLabel('Bytes').fill('-5');
  await flow.getByLabel('Bytes').press('Enter');
  await expect(flow.getByRole('alert')).toContainText('Bytes: enter an integer from 1');
  await flow.getByLabel('Bytes').fill('1000000');
  await flow.getByLabel('Bytes').press('Enter');
  await expect(page.getByRole('list', { name: 'Flows' })).toContainText('bulk TCP · 1 MB');

  await page.getByLabel('Scenario file to import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version":1,"hosts":[]}') });
  await expect(page.getByRole('alert').filter({ hasText: 'bad.json was not imported' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'bridge br0', exact: true })).toBeVisible();

  // Export, change something, import the exported file: back to what was exported.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export scenario file' }).click();
  const file = await (await downloading).path();
  const exported = JSON.parse(await readFile(file, 'utf8')) as Scenario;
  expect(parseScenario(exported).ok).toBe(true);
  await page.getByRole('button', { name: 'bridge br0', exact: true }).click();
  await page.keyboard.press('Delete');
  await page.getByLabel('Scenario file to import').setInputFiles(file);
  await expect(page.getByRole('button', { name: 'bridge br0', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();
  await expect.poll(async () => saved(page)).toEqual(exported);
});

test('at 1280×720 the regions do not overlap, every control is named, and both themes apply', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.getByRole('button', { name: 'interface vm1/eth0' }).click();
  await expect(page.getByRole('region', { name: 'Offloads of vm1/eth0' })).toBeVisible();

  const regions = ['nav[aria-label="Palette"]', 'section[aria-label="Topology editor"]', 'aside[aria-label="Inspector"]', 'section[aria-label="Live charts"]', 'footer[aria-label="Run status"]', 'header.toolbar'];
  const boxes = await Promise.all(regions.map(async (sel) => ({ sel, box: await page.locator(sel).boundingBox() })));
  for (const { sel, box } of boxes) {
    expect(box, sel).not.toBeNull();
    if (!box) continue;
    expect(box.x + box.width, `${sel} inside the viewport`).toBeLessThanOrEqual(1280.5);
    expect(box.y + box.height, `${sel} inside the viewport`).toBeLessThanOrEqual(720.5);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].box;
      const b = boxes[j].box;
      if (!a || !b) continue;
      const overlap = a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
      expect(overlap, `${boxes[i].sel} overlaps ${boxes[j].sel}`).toBe(false);
    }
  }

  // Every control has an accessible name (text, aria-label or a label element).
  const unnamed = await page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, input, select, textarea, [role="button"], [role="switch"]')) {
      if (el.closest('[aria-hidden="true"]') || (el instanceof HTMLInputElement && el.type === 'file' && el.hidden && el.getAttribute('aria-label'))) continue;
      const labelled = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el as HTMLInputElement).labels?.length || (el.textContent ?? '').trim();
      if (!labelled) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
  expect(unnamed).toEqual([]);

  // Themes: an explicit choice overrides the system one.
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--panel').trim());
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const dark = await bg();
  await page.getByLabel('Theme').selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await bg()).not.toBe(dark);

  // Keyboard focus is visible on canvas items.
  const vm1 = page.getByRole('button', { name: 'vm vm1', exact: true });
  await vm1.focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(vm1).toBeFocused();
  const stroke = await page.locator('[data-node-id="vm1"] rect.node-box').evaluate((el) => getComputedStyle(el).strokeWidth);
  expect(parseFloat(stroke)).toBeGreaterThanOrEqual(3);
});
