/**
 * The packet inspector drawer: capture at a point through the shared capture ring, list the frames, and
 * show one frame's vnet header, header fields, checksum state, "what tcpdump sees here" beside "what is on
 * the wire", and its bytes. Frames are copied out of the ring on animation frames; the list re-renders at
 * most a few times a second and decodes only the rows in view.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { EngineClient } from '../../app/engine-client';
import { capturePointsOf, type CapturePointRef } from '../../core/protocol';
import type { CaptureConsumer } from '../../core/ring/frames';
import type { HeaderField } from '../../core/packet/frame-describe';
import { useAppStore } from '../../store/app-store';
import { useInspectorStore } from '../../store/inspector';
import { duration } from '../format';
import { captureFile, copyCapturedFrame, frameDetail, frameRow, hexRows, pointLabel, type CaptureFileKind, type CaptureView, type ChecksumState, type FrameDetail, type FrameRow, type InspectedFrame } from './model';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './inspector.css';

/** Frames kept per capture; the capture stops there (as `tcpdump -c`), super-frames are up to 64 KiB each. */
export const MAX_FRAMES = 500;
const ROW_HEIGHT_PX = 22;
const LIST_UPDATE_MS = 200;

type CaptureStatus = { kind: 'idle' } | { kind: 'capturing' } | { kind: 'stopped'; why: string };

const STATE_TEXT: Record<ChecksumState, string> = {
  partial: '◐ partial',
  trusted: '✓ trusted',
  verified: '✓ verified',
  bad: '✗ bad',
  absent: '– none',
  none: '',
};

const STATE_HELP: Record<ChecksumState, string> = {
  partial: 'CHECKSUM_PARTIAL: the field holds only the pseudo-header sum; the device (or skb_checksum_help) writes the final value',
  trusted: 'CHECKSUM_UNNECESSARY: a device or the vnet header vouched for it, so nobody verifies these bytes again',
  verified: 'the field is the correct checksum of these bytes',
  bad: 'the field does not match these bytes and nothing marks it as pending',
  absent: 'UDP over IPv4 without a checksum',
  none: 'no TCP/UDP checksum to show',
};

const rowCache = new WeakMap<InspectedFrame, FrameRow>();
function rowOf(f: InspectedFrame): FrameRow {
  let r = rowCache.get(f);
  if (!r) {
    r = frameRow(f);
    rowCache.set(f, r);
  }
  return r;
}

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/vnd.tcpdump.pcap' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function InspectorPanel({ client }: { client: EngineClient | null }) {
  const open = useInspectorStore((s) => s.open);
  if (!open) return null;
  return <Inspector client={client} />;
}

