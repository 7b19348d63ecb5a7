/**
 * The scenario contract as JSON Schema (draft 2020-12), built from the same LIMITS and feature names as
 * ./schema.ts so the two cannot drift. `scenario.schema.json` at the repo root is this object, written by
 * `node --import tsx cli/gen-scenario-schema.ts`; a test fails when the file is stale. JSON Schema cannot
 * express the cross-reference rules (ids, links, routes, flows); docs/scenario-schema.md lists them.
 */
import { ETHTOOL_FEATURE_NAMES, LIMITS } from './schema';

type JsonSchema = Record<string, unknown>;

const int = (minimum: number, maximum: number, description: string): JsonSchema => ({ type: 'integer', minimum, maximum, description });
const num = (minimum: number, maximum: number, description: string, exclusive = false): JsonSchema =>
  exclusive ? { type: 'number', exclusiveMinimum: minimum, maximum, description } : { type: 'number', minimum, maximum, description };
const str = (maxLength: number, description: string, pattern?: string): JsonSchema => ({ type: 'string', maxLength, ...(pattern ? { pattern } : {}), description });
const obj = (properties: Record<string, JsonSchema>, required: string[], description?: string): JsonSchema => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required,
  additionalProperties: false,
});
const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const list = (items: JsonSchema, maxItems: number, description: string): JsonSchema => ({ type: 'array', items, maxItems, description });
const kind = (k: string): JsonSchema => ({ const: k });

const ID = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const IFNAME = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const rate = (description: string) => num(0, LIMITS.rateBitsPerSec.max, `${description} (bit/s)`, true);
const timeNs = (description: string) => num(0, LIMITS.maxSimulatedNs, `${description} (ns of simulated time, at most 60 s)`);
const limit = (description: string) => int(LIMITS.limitPackets.min, LIMITS.limitPackets.max, `${description} (packets)`);

