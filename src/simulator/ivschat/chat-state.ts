// Everything the simulator knows of IVS Chat in one account and region: rooms and logging
// configurations (resources with ARNs and tags), and what the app did to rooms through the API
// (SendEvent, DeleteMessage, DisconnectUser, CreateChatToken), kept so a test can read it back
// (GET /_mock/chat/events). Held by RegionState, so isolation, reset and `--state` work as for ivs.
import type {
  ChatTokenCapability, DestinationConfiguration, FallbackResult, LoggingConfigurationState,
} from '../../model/ivschat/types.js'
import { ResourceTable, type StoredResource } from '../resource-table.js'
import { CHAT_RESOURCE_TYPES, type ChatResourceType } from './chat-arn.js'

export interface RoomRecord extends StoredResource {
  id: string
  name: string
  createTime: string
  updateTime: string
  maximumMessageRatePerSecond: number
  maximumMessageLength: number
  /** Absent when the room has none (CLI:create-room answers without it). */
  messageReviewHandler?: { uri: string; fallbackResult: FallbackResult }
  loggingConfigurationIdentifiers: string[]
  /** Moves on every create and update: ListRooms answers most recently updated first (M). */
  updateSeq: number
}

export interface LoggingConfigurationRecord extends StoredResource {
  id: string
  name: string
  createTime: string
  updateTime: string
  destinationConfiguration: DestinationConfiguration
  state: LoggingConfigurationState
}

/** One thing the app did to a room through the control-plane API, in the order it did them. */
export type RoomAction =
  | { readonly type: 'SendEvent'; readonly id: string; readonly eventName: string; readonly attributes: Record<string, string>; readonly time: string }
  | { readonly type: 'DeleteMessage'; readonly id: string; readonly messageId: string; readonly reason?: string; readonly time: string }
  | { readonly type: 'DisconnectUser'; readonly userId: string; readonly reason?: string; readonly time: string }
  | {
      readonly type: 'CreateChatToken'
      readonly userId: string
      readonly capabilities: ChatTokenCapability[]
      readonly attributes: Record<string, string>
      readonly sessionDurationInMinutes: number
      readonly tokenExpirationTime: string
      readonly sessionExpirationTime: string
      readonly time: string
    }

export interface ChatStateSnapshot {
  readonly tables: Readonly<Record<string, StoredResource[]>>
  /** By room ARN. */
  readonly actions: Readonly<Record<string, RoomAction[]>>
}

/** The most actions kept per room (oldest dropped first): a long-lived server stays bounded. */
export const MAX_ACTIONS_PER_ROOM = 1_000

export class ChatState {
  readonly rooms = new ResourceTable<RoomRecord>()
  readonly loggingConfigurations = new ResourceTable<LoggingConfigurationRecord>()
  readonly #actions = new Map<string, RoomAction[]>()

  tableFor(type: string): ResourceTable<StoredResource> | undefined {
    const tables: Record<ChatResourceType, ResourceTable<StoredResource>> = {
      room: this.rooms,
      'logging-configuration': this.loggingConfigurations,
    }
    return Object.hasOwn(tables, type) ? tables[type as ChatResourceType] : undefined
  }

  record(roomArn: string, action: RoomAction): void {
    let list = this.#actions.get(roomArn)
    if (!list) {
      list = []
      this.#actions.set(roomArn, list)
    }
    list.push(action)
    if (list.length > MAX_ACTIONS_PER_ROOM) list.splice(0, list.length - MAX_ACTIONS_PER_ROOM)
  }

  actions(roomArn: string): readonly RoomAction[] {
    return this.#actions.get(roomArn) ?? []
  }

  /** A deleted room's history goes with it (a new room never has the old one's ARN). */
  forget(roomArn: string): void {
    this.#actions.delete(roomArn)
  }

  snapshot(): ChatStateSnapshot {
    const tables: Record<string, StoredResource[]> = {}
    for (const type of CHAT_RESOURCE_TYPES) tables[type] = [...this.tableFor(type)!.values()]
    return { tables, actions: Object.fromEntries(this.#actions) }
  }

  /** From a snapshot; `undefined` (a file written before chat was simulated) gives an empty state. */
  static restore(snapshot: ChatStateSnapshot | undefined): ChatState {
    const state = new ChatState()
    if (!snapshot) return state
    for (const [type, records] of Object.entries(snapshot.tables ?? {})) for (const r of records) state.tableFor(type)?.put(r)
    for (const [arn, list] of Object.entries(snapshot.actions ?? {})) state.#actions.set(arn, [...list])
    return state
  }
}
