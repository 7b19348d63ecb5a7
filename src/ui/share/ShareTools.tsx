/** Toolbar actions of the share layer: Share (link dialog), export as a netns shell script, workshop mode. */
import { useEffect, useRef, useState } from 'react';
import { useAppStore } from '../../store/app-store';
import { useWorkshopStore } from '../../store/workshop';
import { encodeShareUrl } from '../../share';
import { shareStateOf } from '../../app/share-state';
import { currentView } from '../../app/share-view';
import { exportNetnsScript } from '../../core/export/netns';
import { parseScenario } from '../../core/scenario/validate';
import { WORKSHOPS } from '../workshop/workshop-def';
import { PartitionedRunDialog } from './PartitionedRunDialog';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './share.css';

/** Downloads the scenario as a bash script that builds it with network namespaces (src/core/export/netns.ts). */
export function downloadNetnsScript(): void {
  const { scenario, seed, setNotice } = useAppStore.getState();
  const checked = parseScenario(shareStateOf(scenario, seed).scenario);
  if (!checked.ok) {
    setNotice(`The shell script was not exported: the scenario has problems (${checked.errors.slice(0, 3).map((e) => e.message).join('; ')}).`);
    return;
  }
  const { script } = exportNetnsScript(checked.scenario);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([script], { type: 'text/x-shellscript' }));
  a.download = `${checked.scenario.id || 'scenario'}-netns.sh`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function ShareTools() {
  const [open, setOpen] = useState(false);
  const [menu, setMenu] = useState(false);
  const [partitioned, setPartitioned] = useState(false);
  const workshopOpen = useWorkshopStore((s) => s.workshopId !== null);
  const menuRef = useRef<HTMLDivElement>(null);
  const shareRef = useRef<HTMLButtonElement>(null);
  const closeShare = () => {
    setOpen(false);
    shareRef.current?.focus();
  };
  useEffect(() => {
    if (!menu) return;
    const away = (e: MouseEvent) => {
      if (!menuRef.current?.contains(e.target as Node)) setMenu(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [menu]);
  const pick = (action: () => void) => () => {
    setMenu(false);
    action();
  };
  return (
    <div className="buttons share-tools" role="group" aria-label="Share and export">
      <button type="button" ref={shareRef} onClick={() => setOpen(true)} aria-haspopup="dialog" title="Copy a link that reopens this scenario with the same numbers">
        ⤴ Share
      </button>
      <div
        className="share-menu-wrap"
        ref={menuRef}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && menu) {
            e.stopPropagation();
            setMenu(false);
          }
        }}
      >
        <button type="button" aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu(!menu)} aria-label="More: export script, workshop">
          More ▾
        </button>
        {menu && (
          <div className="share-menu panel" role="menu" aria-label="More actions">
            <button type="button" role="menuitem" onClick={pick(downloadNetnsScript)} title="A bash script that builds this topology with Linux network namespaces and runs iperf3">
              Export as shell script (netns + iperf3)
            </button>
            <button type="button" role="menuitem" onClick={pick(() => (workshopOpen ? useWorkshopStore.getState().close() : useWorkshopStore.getState().open(WORKSHOPS[0].id)))}>
              {workshopOpen ? 'Leave workshop mode' : 'Workshop mode (guided steps)'}
            </button>
            <button type="button" role="menuitem" onClick={pick(() => setPartitioned(true))} title="Split the scenario by host over Web Workers and compare with the single-worker result">
              Run partitioned (one worker per host)
            </button>
          </div>
        )}
      </div>
      {open && <ShareDialog onClose={closeShare} />}
      {partitioned && <PartitionedRunDialog onClose={() => setPartitioned(false)} />}
    </div>
  );
}

function ShareDialog({ onClose }: { onClose: () => void }) {
  const scenario = useAppStore((s) => s.scenario);
  const liveRun = useAppStore((s) => s.liveRun);
  const seed = useAppStore((s) => s.seed);
  // The chart tab is read once, when the dialog opens.
  const [view] = useState(() => currentView());
  // After live toggles the link carries the run as the engine ran it: start state + timeline of changes.
  const state = shareStateOf(liveRun ?? scenario, seed, view);
  const url = encodeShareUrl(location.href, state);
  const [copied, setCopied] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Copied to the clipboard.');
    } catch {
      inputRef.current?.select();
      setCopied('The browser refused clipboard access; the link is selected: press Ctrl+C.');
    }
  };
  const changes = scenario.timeline.length;
  return (
    <div className="share-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="share-dialog panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="share-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <h2 id="share-title">Share this scenario</h2>
        <p>
          The link holds the whole scenario — topology, offloads, traffic, profile, seed {seed}
          {changes > 0 ? `, ${changes} live change${changes === 1 ? '' : 's'}` : ''} — in its fragment; nothing is sent to a server. Opening it
          reproduces the same numbers.
        </p>
        <label className="share-link">
          <span className="sr-only">Share link</span>
          <input ref={inputRef} readOnly value={url} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.target.select()} />
        </label>
        <p className="share-size" data-testid="share-size">
          {url.length.toLocaleString('en')} characters{url.length > 2000 ? ' — long for a chat message; share a file instead if it gets cut' : ''}
        </p>
        <div className="buttons">
          <button type="button" className="primary" onClick={() => void copy()}>
            Copy link
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
        <p role="status" className="share-status">
          {copied}
        </p>
      </div>
    </div>
  );
}
