// IVS ARNs: arn:aws:ivs:<region>:<account>:<type>/<id>.
export type ResourceType =
  | 'channel'
  | 'stream-key'
  | 'playback-key'
  | 'recording-configuration'
  | 'playback-restriction-policy'
  | 'ad-configuration'

export interface ParsedArn {
  readonly region: string
  readonly accountId: string
  readonly resourceType: string
  readonly id: string
}

const ARN = /^arn:aws:ivs:([a-z0-9-]+):(\d+):([a-z-]+)\/([a-zA-Z0-9-]+)$/

export function parseArn(arn: string): ParsedArn | undefined {
  const m = ARN.exec(arn)
  return m ? { region: m[1], accountId: m[2], resourceType: m[3], id: m[4] } : undefined
}

export function formatArn(region: string, accountId: string, type: ResourceType, id: string): string {
  return `arn:aws:ivs:${region}:${accountId}:${type}/${id}`
}
