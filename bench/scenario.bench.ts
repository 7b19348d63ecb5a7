// Scenario validation: what the one door for untrusted input costs, per preset and for a 2000-node document,
// against a same-run baseline of JSON.parse(JSON.stringify(doc)) (the cheapest full copy of the same data).
// Also the cost of applying a variant (path copy + re-validation) and of a single path set.
// Run: node --import tsx bench/scenario.bench.ts
import { setAtPath } from '../src/core/scenario/param-path';
import { findPreset, PRESETS } from '../src/core/scenario/presets/index';
import type { Scenario } from '../src/core/scenario/types';
import { parseScenario } from '../src/core/scenario/validate';
import { applyVariant } from '../src/core/scenario/variants';
import { measureNsPerOp } from './lib';

/** Median ns per op (bench/lib.ts), with this file's trial length. */
const measure = (body: () => number): number => measureNsPerOp(body, { targetMs: 60 });

const id = <T extends string>(s: string) => s as T;

/** VM pairs on 50 hosts, each pair on its own bridge, up to the node limit: 666 × (2 VMs + 1 bridge) = 1998
 * nodes, 1332 links, 666 flows. */
function bigScenario(): Scenario {
  const base = structuredClone(findPreset('vm-vm-offload')!.scenario);
  const [vm1, br, vm2] = base.nodes;
  const hosts = Array.from({ length: 50 }, (_, h) => ({ ...base.hosts[0], id: `h${h}` as Scenario['hosts'][number]['id'], cores: 64 }));
  const nodes: Scenario['nodes'] = [];
  const links: Scenario['links'] = [];
  const flows: Scenario['flows'] = [];
  for (let k = 0; k < 666; k++) {
    const host = hosts[k % hosts.length].id;
    const ip = (n: number) => `10.${k >> 8}.${k & 255}.${n}/24`;
    nodes.push(
      { ...structuredClone(vm1), id: id(`a${k}`), host, interfaces: [{ ...structuredClone(vm1.interfaces[0]), ipv4: ip(1) }] },
      { ...structuredClone(br), id: id(`b${k}`), host },
      { ...structuredClone(vm2), id: id(`c${k}`), host, interfaces: [{ ...structuredClone(vm2.interfaces[0]), ipv4: ip(2) }] },
    );
    links.push(
      { ...structuredClone(base.links[0]), id: id(`la${k}`), a: { node: id(`a${k}`), iface: 'eth0' }, b: { node: id(`b${k}`), iface: 'tap0' } },
      { ...structuredClone(base.links[1]), id: id(`lc${k}`), a: { node: id(`c${k}`), iface: 'eth0' }, b: { node: id(`b${k}`), iface: 'tap1' } },
    );
    flows.push({ ...structuredClone(base.flows[0]), id: id(`f${k}`), from: id(`a${k}`), to: id(`c${k}`) });
  }
  return { ...base, id: 'big', hosts, nodes, links, flows };
}

const rows: Array<[string, number, number]> = [];
const add = (label: string, doc: unknown, body: () => number) => {
  const copy = measure(() => (JSON.parse(JSON.stringify(doc)) as unknown[]) && 1);
  rows.push([label, measure(body), copy]);
};

for (const presetId of ['vm-vm-offload', 'router-club', 'multiqueue-rss', 'vm-to-vm-vs-nic-to-vm']) {
  const s = findPreset(presetId)!.scenario;
  add(`parseScenario(${presetId})`, s, () => (parseScenario(s).ok ? 1 : 0));
}
const big = bigScenario();
const bigCheck = parseScenario(big);
if (!bigCheck.ok) throw new Error(`big scenario invalid: ${bigCheck.errors[0].message}`);
add(`parseScenario(${big.nodes.length} nodes, ${big.links.length} links)`, big, () => (parseScenario(big).ok ? 1 : 0));
const bad = structuredClone(big) as unknown as { nodes: { interfaces: { mtu: number }[] }[] };
for (let k = 0; k < bad.nodes.length; k += 3) bad.nodes[k].interfaces[0].mtu = 9;
add('parseScenario(big, 666 bad MTUs → 50 errors)', bad, () => (parseScenario(bad).ok ? 0 : 1));
const q = findPreset('qos-fast-egress')!;
add('applyVariant(qos-fast-egress@segmented-10g)', q.scenario, () => (applyVariant(q.scenario, q.variants[3]).ok ? 1 : 0));
add('setAtPath(big, nodes[id=c665]…mtu)', big, () => (setAtPath(big, 'nodes[id=c665].interfaces[name=eth0].mtu', 9000).ok ? 1 : 0));

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${'operation'.padEnd(w)}  ${'µs/op'.padStart(10)}  ${'copy µs'.padStart(10)}  ${'× copy'.padStart(8)}`);
for (const [label, ns, copyNs] of rows) {
  console.log(`${label.padEnd(w)}  ${(ns / 1e3).toFixed(1).padStart(10)}  ${(copyNs / 1e3).toFixed(1).padStart(10)}  ${(ns / copyNs).toFixed(2).padStart(8)}`);
}
console.log(`(baseline "copy" = JSON.parse(JSON.stringify(doc)) of the same document in the same run; presets: ${PRESETS.length})`);
