/** Keyboard shortcuts: one table drives both the handler and the help overlay. */
import { useEffect } from 'react';
import { useAppStore } from '../../store/app-store';
import { autoLayoutAll, deleteSelection, nudge, PALETTE, place, selectAllNodes, startConnect } from './actions';

export interface Shortcut {
  keys: string;
  what: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '?', what: 'Show or hide this help' },
  { keys: `${PALETTE[0].key}–${PALETTE[PALETTE.length - 1].key}`, what: `Add ${PALETTE.map((p) => `${p.label} (${p.key})`).join(', ')}: next to the selection, in its host` },
  { keys: 'Click / Shift+Click', what: 'Select / add to the selection' },
  { keys: 'Ctrl+A', what: 'Select every node' },
  { keys: 'Arrow keys (Shift: ×5)', what: 'Move the selected nodes by 10 px' },
  { keys: 'Delete / Backspace', what: 'Delete the selection (and the links and flows that would dangle)' },
  { keys: 'C', what: 'Connect: with an interface selected, then choose the other interface (Enter or click)' },
  { keys: 'Drag interface dot → dot', what: 'Connect two interfaces' },
  { keys: 'L', what: 'Auto-layout' },
  { keys: 'F', what: 'Fit the topology to the view' },
  { keys: 'Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)', what: 'Undo / redo' },
  { keys: 'Esc', what: 'Cancel (drag, connection, help), then clear the selection' },
  { keys: 'Wheel / drag background', what: 'Zoom / pan' },
];

function typing(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
}

/** Installs the document-level handler once. */
export function useEditorShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = useAppStore.getState();
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key;
      if (mod && (k === 'z' || k === 'Z')) {
        if (typing(e.target)) return;
        e.preventDefault();
        if (e.shiftKey) s.redo();
        else s.undo();
        return;
      }
      if (mod && (k === 'y' || k === 'Y')) {
        if (typing(e.target)) return;
        e.preventDefault();
        s.redo();
        return;
      }
      if (k === 'Escape') {
        if (s.helpOpen) s.setHelpOpen(false);
        else if (s.connectFrom) s.setConnectFrom(null);
        else if (!typing(e.target)) s.select([]);
        return;
      }
      if (typing(e.target) || e.altKey) return;
      if (mod) {
        if (k === 'a' || k === 'A') {
          e.preventDefault();
          selectAllNodes();
        }
        return;
      }
      if (k === '?') {
        e.preventDefault();
        s.setHelpOpen(!s.helpOpen);
        return;
      }
      if (s.helpOpen) return;
      const pal = PALETTE.find((p) => p.key === k);
      if (pal) {
        e.preventDefault();
        place(pal.kind);
        return;
      }
      const step = e.shiftKey ? 50 : 10;
      switch (k) {
        case 'Delete':
        case 'Backspace':
          e.preventDefault();
          deleteSelection();
          return;
        case 'ArrowLeft':
        case 'ArrowRight':
        case 'ArrowUp':
        case 'ArrowDown':
          if (!s.selection.some((x) => x.kind === 'node')) return;
          e.preventDefault();
          nudge(k === 'ArrowLeft' ? -step : k === 'ArrowRight' ? step : 0, k === 'ArrowUp' ? -step : k === 'ArrowDown' ? step : 0);
          return;
        case 'c':
        case 'C':
          e.preventDefault();
          startConnect();
          return;
        case 'l':
        case 'L':
          e.preventDefault();
          autoLayoutAll();
          return;
        case 'f':
        case 'F':
          e.preventDefault();
          s.requestFit();
          return;
        default:
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
