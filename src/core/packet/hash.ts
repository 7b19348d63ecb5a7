import { PacketError, need } from './errors';

/** Microsoft's published RSS verification key (40 octets), also the virtio/DPDK test key. */
export const MICROSOFT_RSS_KEY: Uint8Array = Uint8Array.of(
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
  0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
);

/** Linux's NETDEV_RSS_KEY_LEN: the key length the kernel fills at boot. */
export const LINUX_RSS_KEY_LENGTH_BYTES = 52;

function checkKey(key: Uint8Array): void {
  if (key.length < 4) throw new PacketError('malformed', 'rss key', 0, `key has ${key.length} octets, needs at least 4`);
}

function checkInputFits(key: Uint8Array, inputPosBytes: number, lengthBytes: number): void {
  const maxBytes = key.length - 4;
  if (inputPosBytes < 0 || inputPosBytes + lengthBytes > maxBytes) {
    throw new PacketError(
      'malformed',
      'toeplitz input',
      inputPosBytes,
      `input bytes ${inputPosBytes}..${inputPosBytes + lengthBytes} exceed the ${maxBytes} a ${key.length}-octet key covers`,
    );
  }
}

/** 32-bit key window starting at key bit `bit` (MSB of byte 0 is bit 0). */
function keyWindow(key: Uint8Array, bit: number): number {
  let w = 0;
  for (let i = 0; i < 32; i++) {
    const k = bit + i;
    const byte = k >>> 3 < key.length ? key[k >>> 3] : 0;
    w = (w << 1) | ((byte >>> (7 - (k & 7))) & 1);
  }
  return w >>> 0;
}

/**
 * Bit-serial Toeplitz hash (the reference algorithm of §7.1): for each set input bit i, XOR in the key's
 * 32-bit window starting at bit i. Slow; kept as the oracle for the table-driven hasher.
 */
export function toeplitzHash(key: Uint8Array, input: Uint8Array, offset: number, lengthBytes: number): number {
  checkKey(key);
  need(input, offset, lengthBytes, 'toeplitz input');
  checkInputFits(key, 0, lengthBytes);
  let result = 0;
  let window = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  for (let i = 0; i < lengthBytes; i++) {
    const b = input[offset + i];
    const nextKeyByte = key[i + 4];
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >>> bit) & 1) result ^= window;
      window = ((window << 1) | ((nextKeyByte >>> bit) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}

/**
 * Table-driven Toeplitz for one key. Toeplitz is linear over XOR, so the hash is the XOR of one
 * precomputed 32-bit value per input byte: table[pos * 256 + byte]. Input may also be hashed in pieces
 * placed at any input position (`hashAt`), which lets callers hash addresses and ports straight out of a
 * frame without assembling the tuple.
 */
export class ToeplitzHasher {
  readonly key: Uint8Array;
  /** Longest input this key covers: key length − 4 octets. */
  readonly maxInputBytes: number;
  /** Flattened [position][byte] → partial hash. */
  readonly table: Uint32Array;

  constructor(key: Uint8Array = MICROSOFT_RSS_KEY) {
    checkKey(key);
    this.key = Uint8Array.from(key);
    this.maxInputBytes = key.length - 4;
    const table = new Uint32Array(this.maxInputBytes * 256);
    for (let pos = 0; pos < this.maxInputBytes; pos++) {
      const bitWindows = new Uint32Array(8);
      for (let bit = 0; bit < 8; bit++) bitWindows[bit] = keyWindow(key, pos * 8 + bit);
      const base = pos << 8;
      for (let b = 1; b < 256; b++) {
        // b's highest set bit is input bit (7 - msb) of this byte; the rest was already computed.
        const msb = 31 - Math.clz32(b);
        table[base + b] = table[base + (b ^ (1 << msb))] ^ bitWindows[7 - msb];
      }
    }
    this.table = table;
  }

  /** Hash of `lengthBytes` octets of `input` from `offset`, as a tuple starting at input position 0. */
  hash(input: Uint8Array, offset: number, lengthBytes: number): number {
    return this.hashAt(input, offset, lengthBytes, 0);
  }

  /** Contribution of `lengthBytes` octets placed at tuple position `inputPosBytes`; XOR pieces together. */
  hashAt(input: Uint8Array, offset: number, lengthBytes: number, inputPosBytes: number): number {
    if (offset < 0 || offset + lengthBytes > input.length) need(input, offset, lengthBytes, 'toeplitz input');
    if (inputPosBytes < 0 || inputPosBytes + lengthBytes > this.maxInputBytes) {
      checkInputFits(this.key, inputPosBytes, lengthBytes);
    }
    const t = this.table;
    let h = 0;
    let idx = inputPosBytes << 8;
    for (let i = 0; i < lengthBytes; i++, idx += 256) h ^= t[idx | input[offset + i]];
    return h >>> 0;
  }

  /**
   * IPv4 hash straight from a frame: addresses at l3Offset+12..+20; ports at l4Offset..+4 when l4Offset ≥ 0
   * (4-tuple), else the 2-tuple. Offsets must have been validated by the parser.
   */
  hashIpv4(frame: Uint8Array, l3Offset: number, l4Offset: number): number {
    const addrs = this.hashAt(frame, l3Offset + 12, 8, 0);
    return l4Offset < 0 ? addrs : (addrs ^ this.hashAt(frame, l4Offset, 4, 8)) >>> 0;
  }

  /** IPv6 hash from a frame: addresses at l3Offset+8..+40 (32 octets), ports as for IPv4 at position 32. */
  hashIpv6(frame: Uint8Array, l3Offset: number, l4Offset: number): number {
    const addrs = this.hashAt(frame, l3Offset + 8, 32, 0);
    return l4Offset < 0 ? addrs : (addrs ^ this.hashAt(frame, l4Offset, 4, 32)) >>> 0;
  }
}