function Inspector({ client }: { client: EngineClient | null }) {
  const scenario = useAppStore((s) => s.scenario);
  const selection = useAppStore((s) => s.selection);
  const point = useInspectorStore((s) => s.point);
  const setPoint = useInspectorStore((s) => s.setPoint);
  const setOpen = useInspectorStore((s) => s.setOpen);
  const [status, setStatus] = useState<CaptureStatus>({ kind: 'idle' });
  const [frames, setFrames] = useState<readonly InspectedFrame[]>([]);
  const [dropped, setDropped] = useState(0);
  const [selectedNo, setSelectedNo] = useState<number | null>(null);
  const [fileView, setFileView] = useState<CaptureView>('tcpdump');
  const capture = useRef<{ consumer: CaptureConsumer; points: CapturePointRef[]; history: unknown; frames: InspectedFrame[]; raf: number } | null>(null);
  const pointsRef = useRef<CapturePointRef[]>([]);

  const allPoints = useMemo(() => capturePointsOf(scenario), [scenario]);
  const ifaceOptions = useMemo(() => [...new Set(allPoints.map((p) => `${p.node}/${p.iface}`))], [allPoints]);
  const isolated = client?.transport === 'shared-ring';
  const capturing = status.kind === 'capturing';

  // The selection drives the capture point while not capturing: an interface, or a node's first interface.
  const sel = selection[0];
  useEffect(() => {
    if (capture.current) return;
    if (sel?.kind === 'iface') setPoint(`${sel.node}/${sel.iface}`);
    else if (sel?.kind === 'node') {
      const first = ifaceOptions.find((o) => o.startsWith(`${sel.id}/`));
      if (first) setPoint(first);
    }
  }, [sel, ifaceOptions, setPoint]);

  const finish = useCallback((why: string) => {
    const c = capture.current;
    if (!c) return;
    cancelAnimationFrame(c.raf);
    capture.current = null;
    setFrames([...c.frames]);
    setStatus({ kind: 'stopped', why });
  }, []);

  const stop = useCallback(
    async (why: string) => {
      const c = capture.current;
      if (!c || !client) return;
      await client.detachCaptureRing().catch(() => {});
      // Frames flushed before the detach are still in the ring.
      c.consumer.drain((f) => {
        if (c.frames.length < MAX_FRAMES) c.frames.push(copyCapturedFrame(f, c.frames.length + 1, c.points));
      });
      finish(why);
    },
    [client, finish],
  );

  const start = useCallback(async () => {
    if (!client || capture.current) return;
    const att = await client.attachCaptureRing(point ? [point] : [], 4096, 1 << 26);
    if (!att) {
      setStatus({ kind: 'stopped', why: 'capturing needs a cross-origin isolated page (SharedArrayBuffer)' });
      return;
    }
    pointsRef.current = att.points;
    const c = { consumer: att.consumer, points: att.points, history: client.history, frames: [] as InspectedFrame[], raf: 0 };
    capture.current = c;
    setFrames([]);
    setSelectedNo(null);
    setDropped(0);
    setStatus({ kind: 'capturing' });
    let shown = 0;
    let lastUpdateMs = 0;
    const tick = (nowMs: number) => {
      if (capture.current !== c) return;
      c.raf = requestAnimationFrame(tick);
      c.consumer.drain((f) => {
        if (c.frames.length < MAX_FRAMES) c.frames.push(copyCapturedFrame(f, c.frames.length + 1, c.points));
      });
      if (client.history !== c.history) {
        // A new load detached the ring in the worker.
        finish('the scenario was reloaded');
        return;
      }
      if (c.frames.length >= MAX_FRAMES) {
        void stop(`stopped after ${MAX_FRAMES} frames`);
        return;
      }
      if (c.frames.length !== shown && nowMs - lastUpdateMs >= LIST_UPDATE_MS) {
        shown = c.frames.length;
        lastUpdateMs = nowMs;
        const st = c.consumer.stats();
        setDropped(st.droppedPoolFull + st.droppedRingFull);
        setFrames([...c.frames]);
      }
    };
    c.raf = requestAnimationFrame(tick);
  }, [client, point, finish, stop]);

  // Closing the drawer (or a new worker) ends the capture.
  useEffect(
    () => () => {
      const c = capture.current;
      if (!c) return;
      cancelAnimationFrame(c.raf);
      capture.current = null;
      void client?.detachCaptureRing().catch(() => {});
    },
    [client],
  );

  const selected = useMemo(() => frames.find((f) => f.no === selectedNo) ?? null, [frames, selectedNo]);
  const fileName = (kind: CaptureFileKind) => `offload-lab-${scenario.id}-${(point || 'all').replaceAll('/', '-')}${fileView === 'wire' ? '-wire' : ''}.${kind}`;

  return (
    <section className="ol-inspector" aria-label="Packet inspector">
      <div className="ol-insp-bar">
        <h2>Packet inspector</h2>
        <label className="field">
          <span>Capture at</span>
          <select aria-label="Capture point" value={point} disabled={capturing} onChange={(e) => setPoint(e.target.value)}>
            <option value="">every interface</option>
            {ifaceOptions.map((o) => (
              <optgroup key={o} label={o}>
                <option value={o}>{o} (rx and tx)</option>
                <option value={`${o}/rx`}>{o} rx</option>
                <option value={`${o}/tx`}>{o} tx</option>
              </optgroup>
            ))}
          </select>
        </label>
        {capturing ? (
          <button type="button" onClick={() => void stop('stopped')}>
            ■ Stop capture
          </button>
        ) : (
          <button type="button" className="primary" disabled={!client || !isolated} onClick={() => void start()}>
            ● Start capture
          </button>
        )}
        <span className="ol-insp-status" role="status" data-testid="capture-status">
          {!isolated
            ? 'Capturing needs a cross-origin isolated page (SharedArrayBuffer); the rest of the app works without it.'
            : `${frames.length} frame${frames.length === 1 ? '' : 's'}${dropped ? ` · ${dropped} dropped (ring full)` : ''}${status.kind === 'capturing' ? ' · capturing…' : status.kind === 'stopped' ? ` · ${status.why}` : ''}`}
        </span>
        <span className="ol-insp-actions">
          <select aria-label="Capture file view" value={fileView} onChange={(e) => setFileView(e.target.value === 'wire' ? 'wire' : 'tcpdump')} title="What the downloaded file holds">
            <option value="tcpdump">as tcpdump sees it here</option>
            <option value="wire">as on the wire (segmented)</option>
          </select>
          <button type="button" disabled={frames.length === 0} onClick={() => download(captureFile(frames, 'pcap', pointsRef.current, fileView), fileName('pcap'))}>
            ⤓ pcap
          </button>
          <button type="button" disabled={frames.length === 0} onClick={() => download(captureFile(frames, 'pcapng', pointsRef.current, fileView), fileName('pcapng'))}>
            ⤓ pcapng
          </button>
          <button type="button" aria-label="Close the packet inspector" onClick={() => setOpen(false)}>
            ✕
          </button>
        </span>
      </div>
      <div className="ol-insp-body">
        <FrameList frames={frames} selectedNo={selectedNo} onSelect={setSelectedNo} />
        {selected ? <FrameView key={selected.no} frame={selected} /> : <p className="ol-insp-empty">{frames.length ? 'Select a frame to decode it.' : 'Start a capture while the scenario runs; frames appear here.'}</p>}
      </div>
    </section>
  );
}

