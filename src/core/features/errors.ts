/** Why the features library rejected its input. One code per failure kind so callers can switch on it. */
export type FeatureErrorCode =
  | 'parse' // `ethtool -k` text is not in ethtool's format (line names the offending line)
  | 'syntax' // an `ethtool -K` command line ethtool itself would refuse before talking to the kernel
  | 'unknown-feature' // a feature name the device's kernel does not have (the kernel refuses the whole request)
  | 'no-such-device' // the command names another interface
  | 'refused' // the kernel rejects the request as a whole (e.g. a never-changeable feature named)
  | 'bad-bit'; // a bit index outside the feature space (a programming error)

/**
 * The only exception this library throws. `line` is the 1-based line of `ethtool -k` text for 'parse' (0
 * otherwise); `reason` says why in one line; `stderr` is what ethtool would print, when it would print
 * something.
 */
export class FeatureError extends Error {
  override readonly name = 'FeatureError';
  constructor(
    readonly code: FeatureErrorCode,
    readonly line: number,
    readonly reason: string,
    readonly stderr = '',
  ) {
    super(line > 0 ? `line ${line}: ${reason}` : reason);
  }
}
