/**
 * Bridge to a real kernel: a scenario as a bash script that builds it with Linux network namespaces, runs
 * iperf3 and prints the results, so a workshop can compare the model with Linux.
 *
 * Mapping: every node → a namespace `<prefix>-<node id>`; vm/container/router interfaces keep their names
 * and addresses; bridge, forwarder (L2 cross-connect) and nic nodes get a Linux bridge joining their
 * interfaces; every link (virtio, tap, veth, wire) → a veth pair created directly between the two
 * namespaces (the host's own namespace is never touched). Each interface gets the features the model's
 * template + `ethtool -K` intent resolve to, as one `ethtool -K` on the veth (features library formatter).
 * Wires and shaped qdiscs → tc netem / tbf. What Linux cannot mirror is listed in the script's notes.
 */
import { applyFeatureIntent, applyFeatureRequests, formatEthtoolKCommand, type FeatureRequest } from '../features/ethtool';
import { maskOf } from '../features/catalog';
import { isChangeable, type NetDevice } from '../features/device';
import { vethDevice } from '../features/presets';
import { baselineDevice } from '../model/offloads';
import { parseIpv4 } from '../scenario/schema';
import type { FlowSpec, InterfaceSpec, LinkSpec, NodeSpec, QdiscSpec, Scenario } from '../scenario/types';

export interface NetnsExportOptions {
  /** Seconds each iperf3 client runs by default (the script's DURATION variable overrides it). */
  durationSec?: number;
  /** Namespace name prefix when OLAB_PREFIX is not set at run time; the script's PID is appended. */
  prefix?: string;
}

export interface NetnsExport {
  script: string;
  /** What the script cannot reproduce (also written into the script as comments). */
  notes: string[];
  /** Node ids that become namespaces, in creation order. */
  namespaces: string[];
}

/** Quotes for bash; ids and names are validated to safe characters already, this is belt and braces. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Text for a `#` comment: one line, no control characters (a title must never become a command). */
function commentText(s: string): string {
  // oxlint-disable-next-line no-control-regex -- stripping control characters is the point
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').slice(0, 300);
}

const isL2 = (n: NodeSpec) => n.kind === 'bridge' || n.kind === 'forwarder' || n.kind === 'nic';

/** Name of the Linux bridge inside an L2 node's namespace: not one of its interface names. */
function bridgeName(n: NodeSpec): string {
  const taken = new Set(n.interfaces.map((i) => i.name));
  let name = 'olbr';
  for (let k = 0; taken.has(name); k++) name = `olbr${k}`;
  return name;
}

/** The features the model's datapath reads; others (VLAN, tunnels, SCTP, …) are left at the veth's defaults. */
const MIRRORED = maskOf('SG', 'IP_CSUM', 'IPV6_CSUM', 'HW_CSUM', 'RXCSUM', 'TSO', 'TSO6', 'TSO_ECN', 'GSO', 'GRO', 'LRO', 'GRO_HW', 'RXHASH');

/**
 * Requests that turn a fresh veth into the feature state the model gives this interface (template defaults +
 * intent), restricted to what a veth can change. Returns the resulting `ethtool -K` and what could not follow.
 */
