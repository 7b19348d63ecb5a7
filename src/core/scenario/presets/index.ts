/**
 * One preset per row of shared/scenarios.md, with exactly those ids. Presets are ordinary scenarios: the
 * engine never sees a preset id, only topology, features, traffic and costs. Comparisons within a row are
 * variants (typed changes applied by applyVariant); comparisons across rows use `relativeTo`.
 */
import type { FlowSpec, HostId, NodeId, NodeSpec, Scenario, TimelineChange } from '../types';
import type { ScenarioVariant } from '../variants';
import type { Expectation } from './metrics';
import {
  ALL_OFFLOAD_FEATURES,
  GBIT,
  GIB,
  MBIT,
  MS,
  SEGMENTATION_FEATURES,
  bridge,
  bulkTcp,
  host,
  iface,
  mac,
  off,
  scenario,
  twoVmsOnBridge,
  virtio,
  vm,
  vmRouterVm,
} from './build';

export { applyVariant, type ScenarioVariant } from '../variants';
export { METRICS, METRIC_IDS, metricValue, holds, type MetricId, type Expectation, type Comparator } from './metrics';

export interface PresetDef {
  id: string;
  title: string;
  oneLine: string;
  /** For a workshop: what to look at, why it happens, which kernel mechanism is at work. */
  explanation: string;
  scenario: Scenario;
  /** Named alternatives compared within the row; empty when the row is a single set-up. */
  variants: ScenarioVariant[];
  /** The row's headline check. */
  expectation: Expectation;
  /** Further checks of the same row (directions, ratios). */
  moreExpectations: Expectation[];
  /** Where the model and the article disagree or agree only narrowly: why, in a sentence or two (docs/fidelity.md has the numbers). */
  fidelityNote?: string;
}

const setFeatures = (node: string, ifaceName: string, features: readonly string[], on: boolean): TimelineChange[] =>
  features.map((feature) => ({ kind: 'set-feature', at: { node: node as NodeId, iface: ifaceName }, feature, on }));
/**
 * Simulated time of a bulk-TCP preset. Slow start reaches these rates within a few milliseconds, so 200 ms is
 * steady state (throughputs move by < 1 % between 200 and 500 ms); short runs keep the whole report, and its drift
 * test in the unit suite, at tens of seconds on two shared cores.
 */
const RUN_NS = 200 * MS;
const setParam = (path: string, value: number | string | boolean): TimelineChange => ({ kind: 'set-param', path, value });

// ---- vm-vm-* ----

const vmVmOffload: PresetDef = {
  id: 'vm-vm-offload',
  title: 'VM → VM, all offloads on',
  oneLine: 'Two VMs on one host bridge with every offload on: 64 KiB super-frames cross every boundary.',
  explanation:
    'Both guests negotiate vnet headers with their taps, so a 64 KiB TCP super-frame leaves vm1 as one virtio descriptor chain with ' +
    'CHECKSUM_PARTIAL and a GSO type in its header. The bridge forwards the skb whole and vm2 receives it whole: nobody segments ' +
    'and nobody computes a checksum. Watch the mean frame size on every interface (tens of kilobytes) and the events per second: ' +
    'one kick and one interrupt move 44 MTU-worth of data. This is the baseline that the other vm-vm presets are compared with.',
  scenario: scenario({
    id: 'vm-vm-offload',
    title: 'VM → VM, all offloads on',
    description: 'Two 2-vCPU guests, virtio-net/vhost to a Linux bridge, one bulk TCP flow vm1 → vm2.',
    durationNs: RUN_NS,
    sampleIntervalNs: 10 * MS,
    ...twoVmsOnBridge(),
    flows: [bulkTcp('f1', 'vm1', 'vm2')],
  }),
  variants: [],
  expectation: { metric: 'tcpThroughputBitsPerSec', comparator: '>=', value: 10 * GBIT, text: '≥ 10 Gbit/s (published)' },
  moreExpectations: [],
};

