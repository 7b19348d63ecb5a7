import { useInspectorStore } from '../../store/inspector';

/** Toolbar button that opens and closes the packet inspector drawer. */
export function InspectorToggle() {
  const open = useInspectorStore((s) => s.open);
  const toggle = useInspectorStore((s) => s.toggle);
  return (
    <button type="button" aria-pressed={open} onClick={toggle} title="Capture frames at an interface and decode them">
      ⌕ Inspect
    </button>
  );
}
