// IVS Real-Time ARNs share the `ivs` service of the low-latency API (docs/ivs-behavior.md §15):
// arn:aws:ivs:<region>:<account>:<type>/<id>, with types only the real-time model names.
export type RealtimeResourceType =
  | 'stage'
  | 'encoder-configuration'
  | 'storage-configuration'
  | 'composition'
  | 'public-key'
  | 'ingest-configuration'

export const REALTIME_RESOURCE_TYPES: readonly RealtimeResourceType[] = [
  'stage', 'encoder-configuration', 'storage-configuration', 'composition', 'public-key', 'ingest-configuration',
]

export function realtimeArn(region: string, accountId: string, type: RealtimeResourceType, id: string): string {
  return `arn:aws:ivs:${region}:${accountId}:${type}/${id}`
}

/** The id part of an ARN (`stage/abcdABCDefgh` → `abcdABCDefgh`). */
export function arnId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1)
}
