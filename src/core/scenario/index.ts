// The scenario module's public surface: the contract, the one validating door, paths, variants and presets.
export * from './types';
export { parseScenario, parseScenarioJson, migrateScenario, applyChange, applyChanges, featurePath, MAX_REPORTED_ERRORS, MAX_SCENARIO_JSON_CHARS, type ScenarioError, type ScenarioResult, type MigrateResult } from './validate';
export { LIMITS, ETHTOOL_FEATURE_NAMES, ScenarioSchema, parseCidr, parseIpv4, parseIpv6, featureConflicts } from './schema';
export { parsePath, formatPath, getAtPath, setAtPath, parseParamValue, type PathSegment, type PathResult } from './param-path';
export { applyVariant, type ScenarioVariant } from './variants';
export { scenarioJsonSchema } from './json-schema';
export { PRESETS, PRESET_IDS, findPreset, type PresetDef } from './presets/index';
export { METRICS, METRIC_IDS, metricValue, holds, type MetricId, type Expectation, type Comparator } from './presets/metrics';
