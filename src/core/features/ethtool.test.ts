import { describe, expect, it } from 'vitest';
import { F, LAYOUT_6_18, LAYOUT_MAINLINE, LAYOUT_PRE_6_12, maskOf } from './catalog';
import { registerNetdevice, requestedOn, type NetDevice } from './device';
import { FeatureError } from './errors';
import {
  applyEthtoolCommand,
  applyFeatureIntent,
  ethtoolRows,
  formatEthtoolK,
  formatEthtoolKCommand,
  parseEthtoolK,
  parseEthtoolKCommand,
  resolveFeatureName,
} from './ethtool';
import APPENDIX_A from './fixtures/appendix-a-veth-linux-6.18.txt?raw';
import EXAMPLE_A from './fixtures/example-a-virtio-net.txt?raw';
import EXAMPLE_B from './fixtures/example-b-veth.txt?raw';
import { virtioNetDevice, vethDevice } from './presets';

function parseError(text: string): FeatureError {
  try {
    parseEthtoolK(text);
  } catch (e) {
    if (e instanceof FeatureError) return e;
    throw e;
  }
  throw new Error('expected a FeatureError');
}

function thrown(fn: () => unknown): FeatureError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FeatureError) return e;
    throw e;
  }
  throw new Error('expected a FeatureError');
}

const lineOf = (text: string, n: number): string => text.split('\n')[n - 1];

