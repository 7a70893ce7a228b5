// Everything the simulator knows about one account in one region. Isolation between accounts and
// regions is a property of this store: a handler only ever sees the RegionState of its caller.
import type {
  AdConfiguration, Channel, PlaybackKeyPair, PlaybackRestrictionPolicy, RecordingConfiguration, StreamKey,
} from '../model/ivs-types.js'
import type { ResourceType } from './arn.js'
import type { IdGenerator } from './ids.js'
import { ResourceTable, type StoredResource } from './resource-table.js'
import { StreamState } from './streams/stream-state.js'

type Stored<T> = Required<T> & StoredResource

/** IVS answers `preset: ""` for BASIC and STANDARD channels, a value outside the model's enum. */
export type ChannelRecord = Omit<Stored<Channel>, 'preset'> & { preset: Channel['preset'] | '' }
export type StreamKeyRecord = Stored<StreamKey>
export type PlaybackKeyPairRecord = Stored<PlaybackKeyPair> & { publicKeyDer: string }
export type PlaybackRestrictionPolicyRecord = Stored<PlaybackRestrictionPolicy>
export type RecordingConfigurationRecord = Stored<RecordingConfiguration>
export type AdConfigurationRecord = Stored<AdConfiguration>

export class RegionState {
  readonly accountId: string
  readonly region: string
  /** 12 lowercase hex characters shared by this account's ingest, SRT and playback hosts. */
  readonly hostPrefix: string
  #seq = 0

  readonly channels = new ResourceTable<ChannelRecord>()
  readonly streamKeys = new ResourceTable<StreamKeyRecord>()
  readonly playbackKeyPairs = new ResourceTable<PlaybackKeyPairRecord>()
  readonly playbackRestrictionPolicies = new ResourceTable<PlaybackRestrictionPolicyRecord>()
  readonly recordingConfigurations = new ResourceTable<RecordingConfigurationRecord>()
  readonly adConfigurations = new ResourceTable<AdConfigurationRecord>()
  /** Live streams and stream sessions (not resources: no ARN, no tags). */
  readonly streams = new StreamState()

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
}
