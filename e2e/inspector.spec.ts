import { execFileSync } from 'node:child_process';
import { test, expect } from './fixtures';

test('packet inspector: capture at r1/eth0, decode a super-frame (vnet header, partial checksum, tcpdump vs wire, hex), download pcap/pcapng that tshark opens', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption('router-club');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  // The selection picks the capture point: select r1/eth0 on the canvas, then open the inspector.
  await page.getByRole('button', { name: 'interface r1/eth0', exact: true }).click();
  await page.getByRole('button', { name: '⌕ Inspect' }).click();
  const insp = page.getByRole('region', { name: 'Packet inspector' });
  await expect(insp).toBeVisible();
  await expect(insp.getByLabel('Capture point')).toHaveValue('r1/eth0');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await insp.getByRole('button', { name: '● Start capture' }).click();
  const status = insp.getByTestId('capture-status');
  await expect(status).toContainText('capturing');
  await expect(status).toHaveText(/^[1-9]\d* frames?/);
  // The capture stops by itself at its frame limit (as tcpdump -c); or stop it once a super-frame is in.
  const frames = insp.getByRole('listbox', { name: 'Captured frames' });
  await expect(frames.getByRole('option').filter({ hasText: /gso \d+ × \d+/ }).first()).toBeVisible({ timeout: 30_000 });
  if (await insp.getByRole('button', { name: '■ Stop capture' }).isVisible()) await insp.getByRole('button', { name: '■ Stop capture' }).click();
  await expect(status).toHaveText(/^\d+ frames · stopped/);
  const count = Number((await status.textContent())!.split(' ')[0]);
  expect(count).toBeGreaterThan(2);
  // Every frame was captured at the chosen interface.
  for (const text of await frames.getByRole('option').allTextContents()) expect(text).toMatch(/r1\/eth0 (rx|tx)/);

  await frames.getByRole('option').filter({ hasText: /gso \d+ × \d+/ }).first().click();
  const detail = insp.getByRole('region', { name: /^Frame \d+$/ });
  await expect(detail).toContainText('CHECKSUM_PARTIAL');
  const vnet = detail.getByRole('table', { name: 'vnet header' });
  await expect(vnet).toContainText('NEEDS_CSUM');
  await expect(vnet).toContainText('TCPV4');
  const csum = detail.getByTestId('checksum-state');
  await expect(csum).toContainText('TCP checksum ◐ partial');
  await expect(csum).toContainText('pseudo-header');
  await expect(csum).toContainText(/the device writes the final 0x[0-9a-f]{4}/);
  await expect(detail.getByRole('group', { name: 'What tcpdump sees here' })).toContainText('larger than the MTU');
  const wire = detail.getByRole('group', { name: 'What is on the wire' });
  await expect(wire).toContainText(/What is on the wire: \d+ frames/);
  await expect(wire.getByRole('listitem').first()).toContainText('✓ verified');
  // The checksum field is highlighted in the bytes; picking another field moves the highlight.
  await expect(detail).toContainText(/Bytes — tcp checksum at \d+…\d+/);
  const held = /the field holds 0x([0-9a-f]{2})([0-9a-f]{2})/.exec((await csum.textContent())!)!;
  await expect(detail.getByLabel('Frame bytes').locator('.ol-hex-hi')).toHaveText(`${held[1]} ${held[2]}`);
  await detail.getByRole('button', { name: /^show all \d+$/ }).click();
  await expect(detail.getByLabel('Frame bytes')).toContainText(/^0000 /);
  await detail.getByRole('button', { name: 'headers only' }).click();
  await detail.getByRole('button', { name: 'Highlight ipv4 ttl in the bytes' }).click();
  await expect(detail).toContainText('Bytes — ipv4 ttl at 22…22');
  // Keyboard: the list moves the selection.
  await frames.focus();
  await page.keyboard.press('End');
  await expect(insp.getByRole('region', { name: `Frame ${count}` })).toBeVisible();
  await page.keyboard.press('ArrowUp');
  await expect(insp.getByRole('region', { name: `Frame ${count - 1}` })).toBeVisible();
  await page.keyboard.press('Home');
  await expect(insp.getByRole('region', { name: 'Frame 1' })).toBeVisible();

  // Downloads: tshark reads every frame back.
  for (const kind of ['pcap', 'pcapng'] as const) {
    const dl = page.waitForEvent('download');
    await insp.getByRole('button', { name: `⤓ ${kind}`, exact: true }).click();
    const file = await dl;
    expect(file.suggestedFilename()).toBe(`offload-lab-router-club-r1-eth0.${kind}`);
    const out = execFileSync('tshark', ['-r', (await file.path())!, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(count);
    expect(lines.every((l) => /^\d+\t\d+$/.test(l))).toBe(true);
  }

  // The wire view: segments no larger than the MTU, every checksum final (tshark verifies them).
  await insp.getByLabel('Capture file view').selectOption('wire');
  const wireDl = page.waitForEvent('download');
  await insp.getByRole('button', { name: '⤓ pcap', exact: true }).click();
  const wireFile = await wireDl;
  expect(wireFile.suggestedFilename()).toBe('offload-lab-router-club-r1-eth0-wire.pcap');
  const wireRows = execFileSync('tshark', ['-r', (await wireFile.path())!, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.len', '-e', 'tcp.checksum.status'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
  expect(wireRows.length).toBeGreaterThan(count);
  // One assertion over thousands of segments (tshark status 1 = good).
  expect(Math.max(...wireRows.map(([len]) => Number(len)))).toBeLessThanOrEqual(1514);
  expect([...new Set(wireRows.map(([, tcpStatus]) => tcpStatus))]).toEqual(['1']);

  await insp.getByRole('button', { name: 'Close the packet inspector' }).click();
  await expect(insp).toHaveCount(0);
});
