export * from './catalog';
export * from './device';
export * from './errors';
export * from './ethtool';
export * from './featureSet';
export * from './fix';
export * from './presets';
