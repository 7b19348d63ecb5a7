import { useAppStore } from '../../store/app-store';
import { findPreset } from '../../core/scenario/presets';
import { si } from '../format';

/** What the loaded scenario is: the preset's explanation and its topology in words. */
export function ScenarioPanel() {
  const presetId = useAppStore((s) => s.presetId);
  const scenario = useAppStore((s) => s.scenario);
  const preset = findPreset(presetId);
  return (
    <aside className="panel scenario-panel" aria-label="Scenario">
      <h2>{scenario.title}</h2>
      {preset && <p className="one-line">{preset.oneLine}</p>}
      {preset && <p className="explanation">{preset.explanation}</p>}
      <h3>Topology</h3>
      <ul className="topology-list">
        {scenario.hosts.map((h) => (
          <li key={h.id}>
            host <code>{h.id}</code> · {h.cores} cores
            <ul>
              {scenario.nodes
                .filter((n) => n.host === h.id)
                .map((n) => (
                  <li key={n.id}>
                    {n.kind} <code>{n.id}</code>
                    {n.interfaces.length > 0 && <> · {n.interfaces.map((i) => i.name).join(', ')}</>}
                  </li>
                ))}
            </ul>
          </li>
        ))}
      </ul>
      <h3>Links</h3>
      <ul className="topology-list">
        {scenario.links.map((l) => (
          <li key={l.id}>
            <code>
              {l.a.node}/{l.a.iface}
            </code>{' '}
            ⇄{' '}
            <code>
              {l.b.node}/{l.b.iface}
            </code>{' '}
            · {l.kind}
            {l.rateBitsPerSec ? ` · ${si(l.rateBitsPerSec, 'bit/s')}` : ''}
          </li>
        ))}
      </ul>
      <h3>Traffic</h3>
      <ul className="topology-list">
        {scenario.flows.map((f) => (
          <li key={f.id}>
            {f.kind} <code>{f.id}</code>: {f.from} → {f.to}
          </li>
        ))}
      </ul>
    </aside>
  );
}