describe('ethtool -k round trip', () => {
  it('Appendix A (real 6.18 veth capture): parse → format is byte-identical', () => {
    const { ifname, device } = parseEthtoolK(APPENDIX_A);
    expect(ifname).toBe('veth0');
    expect(formatEthtoolK(device, ifname)).toBe(APPENDIX_A);
    // recognised as the 6.18 layout: tx-tcp-accecn-segmentation is modelled, netns-local/fcoe-mtu absent
    expect(device.layout).toBe(LAYOUT_6_18);
    expect(device.active.has(F.GSO_ACCECN)).toBe(true);
    expect(device.hw.has(F.GSO_ACCECN)).toBe(true);
    expect(device.opaque.size).toBe(0);
  });

  it('Appendix A parses into the right three sets', () => {
    const { device } = parseEthtoolK(APPENDIX_A);
    expect(device.active.has(F.TSO) && device.active.has(F.SG) && device.active.has(F.HW_CSUM)).toBe(true);
    expect(device.hw.has(F.IP_CSUM)).toBe(false); // off [fixed]
    expect(device.hw.has(F.GRO)).toBe(true); // off, toggleable
    expect(device.active.has(F.GRO)).toBe(false);
    expect(device.wanted.has(F.GRO)).toBe(false);
    expect(device.hw.has(F.LRO)).toBe(false);
    expect(device.offloads.tso && device.offloads.gso && !device.offloads.gro && device.offloads.rxCsum).toBe(true);
    expect(requestedOn(device).isEmpty()).toBe(true);
  });

  it('reference Examples A and B round-trip too', () => {
    for (const text of [EXAMPLE_A, EXAMPLE_B]) {
      const p = parseEthtoolK(text);
      expect(p.device.layout).toBe(LAYOUT_MAINLINE);
      expect(formatEthtoolK(p.device, p.ifname)).toBe(text);
    }
  });

  it('tolerates CRLF, space indentation, extra spaces and blank lines', () => {
    const messy =
      '\n\n' +
      APPENDIX_A.split('\n')
        .map((l) => l.replace(/^\t/, '    ').replace(': ', ':   ').replace(' [fixed]', '  [fixed]  '))
        .join('\r\n')
        .replace('rx-checksumming', '\r\nrx-checksumming');
    const { ifname, device } = parseEthtoolK(messy);
    expect(formatEthtoolK(device, ifname)).toBe(APPENDIX_A);
  });

  it('accepts a pasted command line before the output', () => {
    const p = parseEthtoolK(`$ sudo ethtool -k veth0\n${APPENDIX_A}`);
    expect(formatEthtoolK(p.device, p.ifname)).toBe(APPENDIX_A);
    expect(parseError('root@host:~# ethtool --show-features eth0\n\n').line).toBe(3);
  });

  it('keeps features it does not know, in place, and shows them as not changeable', () => {
    const text = EXAMPLE_B.replace('\ttx-tcp6-segmentation: on\n', '\ttx-tcp6-segmentation: on\n\ttx-tcp-future-segmentation: on\n').replace(
      'tx-nocache-copy: off\n',
      'tx-nocache-copy: off\nrx-quantum-offload: on [fixed]\nzz-new-thing: off\n',
    );
    const { ifname, device } = parseEthtoolK(text);
    expect(formatEthtoolK(device, ifname)).toBe(text);
    expect([...device.opaque.keys()].toSorted()).toEqual(['rx-quantum-offload', 'tx-tcp-future-segmentation', 'zz-new-thing']);
    const rows = ethtoolRows(device).flatMap((r) => (r.kind === 'group' ? r.children : [r.row]));
    const future = rows.find((r) => r.kernelName === 'tx-tcp-future-segmentation');
    expect(future?.bit).toBeNull();
    expect(future?.changeable).toBe(false);
    // tso covers the unknown one too; the model cannot change it and says so
    const r = applyEthtoolCommand(device, 'ethtool -K veth0 tso off');
    expect(r.stdout).toContain('tx-tcp-future-segmentation: on [requested off]\n');
    expect(r.exitCode).toBe(0);
  });

  it('rejects garbage naming the line and why', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['', 1, /expected 'Features for <interface>:'/],
      ['hello\n', 1, /expected 'Features for <interface>:'/],
      [EXAMPLE_B.replace('highdma: on', 'highdma: maybe'), 24, /'highdma' must be 'on' or 'off', got 'maybe'/],
      [EXAMPLE_B.replace('highdma: on', 'highdma on'), 24, /not a feature line/],
      [EXAMPLE_B.replace('loopback: off [fixed]', 'loopback: off [broken]'), 44, /unknown annotation '\[broken\]'/],
      [EXAMPLE_B.replace('tx-nocache-copy: off', 'tx-nocache-copy: off [requested off]'), 43, /contradicts itself/],
      [EXAMPLE_B.replace('highdma: on', 'highdma: on\nhighdma: off'), 25, /'highdma' is listed twice \(first on line 24\)/],
      [EXAMPLE_B.replace('\ttx-scatter-gather: on', '\ttx-tcp-segmentation: on'), 10, /'tx-tcp-segmentation' does not belong under 'scatter-gather'/],
      [EXAMPLE_B.replace('generic-receive-offload: off', 'rx-gro: off'), 18, /'rx-gro' belongs under 'generic-receive-offload'/],
      [EXAMPLE_B.replace('highdma: on', '\thighdma: on'), 24, /'highdma' does not belong under 'receive-hashing'/],
      ['Features for x:\n\ttx-checksum-ipv4: on\n', 2, /indented but no group line/],
      [EXAMPLE_B.replace('tx-checksumming: on', 'tx-checksumming: off'), 3, /'tx-checksumming: off' but one of its features is on/],
      [EXAMPLE_B.replace('scatter-gather: on', 'scatter-gather: on [fixed]'), 9, /carries no \[fixed\]/],
      [EXAMPLE_B.replace('vlan-challenged: off [fixed]', 'vlan-challenged: off'), 26, /can never change/],
      [EXAMPLE_B.replace('generic-receive-offload: off', 'gro: off'), 18, /short ethtool -K name; ethtool -k prints 'generic-receive-offload'/],
      [EXAMPLE_B + 'Features for veth1:\n', 66, /a second 'Features for' header/],
      ['Features for x:\nscatter-gather: on [fixed]\n', 2, /cannot tell which tx-scatter-gather\* feature/],
    ];
    for (const [text, line, why] of cases) {
      const e = parseError(text);
      expect(e.code).toBe('parse');
      expect(e.line, `${why}`).toBe(line);
      expect(e.reason).toMatch(why);
      expect(e.message).toBe(`line ${line}: ${e.reason}`);
    }
    expect(lineOf(EXAMPLE_B, 24)).toBe('highdma: on');
  });

  it('a wildcard group with no features of that kind on the kernel prints as one line (zero-match form)', () => {
    const text =
      'Features for lo9:\n' +
      'rx-checksumming: off [fixed]\n' +
      'tx-checksumming: off\n' +
      'scatter-gather: off\n' +
      'tcp-segmentation-offload: off\n' +
      'generic-segmentation-offload: off [requested on]\n' +
      'generic-receive-offload: on\n' +
      'large-receive-offload: off [fixed]\n' +
      'rx-vlan-offload: off [fixed]\n' +
      'tx-vlan-offload: off [fixed]\n' +
      'ntuple-filters: off [fixed]\n' +
      'receive-hashing: off [fixed]\n' +
      'highdma: on [fixed]\n';
    const p = parseEthtoolK(text);
    expect(formatEthtoolK(p.device, 'lo9')).toBe(text);
    expect(p.device.layout.id).toBe('parsed');
    expect(p.device.layout.known.has(F.SG)).toBe(false);
    expect(requestedOn(p.device).bits()).toEqual([F.GSO]);
  });
});

