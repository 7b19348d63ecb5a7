/**
 * The live charts: tabs (throughput, events/s, CPU breakdown, latency & jitter, queues & drops), a shared
 * view (follow live, pause, scroll back over the kept history) and per-chart export (PNG, SVG, CSV).
 * Samples never become React state: one animation-frame loop reads the history and redraws a chart only
 * when the history's version, the view or the size changed.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { MetricChannel } from '../../core/protocol';
import { duration } from '../format';
import { fmt, MARGIN, wrapText, type Layout } from './layout';
import { chartsForTab, coreLabels, nearestIndex, RATE_UNITS, ratioText, recentMean, scrollView, TABS, toCsv, visibleWindow, type ChartSpec, type SeriesSource, type TabId, type ViewState, type Window } from './model';
import { ChartRenderer, resolveTheme, type ResolvedTheme } from './render';
import { chartSvg } from './svg';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './charts.css';

export type { SeriesSource } from './model';

export interface ChartsPanelProps {
  /** Returns the current history (a new one when a scenario is loaded). */
  source: () => SeriesSource | null;
  /** Called each animation frame before drawing (the app drains the metrics ring here). */
  beforeFrame?: () => void;
  /** A second run (B) overlaid on the line charts, aligned on virtual time, with the A/B ratio shown. */
  compare?: () => SeriesSource | null;
  /** Height of each chart's plot in CSS pixels. */
  chartHeight?: number;
  /** Extra class on the panel's root (the layout places it). */
  className?: string;
  /** Measurement hook (the benchmark): milliseconds spent drawing in a frame and whether any chart redrew. */
  onFrameCost?: (ms: number, drew: boolean) => void;
}

const EMPTY: readonly MetricChannel[] = [];
const SPANS = [0, 100, 300, 1000] as const;

interface FrameInput {
  src: SeriesSource | null;
  cmp: SeriesSource | null;
  view: ViewState;
  viewVersion: number;
  themeVersion: number;
}

interface ChartHandle {
  /** Redraws when something it shows changed; true when it drew. */
  frame(input: FrameInput): boolean;
}

interface Registry {
  add(id: string, h: ChartHandle): void;
  remove(id: string): void;
  /** Scrolls the shared view by a number of samples (freezes it). */
  scrollBy(samples: number): void;
}

