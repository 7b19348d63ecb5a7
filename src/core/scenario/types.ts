/**
 * Scenario document, version 1: the engine's whole input. Plain JSON (no classes, no functions) so it
 * travels unchanged through files, share links, Comlink and the CLI. Validation lives in ./schema.ts;
 * everything that reaches the engine has passed it. Units are in the field names.
 */

export const SCENARIO_VERSION = 1 as const;

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };
export type HostId = Brand<string, 'HostId'>;
export type NodeId = Brand<string, 'NodeId'>;
export type LinkId = Brand<string, 'LinkId'>;
export type FlowId = Brand<string, 'FlowId'>;

export interface Scenario {
  version: typeof SCENARIO_VERSION;
  /** Stable id (a preset id such as `vm-vm-offload`, or a user's name). */
  id: string;
  title: string;
  description?: string;
  /** Cost profile id, e.g. `kvm-2017`. */
  profile: string;
  seed: number;
  /** Default run length when the caller does not give one. */
  durationNs: number;
  /** Metrics sampling interval (live stream and per-interval results). */
  sampleIntervalNs: number;
  hosts: HostSpec[];
  nodes: NodeSpec[];
  links: LinkSpec[];
  flows: FlowSpec[];
  faults: FaultSpec[];
  /** Changes applied at a virtual time; live toggles during a run are appended here so replays match. */
  timeline: TimelineEvent[];
  /** Per-scenario overrides of cost-profile parameters, by parameter name (same units as the profile). */
  profileOverrides?: Record<string, number>;
}

export interface HostSpec {
  id: HostId;
  title?: string;
  cores: number;
}

export type NodeKind = 'vm' | 'container' | 'router' | 'bridge' | 'nic' | 'forwarder';

interface NodeBase {
  id: NodeId;
  host: HostId;
  title?: string;
  interfaces: InterfaceSpec[];
  /** Editor position; ignored by the engine. */
  position?: { x: number; y: number };
}

export interface VmNode extends NodeBase {
  kind: 'vm';
  vcpus: number;
}
export interface ContainerNode extends NodeBase {
  kind: 'container';
}
export interface RouterNode extends NodeBase {
  kind: 'router';
  /** Cores of the host given to this router's forwarding (softirq) work. */
  cores: number;
  routes: RouteSpec[];
  firewall: FirewallRuleSpec[];
}
export interface BridgeNode extends NodeBase {
  kind: 'bridge';
}
export interface NicNode extends NodeBase {
  kind: 'nic';
}
export interface ForwarderNode extends NodeBase {
  kind: 'forwarder';
  /** Polling cores (each spins on its queues; 100% busy by construction). */
  cores: number;
  memoryBytes: number;
}
export type NodeSpec = VmNode | ContainerNode | RouterNode | BridgeNode | NicNode | ForwarderNode;

/** Starting feature set for an interface; the engine's features library knows each one's hw/fixed bits. */
export type InterfaceTemplate = 'virtio-net' | 'tap' | 'veth' | 'bridge' | 'nic';

export interface InterfaceSpec {
  name: string;
  template: InterfaceTemplate;
  mtu: number;
  queues: number;
  /** e.g. `10.0.0.1/24`. */
  ipv4?: string;
  ipv6?: string;
  mac?: string;
  /** `ethtool -K` intent on top of the template: ethtool feature name → wanted state. */
  features: Record<string, boolean>;
  /** Whether this end can carry a virtio_net_hdr (negotiated per link: both ends must). */
  vnetHdr: boolean;
  qdisc: QdiscSpec;
}

export type QdiscSpec =
  | { kind: 'noqueue' }
  | { kind: 'pfifo'; limitPackets: number; rateBitsPerSec?: number }
  | { kind: 'prio'; bands: number; limitPackets: number; rateBitsPerSec?: number }
  | { kind: 'fq'; limitPackets: number; flowLimitPackets: number; quantumBytes: number; rateBitsPerSec?: number };

export interface RouteSpec {
  /** CIDR, e.g. `10.0.2.0/24`, or `0.0.0.0/0`. */
  prefix: string;
  /** Outgoing interface name on this node. */
  iface: string;
  via?: string;
}

export interface FirewallRuleSpec {
  action: 'accept' | 'drop';
  proto?: 'tcp' | 'udp';
  srcPrefix?: string;
  dstPrefix?: string;
  dstPort?: number;
}

export type LinkKind = 'virtio' | 'veth' | 'tap' | 'wire';

export interface Endpoint {
  node: NodeId;
  iface: string;
}

export interface LinkSpec {
  id: LinkId;
  kind: LinkKind;
  /** For virtio: `a` is the guest side (VM interface), `b` the host side (tap/bridge port). */
  a: Endpoint;
  b: Endpoint;
  /** Wires only: line rate and one-way propagation delay. */
  rateBitsPerSec?: number;
  delayNs?: number;
  /** virtio only: descriptors per vring, and whether VIRTIO_RING_F_EVENT_IDX is negotiated. */
  ringSize?: number;
  eventIdx?: boolean;
}

export type FlowSpec = TcpFlowSpec | UdpFlowSpec | ProbeFlowSpec;

interface FlowBase {
  id: FlowId;
  from: NodeId;
  to: NodeId;
  startNs: number;
  stopNs?: number;
  srcPort?: number;
  dstPort?: number;
  /** DSCP/TOS for prio/fq classification. */
  tos?: number;
  /** CPU (vCPU or core index on `from`) the sending application is pinned to, as `taskset -c`; absent: the scheduler's. */
  senderCpu?: number;
  /** CPU index on `to` the receiving application is pinned to; absent: the scheduler's. */
  receiverCpu?: number;
}
export interface TcpFlowSpec extends FlowBase {
  kind: 'tcp';
  /** Bytes to send; absent = unlimited bulk. */
  bytes?: number;
  /** Application write size per send() call. */
  writeBytes?: number;
}
export interface UdpFlowSpec extends FlowBase {
  kind: 'udp';
  rateBitsPerSec: number;
  payloadBytes: number;
}
export interface ProbeFlowSpec extends FlowBase {
  kind: 'probe';
  intervalNs: number;
  requestBytes: number;
  responseBytes: number;
}

export type FaultSpec =
  | {
      kind: 'corrupt';
      at: Endpoint;
      direction: 'rx' | 'tx';
      /** Fraction of frames hit, drawn from the seeded RNG. */
      fraction: number;
      /** Bytes flipped, counted from the start of the L4 payload. */
      payloadOffsetBytes: number;
    }
  | { kind: 'drop'; at: Endpoint; direction: 'rx' | 'tx'; fraction: number };

export type TimelineChange =
  | { kind: 'set-feature'; at: Endpoint; feature: string; on: boolean }
  | { kind: 'set-param'; path: string; value: number | string | boolean };

export interface TimelineEvent {
  atNs: number;
  change: TimelineChange;
}
