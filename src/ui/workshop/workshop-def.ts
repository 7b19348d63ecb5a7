/**
 * Guided workshops built on the presets: each step loads a preset, asks the participant to predict the
 * outcome before the run, then reveals the measured metric (from the run's RunResult, via metricValue) next
 * to the prediction and the preset's explanation. Pure data and functions; the UI is WorkshopPanel.
 */
import { findPreset, holds, metricValue, type MetricId, type PresetDef } from '../../core/scenario/presets';
import type { RunResult } from '../../core/metrics/result';

/** One answer to a step's question: the range [min, max) of the measured value (or ratio) it stands for. */
export interface Choice {
  id: string;
  label: string;
  min: number;
  max: number;
}

export interface WorkshopStep {
  presetId: string;
  /** A named variant of the preset (its changes applied), when the step is about one. */
  variant?: string;
  title: string;
  /** What to look at before running. */
  instructions: string;
  question: string;
  metric: MetricId;
  /** The prediction is about the ratio to this earlier step's measured value. */
  relativeToStep?: number;
  choices: Choice[];
}

export interface Workshop {
  id: string;
  title: string;
  steps: WorkshopStep[];
}

const G = 1e9;
const MS = 1e6;

const RATIO_CHOICES: Choice[] = [
  { id: 'up', label: 'Up by more than 10 %', min: 1.1, max: Infinity },
  { id: 'same', label: 'About the same (within ±10 %)', min: 0.9, max: 1.1 },
  { id: 'down-some', label: 'Down, by up to 5×', min: 0.2, max: 0.9 },
  { id: 'down-lots', label: 'Down by more than 5×', min: 0, max: 0.2 },
];

export const WORKSHOPS: readonly Workshop[] = [
  {
    id: 'offload-club',
    title: 'Why every hop should stay in the offload club',
    steps: [
      {
        presetId: 'vm-vm-offload',
        title: 'Baseline: two VMs, every offload on',
        instructions: 'Two guests on one host bridge, virtio-net with vnet headers, one bulk TCP flow vm1 → vm2. Look at the frame sizes on the link labels once it runs.',
        question: 'Roughly what TCP goodput will this one flow reach?',
        metric: 'tcpThroughputBitsPerSec',
        choices: [
          { id: 'lt5', label: 'Below 5 Gbit/s', min: 0, max: 5 * G },
          { id: '5-20', label: '5 to 20 Gbit/s', min: 5 * G, max: 20 * G },
          { id: '20-60', label: '20 to 60 Gbit/s', min: 20 * G, max: 60 * G },
          { id: 'gt60', label: 'Above 60 Gbit/s', min: 60 * G, max: Infinity },
        ],
      },
      {
        presetId: 'vm-vm-segmented',
        title: 'Turn segmentation offloads off',
        instructions: 'Same VMs, but `ethtool -K eth0 tso off gso off` in vm1 and `gro off` in vm2: 1500-byte frames everywhere.',
        question: 'Compared with step 1, will throughput go up or down, and by how much?',
        metric: 'tcpThroughputBitsPerSec',
        relativeToStep: 0,
        choices: RATIO_CHOICES,
      },
      {
        presetId: 'vm-vm-segmented',
        variant: 'sender-on-vcpu1',
        title: 'Move the sender off the interrupt’s vCPU',
        instructions:
          'The same segmented guests, but vm1’s sender is pinned to vCPU 1 (`taskset -c 1`) while the virtio queue’s interrupt stays on vCPU 0. Watch which core saturates once it runs.',
        question: 'Compared with step 2, will throughput go up or down, and by how much?',
        metric: 'tcpThroughputBitsPerSec',
        relativeToStep: 1,
        choices: RATIO_CHOICES,
      },
      {
        presetId: 'router-club',
        title: 'Put a router VM in the path (in the club)',
        instructions: 'vm1 → r1 → vm2, every hop virtio-net with vnet headers; the router guest has one core.',
        question: 'Compared with step 1 (no router), will throughput go up or down, and by how much?',
        metric: 'tcpThroughputBitsPerSec',
        relativeToStep: 0,
        choices: RATIO_CHOICES,
      },
      {
        presetId: 'router-no-club',
        title: 'The same router without vnet headers',
        instructions: 'The router’s ports cannot carry CHECKSUM_PARTIAL or GSO metadata. Watch the router core once it runs.',
        question: 'Compared with step 4 (router in the club), will throughput go up or down, and by how much?',
        metric: 'tcpThroughputBitsPerSec',
        relativeToStep: 3,
        choices: RATIO_CHOICES,
      },
      {
        presetId: 'checksum-trust',
        title: 'Who checks the checksum?',
        instructions: 'The router corrupts 1 % of the frames it sends to vm2, after the sender marked their checksums CHECKSUM_PARTIAL.',
        question: 'How many corrupted frames will vm2 accept and deliver to the application?',
        metric: 'acceptedCorrupt',
        choices: [
          { id: 'none', label: 'None: the TCP checksum catches them', min: 0, max: 1 },
          { id: 'some', label: 'Some get through', min: 1, max: Infinity },
        ],
      },
      {
        presetId: 'qos-slow-egress',
        title: 'Super-frames at a slow shaped egress',
        instructions: 'The router’s egress is shaped to 10 Mbit/s with a priority qdisc; a small probe (TOS low-delay) shares it with bulk TCP.',
        question: 'What 99th-percentile round-trip time will the prioritised probe see?',
        metric: 'probeLatencyP99Ns',
        choices: [
          { id: 'lt2', label: 'Below 2 ms', min: 0, max: 2 * MS },
          { id: '2-20', label: '2 to 20 ms', min: 2 * MS, max: 20 * MS },
          { id: '20-200', label: '20 to 200 ms', min: 20 * MS, max: 200 * MS },
          { id: 'gt200', label: 'Above 200 ms', min: 200 * MS, max: Infinity },
        ],
      },
    ],
  },
];

