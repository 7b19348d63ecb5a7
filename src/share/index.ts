export {
  SHARE_FORMAT_VERSION,
  LINK_PARAM,
  FILE_FORMAT,
  VIEW_LIMITS,
  DEFAULTS_V1,
  PAYLOAD_MIGRATIONS,
  migratePayload,
  encodeShareFragment,
  encodeShareUrl,
  encodeShareFile,
  payloadJson,
  validateView,
  type ShareState,
  type ShareView,
  type ShareFile,
  type ViewValue,
} from './link';
export { openUntrusted, decodeShareLink, DOOR_LIMITS, type OpenResult, type UntrustedInput, type UntrustedKind } from './door';
export { confirmOverwrite, canonicalJson, type OverwriteChoice, type OverwriteDecision } from './overwrite';