function FrameList({ frames, selectedNo, onSelect }: { frames: readonly InspectedFrame[]; selectedNo: number | null; onSelect: (no: number) => void }) {
  const [scrollTop, setScrollTop] = useState(0);
  const [heightPx, setHeightPx] = useState(200);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeightPx(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT_PX) - 2);
  const last = Math.min(frames.length, first + Math.ceil(heightPx / ROW_HEIGHT_PX) + 4);
  const index = selectedNo === null ? -1 : frames.findIndex((f) => f.no === selectedNo);

  const onKey = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(frames.length - 1, index + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, index - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = frames.length - 1;
    if (next < 0 || frames.length === 0) return;
    e.preventDefault();
    onSelect(frames[next].no);
    const el = ref.current;
    if (el) {
      const top = next * ROW_HEIGHT_PX;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT_PX > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT_PX - el.clientHeight;
    }
  };

  return (
    <div className="ol-insp-list">
      <div className="ol-insp-row ol-insp-head" aria-hidden="true">
        <span>No.</span>
        <span>time</span>
        <span>at</span>
        <span>summary</span>
        <span>length</span>
        <span>checksum</span>
        <span>GSO</span>
      </div>
      <div
        ref={ref}
        className="ol-insp-scroll"
        role="listbox"
        aria-label="Captured frames"
        tabIndex={0}
        aria-activedescendant={index >= 0 ? `ol-frame-${frames[index].no}` : undefined}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKey}
      >
        <div style={{ height: frames.length * ROW_HEIGHT_PX, position: 'relative' }}>
          {frames.slice(first, last).map((f, k) => {
            const r = rowOf(f);
            return (
              <div
                key={f.no}
                id={`ol-frame-${f.no}`}
                role="option"
                aria-selected={f.no === selectedNo}
                aria-setsize={frames.length}
                aria-posinset={first + k + 1}
                className="ol-insp-row"
                style={{ top: (first + k) * ROW_HEIGHT_PX, height: ROW_HEIGHT_PX }}
                onClick={() => onSelect(f.no)}
              >
                <span>{f.no}</span>
                <span>{duration(f.tNs)}</span>
                <span>{f.point ? pointLabel(f.point) : '?'}</span>
                <span className="ol-insp-summary" title={r.summary}>
                  {r.summary}
                </span>
                <span>{r.lengthBytes} B</span>
                <span className={`ol-csum ol-csum-${r.checksum}`} title={STATE_HELP[r.checksum]}>
                  {STATE_TEXT[r.checksum]}
                </span>
                <span>{r.gso}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

function ChecksumBox({ d }: { d: FrameDetail }) {
  const l4 = d.annotation?.l4;
  if (!l4) return <p className="ol-csum-box">No TCP/UDP checksum in this frame.</p>;
  let text: string;
  switch (d.checksum) {
    case 'partial':
      text = `holds ${hex4(l4.fieldValue)}, only the pseudo-header sum (addresses, protocol, L4 length): the device writes the final ${hex4(l4.correctValue)}. tcpdump prints "incorrect -> ${hex4(l4.correctValue)}" here; that is expected.`;
      break;
    case 'trusted':
      text =
        l4.verdict === 'correct'
          ? `holds ${hex4(l4.fieldValue)}, which is correct, but nobody checks: CHECKSUM_UNNECESSARY says it was verified before.`
          : `holds ${hex4(l4.fieldValue)} but these bytes need ${hex4(l4.correctValue)}: CHECKSUM_UNNECESSARY means nobody checks, so the damage is accepted.`;
      break;
    case 'verified':
      text = `holds ${hex4(l4.fieldValue)}, the correct checksum of these bytes (final, as on the wire).`;
      break;
    case 'bad':
      text = `holds ${hex4(l4.fieldValue)} but these bytes need ${hex4(l4.correctValue)}: a receiver that verifies drops this frame.`;
      break;
    case 'absent':
      text = 'is 0: UDP over IPv4 without a checksum.';
      break;
    case 'none':
      text = 'is not present.';
      break;
  }
  return (
    <p className={`ol-csum-box ol-csum-${d.checksum}`} data-testid="checksum-state">
      <strong>
        {l4.protocol.toUpperCase()} checksum {STATE_TEXT[d.checksum]}
      </strong>{' '}
      — the field {text}
    </p>
  );
}

function FrameView({ frame }: { frame: InspectedFrame }) {
  const d = useMemo(() => frameDetail(frame), [frame]);
  const [field, setField] = useState<HeaderField | null>(d.checksumField);
  const [allBytes, setAllBytes] = useState(false);
  const hexEnd = allBytes ? frame.bytes.length : Math.min(frame.bytes.length, Math.max(64, (d.parsed?.payloadOffset ?? 0) + 32));
  const rows = hexRows(frame.bytes, 0, hexEnd);
  const WIRE_SHOWN = 48;
  return (
    <div className="ol-insp-detail" aria-label={`Frame ${frame.no}`} role="region">
      <p className="ol-insp-title">
        <strong>Frame {frame.no}</strong> · {duration(frame.tNs)} · {frame.point ? pointLabel(frame.point) : '?'} · {frame.origLengthBytes} bytes · {d.ipSummed}
        {frame.gsoSize > 0 ? ` · gso_size ${frame.gsoSize}` : ''}
      </p>
      {d.problems.map((p) => (
        <p key={p} className="ol-insp-problem">
          {p}
        </p>
      ))}
      <ChecksumBox d={d} />
      <div className="ol-insp-cols">
        <div>
          <h3>vnet header (virtio_net_hdr_v1)</h3>
          {'error' in d.vnet ? (
            <p>Not expressible as a vnet header: {d.vnet.error}</p>
          ) : (
            <table className="ol-kv" aria-label="vnet header">
              <tbody>
                {d.vnet.fields.map((x) => (
                  <tr key={x.name}>
                    <th scope="row">{x.name}</th>
                    <td>{x.value}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">bytes</th>
                  <td className="ol-mono">{[...d.vnet.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}</td>
                </tr>
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>Headers</h3>
          <table className="ol-kv ol-fields" aria-label="Header fields">
            <tbody>
              {d.fields.map((x) => (
                <tr key={`${x.layer}/${x.name}/${x.offset}`} className={field === x ? 'ol-field-on' : undefined}>
                  <th scope="row">
                    <button type="button" className="ol-linklike" onClick={() => setField(x)} aria-label={`Highlight ${x.layer} ${x.name} in the bytes`}>
                      {x.layer} {x.name}
                    </button>
                  </th>
                  <td>{x.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="ol-insp-cols">
        <div aria-label="What tcpdump sees here" role="group">
          <h3>What tcpdump sees here</h3>
          {d.tcpdump ? (
            <>
              <p className="ol-mono ol-line">{d.tcpdump.summary}</p>
              <p>
                1 frame, {d.tcpdump.lengthBytes} bytes{d.tcpdump.lengthBytes > 1514 ? ' (larger than the MTU: a GSO super-frame, whole)' : ''}
              </p>
              <p className="ol-muted">{d.tcpdump.comment}</p>
            </>
          ) : (
            <p>—</p>
          )}
        </div>
        <div aria-label="What is on the wire" role="group">
          <h3>
            What is on the wire: {d.wire.length} frame{d.wire.length === 1 ? '' : 's'}
          </h3>
          <ol className="ol-wire">
            {d.wire.slice(0, WIRE_SHOWN).map((w, i) => (
              // oxlint-disable-next-line react/no-array-index-key -- segments are positional
              <li key={i}>
                <span className="ol-mono">{w.summary}</span> · {w.lengthBytes} B · {w.checksumValue !== null ? `cksum ${hex4(w.checksumValue)} ` : ''}
                <span className={`ol-csum ol-csum-${w.checksum}`}>{STATE_TEXT[w.checksum]}</span>
              </li>
            ))}
          </ol>
          {d.wire.length > WIRE_SHOWN && <p className="ol-muted">… and {d.wire.length - WIRE_SHOWN} more</p>}
        </div>
      </div>
      <h3>
        Bytes{field ? ` — ${field.layer} ${field.name} at ${field.offset}…${field.offset + field.lengthBytes - 1}` : ''}
        {hexEnd < frame.bytes.length ? ` (first ${hexEnd} of ${frame.bytes.length})` : ''}{' '}
        {(allBytes || hexEnd < frame.bytes.length) && (
          <button type="button" className="ol-linklike ol-more" onClick={() => setAllBytes(!allBytes)}>
            {allBytes ? 'headers only' : `show all ${frame.bytes.length}`}
          </button>
        )}
      </h3>
      <pre className="ol-hex" aria-label="Frame bytes">
        {rows.map((r) => {
          // One text run per row, split only where the highlighted field crosses it (64 KiB = 4096 rows).
          const lo = field ? Math.max(0, field.offset - r.offset) : 0;
          const hi = field ? Math.min(r.cells.length, field.offset + field.lengthBytes - r.offset) : 0;
          const text = (a: number, b: number) => r.cells.slice(a, b).map((c) => ` ${c}`).join('');
          return (
            <div key={r.offset}>
              <span className="ol-hex-off">{r.offset.toString(16).padStart(4, '0')}</span>
              {hi > lo ? (
                <>
                  {text(0, lo)}{' '}
                  <span className="ol-hex-hi">{text(lo, hi).slice(1)}</span>
                  {text(hi, r.cells.length)}
                </>
              ) : (
                text(0, r.cells.length)
              )}
            </div>
          );
        })}
      </pre>
    </div>
  );
}