const vmVmSegmented: PresetDef = {
  id: 'vm-vm-segmented',
  title: 'VM → VM, TSO/GSO off in the sender, GRO off in the receiver',
  oneLine: 'Same two VMs, but the sender segments to MTU and the receiver never merges: 1500-byte frames everywhere.',
  explanation:
    'With tcp-segmentation-offload and generic-segmentation-offload off, vm1’s TCP stack emits MSS-sized segments itself, and with ' +
    'generic-receive-offload off vm2 handles each one separately up its stack. Every 1500-byte frame now pays the per-packet and ' +
    'per-event costs a 64 KiB frame paid once: virtqueue kicks, vhost wake-ups, bridge lookups and guest interrupts. Compare ' +
    'events/s per Gbit/s with vm-vm-offload: the work per byte did not change much, the signalling per byte did. Interrupt ' +
    'suppression (event-idx, NAPI) softens this only while a consumer is busy, and the receiving application is woken (a ' +
    'context switch) for whatever arrived since its last read. vm1’s sender shares vCPU 0 with the interrupt that wakes it ' +
    '(wake-affine) while vCPU 1 idles: set the flow’s Sender CPU to 1 (taskset) and watch the saturated core move and the rate ' +
    'rise. Each kick and interrupt is a VM exit, and on a 2017 host an exit costs several times its direct price once the caches ' +
    'and TLB it disturbed are refilled: that indirect cost is the one value the kvm-2017 profile calibrates against the ' +
    'article (5 µs, inside the measured “up to 10×” of a bare exit), and it is why per-frame signalling, not copying, sets this rate.',
  scenario: scenario({
    id: 'vm-vm-segmented',
    title: 'VM → VM, TSO/GSO off in the sender, GRO off in the receiver',
    description: 'As vm-vm-offload with `ethtool -K eth0 tso off gso off` in vm1 and `ethtool -K eth0 gro off` in vm2.',
    durationNs: RUN_NS,
    sampleIntervalNs: 10 * MS,
    ...twoVmsOnBridge({ sender: { features: off(SEGMENTATION_FEATURES) }, receiver: { features: off(['generic-receive-offload']) } }),
    flows: [bulkTcp('f1', 'vm1', 'vm2')],
  }),
  variants: [
    { name: 'sender-on-vcpu1', title: 'vm1’s sender pinned to vCPU 1, away from the queue’s interrupt (taskset -c 1)', changes: [setParam('flows[id=f1].senderCpu', 1)] },
  ],
  expectation: { metric: 'tcpThroughputBitsPerSec', comparator: '<=', value: 1.5 * GBIT, text: '≤ 1.5 Gbit/s (published)' },
  moreExpectations: [
    {
      metric: 'eventsPerSecPerGbit',
      comparator: '>=',
      value: 3,
      relativeTo: { preset: 'vm-vm-offload' },
      text: 'events/s per Gbit/s several times higher than vm-vm-offload',
    },
  ],
};

const vmVmAllOff: PresetDef = {
  id: 'vm-vm-all-off',
  title: 'VM → VM, every offload off',
  oneLine: 'Checksum offload, scatter-gather, TSO, GSO and GRO off in both guests: software does everything, per MTU frame.',
  explanation:
    'Now each guest also computes and verifies every TCP checksum over every byte: without checksum offload Linux turns ' +
    'scatter-gather off, and without scatter-gather TCP cannot build GSO frames at all. The vnet header still exists but carries nothing useful: no NEEDS_CSUM, no GSO type, no DATA_VALID. ' +
    'Look at the CPU split: checksum and copy time appear next to the event cost that already dominated vm-vm-segmented. The ' +
    'article calls this a 20+ times difference for a typical application, and it comes from paying per frame and per byte what ' +
    'offloads let the system pay once per 64 KiB.',
  scenario: scenario({
    id: 'vm-vm-all-off',
    title: 'VM → VM, every offload off',
    description: 'As vm-vm-offload with `ethtool -K eth0 rx off tx off sg off tso off gso off gro off` in both guests.',
    durationNs: RUN_NS,
    sampleIntervalNs: 10 * MS,
    ...twoVmsOnBridge({ sender: { features: off(ALL_OFFLOAD_FEATURES) }, receiver: { features: off(ALL_OFFLOAD_FEATURES) } }),
    flows: [bulkTcp('f1', 'vm1', 'vm2')],
  }),
  variants: [],
  expectation: {
    metric: 'tcpThroughputBitsPerSec',
    comparator: '<=',
    value: 1 / 20,
    relativeTo: { preset: 'vm-vm-offload' },
    text: '≥ 20× below vm-vm-offload (published: “20+ times differences in throughput”)',
  },
  moreExpectations: [],
};

// ---- routers ----

const routerClub: PresetDef = {
  id: 'router-club',
  title: 'VM → router VM → VM, router in the offload club',
  oneLine: 'A one-core router guest with vnet headers, CHECKSUM_PARTIAL and GSO/GRO forwards 64 KiB frames untouched.',
  explanation:
    'The router guest negotiates vnet headers on both ports, so a super-frame from vm1 arrives as one GSO skb marked ' +
    'CHECKSUM_PARTIAL. Forwarding only decrements the TTL and patches the IPv4 header checksum incrementally; the L4 checksum ' +
    'stays unfinished and the skb leaves as the same super-frame. The router pays one route lookup, one receive and one transmit ' +
    'per 64 KiB, so its single core forwards many gigabits. Look at the router’s CPU split (little checksum or segmentation ' +
    'time) and its mean frame size on both ports.',
  scenario: scenario({
    id: 'router-club',
    title: 'VM → router VM → VM, router in the offload club',
    description: 'vm1 (10.0.1.2) → r1 (1 core, 10.0.1.1 | 10.0.2.1) → vm2 (10.0.2.2), all virtio-net with vnet headers.',
    durationNs: RUN_NS,
    sampleIntervalNs: 10 * MS,
    ...vmRouterVm(),
    flows: [bulkTcp('f1', 'vm1', 'vm2')],
  }),
  variants: [],
  expectation: { metric: 'throughputPerForwardingCoreBitsPerSec', comparator: '>=', value: 6 * GBIT, text: '≥ 6 Gbit/s per router core (published)' },
  moreExpectations: [],
};

