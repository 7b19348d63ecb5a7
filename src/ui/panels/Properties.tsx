/** The right panel: one selection drives it (host, node, interface or link); nothing selected shows the scenario. */
import { useId, useState } from 'react';
import { useAppStore, type SelItem } from '../../store/app-store';
import { LIMITS, parseCidr, parseIpv4, parseIpv6 } from '../../core/scenario/schema';
import type { Endpoint, FirewallRuleSpec, HostSpec, InterfaceSpec, InterfaceTemplate, LinkKind, LinkSpec, NodeSpec, QdiscSpec, RouteSpec, Scenario } from '../../core/scenario/types';
import { findPreset, type PresetDef } from '../../core/scenario/presets';
import { COST_PROFILES } from '../../core/sim/profiles';
import fidelityRows from '../../core/scenario/presets/fidelity.json';
import { addIfaceEdit, linkOf } from '../../core/edit/ops';
import { connect, deleteSelection, selectItem } from '../canvas/actions';
import { linkLabel } from '../canvas/TopologyCanvas';
import { CheckField, NumField, SelectField, TextField } from './fields';
import { OffloadPanel } from './OffloadPanel';

const cidrCheck = (t: string) => (parseCidr(t) ? null : `"${t}" is not an address with a prefix length, e.g. 10.0.1.2/24`);
const ipv4Check = (t: string) => {
  const c = parseCidr(t);
  return c?.family === 4 ? null : `"${t}" is not an IPv4 address with a prefix length, e.g. 10.0.1.2/24`;
};
const ipv6Check = (t: string) => {
  const c = parseCidr(t);
  return c?.family === 6 ? null : `"${t}" is not an IPv6 address with a prefix length, e.g. fd00::1/64`;
};
const macCheck = (t: string) => (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(t) ? null : `"${t}" is not a MAC address like 52:54:00:00:00:01`);
const nameCheck = (t: string) => (/^[A-Za-z0-9_.:-]{1,15}$/.test(t) ? null : 'an interface name is 1–15 letters, digits, "_", ".", ":" or "-"');

export function Properties() {
  const selection = useAppStore((s) => s.selection);
  const scenario = useAppStore((s) => s.scenario);
  const item = selection[0];
  return (
    <section className="properties" aria-label="Properties">
      {selection.length > 1 && (
        <p className="hint">
          {selection.length} items selected; showing the first. <button type="button" onClick={deleteSelection}>Delete all {selection.length}</button>
        </p>
      )}
      {item ? <ItemProps item={item} scenario={scenario} /> : <ScenarioProps scenario={scenario} />}
    </section>
  );
}

function ItemProps({ item, scenario }: { item: SelItem; scenario: Scenario }) {
  switch (item.kind) {
    case 'host': {
      const h = scenario.hosts.find((x) => x.id === item.id);
      return h ? <HostProps host={h} scenario={scenario} /> : null;
    }
    case 'node': {
      const n = scenario.nodes.find((x) => x.id === item.id);
      return n ? <NodeProps node={n} scenario={scenario} /> : null;
    }
    case 'iface': {
      const n = scenario.nodes.find((x) => x.id === item.node);
      const i = n?.interfaces.find((x) => x.name === item.iface);
      return n && i ? <IfaceProps key={`${n.id}/${i.name}`} node={n} iface={i} scenario={scenario} /> : null;
    }
    case 'link': {
      const l = scenario.links.find((x) => x.id === item.id);
      return l ? <LinkProps key={l.id} link={l} scenario={scenario} /> : null;
    }
    default: {
      const never: never = item;
      return never;
    }
  }
}

