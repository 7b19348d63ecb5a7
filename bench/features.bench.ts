// Netdev features: per-frame predicates (the engine asks "is TSO on?" per frame) and control-plane operations
// (fix rules, ethtool -k text, ethtool -K), against a same-run baseline of reading a boolean field.
// Also a BigInt bitset for comparison, to justify the three-uint32-word representation.
// Run: node --import tsx bench/features.bench.ts
import { F, LAYOUT_6_18 } from '../src/core/features/catalog';
import { netGsoOk } from '../src/core/features/device';
import { applyEthtoolCommand, formatEthtoolK, parseEthtoolK } from '../src/core/features/ethtool';
import { netdevFixFeatures } from '../src/core/features/fix';
import { ixgbeLikeDevice, virtioNetDevice, vethDevice } from '../src/core/features/presets';
import { measureNsPerOp } from './lib';

/** Median ns per op (bench/lib.ts), with this file's trial length. */
const measure = (body: (i: number) => number): number => measureNsPerOp(body, { targetMs: 40, startIterations: 1024 });

// Eight devices so reads are not all one hidden class slot / one constant.
const devices = [virtioNetDevice(), vethDevice(), ixgbeLikeDevice(), vethDevice({ layout: LAYOUT_6_18 })];
const devs = [...devices, ...devices];
const plain = devs.map((d) => ({ tso: d.offloads.tso }));
const bigints = devs.map((d) => BigInt(d.active.w0) | (BigInt(d.active.w1) << 32n) | (BigInt(d.active.w2) << 64n));
const TSO_BIG = 1n << BigInt(F.TSO);
const SKB_GSO_TCPV4 = 1;

const rows: Array<[string, number]> = [];
const baseline = measure((i) => (plain[i & 7].tso ? 1 : 0));
rows.push(['baseline: read a boolean field', baseline]);
rows.push(['dev.offloads.tso (precomputed)', measure((i) => (devs[i & 7].offloads.tso ? 1 : 0))]);
rows.push(['dev.active.has(F.TSO)', measure((i) => (devs[i & 7].active.has(F.TSO) ? 1 : 0))]);
rows.push(['BigInt bitset (big & TSO) != 0n', measure((i) => ((bigints[i & 7] & TSO_BIG) !== 0n ? 1 : 0))]);
rows.push(['netGsoOk(active, SKB_GSO_TCPV4)', measure((i) => (netGsoOk(devs[i & 7].active, SKB_GSO_TCPV4) ? 1 : 0))]);
rows.push(['netdevFixFeatures (virtio, all on)', measure((i) => netdevFixFeatures(devs[i & 7].active.or(devs[i & 7].hw), devs[i & 7].fix).dropped.length)]);
const text = formatEthtoolK(devices[3], 'veth0');
rows.push(['formatEthtoolK (65 lines)', measure((i) => formatEthtoolK(devs[i & 7], 'eth0').length)]);
rows.push(['parseEthtoolK (Appendix A text)', measure(() => parseEthtoolK(text).device.hw.size())]);
rows.push(["applyEthtoolCommand 'tso off gso on'", measure((i) => applyEthtoolCommand(devs[i & 7], 'ethtool -K eth0 tso off gso on').changes.length)]);

console.log('operation                               ns/op      × baseline');
for (const [name, ns] of rows) console.log(`${name.padEnd(38)} ${ns.toFixed(1).padStart(9)}  ${(ns / baseline).toFixed(1).padStart(10)}`);