/** Every interface on the vm1 → r1 → vm2 path of vmRouterVm. */
const PATH_IFACES: [string, string][] = [
  ['vm1', 'eth0'],
  ['br1', 'tap0'],
  ['br1', 'tap1'],
  ['r1', 'eth0'],
  ['r1', 'eth1'],
  ['br2', 'tap2'],
  ['br2', 'tap3'],
  ['vm2', 'eth0'],
];

const routerNoClub: PresetDef = {
  id: 'router-no-club',
  title: 'VM → router VM → VM, router without vnet headers',
  oneLine: 'The same router cannot carry vnet headers: it verifies, computes checksums and forwards MTU frames only.',
  explanation:
    'Without a vnet header the router’s ports cannot receive CHECKSUM_PARTIAL or GSO metadata, so the host must segment each ' +
    '64 KiB frame and finish its checksum before the router sees it, and the router must verify checksums on ingress and compute ' +
    'them on egress. Every 64 KiB now costs the router about 44 receives and 44 transmits, and the vhost side up to 44 notifications. Look at ' +
    'the router core: it is saturated by per-packet and event costs long before the links are. The ratio to router-club is the ' +
    'article’s argument for keeping every hop in the offload club.',
  scenario: scenario({
    id: 'router-no-club',
    title: 'VM → router VM → VM, router without vnet headers',
    description: 'As router-club with vnetHdr off on the router’s ports and their checksum and segmentation offloads off.',
    durationNs: RUN_NS,
    sampleIntervalNs: 10 * MS,
    ...vmRouterVm({ routerIface: { vnetHdr: false, features: off(ALL_OFFLOAD_FEATURES) } }),
    flows: [bulkTcp('f1', 'vm1', 'vm2')],
  }),
  variants: [
    { name: 'mtu-1500', title: 'MTU 1500 on the whole path', changes: [] },
    { name: 'mtu-9000', title: 'Jumbo frames: MTU 9000 on the whole path', changes: PATH_IFACES.map(([n, i]) => setParam(`nodes[id=${n}].interfaces[name=${i}].mtu`, 9000)) },
    { name: 'two-cores', title: 'Router with two cores', changes: [setParam('nodes[id=r1].cores', 2)] },
  ],
  expectation: { metric: 'throughputPerForwardingCoreBitsPerSec', comparator: '<', value: 2 * GBIT, text: '< 2 Gbit/s per router core (published)' },
  moreExpectations: [
    {
      metric: 'throughputPerForwardingCoreBitsPerSec',
      comparator: '<=',
      value: 1 / 3,
      relativeTo: { preset: 'router-club' },
      text: 'router-club ÷ router-no-club ≈ 3× or more',
    },
    {
      metric: 'throughputPerForwardingCoreBitsPerSec',
      variant: 'mtu-9000',
      comparator: '>=',
      value: 2,
      relativeTo: { preset: 'router-no-club' },
      text: 'first principles: a router paying per packet forwards ≈ 6× fewer packets per byte at MTU 9000; per-byte checksum work stays, so well over 2×',
    },
    {
      metric: 'tcpThroughputBitsPerSec',
      variant: 'two-cores',
      comparator: '<=',
      value: 1.3,
      relativeTo: { preset: 'router-no-club' },
      text: 'first principles: one TCP flow hashes to one queue and one core, so a second router core adds little',
    },
  ],
};

// ---- checksum trust ----

