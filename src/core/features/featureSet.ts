import { FeatureError } from './errors';

/**
 * An immutable set of netdev feature bits (netdev_features_t), held as three uint32 words so bits 0..95 fit
 * (the kernel's 64 plus the model's extras, e.g. GSO_ACCECN at 64). Reading one bit is a branch and a shift:
 * cheap enough to ask per frame. Every operation returns a new set; nothing mutates.
 */
export class FeatureSet {
  static readonly EMPTY = new FeatureSet(0, 0, 0);
  /** Highest bit index a set can hold + 1. */
  static readonly CAPACITY = 96;

  private constructor(
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
  ) {}

  static fromWords(w0: number, w1: number, w2: number): FeatureSet {
    if ((w0 | w1 | w2) === 0) return FeatureSet.EMPTY;
    return new FeatureSet(w0 >>> 0, w1 >>> 0, w2 >>> 0);
  }

  static of(...bits: readonly number[]): FeatureSet {
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    for (const bit of bits) {
      checkBit(bit);
      if (bit < 32) w0 |= 1 << bit;
      else if (bit < 64) w1 |= 1 << (bit - 32);
      else w2 |= 1 << (bit - 64);
    }
    return FeatureSet.fromWords(w0, w1, w2);
  }

  has(bit: number): boolean {
    const word = bit < 32 ? this.w0 : bit < 64 ? this.w1 : this.w2;
    return ((word >>> (bit & 31)) & 1) !== 0;
  }

  /** True if any bit of `mask` is set here. */
  hasAny(mask: FeatureSet): boolean {
    return ((this.w0 & mask.w0) | (this.w1 & mask.w1) | (this.w2 & mask.w2)) !== 0;
  }

  /** True if every bit of `mask` is set here. */
  hasAll(mask: FeatureSet): boolean {
    return (this.w0 & mask.w0) >>> 0 === mask.w0 && (this.w1 & mask.w1) >>> 0 === mask.w1 && (this.w2 & mask.w2) >>> 0 === mask.w2;
  }

  with(bit: number): FeatureSet {
    return this.or(FeatureSet.of(bit));
  }

  without(bit: number): FeatureSet {
    return this.andNot(FeatureSet.of(bit));
  }

  set(bit: number, on: boolean): FeatureSet {
    return on ? this.with(bit) : this.without(bit);
  }

  or(o: FeatureSet): FeatureSet {
    return FeatureSet.fromWords(this.w0 | o.w0, this.w1 | o.w1, this.w2 | o.w2);
  }

  and(o: FeatureSet): FeatureSet {
    return FeatureSet.fromWords(this.w0 & o.w0, this.w1 & o.w1, this.w2 & o.w2);
  }

  andNot(o: FeatureSet): FeatureSet {
    return FeatureSet.fromWords(this.w0 & ~o.w0, this.w1 & ~o.w1, this.w2 & ~o.w2);
  }

  xor(o: FeatureSet): FeatureSet {
    return FeatureSet.fromWords(this.w0 ^ o.w0, this.w1 ^ o.w1, this.w2 ^ o.w2);
  }

  equals(o: FeatureSet): boolean {
    return this.w0 === o.w0 && this.w1 === o.w1 && this.w2 === o.w2;
  }

  isEmpty(): boolean {
    return (this.w0 | this.w1 | this.w2) === 0;
  }

  /** Set bits in ascending order. */
  bits(): number[] {
    const out: number[] = [];
    const words = [this.w0, this.w1, this.w2];
    for (let w = 0; w < 3; w++) {
      let word = words[w];
      while (word !== 0) {
        const low = word & -word;
        out.push(w * 32 + (31 - Math.clz32(low)));
        word = (word ^ low) >>> 0;
      }
    }
    return out;
  }

  size(): number {
    return popcount(this.w0) + popcount(this.w1) + popcount(this.w2);
  }

  /** Hex words, high to low, for debugging and stable keys: `0x00000000_0000ffff_00000001`. */
  toHex(): string {
    return `0x${hex8(this.w2)}_${hex8(this.w1)}_${hex8(this.w0)}`;
  }
}

function checkBit(bit: number): void {
  if (!Number.isInteger(bit) || bit < 0 || bit >= FeatureSet.CAPACITY) {
    throw new FeatureError('bad-bit', 0, `feature bit ${bit} outside 0..${FeatureSet.CAPACITY - 1}`);
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function popcount(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
