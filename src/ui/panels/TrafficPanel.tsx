/** Traffic: the scenario's flows, and a form to add bulk TCP, UDP or request/response probe flows. */
import { useState } from 'react';
import { useAppStore } from '../../store/app-store';
import { addFlowEdit } from '../../core/edit/ops';
import type { FlowSpec } from '../../core/scenario/types';
import { LIMITS } from '../../core/scenario/schema';
import type { FlowPatch } from '../../core/edit/edit';
import { duration, si } from '../format';
import { NumField } from './fields';

const KINDS: readonly { kind: FlowSpec['kind']; label: string }[] = [
  { kind: 'tcp', label: 'bulk TCP' },
  { kind: 'udp', label: 'UDP stream' },
  { kind: 'probe', label: 'request/response probe' },
];

function describeFlow(f: FlowSpec): string {
  switch (f.kind) {
    case 'tcp':
      return `bulk TCP${f.bytes ? ` · ${si(f.bytes, 'B')}` : ''}`;
    case 'udp':
      return `UDP · ${si(f.rateBitsPerSec, 'bit/s')} · ${f.payloadBytes} B`;
    case 'probe':
      return `probe every ${duration(f.intervalNs)}`;
    default: {
      const never: never = f;
      return never;
    }
  }
}

export function TrafficPanel() {
  const scenario = useAppStore((s) => s.scenario);
  const edit = useAppStore((s) => s.edit);
  const endpoints = scenario.nodes.filter((n) => n.kind === 'vm' || n.kind === 'container').map((n) => n.id as string);
  const [kind, setKind] = useState<FlowSpec['kind']>('tcp');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const src = endpoints.includes(from) ? from : (endpoints[0] ?? '');
  const dst = endpoints.includes(to) && to !== src ? to : (endpoints.find((e) => e !== src) ?? '');
  return (
    <section className="traffic" aria-label="Traffic">
      <h3>Traffic</h3>
      {scenario.flows.length === 0 && <p className="hint">No flows yet.</p>}
      <ul className="flow-list" aria-label="Flows">
        {scenario.flows.map((f) => (
          <li key={f.id}>
            <details>
              <summary>
                <code>{f.id}</code> {f.from} → {f.to} <span className="hint">{describeFlow(f)}</span>
              </summary>
              <FlowProps flow={f} />
            </details>
            <button type="button" aria-label={`Remove flow ${f.id}`} onClick={() => edit({ kind: 'remove-flow', id: f.id })}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-form" role="group" aria-label="Add flow">
        <select aria-label="Flow kind" value={kind} onChange={(e) => setKind(e.target.value as FlowSpec['kind'])}>
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        <select aria-label="Flow from" value={src} onChange={(e) => setFrom(e.target.value)} disabled={endpoints.length < 2}>
          {endpoints.map((e) => (
            <option key={e}>{e}</option>
          ))}
        </select>
        <span aria-hidden="true">→</span>
        <select aria-label="Flow to" value={dst} onChange={(e) => setTo(e.target.value)} disabled={endpoints.length < 2}>
          {endpoints
            .filter((e) => e !== src)
            .map((e) => (
              <option key={e}>{e}</option>
            ))}
        </select>
        <button type="button" disabled={!src || !dst} onClick={() => edit(addFlowEdit(scenario, kind, src, dst).edit)}>
          Add flow
        </button>
      </div>
      {endpoints.length < 2 && <p className="hint">Flows run between VMs or containers: add at least two.</p>}
    </section>
  );
}

function FlowProps({ flow }: { flow: FlowSpec }) {
  const edit = useAppStore((s) => s.edit);
  const nodes = useAppStore((s) => s.scenario.nodes);
  const cpusOf = (id: string): number => {
    const n = nodes.find((x) => x.id === id);
    return n?.kind === 'vm' ? n.vcpus : 1;
  };
  const set = (patch: FlowPatch) => edit({ kind: 'set-flow-prop', id: flow.id, patch });
  const maxNs = LIMITS.maxSimulatedNs;
  return (
    <div className="flow-props" role="group" aria-label={`Flow ${flow.id} settings`}>
      <NumField label="Start" unit="ms" scale={1e6} integer={false} value={flow.startNs} min={0} max={maxNs} onCommit={(v) => v !== undefined && set({ startNs: Math.round(v) })} />
      <NumField label="Stop" unit="ms" placeholder="end of run" scale={1e6} integer={false} optional value={flow.stopNs} min={1} max={maxNs} onCommit={(v) => set({ stopNs: v === undefined ? undefined : Math.round(v) })} />
      <NumField label="TOS" placeholder="0" optional value={flow.tos} min={0} max={255} onCommit={(v) => set({ tos: v })} />
      <NumField label="Sender CPU" placeholder="scheduler" optional value={flow.senderCpu} min={0} max={cpusOf(flow.from) - 1} onCommit={(v) => set({ senderCpu: v })} />
      <NumField label="Receiver CPU" placeholder="scheduler" optional value={flow.receiverCpu} min={0} max={cpusOf(flow.to) - 1} onCommit={(v) => set({ receiverCpu: v })} />
      {flow.kind === 'tcp' && (
        <>
          <NumField label="Bytes" unit="B" placeholder="unlimited" optional value={flow.bytes} min={LIMITS.tcpBytes.min} max={LIMITS.tcpBytes.max} onCommit={(v) => set({ bytes: v })} />
          <NumField label="Write size" unit="B" optional value={flow.writeBytes} min={LIMITS.writeBytes.min} max={LIMITS.writeBytes.max} onCommit={(v) => set({ writeBytes: v })} />
        </>
      )}
      {flow.kind === 'udp' && (
        <>
          <NumField label="Rate" unit="Mbit/s" scale={1e6} integer={false} value={flow.rateBitsPerSec} min={1} max={LIMITS.rateBitsPerSec.max} onCommit={(v) => v !== undefined && set({ rateBitsPerSec: Math.round(v) })} />
          <NumField label="Payload" unit="B" value={flow.payloadBytes} min={LIMITS.udpPayloadBytes.min} max={LIMITS.udpPayloadBytes.max} onCommit={(v) => v !== undefined && set({ payloadBytes: v })} />
        </>
      )}
      {flow.kind === 'probe' && (
        <>
          <NumField label="Interval" unit="ms" scale={1e6} integer={false} value={flow.intervalNs} min={LIMITS.probeIntervalNs.min} max={LIMITS.probeIntervalNs.max} onCommit={(v) => v !== undefined && set({ intervalNs: Math.round(v) })} />
          <NumField label="Request" unit="B" value={flow.requestBytes} min={LIMITS.probeBytes.min} max={LIMITS.probeBytes.max} onCommit={(v) => v !== undefined && set({ requestBytes: v })} />
          <NumField label="Response" unit="B" value={flow.responseBytes} min={LIMITS.probeBytes.min} max={LIMITS.probeBytes.max} onCommit={(v) => v !== undefined && set({ responseBytes: v })} />
        </>
      )}
    </div>
  );
}