const checksumTrust: PresetDef = {
  id: 'checksum-trust',
  title: 'A hop corrupts payload after the checksum was marked PARTIAL',
  oneLine: 'The router flips payload bytes of frames already marked CHECKSUM_PARTIAL: the receiver accepts them; with full checksums it drops them.',
  explanation:
    'Linux trusts metadata: a frame that arrives with NEEDS_CSUM (CHECKSUM_PARTIAL) or DATA_VALID (CHECKSUM_UNNECESSARY) in its ' +
    'vnet header is not verified again. Here the router corrupts 1% of the frames it sends towards vm2, after the sender only ' +
    'marked the checksum as partial, so vm2 delivers the damaged bytes to the application: watch the accepted-corrupt counter. ' +
    'In the `full` variant vm1 computes checksums in software, the router does not merge (GRO would mark merged frames PARTIAL ' +
    'again) and vm2 verifies every one, so the same corruption shows up as bad-checksum drops and retransmits instead.',
  scenario: scenario({
    id: 'checksum-trust',
    title: 'A hop corrupts payload after the checksum was marked PARTIAL',
    description: 'router-club topology; r1 corrupts 1% of frames leaving eth1, 16 bytes into the L4 payload.',
    durationNs: 150 * MS,
    sampleIntervalNs: 10 * MS,
    ...vmRouterVm(),
    flows: [bulkTcp('f1', 'vm1', 'vm2')],
    faults: [{ kind: 'corrupt', at: { node: 'r1' as NodeId, iface: 'eth1' }, direction: 'tx', fraction: 0.01, payloadOffsetBytes: 16 }],
  }),
  variants: [
    { name: 'partial', title: 'Checksums offloaded (CHECKSUM_PARTIAL / DATA_VALID trusted)', changes: [] },
    {
      name: 'full',
      title: 'Checksums computed in full by the sender and verified by the receiver',
      // GRO at the router would re-mark merged frames CHECKSUM_PARTIAL (tcp_gro_complete), so it is off too.
      changes: [
        ...setFeatures('vm1', 'eth0', ['tx-checksumming'], false),
        ...setFeatures('r1', 'eth0', ['generic-receive-offload'], false),
        ...setFeatures('r1', 'eth1', ['generic-receive-offload'], false),
        ...setFeatures('vm2', 'eth0', ['rx-checksumming'], false),
      ],
    },
  ],
  expectation: { metric: 'acceptedCorrupt', variant: 'partial', comparator: '>', value: 0, text: 'corrupted payloads accepted under PARTIAL/DATA_VALID' },
  moreExpectations: [
    { metric: 'badDropped', variant: 'full', comparator: '>', value: 0, text: 'with checksums computed in full, corrupted frames are dropped as bad checksums' },
    { metric: 'acceptedCorrupt', variant: 'full', comparator: '<=', value: 0, text: 'with checksums computed in full, nothing corrupt is accepted' },
  ],
};

// ---- QoS ----

/** A prio qdisc on the router's egress, shaped: the probe (TOS low-delay) goes to band 0, bulk to band 1. */
function qosScenario(id: string, title: string, rateBitsPerSec: number, durationNs: number, probeIntervalNs: number, profileOverrides?: Record<string, number>): Scenario {
  return scenario({
    ...(profileOverrides ? { profileOverrides } : {}),
    id,
    title,
    description: `router-club topology; r1/eth1 shaped to ${rateBitsPerSec / MBIT} Mbit/s with a 3-band prio qdisc; bulk TCP plus a request/response probe every ${probeIntervalNs / MS} ms with TOS 0x10.`,
    durationNs,
    sampleIntervalNs: 10 * MS,
    ...vmRouterVm({ routerEgress: { qdisc: { kind: 'prio', bands: 3, limitPackets: 1000, rateBitsPerSec } } }),
    flows: [
      bulkTcp('bulk', 'vm1', 'vm2'),
      { kind: 'probe', id: 'probe' as FlowSpec['id'], from: 'vm1' as NodeId, to: 'vm2' as NodeId, startNs: 20 * MS, srcPort: 40100, dstPort: 7, tos: 0x10, intervalNs: probeIntervalNs, requestBytes: 64, responseBytes: 64 },
    ],
  });
}
const routerSegments = setFeatures('r1', 'eth1', SEGMENTATION_FEATURES, false);
/** The sender emits MTU frames and the router does not merge them again: no super-frame anywhere on the path. */
const pathSegmented = [...setFeatures('vm1', 'eth0', SEGMENTATION_FEATURES, false), ...setFeatures('r1', 'eth0', ['generic-receive-offload'], false)];

