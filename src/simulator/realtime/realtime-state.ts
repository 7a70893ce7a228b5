// Everything the simulator knows of IVS Real-Time in one account and region: the resources with
// ARNs (stages, encoder and storage configurations, compositions, public keys, ingest
// configurations), and what has no ARN (stage sessions, their participants and participant
// events, participant replicas, the key IVS signs participant tokens with). Held by RegionState,
// so isolation, reset and `--state` files work as they do for ivs.
import { generateKeyPairSync } from 'node:crypto'
import type {
  AutoParticipantRecordingConfiguration, Destination, Event, IngestProtocol, IngestConfigurationState, LayoutConfiguration,
  ParticipantProtocol, ParticipantRecordingState, ParticipantState, ParticipantTokenCapability, ReplicationState,
  ReplicationType, S3StorageConfiguration, StageEndpoints, Video,
} from '../../model/ivs-realtime/types.js'
import { ResourceTable, type StoredResource } from '../resource-table.js'
import { REALTIME_RESOURCE_TYPES, type RealtimeResourceType } from './realtime-arn.js'

export interface StageRecord extends StoredResource {
  name: string
  autoParticipantRecordingConfiguration: Required<AutoParticipantRecordingConfiguration>
  endpoints: Required<StageEndpoints>
  /** The session under way, while any participant is connected. */
  activeSessionId?: string
}

export interface EncoderConfigurationRecord extends StoredResource {
  name: string
  video: Required<Video>
}

export interface StorageConfigurationRecord extends StoredResource {
  name: string
  s3: S3StorageConfiguration
}

export interface CompositionRecord extends StoredResource {
  stageArn: string
  state: 'STARTING' | 'ACTIVE' | 'STOPPING' | 'FAILED' | 'STOPPED'
  layout: LayoutConfiguration
  destinations: Destination[]
  startTime: string
  endTime?: string
  idempotencyToken?: string
}

export interface PublicKeyRecord extends StoredResource {
  name: string
  publicKeyMaterial: string
  fingerprint: string
  /** DER SubjectPublicKeyInfo, base64: two imports of one key are the same key. */
  spkiDer: string
}

export interface IngestConfigurationRecord extends StoredResource {
  name: string
  ingestProtocol: IngestProtocol
  streamKey: string
  stageArn: string
  participantId: string
  state: IngestConfigurationState
  userId: string
  attributes: Record<string, string>
  insecureIngest: boolean
  redundantIngest: boolean
}

export interface StageSessionRecord {
  readonly stageArn: string
  readonly sessionId: string
  readonly startTime: string
  endTime?: string
  readonly seq: number
}

export interface ParticipantRecord {
  readonly stageArn: string
  readonly sessionId: string
  readonly participantId: string
  readonly userId: string
  readonly attributes: Record<string, string>
  readonly capabilities: ParticipantTokenCapability[]
  readonly firstJoinTime: string
  readonly protocol: ParticipantProtocol
  readonly seq: number
  state: ParticipantState
  /** Whether the participant ever published in this session. */
  published: boolean
  /** Publishing right now. */
  publishing: boolean
  recordingState: ParticipantRecordingState
  recordingS3BucketName: string
  recordingS3Prefix: string
  replicationType: ReplicationType
  replicationState?: ReplicationState
  sourceStageArn?: string
  sourceSessionId?: string
  ingestConfigurationArn?: string
  /** ListParticipantEvents, oldest first (each with a seq for pagination). */
  events: (Event & { seq: number })[]
}

export interface ReplicaRecord {
  readonly sourceStageArn: string
  readonly participantId: string
  readonly sourceSessionId: string
  readonly destinationStageArn: string
  readonly destinationSessionId: string
  replicationState: ReplicationState
  readonly seq: number
}

/** The ES384 key IVS signs the participant tokens it issues with (kid: the account's token key id). */
export interface TokenSigningKey {
  readonly kid: string
  readonly privateKeyPem: string
  readonly publicKeyPem: string
}

export interface RealtimeStateSnapshot {
  readonly tables: Readonly<Record<string, StoredResource[]>>
  readonly sessions: StageSessionRecord[]
  readonly participants: ParticipantRecord[]
  readonly replicas: ReplicaRecord[]
  readonly signingKey?: TokenSigningKey
}

export class RealtimeState {
  readonly stages = new ResourceTable<StageRecord>()
  readonly encoderConfigurations = new ResourceTable<EncoderConfigurationRecord>()
  readonly storageConfigurations = new ResourceTable<StorageConfigurationRecord>()
  readonly compositions = new ResourceTable<CompositionRecord>()
  readonly publicKeys = new ResourceTable<PublicKeyRecord>()
  readonly ingestConfigurations = new ResourceTable<IngestConfigurationRecord>()
  /** By session id, in start order. */
  readonly sessions = new Map<string, StageSessionRecord>()
  /** By `<sessionId>/<participantId>`, in join order. */
  readonly participants = new Map<string, ParticipantRecord>()
  readonly replicas: ReplicaRecord[] = []
  #signingKey: TokenSigningKey | undefined

  tableFor(type: string): ResourceTable<StoredResource> | undefined {
    const tables: Record<RealtimeResourceType, ResourceTable<StoredResource>> = {
      stage: this.stages,
      'encoder-configuration': this.encoderConfigurations,
      'storage-configuration': this.storageConfigurations,
      composition: this.compositions,
      'public-key': this.publicKeys,
      'ingest-configuration': this.ingestConfigurations,
    }
    return Object.hasOwn(tables, type) ? tables[type as RealtimeResourceType] : undefined
  }

  participant(sessionId: string, participantId: string): ParticipantRecord | undefined {
    return this.participants.get(`${sessionId}/${participantId}`)
  }

  addParticipant(record: ParticipantRecord): void {
    this.participants.set(`${record.sessionId}/${record.participantId}`, record)
  }

  hasSigningKey(): boolean {
    return this.#signingKey !== undefined
  }

  /** Made on first use: a state that never issues a token never pays for a key pair. */
  signingKey(kid: () => string): TokenSigningKey {
    if (!this.#signingKey) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
      this.#signingKey = {
        kid: kid(),
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }
    }
    return this.#signingKey
  }

  snapshot(): RealtimeStateSnapshot {
    const tables: Record<string, StoredResource[]> = {}
    for (const type of REALTIME_RESOURCE_TYPES) tables[type] = [...this.tableFor(type)!.values()]
    return {
      tables,
      sessions: [...this.sessions.values()],
      participants: [...this.participants.values()],
      replicas: [...this.replicas],
      signingKey: this.#signingKey,
    }
  }

  static restore(snapshot: RealtimeStateSnapshot | undefined): RealtimeState {
    const state = new RealtimeState()
    if (!snapshot) return state
    for (const [type, records] of Object.entries(snapshot.tables)) for (const r of records) state.tableFor(type)?.put(r)
    for (const s of snapshot.sessions) state.sessions.set(s.sessionId, s)
    for (const p of snapshot.participants) state.addParticipant(p)
    state.replicas.push(...snapshot.replicas)
    state.#signingKey = snapshot.signingKey
    return state
  }
}
