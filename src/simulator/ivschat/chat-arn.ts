// IVS Chat ARNs: arn:aws:ivschat:<region>:<account>:<room|logging-configuration>/<id>, the id 12
// letters and digits (docs/ivs-behavior.md §14; the model's RoomArn, RoomID and
// LoggingConfigurationArn patterns).
export type ChatResourceType = 'room' | 'logging-configuration'

export const CHAT_RESOURCE_TYPES: readonly ChatResourceType[] = ['room', 'logging-configuration']

export interface ParsedChatArn {
  readonly region: string
  readonly accountId: string
  readonly resourceType: string
  readonly id: string
}

const CHAT_ARN = /^arn:aws:ivschat:([a-z0-9-]+):(\d+):([a-z-]+)\/([a-zA-Z0-9-]+)$/

export function chatArn(region: string, accountId: string, type: ChatResourceType, id: string): string {
  return `arn:aws:ivschat:${region}:${accountId}:${type}/${id}`
}

export function parseChatArn(arn: string): ParsedChatArn | undefined {
  const m = CHAT_ARN.exec(arn)
  return m ? { region: m[1], accountId: m[2], resourceType: m[3], id: m[4] } : undefined
}

/** The id part of an identifier (`…:room/g1H2I3j4k5L6` → `g1H2I3j4k5L6`), for errors' `resourceId`. */
export function idOf(identifier: string): string {
  return identifier.slice(identifier.lastIndexOf('/') + 1).replace(/[^a-zA-Z0-9]/g, '') || 'unknown'
}