function ScenarioProps({ scenario }: { scenario: Scenario }) {
  const presetId = useAppStore((s) => s.presetId);
  const edit = useAppStore((s) => s.edit);
  const selectPreset = useAppStore((s) => s.selectPreset);
  const preset = findPreset(presetId);
  // A loaded variant shows in the scenario id (`preset@variant`), which stays until the topology is edited away.
  const loadedVariant = preset && scenario.id.startsWith(`${preset.id}@`) ? scenario.id.slice(preset.id.length + 1) : '';
  return (
    <>
      <h2>Scenario</h2>
      <TextField label="Title" value={scenario.title} onCommit={(v) => v && edit({ kind: 'set-scenario-prop', patch: { title: v } })} />
      <NumField label="Run length" unit="ms" value={scenario.durationNs} scale={1e6} min={scenario.sampleIntervalNs} max={LIMITS.maxSimulatedNs} onCommit={(v) => v !== undefined && edit({ kind: 'set-scenario-prop', patch: { durationNs: v } })} />
      <SelectField label="Cost profile" value={scenario.profile} options={PROFILE_OPTIONS} onChange={(v) => edit({ kind: 'set-scenario-prop', patch: { profile: v } })} />
      {scenario.profileOverrides && Object.keys(scenario.profileOverrides).length > 0 && (
        <p className="hint">
          Overridden costs: {Object.entries(scenario.profileOverrides).map(([k, v]) => `${k} = ${v}`).join(', ')}
        </p>
      )}
      {preset && (
        <>
          <p className="one-line">{preset.oneLine}</p>
          {preset.variants.length > 0 && (
            <SelectField
              label="Preset variant"
              value={preset.variants.some((v) => v.name === loadedVariant) ? loadedVariant : ''}
              options={[{ value: '', label: 'base set-up' }, ...preset.variants.map((v) => ({ value: v.name, label: `${v.name} — ${v.title}` }))]}
              onChange={(v) => selectPreset(preset.id, v === '' ? undefined : v)}
            />
          )}
          <details>
            <summary>What to look at</summary>
            <p className="explanation">{preset.explanation}</p>
          </details>
          <FidelityChecks preset={preset} />
        </>
      )}
      <p className="hint">
        {scenario.hosts.length} host(s), {scenario.nodes.length} node(s), {scenario.links.length} link(s), {scenario.flows.length} flow(s). Select a node, interface dot or link to edit it.
      </p>
    </>
  );
}

/** Every cost profile, as the Scenario panel offers it (docs/cost-profile-kvm-2017.md). */
const PROFILE_OPTIONS = Object.values(COST_PROFILES).map((p) => ({ value: p.id, label: `${p.id} — ${p.title}` }));

const mathSymbols = (bound: string) => bound.replace('<=', '≤').replace('>=', '≥');

/** The article's claims for this preset next to what the model gave (the committed fidelity report). */
function FidelityChecks({ preset }: { preset: PresetDef }) {
  const rows = fidelityRows.filter((r) => r.run === preset.id || r.run.startsWith(`${preset.id}@`));
  if (rows.length === 0) return null;
  const held = rows.filter((r) => r.holds).length;
  return (
    <details className="fidelity">
      <summary>
        Against the article: {held} of {rows.length} hold
      </summary>
      <p className="hint">
        kvm-2017 profile, seed 1, as <code>npx offload-lab report</code> measures it.
      </p>
      <ul>
        {rows.map((r) => (
          <li key={`${r.run} ${r.text}`} className={r.holds ? 'holds' : 'differs'}>
            <span aria-label={r.holds ? 'holds' : 'differs'}>{r.holds ? '✓' : '✗'}</span> {r.text}
            {r.run !== preset.id && <code> @{r.run.slice(preset.id.length + 1)}</code>}: expected {mathSymbols(r.expected)}, model {r.ours}
          </li>
        ))}
      </ul>
      {preset.fidelityNote && <p className="explanation">{preset.fidelityNote}</p>}
    </details>
  );
}

function HostProps({ host, scenario }: { host: HostSpec; scenario: Scenario }) {
  const edit = useAppStore((s) => s.edit);
  const count = scenario.nodes.filter((n) => n.host === host.id).length;
  return (
    <>
      <h2>
        Host <code>{host.id}</code>
      </h2>
      <TextField label="Title" optional value={host.title} onCommit={(v) => edit({ kind: 'set-host-prop', id: host.id, patch: { title: v } })} />
      <NumField label="Cores" value={host.cores} min={LIMITS.cores.min} max={LIMITS.cores.max} onCommit={(v) => v !== undefined && edit({ kind: 'set-host-prop', id: host.id, patch: { cores: v } })} />
      <p className="hint">{count} node(s). New nodes from the palette go into the selected host.</p>
      <button type="button" onClick={deleteSelection}>
        Delete host {count ? `and its ${count} node(s)` : ''}
      </button>
    </>
  );
}