export function findWorkshop(id: string): Workshop | undefined {
  return WORKSHOPS.find((w) => w.id === id);
}

export const WORKSHOP_PARAM = 'workshop';

/**
 * `#workshop=<id>&step=<n>` (n counts from 1) → the workshop and a 0-based step. Defensive: unknown ids,
 * junk and out-of-range steps give null or step 0, never a throw.
 */
export function parseWorkshopHash(hash: string): { workshop: Workshop; stepIndex: number } | null {
  if (typeof hash !== 'string' || hash.length > 500) return null;
  const params = new Map<string, string>();
  for (const part of hash.replace(/^#/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1));
    } catch {
      continue;
    }
    params.set(part.slice(0, eq), value);
  }
  const id = params.get(WORKSHOP_PARAM);
  const workshop = id === undefined ? undefined : findWorkshop(id);
  if (!workshop) return null;
  const stepText = params.get('step') ?? '1';
  const n = /^\d{1,4}$/.test(stepText) ? Number(stepText) : 1;
  return { workshop, stepIndex: Math.min(Math.max(n, 1), workshop.steps.length) - 1 };
}

/** The fragment that opens a participant at `stepIndex` (0-based) of a workshop. */
export function workshopHash(workshopId: string, stepIndex: number): string {
  return `#${WORKSHOP_PARAM}=${encodeURIComponent(workshopId)}&step=${stepIndex + 1}`;
}

/** The value a step's prediction is judged on: the metric, or its ratio to an earlier step's metric. */
export function judgedValue(step: WorkshopStep, measured: number, earlier: readonly (number | undefined)[]): number | undefined {
  if (step.relativeToStep === undefined) return measured;
  const base = earlier[step.relativeToStep];
  return base === undefined || !(base > 0) ? undefined : measured / base;
}

/** The choice the measured value falls in (NaN or no match: undefined). */
export function choiceFor(step: WorkshopStep, value: number | undefined): Choice | undefined {
  if (value === undefined || Number.isNaN(value)) return undefined;
  return step.choices.find((c) => value >= c.min && value < c.max);
}

/** The step's metric from a finished run. */
export function measure(step: WorkshopStep, result: RunResult): number {
  return metricValue(result, step.metric);
}

/**
 * The preset's own published / first-principles check, when it is about the base scenario (no variant with
 * changes, no ratio) so that this run alone can judge it.
 */
export function presetCheck(preset: PresetDef, metric: MetricId, measured: number): { text: string; holds: boolean } | undefined {
  for (const e of [preset.expectation, ...preset.moreExpectations]) {
    if (e.metric !== metric || e.relativeTo) continue;
    const variant = e.variant === undefined ? undefined : preset.variants.find((v) => v.name === e.variant);
    if (e.variant !== undefined && (!variant || variant.changes.length > 0)) continue;
    return { text: e.text, holds: holds(e, measured) };
  }
  return undefined;
}

export function stepPreset(step: WorkshopStep): PresetDef | undefined {
  return findPreset(step.presetId);
}

/** The id the step's scenario carries once loaded (`preset@variant` for a variant, as applyVariant names it). */
export function stepScenarioId(step: WorkshopStep): string {
  return step.variant === undefined ? step.presetId : `${step.presetId}@${step.variant}`;
}