const qosSlowEgress: PresetDef = {
  id: 'qos-slow-egress',
  title: 'Slow shaped egress: TSO super-frames vs segmenting on egress',
  oneLine: 'Router egress shaped to 10 Mbit/s with a priority queue: a 64 KiB blob in service delays the probe ≈ 52 ms.',
  explanation:
    'A priority qdisc can put the probe first in line, but it cannot preempt a frame already being serialized. When TSO lets ' +
    '64 KiB frames through to a 10 Mbit/s egress, each one occupies the line for about 52 ms, and a probe that arrives just ' +
    'behind it waits that long: watch the probe’s p99 latency and jitter. In the `router-segments` variant the router’s egress ' +
    'port cannot carry super-frames, so the router segments in software and the probe waits at most one 1500-byte frame, about ' +
    '1.2 ms. At slow egress, segmentation buys latency for interactive traffic. The sender here ships full 64 KiB TSO frames ' +
    '(net.ipv4.tcp_min_tso_segs=44, what every sender did before TSO autosizing in 3.12); the `autosized` variant is a stock 4.9 ' +
    'sender, which sizes frames to about 1 ms of data at its rate estimate cwnd/srtt — and that estimate follows the 10 Mbit/s ' +
    'bottleneck, so smaller frames reach the shaper and the probe waits less.',
  // The originator ships full 64 KiB TSO frames (tcp_min_tso_segs=44, as every sender did before TSO autosizing in 3.12):
  // a stock 4.9 sender sizes frames to ≈1 ms at its rate estimate cwnd/srtt, which tracks the 10 Mbit/s bottleneck.
  scenario: qosScenario('qos-slow-egress', 'Slow shaped egress: TSO super-frames vs segmenting on egress', 10 * MBIT, 2000 * MS, 10 * MS, { minTsoSegs: 44 }),
  variants: [
    { name: 'blobs-pass', title: 'Super-frames pass to the shaped egress', changes: [] },
    { name: 'router-segments', title: 'Router egress without TSO/GSO: segmented before the shaper', changes: routerSegments },
    { name: 'autosized', title: 'Stock Linux 4.9 sender: TSO autosizing (tcp_min_tso_segs=2)', changes: [setParam('profileOverrides.minTsoSegs', 2)] },
  ],
  expectation: {
    metric: 'probeLatencyP99Ns',
    variant: 'blobs-pass',
    comparator: '>=',
    value: 26 * MS,
    text: 'probe latency of the order of one 64 KiB serialization at 10 Mbit/s (≈ 52 ms)',
  },
  moreExpectations: [
    { metric: 'probeLatencyP99Ns', variant: 'blobs-pass', comparator: '<=', value: 160 * MS, text: 'still of the order of 52 ms, not seconds (the probe is prioritised)' },
    { metric: 'probeLatencyP99Ns', variant: 'router-segments', comparator: '<=', value: 5 * MS, text: 'when the router segments: of the order of one 1500-byte serialization (≈ 1.2 ms)' },
    {
      metric: 'probeLatencyP99Ns',
      variant: 'autosized',
      comparator: '<',
      value: 1,
      relativeTo: { preset: 'qos-slow-egress', variant: 'blobs-pass' },
      text: 'first principles: a stock 4.9 sender autosizes TSO frames to ≈ 1 ms at its rate estimate (cwnd/srtt, which tracks the bottleneck), so smaller frames reach the shaper and the probe waits less',
    },
  ],
};

const qosFastEgress: PresetDef = {
  id: 'qos-fast-egress',
  title: 'Fast shaped egress (1 and 10 Gbit/s): TSO hardly matters for jitter',
  oneLine: 'Same router at 1 and 10 Gbit/s: a blob serializes in ≈ 524 µs and ≈ 52 µs, so letting super-frames through costs little jitter.',
  explanation:
    'Serialization time scales with 1/rate: a 64 KiB frame takes about 524 µs at 1 Gbit/s and 52 µs at 10 Gbit/s, which is ' +
    'small next to the other latencies on a virtual path. Turning TSO off in the sender (and GRO off in the router) removes that ' +
    'wait, but it multiplies the frames every virtio hop and the router must handle, each with its own kicks and interrupts. ' +
    'Compare events/s and probe latency between the `tso-*` and `segmented-*` variants: at fast egress forcing segmentation ' +
    'costs more than it saves.',
  // A probe every millisecond: ≈ 280 round trips per run, enough for a jitter that does not hinge on the last few.
  scenario: qosScenario('qos-fast-egress', 'Fast shaped egress (1 and 10 Gbit/s): TSO hardly matters for jitter', 1 * GBIT, 300 * MS, 1 * MS),
  variants: [
    { name: 'tso-1g', title: '1 Gbit/s, super-frames pass', changes: [] },
    { name: 'segmented-1g', title: '1 Gbit/s, MTU frames on the whole virtual path', changes: pathSegmented },
    { name: 'tso-10g', title: '10 Gbit/s, super-frames pass', changes: [setParam('nodes[id=r1].interfaces[name=eth1].qdisc.rateBitsPerSec', 10 * GBIT)] },
    {
      name: 'segmented-10g',
      title: '10 Gbit/s, MTU frames on the whole virtual path',
      changes: [setParam('nodes[id=r1].interfaces[name=eth1].qdisc.rateBitsPerSec', 10 * GBIT), ...pathSegmented],
    },
  ],
  fidelityNote:
    'At 10 Gbit/s the model puts the probe’s jitter with and without segmentation about equal: just below 1× with this ' +
    'probe every millisecond, so the check misses narrowly, and either side of 1× with other probe intervals ' +
    '(docs/fidelity.md has the numbers). ' +
    'Segmenting removes the wait behind a 52 µs blob (the segmented sender saturates its vCPU far below 10 Gbit/s, so the ' +
    'egress never queues) and adds waits of the ' +
    'probe’s processes behind softirq work on busier vCPUs — the article’s “task switching” jitter. What clearly holds is ' +
    'that TSO’s effect on jitter at fast egress is a few tens of µs, and that segmenting raises events/s.',
  expectation: {
    metric: 'probeLatencyP99Ns',
    variant: 'tso-1g',
    comparator: '<=',
    value: 2 * MS,
    text: 'blob serialization ≈ 524 µs at 1 Gbit/s: TSO’s effect on probe latency is small',
  },
  moreExpectations: [
    { metric: 'eventsPerSec', variant: 'segmented-1g', comparator: '>', value: 1, relativeTo: { preset: 'qos-fast-egress', variant: 'tso-1g' }, text: 'segmenting on the virtual path raises events/s (1 Gbit/s)' },
    { metric: 'eventsPerSec', variant: 'segmented-10g', comparator: '>', value: 1, relativeTo: { preset: 'qos-fast-egress', variant: 'tso-10g' }, text: 'segmenting on the virtual path raises events/s (10 Gbit/s)' },
    {
      metric: 'probeMeanJitterNs',
      variant: 'segmented-10g',
      comparator: '>=',
      value: 1,
      relativeTo: { preset: 'qos-fast-egress', variant: 'tso-10g' },
      text: 'at 10 Gbit/s segmenting does not lower the probe’s jitter (≈ 52 µs blobs; mean |ΔRTT| over the run)',
    },
  ],
};

