/** Editor commands above the canvas: new, undo/redo, auto-layout, import/export, theme, help, and whether the scenario is runnable. */
import { useRef, useState } from 'react';
import { newEmptyScenario, useAppStore, type Theme } from '../../store/app-store';
import { describeEdit } from '../../core/edit/edit';
import type { ScenarioError } from '../../core/scenario/validate';
import { openUntrusted } from '../../share';
import { autoLayoutAll } from '../canvas/actions';

function exportFile(): void {
  const s = useAppStore.getState().scenario;
  const blob = new Blob([`${JSON.stringify(s, null, 2)}\n`], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${s.id || 'scenario'}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function importFile(file: File): Promise<void> {
  const { setNotice, replaceScenario } = useAppStore.getState();
  const text = await file.text();
  // Files are untrusted input: through the one door (size, depth, JSON, share envelope, validation).
  const r = openUntrusted({ kind: 'file', text });
  if (!r.ok) {
    setNotice(`${file.name} was not imported: ${r.message}${r.details.length ? ` ${r.details.slice(0, 5).join('; ')}${r.details.length > 5 ? ` … and ${r.details.length - 5} more` : ''}` : ''}`);
    return;
  }
  replaceScenario(r.scenario, 'custom');
  setNotice(null);
}


export function EditorBar({ problems }: { problems: readonly ScenarioError[] }) {
  const undoTop = useAppStore((s) => s.undoStack.at(-1));
  const redoTop = useAppStore((s) => s.redoStack.at(-1));
  const undo = useAppStore((s) => s.undo);
  const redo = useAppStore((s) => s.redo);
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  const setHelpOpen = useAppStore((s) => s.setHelpOpen);
  const fileRef = useRef<HTMLInputElement>(null);
  const [showProblems, setShowProblems] = useState(false);

  return (
    <div className="editor-bar" role="toolbar" aria-label="Editor">
      <button type="button" onClick={() => newEmptyScenario()} aria-label="New empty scenario">
        New
      </button>
      <button type="button" onClick={undo} disabled={!undoTop} aria-label="Undo" aria-keyshortcuts="Control+Z" title={undoTop ? `Undo ${describeEdit(undoTop.forward)} (Ctrl+Z)` : 'Nothing to undo'}>
        ↶ Undo
      </button>
      <button type="button" onClick={redo} disabled={!redoTop} aria-label="Redo" aria-keyshortcuts="Control+Shift+Z" title={redoTop ? `Redo ${describeEdit(redoTop.forward)} (Ctrl+Shift+Z)` : 'Nothing to redo'}>
        ↷ Redo
      </button>
      <button type="button" onClick={autoLayoutAll} aria-label="Auto-layout" aria-keyshortcuts="L">
        Auto-layout
      </button>
      <button type="button" onClick={() => fileRef.current?.click()} aria-label="Import scenario file">
        Import…
      </button>
      <input
        ref={fileRef}
        type="file"
        accept="application/json,.json"
        hidden
        aria-label="Scenario file to import"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void importFile(f);
        }}
      />
      <button type="button" onClick={exportFile} aria-label="Export scenario file">
        Export
      </button>
      <span className="spacer" />
      <span className={`validity ${problems.length ? 'bad' : 'good'}`} data-testid="scenario-validity">
        {problems.length === 0 ? (
          '✓ runnable'
        ) : (
          <button type="button" className="linkish" aria-expanded={showProblems} onClick={() => setShowProblems(!showProblems)}>
            ⚠ {problems.length} problem{problems.length === 1 ? '' : 's'}
          </button>
        )}
      </span>
      <select aria-label="Theme" value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
        <option value="system">system theme</option>
        <option value="light">light</option>
        <option value="dark">dark</option>
      </select>
      <button type="button" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts" aria-keyshortcuts="?">
        ?
      </button>
      {showProblems && problems.length > 0 && (
        <ul className="problems" aria-label="Scenario problems">
          {problems.map((p) => (
            <li key={p.message}>{p.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
