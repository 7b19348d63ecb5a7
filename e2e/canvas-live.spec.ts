import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

async function run(page: Page, preset: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption(preset);
  await page.getByLabel('Speed').selectOption('max');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.getByRole('button', { name: '▶ Run', exact: true }).click();
  await expect.poll(async () => Number(await page.getByTestId('samples-received').textContent()), { timeout: 30_000 }).toBeGreaterThan(5);
}

/** The frame-size line of the link joining two ports (either direction). */
const frames = (page: Page, a: string, b: string) => page.locator(`g.link[aria-label*="${a} to ${b}"], g.link[aria-label*="${b} to ${a}"]`).locator('text.link-live.frames');

test('router-no-club: super-frames shrink to MTU frames at br1 (GSO split), grow again at vm2 (GRO merge); the router core is saturated', async ({ page }) => {
  await run(page, 'router-no-club');
  const summary = page.getByTestId('canvas-hotspots');
  await expect(summary).toContainText('GSO split at br1/tap1');
  await expect(summary).toContainText('GRO/LRO merge at vm2/eth0');
  await expect(summary).toContainText(/r1 CPU saturated/);

  // The split sits between a link that carries super-frames and one that carries MTU frames, with units.
  await expect(frames(page, 'vm1/eth0', 'br1/tap0')).toHaveAttribute('data-size', 'super');
  await expect(frames(page, 'vm1/eth0', 'br1/tap0')).toHaveText(/^◆ \d+(\.\d)? KiB super-frames$/);
  await expect(frames(page, 'br1/tap1', 'r1/eth0')).toHaveAttribute('data-size', 'mtu');
  await expect(frames(page, 'br1/tap1', 'r1/eth0')).toHaveText(/^▪ 1\.\d KiB frames$/);

  const br1 = page.locator('[data-node-id="br1"]');
  await expect(br1.locator('[data-iface=\'["br1","tap1"]\']')).toHaveAttribute('data-live', 'gso-split');
  await expect(br1.locator('text.live-stack')).toContainText('✂ GSO split at tap1');
  await expect(page.locator('[data-node-id="vm2"] text.live-stack')).toContainText('⊕ GRO/LRO merge at eth0');

  const r1 = page.locator('[data-node-id="r1"]');
  await expect(r1).toHaveAttribute('data-hot', 'cpu');
  await expect(r1.locator('text.live-stack')).toHaveText(/▲ CPU (9[5-9]|100) % · h1\/cpu\d+/);
  // Bridges have no cores of their own: never marked saturated.
  await expect(br1).not.toHaveAttribute('data-hot', 'cpu');
});

test('vm-vm-offload: super-frames end to end, no split or merge marker anywhere', async ({ page }) => {
  await run(page, 'vm-vm-offload');
  await expect(frames(page, 'vm1/eth0', 'br0/tap0')).toHaveText(/KiB super-frames$/);
  await expect(frames(page, 'br0/tap1', 'vm2/eth0')).toHaveText(/KiB super-frames$/);
  await expect(page.getByTestId('canvas-hotspots')).toHaveText(/^(No hot spots\.|Hot spots: .*)$/);
  await expect(page.getByTestId('canvas-hotspots')).not.toContainText('split');
  await expect(page.getByTestId('canvas-hotspots')).not.toContainText('merge');
  await expect(page.locator('.iface[data-live]')).toHaveCount(0);
});

test('router-no-club: the bridge queue that overflows while the flow ramps up gets a drop badge with its count', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption('router-no-club');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.getByRole('button', { name: '▶ Run', exact: true }).click();
  // The badge lives while the drops do (a few samples at the default speed): all three are polled, no pause.
  await expect(page.getByTestId('canvas-hotspots')).toContainText('queue dropping at br1/tap1', { timeout: 30_000 });
  await expect(page.locator('[data-node-id="br1"] text.live-stack')).toContainText(/▼ \d+ dropped( \([\d.]+ k?pkt\/s\))? at tap1/);
  await expect(page.locator('[data-iface=\'["br1","tap1"]\']')).toHaveAttribute('data-drops', '');
});

test('checksum-trust: the canvas summary counts corrupt payloads accepted under trusted checksums; the `full` variant, loaded from the panel, drops them instead', async ({ page }) => {
  await run(page, 'checksum-trust');
  const summary = page.getByTestId('canvas-hotspots');
  await expect(summary).toContainText(/\d+ corrupt payloads accepted/);
  await expect(summary).not.toContainText('dropped as bad checksums');

  await page.getByLabel('Preset variant').selectOption('full');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await expect(page.getByLabel('Preset variant')).toHaveValue('full');
  await page.getByRole('button', { name: '▶ Run', exact: true }).click();
  await expect(summary).toContainText(/\d+ corrupt frames dropped as bad checksums/);
  await expect(summary).not.toContainText('corrupt payloads accepted');
});