// ---- forwarders ----

function forwarderNode(id: string, hostId: string, cores: number, queues: number, extra: NodeSpec['interfaces'] = []): NodeSpec {
  // A DPDK-style guest's virtio PMD works on MTU-sized mbufs: no vnet-header offloads (no CSUM/GSO/GRO
  // negotiated), but the device spreads flows over queues (RSS).
  const port = (name: string, n: number) =>
    iface(name, 'virtio-net', { queues, mac: mac(n), vnetHdr: false, features: { ...off(ALL_OFFLOAD_FEATURES), 'receive-hashing': true } });
  return {
    kind: 'forwarder',
    id: id as NodeId,
    host: hostId as HostId,
    cores,
    // DPDK-style: hugepage-backed mbuf pools and rings pinned at start-up.
    memoryBytes: 2 * GIB,
    interfaces: [port('eth0', 0x21), port('eth1', 0x22), ...extra],
    position: { x: 400, y: 200 },
  };
}

const mq = (name: string) => iface(name, 'tap', { queues: 4 });
const vmIface = (ip: string, n: number) => iface('eth0', 'virtio-net', { ipv4: ip, mac: mac(n), queues: 4 });

function multiqueueScenario(): Scenario {
  const flows: FlowSpec[] = [];
  for (let k = 1; k <= 16; k++) flows.push(bulkTcp(`f${String(k).padStart(2, '0')}`, 'vm1', 'vm2', 40000 + k, 5201));
  return scenario({
    id: 'multiqueue-rss',
    title: 'Forwarder with 1 vs 4 queues and cores, 16 flows spread by RSS',
    description: 'vm1 (4 vCPUs) → br1 → forwarder fwd (polling, L2 cross-connect) → br2 → vm2 (4 vCPUs); 16 bulk TCP flows.',
    durationNs: 150 * MS,
    sampleIntervalNs: 10 * MS,
    // Enough cores that guests, vhost threads and the forwarder never share one: only the forwarder scales.
    hosts: [host('h1', 32)],
    nodes: [
      vm('vm1', 'h1', 4, [vmIface('10.0.0.1/24', 1)], 100, 200),
      { kind: 'bridge', id: 'br1' as NodeId, host: 'h1' as HostId, interfaces: [mq('tap0'), iface('tap1', 'tap')], position: { x: 250, y: 200 } },
      forwarderNode('fwd', 'h1', 1, 1),
      { kind: 'bridge', id: 'br2' as NodeId, host: 'h1' as HostId, interfaces: [iface('tap2', 'tap'), mq('tap3')], position: { x: 550, y: 200 } },
      vm('vm2', 'h1', 4, [vmIface('10.0.0.2/24', 2)], 700, 200),
    ],
    links: [
      virtio('l-vm1', ['vm1', 'eth0'], ['br1', 'tap0']),
      virtio('l-fwd-in', ['fwd', 'eth0'], ['br1', 'tap1']),
      virtio('l-fwd-out', ['fwd', 'eth1'], ['br2', 'tap2']),
      virtio('l-vm2', ['vm2', 'eth0'], ['br2', 'tap3']),
    ],
    flows,
  });
}

