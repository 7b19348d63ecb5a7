import { useAppStore } from '../../store/app-store';
import type { Speed } from '../../core/protocol';
import { CompareControl } from '../compare/CompareControl';
import { InspectorToggle } from '../inspector/InspectorToggle';
import { ShareTools } from '../share/ShareTools';

export interface PresetOption {
  id: string;
  title: string;
}

const SPEEDS: { label: string; speed: Speed }[] = [
  { label: '1/1000× real time', speed: { kind: 'rate', virtualPerWall: 0.001 } },
  { label: '1/100× real time', speed: { kind: 'rate', virtualPerWall: 0.01 } },
  { label: '1/10× real time', speed: { kind: 'rate', virtualPerWall: 0.1 } },
  { label: 'as fast as possible', speed: { kind: 'max' } },
];

function speedKey(s: Speed): string {
  return s.kind === 'max' ? 'max' : String(s.virtualPerWall);
}

export function Toolbar({
  presets,
  onControl,
  onSpeed,
}: {
  presets: readonly PresetOption[];
  onControl: (action: 'run' | 'pause' | 'resume' | 'stop' | 'step') => void;
  onSpeed: (s: Speed) => void;
}) {
  const presetId = useAppStore((s) => s.presetId);
  const selectPreset = useAppStore((s) => s.selectPreset);
  const seed = useAppStore((s) => s.seed);
  const setSeed = useAppStore((s) => s.setSeed);
  const speed = useAppStore((s) => s.speed);
  const state = useAppStore((s) => s.run.state);
  const running = state === 'running';
  const canRun = state !== 'empty' && !running;

  return (
    <header className="toolbar">
      <h1 className="brand">Offload Lab</h1>
      <label className="field">
        <span className="sr-only">Scenario</span>
        <select aria-label="Scenario preset" value={presetId} onChange={(e) => selectPreset(e.target.value)}>
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id} — {p.title}
            </option>
          ))}
        </select>
      </label>
      <div className="buttons" role="group" aria-label="Run controls">
        <button type="button" className="primary" disabled={!canRun} onClick={() => onControl(state === 'paused' ? 'resume' : 'run')}>
          {state === 'paused' ? '▶ Resume' : '▶ Run'}
        </button>
        <button type="button" disabled={!running} onClick={() => onControl('pause')} aria-label="Pause" title="Pause">
          ❚❚
        </button>
        <button type="button" disabled={state === 'empty' || state === 'finished'} onClick={() => onControl('step')} aria-label="Step one sample interval" title="Step one sample interval">
          Step
        </button>
        <button type="button" disabled={!(running || state === 'paused')} onClick={() => onControl('stop')} aria-label="Stop" title="Stop">
          ■
        </button>
      </div>
      <label className="field">
        <span className="sr-only">Speed</span>
        <select
          aria-label="Speed"
          value={speedKey(speed)}
          onChange={(e) => {
            const chosen = SPEEDS.find((s) => speedKey(s.speed) === e.target.value);
            if (chosen) onSpeed(chosen.speed);
          }}
        >
          {SPEEDS.map((s) => (
            <option key={s.label} value={speedKey(s.speed)}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Seed</span>
        <input
          aria-label="Seed"
          type="number"
          min={0}
          max={4294967295}
          value={seed}
          onChange={(e) => {
            const v = Number(e.target.value);
            if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) setSeed(v);
          }}
        />
      </label>
      <CompareControl />
      <InspectorToggle />
      <ShareTools />
    </header>
  );
}
