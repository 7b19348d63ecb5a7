import { describe, expect, it } from 'vitest';
import { applyView, currentView } from './share-view';

/** Just enough of a DOM for the tab contract: elements with id, aria-selected and click(). */
function fakeTabs(ids: string[], selected: string) {
  const clicked: string[] = [];
  const tabs = ids.map((id) => ({
    id: `r1-tab-${id}`,
    getAttribute: (name: string) => (name === 'aria-selected' ? String(id === selected) : null),
    click: () => clicked.push(id),
  }));
  const root = { querySelectorAll: () => tabs } as unknown as ParentNode;
  return { root, clicked };
}

describe('share view (chart tab)', () => {
  it('reads the selected chart tab', () => {
    expect(currentView(fakeTabs(['throughput', 'cpu'], 'cpu').root)).toEqual({ chartTab: 'cpu' });
    expect(currentView(fakeTabs([], 'x').root)).toEqual({});
    expect(currentView(null)).toEqual({});
  });
  it('selects a known tab and ignores unknown or hostile values', () => {
    const t = fakeTabs(['throughput', 'cpu', 'latency'], 'throughput');
    applyView({ chartTab: 'latency' }, t.root);
    applyView({ chartTab: 'throughput' }, t.root); // already selected: no click
    applyView({ chartTab: '"] , * { x' }, t.root);
    applyView({ chartTab: ['cpu'] }, t.root);
    applyView({}, t.root);
    expect(t.clicked).toEqual(['latency']);
  });
});