export function scenarioJsonSchema(): JsonSchema {
  const id = (what: string) => ({ ...str(LIMITS.idChars, `${what}: letters, digits, "_", "." or "-"`, ID), minLength: 1 });
  const ifname = { ...str(15, 'interface name (Linux IFNAMSIZ - 1)', IFNAME), minLength: 1 };
  const nodeBase = {
    id: id('node id, unique among nodes'),
    host: id('id of the host this node runs on'),
    title: str(LIMITS.titleChars, 'display name'),
    interfaces: list(ref('interface'), LIMITS.interfacesPerNode, 'network interfaces; names unique within the node'),
    position: obj({ x: num(-LIMITS.position.max, LIMITS.position.max, 'editor x'), y: num(-LIMITS.position.max, LIMITS.position.max, 'editor y') }, ['x', 'y'], 'editor position; ignored by the engine'),
  };
  const nodeBaseRequired = ['id', 'host', 'kind', 'interfaces'];
  const flowBase = {
    id: id('flow id, unique among flows'),
    from: id('sending node (vm or container with an address)'),
    to: id('receiving node (vm or container with an address)'),
    startNs: timeNs('when the flow starts'),
    stopNs: timeNs('when the flow stops; after startNs'),
    srcPort: int(1, 65535, 'source port'),
    dstPort: int(1, 65535, 'destination port'),
    tos: int(0, 255, 'IPv4 TOS / DSCP byte, for prio and fq classification'),
    senderCpu: int(LIMITS.cores.min - 1, LIMITS.cores.max - 1, 'CPU (vCPU index on from) the sending application is pinned to, as taskset -c; absent: where the scheduler puts it (next to the interrupt that wakes it)'),
    receiverCpu: int(LIMITS.cores.min - 1, LIMITS.cores.max - 1, 'CPU (vCPU index on to) the receiving application is pinned to'),
  };
  const flowBaseRequired = ['id', 'kind', 'from', 'to', 'startNs'];
  const rxtx = { enum: ['rx', 'tx'], description: 'direction at the interface' };
  const cores = (what: string) => int(LIMITS.cores.min, LIMITS.cores.max, what);

  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://offload-lab.invalid/scenario.schema.json',
    title: 'Offload Lab scenario, version 1',
    description:
      'Input of the Offload Lab engine. Units are in field names. Cross-reference rules (unique ids, existing references, link kinds, ' +
      'routes, flow endpoints) are not expressible here; see docs/scenario-schema.md. src/core/scenario/validate.ts is authoritative.',
    type: 'object',
    additionalProperties: false,
    required: ['version', 'id', 'title', 'profile', 'seed', 'durationNs', 'sampleIntervalNs', 'hosts', 'nodes', 'links', 'flows', 'faults', 'timeline'],
    properties: {
      version: { const: 1, description: 'scenario format version' },
      id: { ...str(LIMITS.idChars * 2 + 1, 'scenario id; a preset variant is `preset@variant`', '^[A-Za-z0-9][A-Za-z0-9_.-]*(@[A-Za-z0-9][A-Za-z0-9_.-]*)?$'), minLength: 1 },
      title: str(LIMITS.titleChars, 'display title'),
      description: str(LIMITS.descriptionChars, 'free text'),
      profile: id('cost profile id, e.g. kvm-2017'),
      seed: int(0, LIMITS.seed.max, 'seed of the engine’s random stream (uint32)'),
      durationNs: num(0, LIMITS.maxSimulatedNs, 'default run length (ns of simulated time, at most 60 s)', true),
      sampleIntervalNs: num(LIMITS.sampleIntervalNs.min, LIMITS.sampleIntervalNs.max, 'metrics sampling interval (ns); at most durationNs'),
      hosts: { ...list(ref('host'), LIMITS.hosts, 'physical machines'), minItems: 1 },
      nodes: list(ref('node'), LIMITS.nodes, 'VMs, containers, routers, bridges, NICs, forwarders'),
      links: list(ref('link'), LIMITS.links, 'connections between interfaces; an interface has at most one link'),
      flows: list(ref('flow'), LIMITS.flows, 'traffic'),
      faults: list(ref('fault'), LIMITS.faults, 'injected corruption and drops'),
      timeline: list(ref('timelineEvent'), LIMITS.timeline, 'changes applied at a simulated time'),
      profileOverrides: {
        type: 'object',
        description: 'cost-profile parameter name → value, in the profile’s units',
        maxProperties: LIMITS.profileOverrides,
        propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$', not: { enum: ['constructor', 'prototype'] } },
        additionalProperties: num(-1e15, 1e15, 'parameter value'),
      },
    },
    $defs: {
      host: obj({ id: id('host id, unique among hosts'), title: str(LIMITS.titleChars, 'display name'), cores: cores('CPU cores of the machine') }, ['id', 'cores']),
      qdisc: {
        description: 'egress queueing discipline; rateBitsPerSec shapes the egress',
        oneOf: [
          obj({ kind: kind('noqueue') }, ['kind']),
          obj({ kind: kind('pfifo'), limitPackets: limit('queue limit'), rateBitsPerSec: rate('shaping rate') }, ['kind', 'limitPackets']),
          obj(
            { kind: kind('prio'), bands: int(LIMITS.prioBands.min, LIMITS.prioBands.max, 'priority bands (TOS → band by the Linux priomap)'), limitPackets: limit('queue limit per band'), rateBitsPerSec: rate('shaping rate') },
            ['kind', 'bands', 'limitPackets'],
          ),
          obj(
            {
              kind: kind('fq'),
              limitPackets: limit('total queue limit'),
              flowLimitPackets: limit('per-flow queue limit; at most limitPackets'),
              quantumBytes: int(LIMITS.quantumBytes.min, LIMITS.quantumBytes.max, 'bytes a flow may send per round (bytes)'),
              rateBitsPerSec: rate('shaping rate'),
            },
            ['kind', 'limitPackets', 'flowLimitPackets', 'quantumBytes'],
          ),
        ],
      },
      interface: obj(
        {
          name: ifname,
          template: { enum: ['virtio-net', 'tap', 'veth', 'bridge', 'nic'], description: 'starting feature set (driver)' },
          mtu: int(LIMITS.mtu.min, LIMITS.mtu.max, 'MTU (bytes of L3 packet)'),
          queues: int(LIMITS.queues.min, LIMITS.queues.max, 'queue pairs'),
          ipv4: str(64, 'IPv4 address with prefix length, e.g. 10.0.0.1/24'),
          ipv6: str(64, 'IPv6 address with prefix length, e.g. 2001:db8::1/64'),
          mac: str(17, 'unicast MAC address', '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$'),
          features: {
            type: 'object',
            description: '`ethtool -K` intent: feature name → wanted state (legacy long names or kernel strings)',
            propertyNames: { enum: [...ETHTOOL_FEATURE_NAMES] },
            additionalProperties: { type: 'boolean' },
          },
          vnetHdr: { type: 'boolean', description: 'this end can carry a virtio_net_hdr; a link uses it only if both ends can' },
          qdisc: ref('qdisc'),
        },
        ['name', 'template', 'mtu', 'queues', 'features', 'vnetHdr', 'qdisc'],
      ),
      route: obj({ prefix: str(64, 'destination prefix (CIDR, no host bits), e.g. 10.0.2.0/24'), iface: ifname, via: str(45, 'next-hop address, same family as prefix') }, ['prefix', 'iface']),
      firewallRule: obj(
        {
          action: { enum: ['accept', 'drop'] },
          proto: { enum: ['tcp', 'udp'] },
          srcPrefix: str(64, 'source prefix (CIDR)'),
          dstPrefix: str(64, 'destination prefix (CIDR)'),
          dstPort: int(1, 65535, 'destination port; needs proto'),
        },
        ['action'],
      ),
      node: {
        oneOf: [
          obj({ ...nodeBase, kind: kind('vm'), vcpus: cores('virtual CPUs') }, [...nodeBaseRequired, 'vcpus'], 'a guest with a TCP/UDP stack'),
          obj({ ...nodeBase, kind: kind('container') }, nodeBaseRequired, 'a network namespace on the host kernel'),
          obj(
            { ...nodeBase, kind: kind('router'), cores: cores('cores given to forwarding; at most the host’s'), routes: list(ref('route'), LIMITS.routesPerRouter, 'route table'), firewall: list(ref('firewallRule'), LIMITS.firewallRulesPerRouter, 'rules, first match wins') },
            [...nodeBaseRequired, 'cores', 'routes', 'firewall'],
            'L3 forwarding (TTL, optional firewall and QoS egress)',
          ),
          obj({ ...nodeBase, kind: kind('bridge') }, nodeBaseRequired, 'L2 learning switch; its interfaces are its ports'),
          obj({ ...nodeBase, kind: kind('nic') }, nodeBaseRequired, 'physical port'),
          obj(
            { ...nodeBase, kind: kind('forwarder'), cores: cores('polling cores; at most the host’s'), memoryBytes: int(0, LIMITS.memoryBytes.max, 'memory footprint (bytes)') },
            [...nodeBaseRequired, 'cores', 'memoryBytes'],
            'polling user-space data plane',
          ),
        ],
      },
      endpoint: obj({ node: id('node id'), iface: ifname }, ['node', 'iface']),
      link: obj(
        {
          id: id('link id, unique among links'),
          kind: { enum: ['virtio', 'veth', 'tap', 'wire'] },
          a: { ...ref('endpoint'), description: 'for virtio: the guest side (virtio-net interface of a vm, router or forwarder)' },
          b: { ...ref('endpoint'), description: 'for virtio: the host side (tap, bridge port or backend)' },
          rateBitsPerSec: rate('wires only, required there: line rate'),
          delayNs: num(0, LIMITS.delayNs.max, 'wires only: one-way propagation delay (ns)'),
          ringSize: { ...int(LIMITS.ringSize.min, LIMITS.ringSize.max, 'virtio only: descriptors per vring, a power of two'), multipleOf: 2 },
          eventIdx: { type: 'boolean', description: 'virtio only: VIRTIO_RING_F_EVENT_IDX negotiated' },
        },
        ['id', 'kind', 'a', 'b'],
      ),
      flow: {
        oneOf: [
          obj(
            { ...flowBase, kind: kind('tcp'), bytes: int(LIMITS.tcpBytes.min, LIMITS.tcpBytes.max, 'bytes to send; absent = unlimited'), writeBytes: int(LIMITS.writeBytes.min, LIMITS.writeBytes.max, 'bytes per send() call') },
            flowBaseRequired,
            'bulk TCP',
          ),
          obj({ ...flowBase, kind: kind('udp'), rateBitsPerSec: rate('sending rate'), payloadBytes: int(LIMITS.udpPayloadBytes.min, LIMITS.udpPayloadBytes.max, 'UDP payload per datagram (bytes)') }, [...flowBaseRequired, 'rateBitsPerSec', 'payloadBytes'], 'UDP at a rate'),
          obj(
            {
              ...flowBase,
              kind: kind('probe'),
              intervalNs: num(LIMITS.probeIntervalNs.min, LIMITS.probeIntervalNs.max, 'time between requests (ns)'),
              requestBytes: int(LIMITS.probeBytes.min, LIMITS.probeBytes.max, 'request payload (bytes)'),
              responseBytes: int(LIMITS.probeBytes.min, LIMITS.probeBytes.max, 'response payload (bytes)'),
            },
            [...flowBaseRequired, 'intervalNs', 'requestBytes', 'responseBytes'],
            'interactive request/response probe',
          ),
        ],
      },
      fault: {
        oneOf: [
          obj(
            { kind: kind('corrupt'), at: ref('endpoint'), direction: rxtx, fraction: num(0, 1, 'fraction of frames hit (seeded)'), payloadOffsetBytes: int(0, LIMITS.payloadOffsetBytes.max, 'flipped byte, from the start of the L4 payload (bytes)') },
            ['kind', 'at', 'direction', 'fraction', 'payloadOffsetBytes'],
          ),
          obj({ kind: kind('drop'), at: ref('endpoint'), direction: rxtx, fraction: num(0, 1, 'fraction of frames dropped (seeded)') }, ['kind', 'at', 'direction', 'fraction']),
        ],
      },
      timelineChange: {
        oneOf: [
          obj({ kind: kind('set-feature'), at: ref('endpoint'), feature: { enum: [...ETHTOOL_FEATURE_NAMES] }, on: { type: 'boolean' } }, ['kind', 'at', 'feature', 'on']),
          obj(
            {
              kind: kind('set-param'),
              path: { ...str(512, 'parameter path, e.g. links[0].rateBitsPerSec or nodes[id=r1].interfaces[name=eth1].mtu'), minLength: 1 },
              value: { type: ['number', 'string', 'boolean'], description: 'new value; same type as the current one' },
            },
            ['kind', 'path', 'value'],
          ),
        ],
      },
      timelineEvent: obj({ atNs: timeNs('when the change applies'), change: ref('timelineChange') }, ['atNs', 'change']),
    },
  };
}
