import { describe, expect, it } from 'vitest';
import { formatPath, getAtPath, parseParamValue, parsePath, setAtPath } from './param-path';

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

const doc = () =>
  deepFreeze({
    links: [{ id: 'l0', rateBitsPerSec: 1e9 }, { id: 'l1' }],
    nodes: [{ id: 'r1', interfaces: [{ name: 'eth0', mtu: 1500, features: { 'rx-gro': true } }, { name: 'eth1', mtu: 1500, features: {} }] }],
  });

describe('parsePath', () => {
  it('parses keys, indices and selectors and formats them back', () => {
    const r = parsePath('nodes[id=r1].interfaces[name=eth1].features.tx-udp_tnl-segmentation');
    expect(r).toEqual({
      ok: true,
      value: [
        { kind: 'key', key: 'nodes' },
        { kind: 'select', field: 'id', value: 'r1' },
        { kind: 'key', key: 'interfaces' },
        { kind: 'select', field: 'name', value: 'eth1' },
        { kind: 'key', key: 'features' },
        { kind: 'key', key: 'tx-udp_tnl-segmentation' },
      ],
    });
    if (r.ok) expect(formatPath(r.value)).toBe('nodes[id=r1].interfaces[name=eth1].features.tx-udp_tnl-segmentation');
    expect(parsePath('links[0].rateBitsPerSec')).toEqual({ ok: true, value: [{ kind: 'key', key: 'links' }, { kind: 'index', index: 0 }, { kind: 'key', key: 'rateBitsPerSec' }] });
  });

  it.each(['', '.a', 'a..b', 'a[', 'a[x]', 'a[0]b', 'a b', '__proto__.x', 'a.constructor', 'a[__proto__=1]', 'x'.repeat(600)])('rejects %j', (p) => {
    expect(parsePath(p).ok).toBe(false);
  });
});

describe('getAtPath / setAtPath', () => {
  it('reads by index and selector; a missing final field reads as undefined', () => {
    expect(getAtPath(doc(), 'nodes[id=r1].interfaces[name=eth0].mtu')).toEqual({ ok: true, value: 1500 });
    expect(getAtPath(doc(), 'links[1].rateBitsPerSec')).toEqual({ ok: true, value: undefined });
    expect(getAtPath(doc(), 'links[2].id').ok).toBe(false);
    expect(getAtPath(doc(), 'nodes[id=r2].id').ok).toBe(false);
  });

  it('sets without touching the input and shares untouched parts', () => {
    const d = doc();
    const before = JSON.stringify(d);
    const r = setAtPath(d, 'nodes[id=r1].interfaces[name=eth1].mtu', 9000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(JSON.stringify(d)).toBe(before);
    expect(r.value.nodes[0].interfaces[1].mtu).toBe(9000);
    expect(r.value.nodes[0].interfaces[0]).toBe(d.nodes[0].interfaces[0]);
    expect(r.value.links).toBe(d.links);
  });

  it('creates an absent final field but not an absent parent', () => {
    const r = setAtPath(doc(), 'links[1].rateBitsPerSec', 1e10);
    expect(r.ok && r.value.links[1]).toEqual({ id: 'l1', rateBitsPerSec: 1e10 });
    expect(setAtPath(doc(), 'links[1].qdisc.rate', 1).ok).toBe(false);
    expect(setAtPath(doc(), 'links.x', 1).ok).toBe(false);
    expect(setAtPath(doc(), 'links[0][1]', 1).ok).toBe(false);
  });

  it('reports ambiguous selectors', () => {
    const d = { xs: [{ id: 'a' }, { id: 'a' }] };
    const r = setAtPath(d, 'xs[id=a].id', 'b');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('more than one');
  });
});

describe('parseParamValue', () => {
  it('reads numbers, booleans and strings', () => {
    expect(parseParamValue('1e9')).toBe(1e9);
    expect(parseParamValue('-2.5')).toBe(-2.5);
    expect(parseParamValue('true')).toBe(true);
    expect(parseParamValue('false')).toBe(false);
    expect(parseParamValue('vm1')).toBe('vm1');
    expect(parseParamValue('0x10')).toBe('0x10');
  });
});
