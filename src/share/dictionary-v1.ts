/**
 * Preset deflate dictionary of share-link format 1: JSON fragments that appear in almost every payload, so a
 * small scenario compresses to a few hundred characters. FROZEN: links in the wild were compressed against
 * these exact bytes; changing one character breaks every format-1 link (the golden fixtures and the hash
 * test catch it). A better dictionary means a new format version. Most frequent fragments sit at the end
 * (deflate distances to them are shortest).
 */
const FRAGMENTS_V1 = [
  '"profileOverrides":{},"faults":[{"kind":"corrupt","at":{"node":"","iface":""},"direction":"rx","fraction":0.01,"payloadOffsetBytes":0}',
  '{"kind":"drop","at":{"node":"","iface":"eth1"},"direction":"tx","fraction":',
  '{"kind":"forwarder","id":"fwd","host":"h1","cores":2,"memoryBytes":1073741824,"interfaces":[{"name":"nic0","template":"nic","mac":"52:54:00:00:00:23"',
  '{"kind":"nic","id":"nic1","host":"h2","interfaces":[{"name":"p0","template":"nic","queues":4}]}',
  '{"id":"w1","kind":"wire","a":{"node":"nic1","iface":"p0"},"b":{"node":"nic2","iface":"p0"},"rateBitsPerSec":10000000000,"delayNs":',
  '{"kind":"container","id":"c1","host":"h1","interfaces":[{"name":"eth0","template":"veth","ipv4":"10.0.3.2/24"}]}',
  '{"id":"l1","kind":"veth","a":{"node":"c1","iface":"eth0"},"b":{"node":"br0","iface":"veth0"}}',
  '{"kind":"udp","id":"u1","from":"vm1","to":"vm2","rateBitsPerSec":1000000000,"payloadBytes":1472}',
  '{"kind":"probe","id":"p1","from":"vm1","to":"vm2","intervalNs":1000000,"requestBytes":64,"responseBytes":64,"tos":',
  '"firewall":[{"action":"drop","proto":"udp","srcPrefix":"10.0.1.0/24","dstPrefix":"10.0.2.0/24","dstPort":53}]',
  '"qdisc":{"kind":"fq","limitPackets":10000,"flowLimitPackets":100,"quantumBytes":3028},"qdisc":{"kind":"prio","bands":3,"limitPackets":1000,"rateBitsPerSec":',
  '"qdisc":{"kind":"noqueue"},"qdisc":{"kind":"pfifo","limitPackets":1000,"rateBitsPerSec":100000000}',
  '{"atNs":100000000,"change":{"kind":"set-param","path":"nodes[id=r1].interfaces[name=eth1].qdisc.rateBitsPerSec","value":',
  '{"atNs":250000000,"change":{"kind":"set-feature","at":{"node":"vm1","iface":"eth0"},"feature":"generic-receive-offload","on":false}}',
  '"features":{"large-receive-offload":true,"receive-hashing":true,"tx-checksumming":false,"rx-checksumming":false,"scatter-gather":false,',
  '"tcp-segmentation-offload":false,"generic-segmentation-offload":false,"generic-receive-offload":false},"vnetHdr":false,"mtu":9000,"queues":4',
  '{"kind":"router","id":"r1","host":"h1","cores":1,"interfaces":[{"name":"eth0","template":"virtio-net","ipv4":"10.0.1.1/24","mac":"52:54:00:00:00:11"},',
  '{"name":"eth1","template":"virtio-net","ipv4":"10.0.2.1/24","mac":"52:54:00:00:00:12"}],"routes":[{"prefix":"10.0.1.0/24","iface":"eth0"},{"prefix":"10.0.2.0/24","iface":"eth1","via":"10.0.2.254"}],"position":{"x":400,"y":200}}',
  '{"kind":"vm","id":"vm2","host":"h1","vcpus":2,"interfaces":[{"name":"eth0","template":"virtio-net","ipv4":"10.0.2.2/24","mac":"52:54:00:00:00:02"}],"position":{"x":700,"y":200}}',
  '{"kind":"bridge","id":"br1","host":"h1","interfaces":[{"name":"tap0","template":"tap"},{"name":"tap1","template":"tap"}],"position":{"x":250,"y":200}}',
  '{"s":{"id":"","title":"","description":"","seed":2,"durationNs":500000000,"sampleIntervalNs":10000000,"hosts":[{"id":"h1","cores":8}],',
  '"nodes":[{"kind":"vm","id":"vm1","host":"h1","vcpus":2,"interfaces":[{"name":"eth0","template":"virtio-net","ipv4":"10.0.0.1/24","mac":"52:54:00:00:00:01"}],"position":{"x":100,"y":200}},',
  '{"kind":"bridge","id":"br0","host":"h1","interfaces":[{"name":"tap0","template":"tap"},{"name":"tap1","template":"tap"}],"position":{"x":300,"y":200}},',
  '{"kind":"vm","id":"vm2","host":"h1","vcpus":2,"interfaces":[{"name":"eth0","template":"virtio-net","ipv4":"10.0.0.2/24","mac":"52:54:00:00:00:02"}],"position":{"x":500,"y":200}}],',
  '"links":[{"id":"l-vm1","kind":"virtio","a":{"node":"vm1","iface":"eth0"},"b":{"node":"br0","iface":"tap0"},"ringSize":256,"eventIdx":true},',
  '{"id":"l-vm2","kind":"virtio","a":{"node":"vm2","iface":"eth0"},"b":{"node":"br0","iface":"tap1"},"ringSize":256,"eventIdx":true}],',
  '"flows":[{"kind":"tcp","id":"f1","from":"vm1","to":"vm2","srcPort":40000,"dstPort":5201,"writeBytes":131072}]},"v":{"charts":["',
];

export const DICTIONARY_V1_TEXT = FRAGMENTS_V1.join('');
export const DICTIONARY_V1: Uint8Array = new TextEncoder().encode(DICTIONARY_V1_TEXT);
