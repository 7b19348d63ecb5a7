/**
 * One interface's offloads, read like `ethtool -k`: ethtool's names and order, on/off switches, `[fixed]`
 * and `[requested on]` greyed with the kernel's one-line reason as the switch's accessible description.
 * Toggling is an `ethtool -K` through the features library; the scenario keeps the result as the minimal
 * intent relative to the interface's template. A pasted `ethtool -k` dump sets the interface; the
 * equivalent `ethtool -K` command can be copied.
 */
import { useId, useMemo, useState } from 'react';
import { applyFeatureRequests, ethtoolRows, FeatureError, formatEthtoolKCommand, isChangeable, parseEthtoolK, type FeatureRow } from '../../core/features';
import { deviceOf, intentOf } from './offload-intent';
import type { Endpoint, InterfaceSpec, NodeSpec } from '../../core/scenario/types';
import { useAppStore } from '../../store/app-store';

export function OffloadPanel({ at, iface, nodeKind }: { at: Endpoint; iface: InterfaceSpec; nodeKind: NodeSpec['kind'] }) {
  const edit = useAppStore((s) => s.edit);
  const { device, baseline, error } = useMemo(() => deviceOf(iface, nodeKind), [iface, nodeKind]);
  const rows = useMemo(() => ethtoolRows(device), [device]);
  const command = useMemo(() => formatEthtoolKCommand(device, iface.name, baseline), [device, baseline, iface.name]);
  const [paste, setPaste] = useState('');
  const [pasteMsg, setPasteMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const baseId = useId();

  const setIntent = (features: Record<string, boolean>, label: string) => {
    if (JSON.stringify(features) === JSON.stringify(iface.features)) return;
    edit({ kind: 'batch', label, edits: [{ kind: 'set-iface-prop', at, patch: { features } }] });
  };

  const toggle = (name: string, on: boolean) => {
    const r = applyFeatureRequests(device, [{ name, on }]);
    setIntent(intentOf(r.device, baseline), `${at.node}/${at.iface}: ethtool -K ${iface.name} ${name} ${on ? 'on' : 'off'}`);
  };

  const applyPaste = () => {
    try {
      const parsed = parseEthtoolK(paste);
      const fixedDiffs: string[] = [];
      for (const e of baseline.layout.entries) {
        if (e.kind !== 'known' || e.name === '' || isChangeable(baseline, e.bit)) continue;
        if (parsed.device.active.has(e.bit) !== baseline.active.has(e.bit)) fixedDiffs.push(e.name);
      }
      setIntent(intentOf(parsed.device, baseline), `${at.node}/${at.iface}: paste ethtool -k ${parsed.ifname}`);
      setPasteMsg({
        ok: true,
        text:
          `Applied the dump of ${parsed.ifname} to ${at.node}/${at.iface}.` +
          (fixedDiffs.length ? ` ${fixedDiffs.length} feature(s) differ but are fixed on a ${iface.template} interface and stay as they are: ${fixedDiffs.slice(0, 6).join(', ')}${fixedDiffs.length > 6 ? '…' : ''}.` : ''),
      });
    } catch (e) {
      setPasteMsg({ ok: false, text: e instanceof FeatureError ? `Not applied: ${e.message}` : `Not applied: ${String(e)}` });
    }
  };

  const copy = () => {
    const text = command || `# ${iface.name}: nothing differs from the ${iface.template} defaults`;
    void navigator.clipboard?.writeText(text).then(
      () => setCopied('Copied.'),
      () => setCopied('Select the command and copy it (clipboard access was refused).'),
    );
  };

  const featureSwitch = (r: FeatureRow, name: string, indent: boolean) => {
    const descId = `${baseId}-${r.kernelName}-${indent ? 'c' : 'g'}`;
    const why = r.fixed ? 'fixed: the device cannot change it' : r.reason ? `requested on, but off: ${r.reason}` : r.suffix === ' [requested off]' ? 'requested off, but still on' : '';
    return (
      <li key={`${indent ? 'c' : 'f'}-${r.kernelName}`} className={`feat${indent ? ' child' : ''}${r.fixed ? ' fixed' : ''}${r.suffix ? ' greyed' : ''}`}>
        <span className="feat-name">{r.label}:</span>
        <button
          type="button"
          role="switch"
          aria-checked={r.active}
          aria-label={name}
          aria-describedby={why ? descId : undefined}
          disabled={!r.changeable}
          onClick={() => toggle(r.kernelName, !r.wanted)}
          className={`switch${r.active ? ' on' : ''}`}
        >
          {r.active ? 'on' : 'off'}
        </button>
        {r.suffix && <span className="feat-suffix">{r.suffix.trim()}</span>}
        {why && (
          <span className="feat-reason" id={descId}>
            {why}
          </span>
        )}
      </li>
    );
  };

  return (
    <section className="offloads" aria-label={`Offloads of ${at.node}/${at.iface}`}>
      <h3>
        Offloads <code>ethtool -k {iface.name}</code>
      </h3>
      {error && <p className="field-error">The interface's feature intent does not apply: {error}</p>}
      <ul className="ethtool" aria-label={`Features for ${iface.name}`}>
        {rows.map((row) => {
          if (row.kind === 'feature') return featureSwitch(row.row, row.row.label, false);
          const changeable = row.children.filter((c) => c.changeable);
          const wanted = changeable.some((c) => c.wanted);
          return (
            <li key={`g-${row.flag.long}`} className="feat group">
              <span className="feat-name">{row.flag.long}:</span>
              <button
                type="button"
                role="switch"
                aria-checked={row.active}
                aria-label={row.flag.long}
                disabled={changeable.length === 0}
                onClick={() => toggle(row.flag.short, !wanted)}
                className={`switch${row.active ? ' on' : ''}`}
              >
                {row.active ? 'on' : 'off'}
              </button>
              <ul>{row.children.map((c) => featureSwitch(c, c.kernelName, true))}</ul>
            </li>
          );
        })}
      </ul>
      <div className="ethtool-cmd">
        <label htmlFor={`${baseId}-cmd`}>Equivalent command</label>
        <output id={`${baseId}-cmd`} className="mono" aria-label="ethtool -K command">
          {command || `(no change from the ${iface.template} defaults)`}
        </output>
        <button type="button" onClick={copy} aria-label="Copy ethtool -K command">
          Copy
        </button>
        {copied && <span role="status">{copied}</span>}
      </div>
      <details className="paste">
        <summary>Paste an ethtool -k dump</summary>
        <textarea
          aria-label="ethtool -k output to apply"
          className="mono"
          rows={6}
          value={paste}
          placeholder={'Features for eth0:\nrx-checksumming: on [fixed]\n…'}
          onChange={(e) => setPaste(e.target.value)}
        />
        <button type="button" onClick={applyPaste} disabled={!paste.trim()}>
          Apply dump to {iface.name}
        </button>
        {pasteMsg && (
          <p role="status" className={pasteMsg.ok ? 'ok' : 'field-error'}>
            {pasteMsg.text}
          </p>
        )}
      </details>
    </section>
  );
}