const multiqueueRss: PresetDef = {
  id: 'multiqueue-rss',
  title: 'Forwarder with 1 vs 4 queues and cores, 16 flows spread by RSS',
  oneLine: 'A polling forwarder with 1 queue/core vs 4: RSS spreads 16 flows, throughput scales while events per queue stay bounded.',
  explanation:
    'With several queue pairs, the hash of each flow’s addresses and ports picks a queue, and each queue pair has its own vhost ' +
    'worker on the host and its own polling core in the forwarder. The 16 flows spread over 4 queues with no shared lock, so ' +
    'four independent workers share what one did: the polling forwarder itself (tens of ns per frame) is never the limit, the ' +
    'vhost workers copying in and out of it are. Look at per-queue events and per-core utilisation in the `q4` variant: each ' +
    'worker sees roughly the load one worker saw in `q1`. Scaling is near-linear only while the hash spreads the flows evenly; a few heavy flows on ' +
    'one queue would show the limit of RSS.',
  scenario: multiqueueScenario(),
  variants: [
    { name: 'q1', title: '1 queue, 1 polling core', changes: [] },
    {
      name: 'q4',
      title: '4 queues, 4 polling cores',
      changes: [
        setParam('nodes[id=fwd].cores', 4),
        setParam('nodes[id=fwd].interfaces[name=eth0].queues', 4),
        setParam('nodes[id=fwd].interfaces[name=eth1].queues', 4),
        setParam('nodes[id=br1].interfaces[name=tap1].queues', 4),
        setParam('nodes[id=br2].interfaces[name=tap2].queues', 4),
      ],
    },
  ],
  expectation: {
    metric: 'tcpThroughputBitsPerSec',
    variant: 'q4',
    comparator: '>=',
    value: 3,
    relativeTo: { preset: 'multiqueue-rss', variant: 'q1' },
    text: 'throughput scales close to linearly with queues (4 queues ≥ 3× one queue)',
  },
  moreExpectations: [
    {
      // Bounded: events stay a small fraction of the packets (an events-per-second bottleneck would need one per
      // packet or so). Per queue the rate does rise, 1.5–3.2× over one queue (seeds 1–6): each queue's workers are
      // less loaded and sleep more often, so fewer notifications are suppressed (docs/fidelity.md).
      metric: 'forwarderEventsPerPacket',
      variant: 'q4',
      comparator: '<=',
      value: 0.05,
      text: 'events/s per queue stay bounded: with 4 queues at most one event per 20 forwarded packets',
    },
  ],
};

const hashPrecomputed: PresetDef = {
  id: 'hash-precomputed',
  title: 'Router: hash carried in the vnet header vs computed on hot headers',
  oneLine: 'The router either takes the flow hash from the vnet header (hash report) or computes it itself: a few percent at most.',
  explanation:
    'A receiver needs a flow hash to pick a queue or CPU (RPS) and to find a flow. With VIRTIO_NET_F_HASH_REPORT the host puts ' +
    'the hash it already computed into the vnet header; without it the router hashes the headers itself. Those headers were ' +
    'just touched to parse the packet, so they are in cache and the hash costs tens of nanoseconds against microseconds of ' +
    'per-packet work. Compare the router’s forwarding rate and its hash time between `carried` and `computed`: the difference ' +
    'stays within a few percent, which is why hash offload is rarely worth a compatibility problem.',
  scenario: scenario({
    id: 'hash-precomputed',
    title: 'Router: hash carried in the vnet header vs computed on hot headers',
    description: 'router-club topology with receive-hashing (hash report) on the router’s ingress port.',
    durationNs: RUN_NS,
    sampleIntervalNs: 10 * MS,
    ...vmRouterVm({ routerIface: { features: { 'receive-hashing': true } } }),
    flows: [bulkTcp('f1', 'vm1', 'vm2')],
  }),
  variants: [
    { name: 'carried', title: 'Hash carried in the vnet header', changes: [] },
    { name: 'computed', title: 'Router computes the hash', changes: [...setFeatures('r1', 'eth0', ['receive-hashing'], false), ...setFeatures('r1', 'eth1', ['receive-hashing'], false)] },
  ],
  expectation: {
    metric: 'throughputPerForwardingCoreBitsPerSec',
    variant: 'computed',
    comparator: '>=',
    value: 0.95,
    relativeTo: { preset: 'hash-precomputed', variant: 'carried' },
    text: 'forwarding rate with a computed hash within a few percent of a carried one',
  },
  moreExpectations: [],
};

/** A forwarder's SR-IOV VF: the PMD polls MTU-sized frames; no LRO/GRO or segmentation in the forwarder. */
const vf = (name: string, n: number) =>
  iface(name, 'nic', { mac: mac(n), queues: 1, vnetHdr: false, features: off(['large-receive-offload', 'generic-receive-offload', 'tcp-segmentation-offload', 'generic-segmentation-offload']) });
const wire = (id: string, a: [string, string], b: [string, string]): Scenario['links'][number] => ({
  id: id as Scenario['links'][number]['id'],
  kind: 'wire',
  a: { node: a[0] as NodeId, iface: a[1] },
  b: { node: b[0] as NodeId, iface: b[1] },
  rateBitsPerSec: 100 * GBIT,
  // A few metres of cable plus a switch hop.
  delayNs: 1000,
});
const bareMetal = (id: string, ip: string, n: number, x: number): NodeSpec => ({
  kind: 'container',
  id: id as NodeId,
  host: 'h2' as HostId,
  title: 'bare-metal traffic endpoint',
  interfaces: [iface('eth0', 'nic', { ipv4: ip, mac: mac(n), queues: 4 })],
  // Below the forwarder, so the wires to its VFs cross no other node.
  position: { x, y: 390 },
});