export function ChartsPanel({ source, beforeFrame, compare, chartHeight = 190, className, onFrameCost }: ChartsPanelProps) {
  const [tab, setTab] = useState<TabId>('throughput');
  const [channels, setChannels] = useState<readonly MetricChannel[]>(EMPTY);
  const [core, setCore] = useState<string | undefined>(undefined);
  const [distribution, setDistribution] = useState<'rtt' | 'jitter'>('rtt');
  const [paused, setPaused] = useState(false);
  const [span, setSpan] = useState<number>(0);
  const ids = useId();

  const sourceRef = useRef(source);
  const beforeRef = useRef(beforeFrame);
  const compareRef = useRef(compare);
  const costRef = useRef(onFrameCost);
  useEffect(() => {
    sourceRef.current = source;
    beforeRef.current = beforeFrame;
    compareRef.current = compare;
    costRef.current = onFrameCost;
  }, [source, beforeFrame, compare, onFrameCost]);

  const viewRef = useRef<ViewState>({ endAbs: null, span: 0 });
  const viewVersion = useRef(0);
  const themeVersion = useRef(0);
  const handles = useRef(new Map<string, ChartHandle>());
  const sliderRef = useRef<HTMLInputElement>(null);
  const rangeRef = useRef<HTMLSpanElement>(null);

  const setView = useCallback((v: ViewState) => {
    viewRef.current = v;
    viewVersion.current++;
    setPaused(v.endAbs !== null);
  }, []);

  const registry = useMemo<Registry>(
    () => ({
      add: (id, h) => handles.current.set(id, h),
      remove: (id) => handles.current.delete(id),
      scrollBy: (samples) => {
        const src = sourceRef.current();
        if (src) setView(scrollView(src, viewRef.current, samples));
      },
    }),
    [setView],
  );

  useEffect(() => {
    const mq = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    const onTheme = () => themeVersion.current++;
    mq?.addEventListener('change', onTheme);
    return () => mq?.removeEventListener('change', onTheme);
  }, []);

  // The one animation-frame loop of the panel.
  useEffect(() => {
    let raf = 0;
    let lastSrc: SeriesSource | null | undefined;
    let lastScrollKey = '';
    const frame = () => {
      raf = requestAnimationFrame(frame);
      beforeRef.current?.();
      const t0 = costRef.current ? performance.now() : 0;
      const src = sourceRef.current();
      if (src !== lastSrc) {
        lastSrc = src;
        viewRef.current = { ...viewRef.current, endAbs: null };
        viewVersion.current++;
        setPaused(false);
        setChannels(src ? src.channels : EMPTY);
      }
      const input: FrameInput = { src, cmp: compareRef.current?.() ?? null, view: viewRef.current, viewVersion: viewVersion.current, themeVersion: themeVersion.current };
      let drew = false;
      for (const h of handles.current.values()) drew = h.frame(input) || drew;
      // The scroll slider follows the kept history without React renders.
      const slider = sliderRef.current;
      if (slider && src) {
        const w = visibleWindow(src, viewRef.current);
        const key = `${src.length}|${w.from}|${w.to}|${viewRef.current.endAbs === null}`;
        if (key !== lastScrollKey) {
          lastScrollKey = key;
          slider.max = String(Math.max(0, src.length));
          slider.value = String(w.to);
          const t = (i: number) => (i >= 0 && i < src.length ? src.tNs[src.slot(i)] : 0);
          const text = w.to > w.from ? `${duration(t(w.from))} – ${duration(t(w.to - 1))} of ${duration(t(src.length - 1))}` : 'no samples yet';
          slider.setAttribute('aria-valuetext', `${viewRef.current.endAbs === null ? 'live' : 'paused'}: ${text}`);
          slider.title = `In view: ${text}`;
          if (rangeRef.current) rangeRef.current.textContent = text;
        }
      }
      costRef.current?.(performance.now() - t0, drew);
    };
    raf = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(raf);
  }, []);

  const cores = useMemo(() => coreLabels(channels), [channels]);
  const charts = useMemo(() => chartsForTab(tab, channels, { core, distribution }), [tab, channels, core, distribution]);

  const togglePause = () => {
    const src = sourceRef.current();
    if (viewRef.current.endAbs === null) setView({ ...viewRef.current, endAbs: src ? src.received : 0 });
    else setView({ ...viewRef.current, endAbs: null });
  };

  const onSlider = (value: number) => {
    const src = sourceRef.current();
    if (!src) return;
    const oldestAbs = src.received - src.length;
    setView({ ...viewRef.current, endAbs: value >= src.length ? src.received : oldestAbs + value });
  };

  const onSpan = (s: number) => {
    setSpan(s);
    viewRef.current = { ...viewRef.current, span: s };
    viewVersion.current++;
  };

  const onTabKey = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const i = TABS.findIndex((t) => t.id === tab);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next].id);
    document.getElementById(`${ids}-tab-${TABS[next].id}`)?.focus();
  };

  return (
    <section className={className ? `ol-charts ${className}` : 'ol-charts'} aria-label="Live charts">
      <div className="ol-charts-bar">
        <div role="tablist" aria-label="Chart sections" className="ol-tabs" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t.id}
              id={`${ids}-tab-${t.id}`}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              aria-controls={`${ids}-panel`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div className="ol-charts-controls">
          {tab === 'cpu' && cores.length > 0 && (
            <label>
              <span>Core </span>
              <select value={core ?? cores[0]} onChange={(e) => setCore(e.target.value)} aria-label="Core shown in the CPU breakdown">
                {cores.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          )}
          {tab === 'latency' && (
            <label>
              <span>Distribution of </span>
              <select value={distribution} onChange={(e) => setDistribution(e.target.value === 'jitter' ? 'jitter' : 'rtt')} aria-label="Distribution shown in the histogram">
                <option value="rtt">RTT</option>
                <option value="jitter">jitter</option>
              </select>
            </label>
          )}
          <label>
            <span>Samples </span>
            <select value={span} onChange={(e) => onSpan(Number(e.target.value))} aria-label="Samples in view">
              {SPANS.map((s) => (
                <option key={s} value={s}>
                  {s === 0 ? 'all kept' : `last ${s}`}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="ol-pause" aria-pressed={paused} onClick={togglePause} title={paused ? 'Follow the newest samples again' : 'Freeze the charts while samples keep arriving'}>
            {paused ? 'Follow live' : 'Freeze view'}
          </button>
          <input ref={sliderRef} type="range" min={0} max={0} step={1} defaultValue={0} aria-label="Scroll back through the run" onChange={(e) => onSlider(Number(e.target.value))} className="ol-scroll" />
          <span ref={rangeRef} className="ol-range" aria-hidden="true" />
        </div>
      </div>
      <div id={`${ids}-panel`} role="tabpanel" aria-labelledby={`${ids}-tab-${tab}`} className={`ol-charts-grid ol-tab-${tab}`}>
        {charts.map((spec) => (
          <ChartView key={`${tab}/${spec.id}/${spec.title}`} spec={spec} registry={registry} height={chartHeight} comparing={compare !== undefined} />
        ))}
      </div>
    </section>
  );
}

interface ChartViewProps {
  spec: ChartSpec;
  registry: Registry;
  height: number;
  comparing: boolean;
}

interface Drawn {
  src: SeriesSource;
  cmp: SeriesSource | null;
  w: Window;
  layout: Layout;
  theme: ResolvedTheme;
  compareChannels: number[];
  compareWindow: Window | null;
}

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function ChartView({ spec, registry, height, comparing }: ChartViewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const valueRefs = useRef<(HTMLElement | null)[]>([]);
  const drawnRef = useRef<Drawn | null>(null);
  /** Hovered virtual time (line/stacked charts) or bin (histogram); null when not hovering. */
  const hoverRef = useRef<number | null>(null);
  const redrawHover = useRef<() => void>(() => {});
  const dragRef = useRef<{ x: number } | null>(null);
  const uid = useId();

  useEffect(() => {
    const canvas = canvasRef.current!;
    const overlay = overlayRef.current!;
    const renderer = new ChartRenderer();
    let drawnVersion = -1;
    let drawnCmpVersion = -1;
    let drawnSrc: SeriesSource | null | undefined;
    let drawnView = -1;
    let drawnTheme = -1;
    let drawnWidth = 0;
    let theme: ResolvedTheme | null = null;
    // Width from a ResizeObserver: reading clientWidth in the frame would force a layout after the
    // previous chart's legend was written.
    let width = canvas.clientWidth;
    const ro = new ResizeObserver((entries) => {
      for (const e of entries) width = e.contentRect.width;
    });
    ro.observe(canvas);

    const sizeCanvas = (c: HTMLCanvasElement, w: number, h: number, dpr: number): CanvasRenderingContext2D | null => {
      if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
        c.width = Math.round(w * dpr);
        c.height = Math.round(h * dpr);
      }
      const ctx = c.getContext('2d');
      ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
      return ctx;
    };

    const hover = () => {
      const d = drawnRef.current;
      const tip = tipRef.current;
      const octx = overlay.getContext('2d');
      if (!octx) return;
      const h = hoverRef.current;
      if (!d || h === null || !theme) {
        octx.clearRect(0, 0, overlay.width, overlay.height);
        if (tip) tip.hidden = true;
        return;
      }
      let k: number;
      if (spec.kind === 'histogram') k = d.layout.hist && h < d.layout.hist.edges.length - 1 ? h : -1;
      else k = nearestIndex(d.src, d.w, h);
      renderer.drawHover(octx, spec, d.src, d.layout, k, theme);
      if (!tip) return;
      if (k < 0) {
        tip.hidden = true;
        return;
      }
      tip.replaceChildren(...tooltipRows(spec, d, k));
      tip.hidden = false;
      const px = spec.kind === 'histogram' && d.layout.hist ? d.layout.x(d.layout.hist.edges[k + 1]) : d.layout.x(d.src.tNs[d.src.slot(k)]);
      const tipW = tip.offsetWidth;
      const left = px + 12 + tipW > d.layout.width ? Math.max(0, px - 12 - tipW) : px + 12;
      tip.style.left = `${left}px`;
      // Short plots: lift the tooltip so it stays inside the window.
      const plotTop = overlay.getBoundingClientRect().top;
      const overflow = plotTop + MARGIN.t + tip.offsetHeight - (globalThis.innerHeight - 4);
      tip.style.top = `${overflow > 0 ? Math.max(MARGIN.t - overflow, -plotTop + 4) : MARGIN.t}px`;
    };
    redrawHover.current = hover;

    const handle: ChartHandle = {
      frame({ src, cmp, view, viewVersion, themeVersion }) {
        if (width === 0) return false;
        const live = view.endAbs === null;
        const version = src?.version ?? -1;
        const cmpVersion = cmp?.version ?? -1;
        const dataChanged = live && (version !== drawnVersion || cmpVersion !== drawnCmpVersion);
        if (!dataChanged && src === drawnSrc && viewVersion === drawnView && themeVersion === drawnTheme && width === drawnWidth) return false;
        if (themeVersion !== drawnTheme || !theme) theme = resolveTheme(canvas, spec);
        drawnVersion = version;
        drawnCmpVersion = cmpVersion;
        drawnSrc = src;
        drawnView = viewVersion;
        drawnTheme = themeVersion;
        drawnWidth = width;
        const dpr = globalThis.devicePixelRatio || 1;
        const ctx = sizeCanvas(canvas, width, height, dpr);
        sizeCanvas(overlay, width, height, dpr);
        if (!ctx) return false;
        const w = src ? visibleWindow(src, view) : { from: 0, to: 0 };
        if (!src || spec.series.length === 0 || w.to <= w.from) {
          ctx.clearRect(0, 0, width, height);
          ctx.font = '13px system-ui, sans-serif';
          ctx.fillStyle = theme.muted;
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          const message = !src ? 'No scenario loaded.' : spec.series.length === 0 ? spec.empty : 'Waiting for samples — press Run.';
          const lines = wrapText(message, width - 16, (t) => ctx.measureText(t).width);
          const lineHeight = 17;
          lines.forEach((line, i) => ctx.fillText(line, width / 2, height / 2 + (i - (lines.length - 1) / 2) * lineHeight));
          drawnRef.current = null;
          for (const el of valueRefs.current) if (el) el.textContent = '';
          hover();
          return true;
        }
        const r = renderer.draw(ctx, spec, src, w, width, height, theme, cmp);
        drawnRef.current = { src, cmp, w, layout: r.layout, theme, compareChannels: r.compareChannels, compareWindow: r.compareWindow };
        updateLegend(spec, drawnRef.current, valueRefs.current);
        if (hoverRef.current !== null) hover();
        return true;
      },
    };
    registry.add(uid, handle);
    return () => {
      ro.disconnect();
      registry.remove(uid);
    };
  }, [spec, registry, height, uid]);

  const plotX = (clientX: number): number => {
    const rect = overlayRef.current!.getBoundingClientRect();
    return clientX - rect.left;
  };

  const setHoverAt = (px: number) => {
    const d = drawnRef.current;
    if (!d) return;
    const { layout: L } = d;
    if (px < MARGIN.l - 4 || px > L.width - MARGIN.r + 4) {
      hoverRef.current = null;
    } else if (spec.kind === 'histogram') {
      const h = L.hist;
      if (!h || h.edges.length === 0) return;
      const v = L.x.invert(px);
      let b = 0;
      while (b < h.edges.length - 2 && h.edges[b + 1] <= v) b++;
      hoverRef.current = b;
    } else hoverRef.current = L.x.invert(px);
    redrawHover.current();
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const drag = dragRef.current;
    const d = drawnRef.current;
    if (drag && d && spec.kind !== 'histogram') {
      const dx = e.clientX - drag.x;
      const plotW = d.layout.width - MARGIN.l - MARGIN.r;
      const samples = Math.round((-dx / plotW) * (d.w.to - d.w.from));
      if (samples !== 0) {
        drag.x = e.clientX;
        registry.scrollBy(samples);
      }
      return;
    }
    setHoverAt(plotX(e.clientX));
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 || spec.kind === 'histogram') return;
    dragRef.current = { x: e.clientX };
    e.currentTarget.setPointerCapture(e.pointerId);
  };

  const onKeyDown = (e: ReactKeyboardEvent<HTMLCanvasElement>) => {
    const d = drawnRef.current;
    if (!d) return;
    if (e.key === 'Escape') {
      hoverRef.current = null;
      redrawHover.current();
      return;
    }
    const step = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
    if (e.shiftKey && step !== 0 && spec.kind !== 'histogram') {
      e.preventDefault();
      registry.scrollBy(step * Math.max(1, Math.round((d.w.to - d.w.from) / 10)));
      return;
    }
    if (step === 0 && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    if (spec.kind === 'histogram') {
      const bins = d.layout.hist ? d.layout.hist.edges.length - 1 : 0;
      if (bins <= 0) return;
      const cur = hoverRef.current ?? (step > 0 ? -1 : bins);
      hoverRef.current = e.key === 'Home' ? 0 : e.key === 'End' ? bins - 1 : Math.max(0, Math.min(bins - 1, cur + step));
    } else {
      const cur = hoverRef.current === null ? d.w.to - 1 : nearestIndex(d.src, d.w, hoverRef.current);
      const k = e.key === 'Home' ? d.w.from : e.key === 'End' ? d.w.to - 1 : Math.max(d.w.from, Math.min(d.w.to - 1, cur + (hoverRef.current === null ? 0 : step)));
      hoverRef.current = d.src.tNs[d.src.slot(k)];
    }
    redrawHover.current();
  };

  const exportAs = async (format: 'png' | 'svg' | 'csv') => {
    const d = drawnRef.current;
    if (!d) return;
    const name = `offload-lab-${spec.id}`;
    if (format === 'csv') {
      download(new Blob([toCsv(d.src, d.w, spec.series)], { type: 'text/csv' }), `${name}.csv`);
      return;
    }
    const svg = chartSvg(spec, d.src, d.w, d.layout.width, d.layout.height, d.theme);
    if (format === 'svg') {
      download(new Blob([svg], { type: 'image/svg+xml' }), `${name}.svg`);
      return;
    }
    // PNG: the same SVG rasterised at twice the size.
    const img = new Image();
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    try {
      img.src = url;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth * 2;
      c.height = img.naturalHeight * 2;
      const ctx = c.getContext('2d');
      if (!ctx) return;
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      const blob = await new Promise<Blob | null>((resolve) => c.toBlob(resolve, 'image/png'));
      if (blob) download(blob, `${name}.png`);
    } finally {
      URL.revokeObjectURL(url);
    }
  };

  const captionId = `${uid}-caption`;
  const unitText = spec.kind === 'histogram' ? `sample intervals per ${spec.unit === 'ns' ? 'latency' : spec.unit} bin` : `${fmt(0, spec.unit).replace(/^0\s*/, '') || spec.unit} over virtual time`;
  return (
    <figure className="ol-chart" aria-labelledby={captionId}>
      <div className="ol-chart-head">
        <figcaption id={captionId}>{spec.title}</figcaption>
        <div role="group" aria-label={`Export ${spec.title}`} className="ol-export">
          {(['png', 'svg', 'csv'] as const).map((f) => (
            <button key={f} type="button" onClick={() => void exportAs(f)} aria-label={`Export ${spec.title} as ${f.toUpperCase()}`} title={`Download the visible chart as ${f.toUpperCase()}`}>
              {f.toUpperCase()}
            </button>
          ))}
        </div>
      </div>
      <div className="ol-plot" style={{ height }}>
        <canvas ref={canvasRef} aria-hidden="true" />
        <canvas
          ref={overlayRef}
          className="ol-overlay"
          role="img"
          tabIndex={0}
          aria-label={`${spec.title}, ${unitText}. Arrow keys read values at each sample; Shift+arrows scroll; Escape hides.`}
          aria-describedby={`${uid}-tip`}
          onPointerMove={onPointerMove}
          onPointerDown={onPointerDown}
          onPointerUp={() => (dragRef.current = null)}
          onPointerLeave={() => {
            if (dragRef.current) return;
            hoverRef.current = null;
            redrawHover.current();
          }}
          onWheel={(e) => {
            const d = drawnRef.current;
            const delta = e.deltaX !== 0 ? e.deltaX : e.shiftKey ? e.deltaY : 0;
            if (!d || delta === 0 || spec.kind === 'histogram') return;
            registry.scrollBy(Math.sign(delta) * Math.max(1, Math.round((d.w.to - d.w.from) / 20)));
          }}
          onKeyDown={onKeyDown}
          onBlur={() => {
            hoverRef.current = null;
            redrawHover.current();
          }}
        />
        <div ref={tipRef} id={`${uid}-tip`} role="tooltip" className="ol-tip" hidden />
      </div>
      <ul className="ol-legend" aria-label={`${spec.title} legend`} title="Rates are the mean of the last 100 ms of virtual time; latencies and queue depths the latest sample interval (the run summary and the report average the whole run)">
        {spec.series.map((s, i) => (
          <li key={s.id}>
            <Swatch spec={spec} index={i} />
            <span className="ol-label">{s.label}</span>
            {s.note && <span className="ol-note">{s.note}</span>}
            <strong
              ref={(el) => {
                valueRefs.current[i] = el;
              }}
            />
          </li>
        ))}
        {comparing && spec.kind === 'lines' && spec.series.length > 0 && (
          <li>
            <span className="ol-note">run A: full lines · run B: faint lines · A/B = ratio of the values shown</span>
          </li>
        )}
      </ul>
    </figure>
  );
}

/** Legend mark: a line with the series' dash, or a filled box with its pattern (CSS from the same colour). */
function Swatch({ spec, index }: { spec: ChartSpec; index: number }) {
  const s = spec.series[index];
  const color = `var(${s.colorVar})`;
  const filter = s.shade === 0 ? undefined : `brightness(${(1 + s.shade * 0.35).toFixed(2)})`;
  if (spec.kind === 'lines') {
    return <span className="ol-swatch ol-swatch-line" style={{ borderTopColor: color, borderTopStyle: s.dash.length === 0 ? 'solid' : s.dash[0] <= 2 ? 'dotted' : 'dashed', filter }} aria-hidden="true" />;
  }
  return <span className={`ol-swatch ol-swatch-box ol-pattern-${s.pattern}`} style={{ color, borderColor: color, filter }} aria-hidden="true" />;
}

function updateLegend(spec: ChartSpec, d: Drawn, els: (HTMLElement | null)[]): void {
  const last = d.w.to - 1;
  spec.series.forEach((s, i) => {
    const el = els[i];
    if (!el) return;
    let text: string;
    if (spec.kind === 'histogram') {
      const vals: number[] = [];
      const col = d.src.values[s.channel];
      for (let k = d.w.from; k < d.w.to; k++) {
        const v = col[d.src.slot(k)];
        if (Number.isFinite(v) && !(s.zeroIsGap && v === 0)) vals.push(v);
      }
      vals.sort((a, b) => a - b);
      text = vals.length === 0 ? 'no intervals' : `p50 ${fmt(percentile(vals, 50), s.unit)} · p99 ${fmt(percentile(vals, 99), s.unit)} · ${vals.length} intervals`;
    } else {
      const rate = RATE_UNITS.has(s.unit);
      const a = rate ? recentMean(d.src, s.channel, 0, last) : d.src.values[s.channel][d.src.slot(last)];
      text = s.zeroIsGap && a === 0 ? '–' : fmt(a, s.unit);
      const ci = d.compareChannels[i];
      if (d.cmp && d.compareWindow && ci !== undefined && ci >= 0 && d.compareWindow.to > d.compareWindow.from) {
        const bEnd = d.compareWindow.to - 1;
        const b = rate ? recentMean(d.cmp, ci, 0, bEnd) : d.cmp.values[ci][d.cmp.slot(bEnd)];
        text += ` · B ${fmt(b, s.unit)} · A/B ${ratioText(a, b)}`;
      }
    }
    if (el.textContent !== text) el.textContent = text;
  });
}

function row(label: string, value: string, cls?: string, mark?: { color: string; dash: readonly number[] }): HTMLElement {
  const r = document.createElement('div');
  if (cls) r.className = cls;
  const l = document.createElement('span');
  if (mark) {
    const m = document.createElement('i');
    m.className = 'ol-tip-mark';
    m.style.borderTop = `3px ${mark.dash.length === 0 ? 'solid' : mark.dash[0] <= 2 ? 'dotted' : 'dashed'} ${mark.color}`;
    l.append(m);
  }
  l.append(label);
  const v = document.createElement('strong');
  v.textContent = value;
  r.append(l, v);
  return r;
}

function tooltipRows(spec: ChartSpec, d: Drawn, k: number): HTMLElement[] {
  const rows: HTMLElement[] = [];
  if (spec.kind === 'histogram') {
    const h = d.layout.hist!;
    rows.push(row('bin', `${fmt(h.edges[k], spec.unit)} – ${fmt(h.edges[k + 1], spec.unit)}`, 'ol-tip-head'));
    spec.series.forEach((s, i) => rows.push(row(s.label, `${h.counts[i][k]} of ${h.totals[i]} samples`, undefined, { color: d.theme.seriesColors[i], dash: s.dash })));
    return rows;
  }
  const slot = d.src.slot(k);
  const tNs = d.src.tNs[slot];
  rows.push(row('t', duration(tNs), 'ol-tip-head'));
  let total = 0;
  spec.series.forEach((s, i) => {
    const v = d.src.values[s.channel][slot];
    total += Number.isFinite(v) && v > 0 ? v : 0;
    let text = s.zeroIsGap && v === 0 ? 'no sample' : fmt(v, s.unit);
    const ci = d.compareChannels[i];
    if (d.cmp && d.compareWindow && ci !== undefined && ci >= 0) {
      const j = nearestIndex(d.cmp, d.compareWindow, tNs);
      if (j >= 0) {
        const b = d.cmp.values[ci][d.cmp.slot(j)];
        text += ` · B ${fmt(b, s.unit)} · ${ratioText(v, b)}`;
      }
    }
    rows.push(row(s.note ? `${s.label} (${s.note})` : s.label, text, undefined, { color: d.theme.seriesColors[i], dash: spec.kind === 'stacked' ? [] : s.dash }));
  });
  if (spec.kind === 'stacked') rows.push(row('total busy', fmt(total, spec.unit), 'ol-tip-total'));
  return rows;
}