export function ethtoolForInterface(iface: InterfaceSpec, nodeKind: NodeSpec['kind']): { command: string; unsupported: string[] } {
  let target: NetDevice;
  try {
    target = applyFeatureIntent(baselineDevice(iface.template, nodeKind), iface.features).device;
  } catch (e) {
    return { command: '', unsupported: [`features ${JSON.stringify(iface.features)}: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const veth = vethDevice();
  const requests: FeatureRequest[] = [];
  const unsupported: string[] = [];
  for (const e of veth.layout.entries) {
    if (e.kind !== 'known' || !MIRRORED.has(e.bit)) continue;
    const want = target.active.has(e.bit);
    if (want === veth.active.has(e.bit)) continue;
    if (isChangeable(veth, e.bit)) requests.push({ name: e.name, on: want });
    else if (want) unsupported.push(e.name);
  }
  const applied = applyFeatureRequests(veth, requests).device;
  for (const r of requests) {
    const bit = veth.layout.entries.find((x) => x.kind === 'known' && x.name === r.name);
    if (bit?.kind === 'known' && applied.active.has(bit.bit) !== r.on && r.on) unsupported.push(r.name);
  }
  return { command: formatEthtoolKCommand(applied, iface.name, veth), unsupported };
}

function tbf(rateBitsPerSec: number, mtu: number, limitPackets: number): string {
  // Burst: 10 ms at the rate, and at least two 64 KiB super-frames so tbf does not split every GSO frame.
  const burstBytes = Math.max(Math.ceil(rateBitsPerSec / 8 / 100), 2 * 65536 + 2 * mtu);
  return `tbf rate ${Math.round(rateBitsPerSec)}bit burst ${burstBytes} limit ${Math.max(limitPackets * mtu, burstBytes)}`;
}

/** tc commands (arguments after `tc`) for an interface's qdisc; empty for noqueue (a veth's default). */
function qdiscCommands(dev: string, q: QdiscSpec, mtu: number): string[] {
  const root = `qdisc replace dev ${dev} root`;
  switch (q.kind) {
    case 'noqueue':
      return [];
    case 'pfifo':
      return q.rateBitsPerSec === undefined
        ? [`${root} pfifo limit ${q.limitPackets}`]
        : [`${root} handle 1: ${tbf(q.rateBitsPerSec, mtu, q.limitPackets)}`, `qdisc add dev ${dev} parent 1:1 handle 10: pfifo limit ${q.limitPackets}`];
    case 'prio': {
      const prio = `prio bands ${q.bands}`;
      return q.rateBitsPerSec === undefined ? [`${root} handle 1: ${prio}`] : [`${root} handle 1: ${tbf(q.rateBitsPerSec, mtu, q.limitPackets)}`, `qdisc add dev ${dev} parent 1:1 handle 10: ${prio}`];
    }
    case 'fq': {
      const fq = `fq limit ${q.limitPackets} flow_limit ${q.flowLimitPackets} quantum ${q.quantumBytes}`;
      return q.rateBitsPerSec === undefined ? [`${root} ${fq}`] : [`${root} handle 1: ${tbf(q.rateBitsPerSec, mtu, q.limitPackets)}`, `qdisc add dev ${dev} parent 1:1 handle 10: ${fq}`];
    }
    default: {
      const never: never = q;
      return never;
    }
  }
}

function ipv4Network(cidr: string): { addr: number; len: number } | null {
  const [addr, len] = cidr.split('/');
  const a = parseIpv4(addr);
  return a === null ? null : { addr: a, len: Number(len) };
}

function sameSubnet(a: { addr: number; len: number }, b: number): boolean {
  if (a.len === 0) return true;
  const shift = 32 - a.len;
  return Math.floor(a.addr / 2 ** shift) === Math.floor(b / 2 ** shift);
}

/** Address a flow connects to: the destination's first IPv4 (else IPv6) address. */
function addressOf(n: NodeSpec): string | undefined {
  const v4 = n.interfaces.find((i) => i.ipv4 !== undefined)?.ipv4;
  if (v4) return v4.split('/')[0];
  return n.interfaces.find((i) => i.ipv6 !== undefined)?.ipv6?.split('/')[0];
}

function nsRef(id: string): string {
  return `"$P-"${shellQuote(id)}`;
}

/** Builds the script. Pure: the same scenario gives the same text. */
export function exportNetnsScript(s: Scenario, opts: NetnsExportOptions = {}): NetnsExport {
  const durationSec = Math.max(1, Math.round(opts.durationSec ?? 5));
  const prefix = /^[A-Za-z][A-Za-z0-9]{0,7}$/.test(opts.prefix ?? '') ? (opts.prefix as string) : 'olab';
  const notes: string[] = [];
  const out: string[] = [];
  const emit = (line = '') => out.push(line);
  const nodeById = new Map(s.nodes.map((n) => [n.id as string, n]));

  // ---- notes about what Linux will not mirror ----
  notes.push(`cost profile "${s.profile}"${s.profileOverrides ? ' and its overrides' : ''}: the model charges CPU from a profile; here the real machine pays`);
  for (const n of s.nodes) {
    if (n.kind === 'vm') notes.push(`${n.id}: a VM (${n.vcpus} vCPUs, virtio-net) becomes a namespace with veth interfaces: no VM exits, kicks or vhost threads`);
    if (n.kind === 'router' && n.firewall.length > 0) notes.push(`${n.id}: ${n.firewall.length} firewall rule(s) not reproduced (would need nftables)`);
    if (n.kind === 'router') notes.push(`${n.id}: forwarding uses the host's softirq on any core, not ${n.cores} dedicated core(s)`);
    if (n.kind === 'forwarder') notes.push(`${n.id}: a polling forwarder becomes a Linux bridge (interrupt-driven, no polling cores, no ${n.memoryBytes} bytes of hugepages)`);
    for (const i of n.interfaces) if (i.queues > 1) notes.push(`${n.id}/${i.name}: ${i.queues} queues not reproduced (veth pairs get 1 queue each)`);
  }
  for (const l of s.links) if (l.kind === 'virtio') notes.push(`link ${l.id}: virtio ring (${l.ringSize ?? 256} descriptors${l.eventIdx === false ? ', no event-idx' : ''}) becomes a veth pair; vnet headers are not needed (veth passes GSO/CHECKSUM_PARTIAL skbs as they are)`);
  for (const f of s.flows) {
    if (f.startNs > 0 || f.stopNs !== undefined) notes.push(`flow ${f.id}: start/stop times not reproduced; every flow starts together and runs DURATION seconds`);
    // A VM's vCPU has no host CPU to map to: iperf3 -A would pin to a host CPU that means something else.
    if (f.senderCpu !== undefined || f.receiverCpu !== undefined) notes.push(`flow ${f.id}: pinning the application to a vCPU (senderCpu/receiverCpu) not reproduced; iperf3 runs where the host's scheduler puts it`);
    if (f.kind === 'probe') notes.push(`flow ${f.id}: request/response probe approximated with ping (ICMP, ${f.requestBytes}-byte payload), if ping is installed`);
  }
  if (s.faults.length > 0) notes.push(`${s.faults.length} fault(s) (corruption/drops) not reproduced`);
  if (s.timeline.length > 0) notes.push(`${s.timeline.length} timeline change(s) not applied; the equivalent commands are listed as comments at the end`);

  // ---- header ----
  emit('#!/usr/bin/env bash');
  emit(`# Offload Lab scenario "${commentText(s.title)}" (${commentText(s.id)}) as Linux network namespaces.`);
  emit('# Generated by Offload Lab. Run as root on Linux with iproute2, ethtool and iperf3:');
  emit('#   sudo bash this-script.sh            (DURATION=10 sudo -E bash this-script.sh for longer runs)');
  emit('# Everything lives in namespaces named "$P-<node>" that this script creates; the host\'s own interfaces,');
  emit('# addresses and routes are never touched, and everything is deleted on exit (trap cleanup EXIT).');
  emit('#');
  emit('# Not reproduced (the model is richer than a namespace lab):');
  for (const n of notes) emit(`#   - ${commentText(n)}`);
  emit('set -euo pipefail');
  emit(`P="\${OLAB_PREFIX:-${prefix}$$}"`);
  emit(`DURATION="\${DURATION:-${durationSec}}"`);
  emit('WORK="$(mktemp -d)"');
  emit('');
  emit('need() { command -v "$1" >/dev/null 2>&1 || { echo "missing $1: apt-get install -y $2" >&2; exit 2; }; }');
  emit('need ip iproute2; need tc iproute2; need ss iproute2; need ethtool ethtool; need iperf3 iperf3');
  emit('[ "$(id -u)" = 0 ] || { echo "run as root (namespaces need CAP_NET_ADMIN)" >&2; exit 2; }');
  emit('');
  emit('cleanup() {');
  emit('  set +e');
  emit('  for ns in $(ip netns list 2>/dev/null | awk \'{print $1}\' | grep -F -- "$P-"); do');
  emit('    case "$ns" in "$P-"*) ;; *) continue ;; esac');
  emit('    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done');
  emit('    ip netns del "$ns" 2>/dev/null');
  emit('  done');
  emit('  rm -rf "$WORK"');
  emit('}');
  emit('trap cleanup EXIT');
  emit("trap 'exit 130' INT TERM");
  emit('x() { local ns="$P-$1"; shift; ip netns exec "$ns" "$@"; }');
  emit('# Runs a command that this kernel may not support (an offload, a qdisc module); says so and goes on.');
  emit('soft() { local out; out=$("$@" 2>&1) || { echo "  (kernel refused: $* -- $(echo "$out" | head -2 | tr \'\\n\' \' \'))" >&2; return 1; }; }');
  emit('');

  // ---- namespaces ----
  emit('# ---- namespaces ----');
  for (const n of s.nodes) {
    emit(`ip netns add ${nsRef(n.id)}`);
    emit(`ip -n ${nsRef(n.id)} link set lo up`);
  }
  emit('');

  // ---- links ----
  emit('# ---- links: one veth pair per link, created directly between the two namespaces ----');
  const linked = new Set<string>();
  const wireOf = new Map<string, LinkSpec>();
  for (const l of s.links) {
    emit(`# ${commentText(`${l.id} (${l.kind}): ${l.a.node}/${l.a.iface} <-> ${l.b.node}/${l.b.iface}`)}`);
    emit(`ip -n ${nsRef(l.a.node)} link add ${shellQuote(l.a.iface)} type veth peer name ${shellQuote(l.b.iface)} netns ${nsRef(l.b.node)}`);
    linked.add(`${l.a.node}/${l.a.iface}`);
    linked.add(`${l.b.node}/${l.b.iface}`);
    if (l.kind === 'wire') {
      wireOf.set(`${l.a.node}/${l.a.iface}`, l);
      wireOf.set(`${l.b.node}/${l.b.iface}`, l);
    }
  }
  for (const n of s.nodes) {
    for (const i of n.interfaces) {
      if (!linked.has(`${n.id}/${i.name}`)) emit(`ip -n ${nsRef(n.id)} link add ${shellQuote(i.name)} type dummy  # not linked in the scenario`);
    }
  }
  emit('');

  // ---- interfaces ----
  emit('# ---- interfaces: MTU, MAC, addresses, bridges, offloads (ethtool -K), qdiscs ----');
  const routerAddrs: number[] = [];
  for (const n of s.nodes) if (n.kind === 'router') for (const i of n.interfaces) if (i.ipv4) routerAddrs.push(parseIpv4(i.ipv4.split('/')[0]) as number);
  const ipv6Routers = new Set<string>();
  for (const n of s.nodes) {
    const ns = nsRef(n.id);
    emit(`# ${commentText(`${n.kind} ${n.id}${n.title ? ` (${n.title})` : ''}`)}`);
    const br = isL2(n) ? bridgeName(n) : undefined;
    if (br) {
      emit(`ip -n ${ns} link add ${br} type bridge`);
      emit(`ip -n ${ns} link set ${br} up`);
    }
    for (const i of n.interfaces) {
      const dev = shellQuote(i.name);
      emit(`ip -n ${ns} link set dev ${dev} mtu ${i.mtu}`);
      if (i.mac) emit(`ip -n ${ns} link set dev ${dev} address ${i.mac}`);
      if (br) emit(`ip -n ${ns} link set dev ${dev} master ${br}`);
      const target = br ?? dev;
      if (i.ipv4) emit(`ip -n ${ns} addr add ${i.ipv4} dev ${target}`);
      if (i.ipv6) {
        emit(`ip -n ${ns} addr add ${i.ipv6} dev ${target} nodad`);
        if (n.kind === 'router') ipv6Routers.add(n.id);
      }
      const eth = ethtoolForInterface(i, n.kind);
      if (eth.command) emit(`soft x ${shellQuote(n.id)} ${eth.command} || true`);
      for (const f of eth.unsupported) notes.push(`${n.id}/${i.name}: ${f} is on in the model but a veth cannot do it`);
      const wire = wireOf.get(`${n.id}/${i.name}`);
      if (wire) {
        const delay = wire.delayNs ? ` delay ${Math.max(1, Math.round(wire.delayNs / 1000))}us` : '';
        const rate = wire.rateBitsPerSec ? ` rate ${Math.round(wire.rateBitsPerSec)}bit` : '';
        // Without sch_netem (minimal kernels) the rate alone is still kept with tbf.
        const fallback = wire.rateBitsPerSec ? ` || soft tc -n ${ns} qdisc replace dev ${dev} root ${tbf(wire.rateBitsPerSec, i.mtu, 10000)}` : ' || true';
        emit(`soft tc -n ${ns} qdisc replace dev ${dev} root netem${delay}${rate} limit 100000${fallback}  # wire ${commentText(wire.id)}`);
      } else {
        for (const tc of qdiscCommands(dev, i.qdisc, i.mtu)) emit(`soft tc -n ${ns} ${tc} || true`);
      }
      emit(`ip -n ${ns} link set dev ${dev} up`);
    }
    if (n.kind === 'router') {
      emit(`x ${shellQuote(n.id)} sysctl -qw net.ipv4.ip_forward=1`);
      if (ipv6Routers.has(n.id)) emit(`x ${shellQuote(n.id)} sysctl -qw net.ipv6.conf.all.forwarding=1`);
      for (const r of n.routes) {
        emit(`ip -n ${ns} route replace ${r.prefix === '0.0.0.0/0' ? 'default' : r.prefix}${r.via ? ` via ${r.via}` : ''} dev ${shellQuote(r.iface)}`);
      }
    }
    if (n.kind === 'vm' || n.kind === 'container') {
      // The model delivers to a router on the same subnet; Linux needs a default route for that.
      let done = false;
      for (const i of n.interfaces) {
        const net = i.ipv4 ? ipv4Network(i.ipv4) : null;
        const gw = net ? routerAddrs.find((a) => a !== net.addr && sameSubnet(net, a)) : undefined;
        if (!done && gw !== undefined) {
          emit(`ip -n ${ns} route replace default via ${[gw >>> 24, (gw >>> 16) & 255, (gw >>> 8) & 255, gw & 255].join('.')} dev ${shellQuote(i.name)}`);
          done = true;
        }
      }
    }
    emit('');
  }

  // ---- traffic ----
  emit('# ---- traffic: iperf3 server in the destination namespace, client in the source, all at once ----');
  emit('CLIENTS=()');
  emit('wait_listen() { for _ in $(seq 100); do x "$1" ss -Htln "sport = :$2" | grep -q . && return 0; sleep 0.05; done; echo "iperf3 server in $1 did not start" >&2; return 1; }');
  const portsInUse = new Map<string, Set<number>>();
  const flowPort = (f: FlowSpec): number => {
    const used = portsInUse.get(f.to) ?? new Set<number>();
    portsInUse.set(f.to, used);
    let p = f.dstPort ?? 5201;
    while (used.has(p)) p = p >= 65535 ? 5201 : p + 1;
    used.add(p);
    return p;
  };
  const iperfFlows: { f: FlowSpec; k: number }[] = [];
  s.flows.forEach((f, k) => {
    const dst = nodeById.get(f.to);
    const addr = dst ? addressOf(dst) : undefined;
    if (!addr) return;
    if (f.kind === 'probe') {
      const intervalSec = Math.max(0.002, f.intervalNs / 1e9);
      emit(`if command -v ping >/dev/null 2>&1; then x ${shellQuote(f.from)} ping -q -i ${intervalSec} -w "$DURATION" -s ${Math.min(f.requestBytes, 65507)} ${addr} >"$WORK/probe-${k}.txt" 2>&1 & fi`);
      return;
    }
    const port = flowPort(f);
    emit(`x ${shellQuote(f.to)} iperf3 -s -1 -p ${port} >"$WORK/server-${k}.log" 2>&1 &`);
    emit(`wait_listen ${shellQuote(f.to)} ${port}`);
    const args = [`-c ${addr}`, `-p ${port}`, '-t "$DURATION"', '-J'];
    if (f.srcPort !== undefined) args.push(`--cport ${f.srcPort}`);
    if (f.tos !== undefined) args.push(`-S ${f.tos}`);
    if (f.kind === 'tcp') {
      if (f.bytes !== undefined) args.push(`-n ${f.bytes}`);
      if (f.writeBytes !== undefined) args.push(`-l ${Math.min(f.writeBytes, 1 << 20)}`);
    } else args.push('-u', `-b ${Math.round(f.rateBitsPerSec)}`, `-l ${f.payloadBytes}`);
    emit(`x ${shellQuote(f.from)} iperf3 ${args.join(' ')} >"$WORK/flow-${k}.json" 2>"$WORK/flow-${k}.err" &`);
    emit(`CLIENTS+=($!)`);
    iperfFlows.push({ f, k });
  });
  emit('for pid in "${CLIENTS[@]}"; do wait "$pid" || true; done');
  emit('wait || true');
  emit('');

  // ---- results ----
  emit('# ---- results ----');
  emit('# bits_per_second of end.sum_received (TCP) or end.sum (UDP); jq when present, else the pretty-printed JSON by line.');
  emit('field() {');
  emit('  if command -v jq >/dev/null 2>&1; then jq -r "$2 // empty" "$1" 2>/dev/null; return; fi');
  emit('  case "$2" in');
  emit('    .end.sum_received.bits_per_second) awk -F: \'/"sum_received"/{f=1} f&&/"bits_per_second"/{v=$2; gsub(/[^0-9.eE+-]/,"",v); print v; exit}\' "$1" ;;');
  emit('    .end.sum_sent.retransmits) awk -F: \'/"sum_sent"/{f=1} f&&/"retransmits"/{v=$2; gsub(/[^0-9]/,"",v); print v; exit}\' "$1" ;;');
  emit('    .end.sum.bits_per_second) awk -F: \'/"sum":/{f=1; v=""} f&&v==""&&/"bits_per_second"/{v=$2; gsub(/[^0-9.eE+-]/,"",v)} END{print v}\' "$1" ;;');
  emit('    .end.sum.lost_percent) awk -F: \'/"sum":/{f=1; v=""} f&&v==""&&/"lost_percent"/{v=$2; gsub(/[^0-9.eE+-]/,"",v)} END{print v}\' "$1" ;;');
  emit('  esac');
  emit('}');
  emit('gbit() { awk -v b="${1:-0}" \'BEGIN{printf "%.3f", b/1e9}\'; }');
  emit('TOTAL=0');
  emit('add_total() { TOTAL=$(awk -v a="$TOTAL" -v b="${1:-0}" \'BEGIN{printf "%.0f", a+b}\'); }');
  emit(`echo "Offload Lab scenario ${commentText(s.id).replace(/["$`\\]/g, '')} on Linux $(uname -r), $DURATION s per flow:"`);
  for (const { f, k } of iperfFlows) {
    const label = `${f.id} ${f.kind} ${f.from} -> ${f.to}`.replace(/["$`\\]/g, '');
    emit(`if [ -s "$WORK/flow-${k}.json" ] && ! grep -q '"error"' "$WORK/flow-${k}.json"; then`);
    if (f.kind === 'tcp') {
      emit(`  bps=$(field "$WORK/flow-${k}.json" .end.sum_received.bits_per_second); rtx=$(field "$WORK/flow-${k}.json" .end.sum_sent.retransmits)`);
      emit(`  echo "  ${label}: $(gbit "$bps") Gbit/s received, \${rtx:-?} retransmits"`);
      emit(`  echo "RESULT flow=${shellQuote(f.id)} kind=tcp bits_per_second=\${bps:-0} retransmits=\${rtx:-0}"`);
      emit('  add_total "$bps"');
    } else {
      emit(`  bps=$(field "$WORK/flow-${k}.json" .end.sum.bits_per_second); lost=$(field "$WORK/flow-${k}.json" .end.sum.lost_percent)`);
      emit(`  echo "  ${label}: $(gbit "$bps") Gbit/s, \${lost:-?} % lost"`);
      emit(`  echo "RESULT flow=${shellQuote(f.id)} kind=udp bits_per_second=\${bps:-0} lost_percent=\${lost:-0}"`);
      emit('  add_total "$bps"');
    }
    emit('else');
    emit(`  echo "  ${label}: iperf3 failed: $(grep -h '"error"' "$WORK/flow-${k}.json" 2>/dev/null | head -1) $(head -c 300 "$WORK/flow-${k}.err" 2>/dev/null)"`);
    emit(`  echo "RESULT flow=${shellQuote(f.id)} kind=${f.kind} error=1"`);
    emit('fi');
  }
  if (iperfFlows.length > 1) {
    emit('echo "  all flows: $(gbit "$TOTAL") Gbit/s"');
    emit('echo "RESULT total bits_per_second=$TOTAL"');
  }
  s.flows.forEach((f, k) => {
    if (f.kind !== 'probe') return;
    const label = `${f.id} probe ${f.from} -> ${f.to}`.replace(/["$`\\]/g, '');
    emit(`if [ -s "$WORK/probe-${k}.txt" ]; then echo "  ${label} (ping): $(tail -1 "$WORK/probe-${k}.txt")"; fi`);
  });

  if (s.timeline.length > 0) {
    emit('');
    emit('# ---- timeline of the scenario (not applied; the equivalent commands, for trying by hand) ----');
    for (const ev of s.timeline) {
      const c = ev.change;
      const at = `${(ev.atNs / 1e6).toFixed(3)} ms`;
      if (c.kind === 'set-feature') emit(`#   at ${at}: ip netns exec "$P-${commentText(c.at.node)}" ethtool -K ${commentText(c.at.iface)} ${commentText(c.feature)} ${c.on ? 'on' : 'off'}`);
      else emit(`#   at ${at}: ${commentText(`set ${c.path} = ${String(c.value)}`)}`);
    }
  }
  // Notes found while emitting (unsupported features) go into the header too.
  const headerEnd = out.indexOf('set -euo pipefail');
  const already = out.slice(0, headerEnd).join('\n');
  const late = notes.filter((n) => !already.includes(commentText(n)));
  out.splice(headerEnd, 0, ...late.map((n) => `#   - ${commentText(n)}`));
  return { script: `${out.join('\n')}\n`, notes, namespaces: s.nodes.map((n) => n.id) };
}
