import { describe, expect, it } from 'vitest';
import { duration, formatChannelValue, si } from './format';

describe('human units', () => {
  it('scales with SI prefixes and keeps the unit', () => {
    expect(si(9.81e9, 'bit/s')).toBe('9.81 Gbit/s');
    expect(si(41_200, 'ev/s')).toBe('41.2 kev/s');
    expect(si(512, 'B')).toBe('512 B');
    expect(si(0, 'bit/s')).toBe('0 bit/s');
  });
  it('formats durations from ns', () => {
    expect(duration(52_428_800)).toBe('52.4 ms');
    expect(duration(1_200)).toBe('1.2 µs');
    expect(duration(2.5e9)).toBe('2.5 s');
  });
  it('formats by channel unit', () => {
    expect(formatChannelValue(0.5, 'ratio')).toBe('50 %');
    expect(formatChannelValue(1.5e9, 'bit/s')).toBe('1.5 Gbit/s');
  });
});
