// Everything the simulator knows about one account in one region. Isolation between accounts and
// regions is a property of this store: a handler only ever sees the RegionState of its caller.
import type {
  AdConfiguration, Channel, PlaybackKeyPair, PlaybackRestrictionPolicy, RecordingConfiguration, StreamKey,
} from '../model/ivs/types.js'
import type { ResourceType } from './arn.js'
import type { IdGenerator } from './ids.js'
import { ChatState, type ChatStateSnapshot } from './ivschat/chat-state.js'
import { RealtimeState, type RealtimeStateSnapshot } from './realtime/realtime-state.js'
import { ResourceTable, type StoredResource } from './resource-table.js'
import { ViewerSessionRevocations, type ViewerSessionRevocationSnapshot } from './resources/viewer-session-revocations.js'
import { StreamState, type StreamStateSnapshot } from './streams/stream-state.js'

type Stored<T> = Required<T> & StoredResource

/** IVS answers `preset: ""` for BASIC and STANDARD channels, a value outside the model's enum. */
export type ChannelRecord = Omit<Stored<Channel>, 'preset'> & { preset: Channel['preset'] | '' }
export type StreamKeyRecord = Stored<StreamKey>
export type PlaybackKeyPairRecord = Stored<PlaybackKeyPair> & { publicKeyDer: string }
export type PlaybackRestrictionPolicyRecord = Stored<PlaybackRestrictionPolicy>
export type RecordingConfigurationRecord = Stored<RecordingConfiguration>
export type AdConfigurationRecord = Stored<AdConfiguration>

/** The JSON form of a RegionState, for `--state` files. */
export interface RegionStateSnapshot {
  readonly accountId: string
  readonly region: string
  readonly hostPrefix: string
  readonly seq: number
  readonly tables: Readonly<Record<string, StoredResource[]>>
  readonly streams: StreamStateSnapshot
  /** Absent in files written before IVS Real-Time was simulated. */
  readonly realtime?: RealtimeStateSnapshot
  /** Absent in files written before revocations were kept in the region's state. */
  readonly viewerSessionRevocations?: readonly ViewerSessionRevocationSnapshot[]
  /** Absent in files written before IVS Chat was simulated. */
  readonly chat?: ChatStateSnapshot
}

export class RegionState {
  readonly accountId: string
  readonly region: string
  /** 12 lowercase hex characters shared by this account's ingest, SRT and playback hosts. */
  hostPrefix: string
  #seq = 0

  readonly channels = new ResourceTable<ChannelRecord>()
  readonly streamKeys = new ResourceTable<StreamKeyRecord>()
  readonly playbackKeyPairs = new ResourceTable<PlaybackKeyPairRecord>()
  readonly playbackRestrictionPolicies = new ResourceTable<PlaybackRestrictionPolicyRecord>()
  readonly recordingConfigurations = new ResourceTable<RecordingConfigurationRecord>()
  readonly adConfigurations = new ResourceTable<AdConfigurationRecord>()
  /** Live streams and stream sessions (not resources: no ARN, no tags). */
  readonly streams = new StreamState()
  /** IVS Real-Time's resources and stage sessions (src/simulator/realtime/). */
  realtime = new RealtimeState()
  /** StartViewerSessionRevocation's, which the playback edge refuses (not resources: no ARN). */
  viewerSessionRevocations = new ViewerSessionRevocations()
  /** IVS Chat's rooms and logging configurations (src/simulator/ivschat/). */
  chat = new ChatState()

  constructor(accountId: string, region: string, ids: IdGenerator) {
    this.accountId = accountId
    this.region = region
    this.hostPrefix = ids.hex(12)
  }

  nextSeq(): number {
    return ++this.#seq
  }

  /** The table that holds resources of an ARN's type, for the operations that work on any of them. */
  tableFor(type: string): ResourceTable<StoredResource> | undefined {
    const tables: Record<ResourceType, ResourceTable<StoredResource>> = {
      channel: this.channels,
      'stream-key': this.streamKeys,
      'playback-key': this.playbackKeyPairs,
      'playback-restriction-policy': this.playbackRestrictionPolicies,
      'recording-configuration': this.recordingConfigurations,
      'ad-configuration': this.adConfigurations,
    }
    return Object.hasOwn(tables, type) ? tables[type as ResourceType] : undefined
  }

  snapshot(): RegionStateSnapshot {
    const tables: Record<string, StoredResource[]> = {}
    for (const type of resourceTypes) tables[type] = [...this.tableFor(type)!.values()]
    return { accountId: this.accountId, region: this.region, hostPrefix: this.hostPrefix, seq: this.#seq, tables, streams: this.streams.snapshot(), realtime: this.realtime.snapshot(),
      viewerSessionRevocations: this.viewerSessionRevocations.snapshot(), chat: this.chat.snapshot() }
  }

  static restore(snapshot: RegionStateSnapshot, ids: IdGenerator): RegionState {
    const state = new RegionState(snapshot.accountId, snapshot.region, ids)
    state.hostPrefix = snapshot.hostPrefix
    state.#seq = snapshot.seq
    for (const [type, records] of Object.entries(snapshot.tables)) {
      const table = state.tableFor(type)
      for (const record of records) table?.put(record)
    }
    state.streams.restore(snapshot.streams)
    state.realtime = RealtimeState.restore(snapshot.realtime)
    state.viewerSessionRevocations = ViewerSessionRevocations.restore(snapshot.viewerSessionRevocations)
    state.chat = ChatState.restore(snapshot.chat)
    return state
  }
}

const resourceTypes: readonly ResourceType[] = [
  'channel', 'stream-key', 'playback-key', 'playback-restriction-policy', 'recording-configuration', 'ad-configuration',
]
