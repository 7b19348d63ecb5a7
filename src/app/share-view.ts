/**
 * The `view` part of a share link: display settings that travel with the scenario. Today that is the chart
 * tab. The charts panel keeps its tab in local state, so this reads and sets it through the panel's
 * accessible tabs (role="tab", id ending in "-tab-<tabId>", aria-selected) — the same contract a screen
 * reader relies on. Untrusted view values are only compared with existing tab ids, never put in a selector.
 */
import type { ShareView } from '../share';

export const VIEW_CHART_TAB = 'chartTab';

/** The app's charts panel (other panels may have tabs of their own). */
function chartsRoot(): ParentNode | null {
  return typeof document === 'undefined' ? null : document.querySelector('.app-charts');
}

function chartTabs(root: ParentNode): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('[role="tab"][id*="-tab-"]')];
}

function tabIdOf(el: HTMLElement): string {
  return el.id.slice(el.id.lastIndexOf('-tab-') + 5);
}

/** The view to put in a link: the selected chart tab, when the charts panel shows one. */
export function currentView(root: ParentNode | null = chartsRoot()): ShareView {
  if (!root) return {};
  const selected = chartTabs(root).find((t) => t.getAttribute('aria-selected') === 'true');
  return selected ? { [VIEW_CHART_TAB]: tabIdOf(selected) } : {};
}

/** Applies a view from a link; unknown tab ids are ignored (a newer or older app may name other tabs). */
export function applyView(view: ShareView, root: ParentNode | null = chartsRoot()): void {
  const wanted = view[VIEW_CHART_TAB];
  if (typeof wanted !== 'string' || !root) return;
  const tab = chartTabs(root).find((t) => tabIdOf(t) === wanted);
  if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click();
}