function NodeProps({ node, scenario }: { node: NodeSpec; scenario: Scenario }) {
  const edit = useAppStore((s) => s.edit);
  const setNotice = useAppStore((s) => s.setNotice);
  const id = node.id;
  return (
    <>
      <h2>
        {node.kind} <code>{id}</code>
      </h2>
      <TextField label="Title" optional value={node.title} onCommit={(v) => edit({ kind: 'set-node-prop', id, patch: { title: v } })} />
      <SelectField label="Host" value={node.host as string} options={scenario.hosts.map((h) => ({ value: h.id as string, label: `${h.id} (${h.cores} cores)` }))} onChange={(v) => edit({ kind: 'set-node-prop', id, patch: { host: v } })} />
      {node.kind === 'vm' && <NumField label="vCPUs" value={node.vcpus} min={1} max={LIMITS.cores.max} onCommit={(v) => v !== undefined && edit({ kind: 'set-node-prop', id, patch: { vcpus: v } })} />}
      {(node.kind === 'router' || node.kind === 'forwarder') && (
        <NumField label="Cores" value={node.cores} min={1} max={LIMITS.cores.max} onCommit={(v) => v !== undefined && edit({ kind: 'set-node-prop', id, patch: { cores: v } })} />
      )}
      {node.kind === 'forwarder' && (
        <NumField label="Memory" unit="MiB" scale={2 ** 20} value={node.memoryBytes} min={0} max={LIMITS.memoryBytes.max} onCommit={(v) => v !== undefined && edit({ kind: 'set-node-prop', id, patch: { memoryBytes: v } })} />
      )}
      <h3>Interfaces</h3>
      <ul className="iface-list">
        {node.interfaces.map((i) => {
          const l = linkOf(scenario, { node: id, iface: i.name } as Endpoint);
          const peer = l ? (l.a.node === id && l.a.iface === i.name ? l.b : l.a) : null;
          return (
            <li key={i.name}>
              <button type="button" onClick={() => selectItem({ kind: 'iface', node: id, iface: i.name }, false)} aria-label={`Edit interface ${id}/${i.name}`}>
                {i.name}
              </button>{' '}
              <span className="hint">
                {i.template}
                {i.ipv4 ? ` · ${i.ipv4}` : ''}
                {peer ? ` · → ${peer.node}/${peer.iface}` : ' · not connected'}
              </span>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        onClick={() => {
          const e = addIfaceEdit(scenario, id);
          if (typeof e === 'string') setNotice(e);
          else edit(e);
        }}
        disabled={node.interfaces.length >= LIMITS.interfacesPerNode}
      >
        Add interface
      </button>
      {node.kind === 'router' && <Routes node={node} />}
      {node.kind === 'router' && <Firewall node={node} />}
      <p>
        <button type="button" className="danger" onClick={deleteSelection}>
          Delete {id}
        </button>
      </p>
    </>
  );
}

function Routes({ node }: { node: Extract<NodeSpec, { kind: 'router' }> }) {
  const edit = useAppStore((s) => s.edit);
  const [prefix, setPrefix] = useState('');
  const [iface, setIface] = useState(node.interfaces[0]?.name ?? '');
  const [via, setVia] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const pid = useId();
  const set = (routes: RouteSpec[]) => edit({ kind: 'set-node-prop', id: node.id, patch: { routes } });
  const add = () => {
    const c = parseCidr(prefix.trim());
    if (!c) return setErr(`"${prefix}" is not a prefix like 10.0.2.0/24`);
    if (!c.hostBitsZero) return setErr(`"${prefix}" has host bits set; a route prefix is a network, e.g. 10.0.2.0/24`);
    if (!node.interfaces.some((i) => i.name === iface)) return setErr('choose an outgoing interface');
    const v = via.trim();
    if (v && (c.family === 4 ? parseIpv4(v) === null : parseIpv6(v) === null)) return setErr(`via "${v}" must be an IPv${c.family} address`);
    setErr(null);
    set([...node.routes, { prefix: prefix.trim(), iface, ...(v ? { via: v } : {}) }]);
    setPrefix('');
    setVia('');
  };
  return (
    <>
      <h3>Routes</h3>
      <table className="mini" aria-label={`Routes of ${node.id}`}>
        <thead>
          <tr>
            <th>prefix</th>
            <th>dev</th>
            <th>via</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {node.routes.map((r, k) => (
            <tr key={`${r.prefix}-${k}`}>
              <td className="mono">{r.prefix}</td>
              <td className="mono">{r.iface}</td>
              <td className="mono">{r.via ?? ''}</td>
              <td>
                <button type="button" aria-label={`Remove route ${r.prefix}`} onClick={() => set(node.routes.filter((_, j) => j !== k))}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="inline-form" role="group" aria-label="Add route">
        <input id={pid} aria-label="Route prefix" placeholder="10.0.2.0/24" className="mono" value={prefix} onChange={(e) => setPrefix(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && add()} />
        <select aria-label="Route interface" value={iface} onChange={(e) => setIface(e.target.value)}>
          {node.interfaces.map((i) => (
            <option key={i.name}>{i.name}</option>
          ))}
        </select>
        <input aria-label="Route via (optional)" placeholder="via" className="mono" value={via} onChange={(e) => setVia(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && add()} />
        <button type="button" onClick={add}>
          Add route
        </button>
      </div>
      {err && (
        <p className="field-error" role="alert">
          {err}
        </p>
      )}
    </>
  );
}

/** The rule as an iptables line. */
const ruleText = (r: FirewallRuleSpec): string => `-A FORWARD${r.proto ? ` -p ${r.proto}` : ''}${r.srcPrefix ? ` -s ${r.srcPrefix}` : ''}${r.dstPrefix ? ` -d ${r.dstPrefix}` : ''}${r.dstPort ? ` --dport ${r.dstPort}` : ''} -j ${r.action.toUpperCase()}`;

function Firewall({ node }: { node: Extract<NodeSpec, { kind: 'router' }> }) {
  const edit = useAppStore((s) => s.edit);
  const [action, setAction] = useState<'accept' | 'drop'>('drop');
  const [proto, setProto] = useState<'' | 'tcp' | 'udp'>('tcp');
  const [dst, setDst] = useState('');
  const [port, setPort] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const set = (firewall: FirewallRuleSpec[]) => edit({ kind: 'set-node-prop', id: node.id, patch: { firewall } });
  const add = () => {
    const rule: FirewallRuleSpec = { action };
    if (proto) rule.proto = proto;
    if (dst.trim()) {
      const why = cidrCheck(dst.trim());
      if (why) return setErr(why);
      rule.dstPrefix = dst.trim();
    }
    if (port.trim()) {
      const p = Number(port);
      if (!Number.isInteger(p) || p < 1 || p > 65535) return setErr('port must be 1–65535');
      if (!proto) return setErr('a port needs tcp or udp, as iptables --dport needs -p');
      rule.dstPort = p;
    }
    setErr(null);
    set([...node.firewall, rule]);
    setDst('');
    setPort('');
  };
  const show = ruleText;
  return (
    <>
      <h3>Firewall</h3>
      <ol className="rules">
        {node.firewall.map((r, k) => (
          <li key={`${show(r)}-${k}`}>
            <code>{show(r)}</code>{' '}
            <button type="button" aria-label={`Remove firewall rule ${k + 1}`} onClick={() => set(node.firewall.filter((_, j) => j !== k))}>
              ✕
            </button>
          </li>
        ))}
      </ol>
      <div className="inline-form" role="group" aria-label="Add firewall rule">
        <select aria-label="Rule action" value={action} onChange={(e) => setAction(e.target.value as 'accept' | 'drop')}>
          <option value="drop">drop</option>
          <option value="accept">accept</option>
        </select>
        <select aria-label="Rule protocol" value={proto} onChange={(e) => setProto(e.target.value as '' | 'tcp' | 'udp')}>
          <option value="">any</option>
          <option value="tcp">tcp</option>
          <option value="udp">udp</option>
        </select>
        <input aria-label="Rule destination prefix" placeholder="dst 10.0.2.0/24" className="mono" value={dst} onChange={(e) => setDst(e.target.value)} />
        <input aria-label="Rule destination port" placeholder="port" className="mono short" value={port} onChange={(e) => setPort(e.target.value)} />
        <button type="button" onClick={add}>
          Add rule
        </button>
      </div>
      {err && (
        <p className="field-error" role="alert">
          {err}
        </p>
      )}
    </>
  );
}

const TEMPLATES: readonly InterfaceTemplate[] = ['virtio-net', 'tap', 'veth', 'bridge', 'nic'];

function qdiscFor(kind: QdiscSpec['kind'], old: QdiscSpec): QdiscSpec {
  const limitPackets = old.kind === 'noqueue' ? 1000 : old.limitPackets;
  const rate = old.kind === 'noqueue' || old.rateBitsPerSec === undefined ? {} : { rateBitsPerSec: old.rateBitsPerSec };
  switch (kind) {
    case 'noqueue':
      return { kind };
    case 'pfifo':
      return { kind, limitPackets, ...rate };
    case 'prio':
      return { kind, bands: 3, limitPackets, ...rate };
    case 'fq':
      return { kind, limitPackets, flowLimitPackets: Math.min(100, limitPackets), quantumBytes: 3028, ...rate };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function IfaceProps({ node, iface, scenario }: { node: NodeSpec; iface: InterfaceSpec; scenario: Scenario }) {
  const edit = useAppStore((s) => s.edit);
  const at = { node: node.id, iface: iface.name } as Endpoint;
  const set = (patch: Partial<InterfaceSpec>) => edit({ kind: 'set-iface-prop', at, patch });
  const link = linkOf(scenario, at);
  const q = iface.qdisc;
  const free = scenario.nodes.flatMap((n) => (n.id === node.id ? [] : n.interfaces.filter((i) => !linkOf(scenario, { node: n.id, iface: i.name } as Endpoint)).map((i) => `${n.id}/${i.name}`)));
  const [target, setTarget] = useState('');
  const chosen = free.includes(target) ? target : (free[0] ?? '');
  return (
    <>
      <h2>
        Interface <code>
          {node.id}/{iface.name}
        </code>
      </h2>
      <TextField label="Name" value={iface.name} check={nameCheck} monospace onCommit={(v) => v && edit({ kind: 'rename-iface', node: node.id, from: iface.name, to: v })} />
      <SelectField label="Template" value={iface.template} options={TEMPLATES.map((t) => ({ value: t, label: t }))} onChange={(t) => set({ template: t, features: {} })} />
      <TextField label="IPv4" optional value={iface.ipv4} placeholder="10.0.1.2/24" monospace check={ipv4Check} onCommit={(v) => set({ ipv4: v })} />
      <TextField label="IPv6" optional value={iface.ipv6} placeholder="fd00::2/64" monospace check={ipv6Check} onCommit={(v) => set({ ipv6: v })} />
      <TextField label="MAC" optional value={iface.mac} placeholder="52:54:00:00:00:01" monospace check={macCheck} onCommit={(v) => set({ mac: v })} />
      <NumField label="MTU" unit="bytes" value={iface.mtu} min={LIMITS.mtu.min} max={LIMITS.mtu.max} onCommit={(v) => v !== undefined && set({ mtu: v })} />
      <NumField label="Queues" value={iface.queues} min={LIMITS.queues.min} max={LIMITS.queues.max} onCommit={(v) => v !== undefined && set({ queues: v })} />
      <CheckField label="vnet header (virtio_net_hdr)" checked={iface.vnetHdr} onChange={(v) => set({ vnetHdr: v })} description="Carries CHECKSUM_PARTIAL and GSO metadata across the link; both ends must have it." />
      <SelectField
        label="qdisc"
        value={q.kind}
        options={(['noqueue', 'pfifo', 'prio', 'fq'] as const).map((k) => ({ value: k, label: k }))}
        onChange={(k) => set({ qdisc: qdiscFor(k, q) })}
      />
      {q.kind !== 'noqueue' && (
        <>
          <NumField label="Queue limit" unit="packets" value={q.limitPackets} min={LIMITS.limitPackets.min} max={LIMITS.limitPackets.max} onCommit={(v) => v !== undefined && set({ qdisc: { ...q, limitPackets: v } })} />
          <NumField
            label="Shaping rate"
            unit="Mbit/s"
            optional
            scale={1e6}
            integer={false}
            value={q.rateBitsPerSec}
            min={1}
            max={LIMITS.rateBitsPerSec.max}
            onCommit={(v) => {
              const { rateBitsPerSec: _old, ...rest } = q;
              set({ qdisc: v === undefined ? rest : { ...rest, rateBitsPerSec: Math.round(v) } });
            }}
          />
        </>
      )}
      <h3>Link</h3>
      {link ? (
        <p>
          <button type="button" onClick={() => selectItem({ kind: 'link', id: link.id }, false)}>
            {linkLabel(scenario, link)} to {link.a.node === node.id && link.a.iface === iface.name ? `${link.b.node}/${link.b.iface}` : `${link.a.node}/${link.a.iface}`}
          </button>
        </p>
      ) : (
        <div className="inline-form" role="group" aria-label="Connect">
          <select aria-label="Connect to interface" value={chosen} onChange={(e) => setTarget(e.target.value)} disabled={free.length === 0}>
            {free.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
          <button
            type="button"
            disabled={!chosen}
            onClick={() => {
              const [n, ...rest] = chosen.split('/');
              connect(at, { node: n, iface: rest.join('/') } as Endpoint);
            }}
          >
            Connect
          </button>
        </div>
      )}
      <OffloadPanel at={at} iface={iface} nodeKind={node.kind} />
      <p>
        <button type="button" className="danger" onClick={deleteSelection}>
          Remove interface {iface.name}
        </button>
      </p>
    </>
  );
}

const LINK_KINDS: readonly LinkKind[] = ['virtio', 'veth', 'tap', 'wire'];

function LinkProps({ link, scenario }: { link: LinkSpec; scenario: Scenario }) {
  const edit = useAppStore((s) => s.edit);
  const id = link.id;
  const setKind = (kind: LinkKind) => {
    // Keep only the fields the new kind takes, with defaults for the ones it needs.
    const patch =
      kind === 'wire'
        ? { kind, rateBitsPerSec: link.rateBitsPerSec ?? 10e9, delayNs: link.delayNs ?? 10_000, ringSize: undefined, eventIdx: undefined }
        : kind === 'virtio'
          ? { kind, rateBitsPerSec: undefined, delayNs: undefined, ringSize: link.ringSize, eventIdx: link.eventIdx ?? true }
          : { kind, rateBitsPerSec: undefined, delayNs: undefined, ringSize: undefined, eventIdx: undefined };
    edit({ kind: 'set-link-prop', id, patch });
  };
  return (
    <>
      <h2>
        Link <code>{id}</code>
      </h2>
      <p className="mono">
        {link.a.node}/{link.a.iface} ⇄ {link.b.node}/{link.b.iface}
      </p>
      <p className="hint">{linkLabel(scenario, link)}</p>
      <SelectField label="Kind" value={link.kind} options={LINK_KINDS.map((k) => ({ value: k, label: k }))} onChange={setKind} />
      {link.kind === 'wire' && (
        <>
          <NumField label="Rate" unit="Gbit/s" scale={1e9} integer={false} value={link.rateBitsPerSec} min={1e3} max={LIMITS.rateBitsPerSec.max} onCommit={(v) => v !== undefined && edit({ kind: 'set-link-prop', id, patch: { rateBitsPerSec: Math.round(v) } })} />
          <NumField label="Delay" unit="µs" scale={1e3} integer={false} optional value={link.delayNs} min={0} max={LIMITS.delayNs.max} onCommit={(v) => edit({ kind: 'set-link-prop', id, patch: { delayNs: v === undefined ? undefined : Math.round(v) } })} />
        </>
      )}
      {link.kind === 'virtio' && (
        <>
          <NumField label="Ring size" unit="descriptors" optional placeholder="profile default" value={link.ringSize} min={LIMITS.ringSize.min} max={LIMITS.ringSize.max} onCommit={(v) => edit({ kind: 'set-link-prop', id, patch: { ringSize: v } })} />
          <CheckField label="event index (VIRTIO_RING_F_EVENT_IDX)" checked={link.eventIdx ?? false} onChange={(v) => edit({ kind: 'set-link-prop', id, patch: { eventIdx: v } })} />
        </>
      )}
      {link.kind !== 'wire' && <p className="hint">Shape a {link.kind} link with a qdisc rate on either interface.</p>}
      <p>
        <button type="button" onClick={() => selectItem({ kind: 'iface', node: link.a.node, iface: link.a.iface }, false)}>
          Edit {link.a.node}/{link.a.iface}
        </button>{' '}
        <button type="button" onClick={() => selectItem({ kind: 'iface', node: link.b.node, iface: link.b.iface }, false)}>
          Edit {link.b.node}/{link.b.iface}
        </button>
      </p>
      <p>
        <button type="button" className="danger" onClick={deleteSelection}>
          Delete link {id}
        </button>
      </p>
    </>
  );
}
