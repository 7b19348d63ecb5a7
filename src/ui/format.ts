/** Human units with SI prefixes, used the same way everywhere (canvas labels, charts, tables). */

const PREFIXES = [
  { f: 1e12, p: 'T' },
  { f: 1e9, p: 'G' },
  { f: 1e6, p: 'M' },
  { f: 1e3, p: 'k' },
];

export function si(value: number, unit: string, digits = 3): string {
  if (!Number.isFinite(value)) return `– ${unit}`;
  const abs = Math.abs(value);
  for (const { f, p } of PREFIXES) {
    if (abs >= f) return `${trim(value / f, digits)} ${p}${unit}`;
  }
  return `${trim(value, digits)} ${unit}`;
}

export function duration(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  const abs = Math.abs(ns);
  if (abs >= 1e9) return `${trim(ns / 1e9, 3)} s`;
  if (abs >= 1e6) return `${trim(ns / 1e6, 3)} ms`;
  if (abs >= 1e3) return `${trim(ns / 1e3, 3)} µs`;
  return `${trim(ns, 3)} ns`;
}

export function formatChannelValue(value: number, unit: string): string {
  switch (unit) {
    case 'bit/s':
      return si(value, 'bit/s');
    case 'pkt/s':
      return si(value, 'pkt/s');
    case 'event/s':
      return si(value, 'ev/s');
    case 'ratio':
      return `${trim(value * 100, 3)} %`;
    case 'ns':
      return duration(value);
    case 'packets':
      return `${trim(value, 4)} pkt`;
    default:
      return trim(value, 4);
  }
}

function trim(v: number, digits: number): string {
  if (v === 0) return '0';
  const s = Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(digits);
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}