describe('ethtool -K', () => {
  it("reference §4.5: 'tx off' on the virtio device of Example A", () => {
    const dev = parseEthtoolK(EXAMPLE_A).device;
    const r = applyEthtoolCommand(dev, 'ethtool -K ens3 tx off', 'ens3');
    expect(r.stdout).toBe(
      'Actual changes:\n' +
        'tx-checksum-ip-generic: off\n' +
        'tx-tcp-segmentation: off [not requested]\n' +
        'tx-tcp-ecn-segmentation: off [not requested]\n' +
        'tx-tcp6-segmentation: off [not requested]\n',
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const k = formatEthtoolK(r.device, 'ens3');
    expect(k).toContain('\ttx-tcp-segmentation: off [requested on]\n');
    expect(k).toContain('\ttx-tcp-ecn-segmentation: off [requested on]\n');
    expect(k).toContain('\ttx-tcp6-segmentation: off [requested on]\n');
    expect(k).toContain('tcp-segmentation-offload: off\n');
    const tso = r.changes.find((c) => c.name === 'tx-tcp-segmentation');
    expect(tso?.kind).toBe('side-effect');
    expect(tso?.reason).toContain('IPv4 TSO needs tx-checksum-ipv4 or tx-checksum-ip-generic');
    // 'tx on' afterwards restores TSO automatically
    const back = applyEthtoolCommand(r.device, 'ethtool -K ens3 tx on');
    expect(back.device.active.equals(dev.active)).toBe(true);
    expect(formatEthtoolK(back.device, 'ens3')).toBe(EXAMPLE_A);
    // tx on also asks for the fixed-off ipv4/ipv6/fcoe/sctp checksums, which the kernel reports as not honoured
    expect(back.stdout).toContain('tx-checksum-ipv4: off [requested on]\n');
    expect(back.stdout).toContain('tx-tcp-segmentation: on [not requested]\n');
  });

  it("'sg off' drops every TSO bit and GSO, which then show [requested on]", () => {
    const r = applyEthtoolCommand(virtioNetDevice(), 'ethtool -K ens3 sg off');
    expect(r.stdout).toBe(
      'Actual changes:\n' +
        'tx-scatter-gather: off\n' +
        'tx-generic-segmentation: off [not requested]\n' +
        'tx-tcp-segmentation: off [not requested]\n' +
        'tx-tcp-ecn-segmentation: off [not requested]\n' +
        'tx-tcp6-segmentation: off [not requested]\n',
    );
    const k = formatEthtoolK(r.device, 'ens3');
    expect(k).toContain('generic-segmentation-offload: off [requested on]\n');
    const gso = r.changes.find((c) => c.name === 'tx-generic-segmentation');
    expect(gso?.reason).toBe('software GSO needs scatter-gather: tx-scatter-gather is off');
  });

  it("'rx off' where rx-checksum is changeable drops rx-gro-hw", () => {
    const dev = registerNetdevice({
      layout: LAYOUT_MAINLINE,
      hwFeatures: maskOf('SG', 'HW_CSUM', 'RXCSUM', 'GRO_HW'),
      features: maskOf('SG', 'HW_CSUM', 'RXCSUM', 'GRO_HW'),
    });
    const r = applyEthtoolCommand(dev, 'ethtool -K eth0 rx off');
    expect(r.stdout).toBe('Actual changes:\nrx-checksum: off\nrx-gro-hw: off [not requested]\n');
    expect(formatEthtoolK(r.device, 'eth0')).toContain('rx-gro-hw: off [requested on]\n');
    expect(r.changes[1].reason).toBe('hardware GRO needs receive checksum offload: rx-checksum is off');
  });

  it('prints nothing when everything changed exactly as requested', () => {
    const r = applyEthtoolCommand(parseEthtoolK(APPENDIX_A).device, 'ethtool -K veth0 gro on');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.device.active.has(F.GRO)).toBe(true);
    expect(formatEthtoolK(r.device, 'veth0')).toBe(APPENDIX_A.replace('generic-receive-offload: off', 'generic-receive-offload: on'));
  });

  it('accepts short, long and kernel names, --features/--offload, and later words win', () => {
    const base = vethDevice();
    const forms = [
      'ethtool -K veth0 tso off gso off',
      'ethtool --features veth0 tcp-segmentation-offload off generic-segmentation-offload off',
      'ethtool --offload veth0 tx-tcp-segmentation off tx-tcp-ecn-segmentation off tx-tcp-mangleid-segmentation off tx-tcp6-segmentation off tx-generic-segmentation off',
      '  sudo /usr/sbin/ethtool   -K veth0 tso on gso off tso off ',
      '-K veth0 tso off gso off',
    ];
    const results = forms.map((f) => applyEthtoolCommand(base, f).device);
    for (const d of results) {
      expect(d.active.equals(results[0].active)).toBe(true);
      expect(d.wanted.equals(results[0].wanted)).toBe(true);
    }
    expect(results[0].offloads.tso || results[0].offloads.gso).toBe(false);
    const more = applyEthtoolCommand(base, 'ethtool -K veth0 lro off rxvlan off txvlan off rxhash off ntuple off gro on').device;
    expect(more.active.has(F.HW_VLAN_CTAG_RX) || more.active.has(F.HW_VLAN_CTAG_TX)).toBe(false);
    expect(more.active.has(F.GRO)).toBe(true);
    expect(applyEthtoolCommand(base, 'ethtool -K veth0 rx-gro-list on tx-udp-segmentation off').device.offloads.groFraglist).toBe(true);
  });

  it('unknown feature names are refused, nothing changes', () => {
    const e = thrown(() => applyEthtoolCommand(vethDevice(), 'ethtool -K veth0 tso off turbo on'));
    expect(e.code).toBe('unknown-feature');
    expect(e.reason).toContain("'turbo'");
    expect(e.stderr).toBe('netlink error: bit name not found\nnetlink error: Operation not supported\n');
    // a catalogued feature the kernel's layout lacks is unknown to that kernel too
    expect(thrown(() => applyEthtoolCommand(vethDevice(), 'ethtool -K veth0 tx-tcp-accecn-segmentation off')).code).toBe('unknown-feature');
    expect(applyEthtoolCommand(vethDevice({ layout: LAYOUT_6_18 }), 'ethtool -K veth0 tx-tcp-accecn-segmentation off').exitCode).toBe(0);
  });

  it('fixed features cannot change: [requested on] and "Could not change any device features"', () => {
    const dev = vethDevice();
    const r = applyEthtoolCommand(dev, 'ethtool -K veth0 lro on');
    expect(r.stdout).toBe('Actual changes:\nrx-lro: off [requested on]\n');
    expect(r.stderr).toBe('Could not change any device features\n');
    expect(r.exitCode).toBe(1);
    expect(r.couldNotChange).toBe(true);
    expect(r.changes[0].reason).toBe('fixed: the driver does not let it change');
    expect(r.device).toBe(dev);
    // a fixed one next to a changeable one: the change happens, exit 0
    const mixed = applyEthtoolCommand(dev, 'ethtool -K veth0 lro on gro on');
    expect(mixed.stdout).toBe('Actual changes:\nrx-gro: on\nrx-lro: off [requested on]\n');
    expect(mixed.exitCode).toBe(0);
    // a legacy name with no feature on this kernel (ufo) changes nothing either
    const ufo = applyEthtoolCommand(dev, 'ethtool -K veth0 ufo on');
    expect(ufo.stdout).toBe('');
    expect(ufo.stderr).toBe('Could not change any device features\n');
  });

  it('never-changeable features are refused by the kernel as a whole', () => {
    const e = thrown(() => applyEthtoolCommand(vethDevice(), 'ethtool -K veth0 gro on vlan-challenged on'));
    expect(e.code).toBe('refused');
    expect(e.reason).toBe("'vlan-challenged' can never be changed (NETIF_F_NEVER_CHANGE)");
    expect(e.stderr).toBe('netlink error: attempt to change non-ethtool features\nnetlink error: Invalid argument\n');
    const io = thrown(() => applyEthtoolCommand(vethDevice(), 'ethtool --disable-netlink -K veth0 netns-local off'));
    expect(io.stderr).toBe('Cannot set device feature settings: Invalid argument\n');
  });

  it('a request that asks for the current state is not an error', () => {
    const r = applyEthtoolCommand(vethDevice(), 'ethtool -K veth0 lro off');
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('syntax errors carry the text ethtool prints', () => {
    const e = thrown(() => parseEthtoolKCommand('ethtool -K eth0 tso of'));
    expect(e.code).toBe('syntax');
    expect(e.stderr).toBe("ethtool (-K): flag 'of' for parameter 'tso' is not followed by 'on' or 'off'\n");
    expect(thrown(() => parseEthtoolKCommand('ethtool -K eth0 tso')).stderr).toContain("flag '(null)'");
    expect(thrown(() => parseEthtoolKCommand('ethtool -k eth0')).code).toBe('syntax');
    expect(thrown(() => parseEthtoolKCommand('ethtool -K')).reason).toBe('missing device name after -K');
    expect(thrown(() => applyEthtoolCommand(vethDevice(), 'ethtool -K eth9 tso off', 'veth0')).code).toBe('no-such-device');
  });
});

// A veth as kernels of that capture's era built it: no SCTP CRC offload, TSO_MANGLEID off.
function oldVeth(): NetDevice {
  const hw = maskOf('SG', 'FRAGLIST', 'HW_CSUM', 'RXCSUM', 'HIGHDMA', 'TSO', 'TSO6', 'TSO_ECN', 'HW_VLAN_CTAG_TX', 'HW_VLAN_CTAG_RX');
  const dev = registerNetdevice({ layout: LAYOUT_PRE_6_12, hwFeatures: hw, features: hw.with(F.LLTX) });
  return applyEthtoolCommand(dev, 'ethtool -K veth0 tx-tcp-mangleid-segmentation off').device;
}

describe('ethtool --disable-netlink -K (ioctl ethtool)', () => {
  it('reference §4.5 (RARE-bmv2 issue #5): grouped layout, side effects shown with [requested on]', () => {
    const r = applyEthtoolCommand(oldVeth(), 'ethtool --disable-netlink -K veth0 tx off');
    expect(r.stdout).toBe(
      'Actual changes:\n' +
        'tx-checksumming: off\n' +
        '\ttx-checksum-ip-generic: off\n' +
        'tcp-segmentation-offload: off\n' +
        '\ttx-tcp-segmentation: off [requested on]\n' +
        '\ttx-tcp-ecn-segmentation: off [requested on]\n' +
        '\ttx-tcp6-segmentation: off [requested on]\n',
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    // same kernel result as netlink ethtool, different report
    const nl = applyEthtoolCommand(oldVeth(), 'ethtool -K veth0 tx off');
    expect(nl.device.active.equals(r.device.active)).toBe(true);
    expect(nl.stdout).toContain('tx-tcp-segmentation: off [not requested]\n');
  });

  it('silent when the result is exactly the request; fixed-only flags print "Cannot change"', () => {
    expect(applyEthtoolCommand(vethDevice(), 'ethtool --disable-netlink -K veth0 gro on').stdout).toBe('');
    const lro = applyEthtoolCommand(vethDevice(), 'ethtool --disable-netlink -K veth0 lro on');
    expect(lro.stdout).toBe('');
    expect(lro.stderr).toBe('Cannot change large-receive-offload\nCould not change any device features\n');
    expect(lro.exitCode).toBe(1);
    const none = applyEthtoolCommand(vethDevice(), 'ethtool --disable-netlink -K veth0');
    expect(none.stdout).toBe('no features changed\n');
    expect(thrown(() => applyEthtoolCommand(vethDevice(), 'ethtool --disable-netlink -K veth0 warp on')).stderr).toBe(
      'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n',
    );
  });

  it('a change whose aggregate flag stays on lists the feature without its group header', () => {
    const r = applyEthtoolCommand(vethDevice(), 'ethtool --disable-netlink -K veth0 tx-checksum-sctp off tx-scatter-gather off');
    expect(r.stdout).toBe(
      'Actual changes:\n' +
        'tx-checksum-sctp: off\n' +
        'scatter-gather: off\n' +
        '\ttx-scatter-gather: off\n' +
        'tcp-segmentation-offload: off\n' +
        '\ttx-tcp-segmentation: off [requested on]\n' +
        '\ttx-tcp-ecn-segmentation: off [requested on]\n' +
        '\ttx-tcp-mangleid-segmentation: off [requested on]\n' +
        '\ttx-tcp6-segmentation: off [requested on]\n' +
        'generic-segmentation-offload: off [requested on]\n',
    );
    // exactly as requested, no side effect: ioctl ethtool prints nothing
    expect(applyEthtoolCommand(vethDevice(), 'ethtool --disable-netlink -K veth0 tx-checksum-sctp off tso off').stdout).toBe('');
  });
});

describe('feature intent and name resolution', () => {
  it('applies a scenario intent like one ethtool -K, any name form', () => {
    const r = applyFeatureIntent(vethDevice(), { 'tcp-segmentation-offload': false, gro: true, 'tx-udp-segmentation': false });
    expect(r.device.offloads.tso || r.device.offloads.uso).toBe(false);
    expect(r.device.offloads.gro).toBe(true);
    expect(r.stdout).toBe('');
    expect(thrown(() => applyFeatureIntent(vethDevice(), { warp: true })).code).toBe('unknown-feature');
  });

  it('resolves legacy, kernel and unknown names against a layout', () => {
    expect(resolveFeatureName(LAYOUT_MAINLINE, 'sg')?.map((e) => e.name)).toEqual(['tx-scatter-gather', 'tx-scatter-gather-fraglist']);
    expect(resolveFeatureName(LAYOUT_MAINLINE, 'large-receive-offload')?.map((e) => e.name)).toEqual(['rx-lro']);
    expect(resolveFeatureName(LAYOUT_MAINLINE, 'rx-gro-hw')?.map((e) => e.name)).toEqual(['rx-gro-hw']);
    expect(resolveFeatureName(LAYOUT_MAINLINE, 'ufo')).toEqual([]);
    expect(resolveFeatureName(LAYOUT_MAINLINE, 'tx-tcp-accecn-segmentation')).toBeNull();
    expect(resolveFeatureName(LAYOUT_6_18, 'tso')?.length).toBe(5);
    expect(resolveFeatureName(LAYOUT_MAINLINE, '')).toBeNull();
  });
});

describe('formatEthtoolKCommand', () => {
  it('uses legacy names when a whole group agrees, kernel strings otherwise, and applies back', () => {
    const base = virtioNetDevice();
    let dev = applyEthtoolCommand(base, 'ethtool -K ens3 tso off gro off tx-udp-segmentation on').device;
    const cmd = formatEthtoolKCommand(dev, 'ens3', base);
    expect(cmd).toBe('ethtool -K ens3 tso off gro off tx-udp-segmentation on');
    expect(applyEthtoolCommand(base, cmd).device.wanted.equals(dev.wanted)).toBe(true);
    dev = applyEthtoolCommand(base, 'ethtool -K ens3 tx-tcp6-segmentation off').device;
    expect(formatEthtoolKCommand(dev, 'ens3', base)).toBe('ethtool -K ens3 tx-tcp6-segmentation off');
    expect(formatEthtoolKCommand(base, 'ens3', base)).toBe('');
    // tx has fixed-off members on virtio, so 'tx on' would ask for them: the kernel string is used instead
    const off = applyEthtoolCommand(base, 'ethtool -K ens3 tx off').device;
    expect(formatEthtoolKCommand(off, 'ens3', base)).toBe('ethtool -K ens3 tx off');
    expect(formatEthtoolKCommand(base, 'ens3', off)).toBe('ethtool -K ens3 tx-checksum-ip-generic on');
  });

  it('without a baseline, lists every changeable feature', () => {
    const dev = vethDevice();
    const cmd = formatEthtoolKCommand(dev, 'veth0');
    expect(cmd.startsWith('ethtool -K veth0 rx on tx-checksum-ip-generic on tx-checksum-sctp on sg on tso on gso on gro off rxvlan on txvlan on highdma on')).toBe(true);
    const r = applyEthtoolCommand(dev, cmd);
    expect(r.device.wanted.equals(dev.wanted)).toBe(true);
    expect(r.stdout).toBe('');
  });
});
