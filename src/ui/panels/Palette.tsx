/** Node kinds to place: click (or its number key) adds one next to the selection; drag drops it where you let go. */
import { PALETTE, place } from '../canvas/actions';
import { PALETTE_MIME } from '../canvas/TopologyCanvas';

export function Palette() {
  return (
    <nav className="palette" aria-label="Palette">
      <h2 className="sr-only">Add</h2>
      {PALETTE.map((p) => (
        <button
          key={p.kind}
          type="button"
          draggable
          aria-label={`Add ${p.label}`}
          aria-keyshortcuts={p.key}
          title={`Add ${p.label} (${p.key}); or drag onto the canvas`}
          onClick={() => place(p.kind)}
          onDragStart={(e) => {
            e.dataTransfer.setData(PALETTE_MIME, p.kind);
            e.dataTransfer.effectAllowed = 'copy';
          }}
        >
          <span className="pal-icon" aria-hidden="true">
            {p.icon}
          </span>
          <span>{p.label}</span>
          <kbd aria-hidden="true">{p.key}</kbd>
        </button>
      ))}
    </nav>
  );
}
