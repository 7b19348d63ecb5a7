/**
 * Which edits can reach a running engine as live changes instead of a reload: today, interface features
 * (what `ethtool -K` changes on a live system). Anything else — topology, traffic, parameters — reloads.
 */
import type { NodeId, Scenario, TimelineChange } from '../scenario/types';

const withoutFeatures = (s: Scenario): string =>
  JSON.stringify(s, (k, v: unknown) => (k === 'position' || k === 'features' || k === 'timeline' ? undefined : v));

/**
 * The `set-feature` changes that turn `from` into `to`, when the two differ only in interface features
 * (positions and timelines aside); `null` when anything else differs. Order: node, then interface, then
 * feature name, so the same edit always gives the same timeline.
 */
export function liveFeatureChanges(from: Scenario, to: Scenario): TimelineChange[] | null {
  if (withoutFeatures(from) !== withoutFeatures(to)) return null;
  const changes: TimelineChange[] = [];
  to.nodes.forEach((node, n) => {
    node.interfaces.forEach((iface, i) => {
      const before = from.nodes[n].interfaces[i].features;
      const after = iface.features;
      const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].toSorted();
      for (const feature of names) {
        const was = before[feature];
        const now = after[feature];
        if (was === now) continue;
        // A feature dropped from the intent goes back to the template default: not a live change (see below).
        if (now === undefined) continue;
        changes.push({ kind: 'set-feature', at: { node: node.id as NodeId, iface: iface.name }, feature, on: now });
      }
    });
  });
  // A removed intent key makes the edit non-live: detect it by re-checking every key of `from` is in `to`.
  for (let n = 0; n < from.nodes.length; n++) {
    for (let i = 0; i < from.nodes[n].interfaces.length; i++) {
      for (const k of Object.keys(from.nodes[n].interfaces[i].features)) if (!(k in to.nodes[n].interfaces[i].features)) return null;
    }
  }
  return changes;
}