function nicVsVmScenario(): Scenario {
  return scenario({
    id: 'vm-to-vm-vs-nic-to-vm',
    title: 'Polling forwarder: NIC → VM vs VM → VM',
    description:
      'fwd is a polling user-space forwarder guest (2 cores, L2 switching between its ports) with two SR-IOV VFs (nic0, nic1) wired at ' +
      '100 Gbit/s to bare-metal endpoints gen and sink on host h2, and two virtio-net ports towards vm1 and vm2 through host bridges. ' +
      'Base: gen → nic0 → fwd → nic1 → sink. Variant vm-to-vm: vm1 → fwd → vm2.',
    durationNs: 150 * MS,
    sampleIntervalNs: 10 * MS,
    hosts: [host('h1', 16), host('h2', 16)],
    nodes: [
      bareMetal('gen', '10.0.0.3/24', 3, 100),
      bareMetal('sink', '10.0.0.4/24', 4, 700),
      // 200 apart: the canvas draws preset positions as they are when nodes are at least MIN_SPACING apart.
      vm('vm1', 'h1', 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.0.1/24', mac: mac(1) })], 0, 200),
      bridge('br1', 'h1', ['tap0', 'tap1'], 200, 200),
      forwarderNode('fwd', 'h1', 2, 1, [vf('nic0', 0x23), vf('nic1', 0x24)]),
      bridge('br2', 'h1', ['tap2', 'tap3'], 600, 200),
      vm('vm2', 'h1', 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.0.2/24', mac: mac(2) })], 800, 200),
    ],
    links: [
      wire('l-gen', ['gen', 'eth0'], ['fwd', 'nic0']),
      wire('l-sink', ['fwd', 'nic1'], ['sink', 'eth0']),
      virtio('l-vm1', ['vm1', 'eth0'], ['br1', 'tap0']),
      virtio('l-fwd-in', ['fwd', 'eth0'], ['br1', 'tap1']),
      virtio('l-fwd-out', ['fwd', 'eth1'], ['br2', 'tap2']),
      virtio('l-vm2', ['vm2', 'eth0'], ['br2', 'tap3']),
    ],
    flows: [bulkTcp('f1', 'gen', 'sink')],
  });
}

const vmToVmVsNicToVm: PresetDef = {
  id: 'vm-to-vm-vs-nic-to-vm',
  title: 'Polling forwarder: NIC → VM vs VM → VM',
  oneLine: 'A DPDK-style forwarder with SR-IOV VFs: traffic through its NICs runs at tens of Gbit/s, VM → VM through it an order of magnitude lower.',
  explanation:
    'The forwarder polls its queues, so it takes no interrupts and no exits, and frames reach it from its VFs by DMA without a copy. ' +
    'Traffic that only crosses its NICs (gen → sink) therefore costs it tens of nanoseconds per frame. The bare-metal endpoints ' +
    'do what their NICs do: TSO on the sender, LRO on the receiver, whose NIC aggregates the 1500-byte frames into ≈ 64 KiB ' +
    'skbs while its ring waits for the poll; each endpoint core then mostly copies, and that copy is what limits the path. ' +
    'In the `vm-to-vm` variant ' +
    'the same forwarder sits between two kernel guests over virtio rings without vnet-header offloads: the sender segments and ' +
    'checksums in software, every frame is copied between address spaces and the guests are kicked and interrupted. Compare the ' +
    'CPU split of vm1 and vm2 with the forwarder’s, and look at memory: the polling forwarder pins gigabytes of hugepages per ' +
    'instance, while a kernel router needs a few megabytes.',
  scenario: nicVsVmScenario(),
  variants: [
    { name: 'nic-to-vm', title: 'Traffic enters and leaves the forwarder through its VFs', changes: [] },
    { name: 'vm-to-vm', title: 'Traffic from vm1 through the forwarder to vm2', changes: [setParam('flows[id=f1].from', 'vm1'), setParam('flows[id=f1].to', 'vm2')] },
  ],
  expectation: { metric: 'tcpThroughputBitsPerSec', variant: 'nic-to-vm', comparator: '>=', value: 20 * GBIT, text: 'through the forwarder’s NICs: tens of Gbit/s' },
  moreExpectations: [
    {
      metric: 'tcpThroughputBitsPerSec',
      variant: 'vm-to-vm',
      comparator: '<=',
      value: 0.2,
      relativeTo: { preset: 'vm-to-vm-vs-nic-to-vm', variant: 'nic-to-vm' },
      text: 'VM → VM about an order of magnitude lower (check: at most 0.2×)',
    },
    { metric: 'forwarderMemoryBytes', variant: 'nic-to-vm', comparator: '>=', value: GIB, text: 'gigabytes of memory for the polling forwarder' },
  ],
};

export const PRESETS: readonly PresetDef[] = [
  vmVmOffload,
  vmVmSegmented,
  vmVmAllOff,
  routerClub,
  routerNoClub,
  checksumTrust,
  qosSlowEgress,
  qosFastEgress,
  multiqueueRss,
  hashPrecomputed,
  vmToVmVsNicToVm,
];

export const PRESET_IDS: readonly string[] = PRESETS.map((p) => p.id);

export function findPreset(id: string): PresetDef | undefined {
  return PRESETS.find((p) => p.id === id);
}
