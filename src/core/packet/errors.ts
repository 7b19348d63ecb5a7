/** Why a frame or header was rejected. One code per failure kind so callers can switch on it. */
export type PacketErrorCode =
  | 'truncated' // buffer ends before the field does
  | 'malformed' // a field holds a value the format forbids
  | 'unsupported' // legal, but outside what the model handles
  | 'invalid-state'; // metadata (skb, vnet header) contradicts the bytes or the rules

/** The only exception the packet core throws for bad input: names the field and its byte offset. */
export class PacketError extends Error {
  override readonly name = 'PacketError';
  constructor(
    readonly code: PacketErrorCode,
    readonly field: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`${field} at offset ${offset}: ${detail}`);
  }
}

export function need(buf: Uint8Array, offset: number, length: number, field: string): void {
  // Written so NaN and fractional values fail too (every comparison with NaN is false).
  if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= buf.length)) {
    throw new PacketError('truncated', field, offset, `needs ${length} bytes, buffer has ${Math.max(0, buf.length - offset)}`);
  }
}
