// Public keys customers sign their own participant tokens with: ImportPublicKey, GetPublicKey,
// ListPublicKeys, DeletePublicKey. The PEM is parsed as ImportPlaybackKeyPair's is (one `PUBLIC
// KEY` block, no private key); IVS Real-Time tokens are ES384, so the key must be on P-384
// (UG-RT-TOKENS: "openssl ecparam -name secp384r1"). Importing a key twice is a conflict.
import { createPublicKey } from 'node:crypto'
import type { Operations, PublicKey, PublicKeySummary } from '../../model/ivs-realtime/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { parsePlaybackPublicKey } from '../resources/playback-public-key.js'
import { checkTagKeys } from '../resources/tags.js'
import { realtimeArn } from './realtime-arn.js'
import { conflict, notFound, validationError } from './realtime-errors.js'
import type { PublicKeyRecord } from './realtime-state.js'

function requirePublicKey(ctx: SimContext, arn: string): PublicKeyRecord {
  const record = ctx.state.realtime.publicKeys.get(arn)
  if (!record) throw notFound(`Public key not found: ${arn}`)
  return record
}

const toPublicKey = (r: PublicKeyRecord): PublicKey => ({
  arn: r.arn, name: r.name, publicKeyMaterial: r.publicKeyMaterial, fingerprint: r.fingerprint, tags: { ...r.tags },
})
const toSummary = (r: PublicKeyRecord): PublicKeySummary => ({ arn: r.arn, name: r.name, tags: { ...r.tags } })

export const publicKeyHandlers = {
  ImportPublicKey(input, ctx) {
    checkTagKeys(input.tags)
    const key = parsePlaybackPublicKey(input.publicKeyMaterial)
    const curve = createPublicKey(input.publicKeyMaterial).asymmetricKeyDetails?.namedCurve
    if (curve !== 'secp384r1') throw validationError(`publicKeyMaterial must be a P-384 (secp384r1) EC public key, not ${curve ?? 'an unnamed curve'}`)
    const realtime = ctx.state.realtime
    const existing = [...realtime.publicKeys.values()].find((k) => k.spkiDer === key.spkiDer)
    if (existing) throw conflict(`This public key is already imported as ${existing.arn} (fingerprint ${existing.fingerprint})`)
    const record: PublicKeyRecord = {
      arn: realtimeArn(ctx.state.region, ctx.state.accountId, 'public-key', ctx.ids.alnum(12)),
      name: input.name ?? '',
      publicKeyMaterial: input.publicKeyMaterial,
      fingerprint: key.fingerprint,
      spkiDer: key.spkiDer,
      tags: { ...input.tags },
      seq: ctx.state.nextSeq(),
    }
    realtime.publicKeys.put(record)
    return { publicKey: toPublicKey(record) }
  },

  GetPublicKey(input, ctx) {
    return { publicKey: toPublicKey(requirePublicKey(ctx, input.arn)) }
  },

  ListPublicKeys(input, ctx) {
    const page = paginate(ctx.state.realtime.publicKeys.values(), input, 50, 'ListPublicKeys')
    return { publicKeys: page.items.map(toSummary), nextToken: page.nextToken }
  },

  DeletePublicKey(input, ctx) {
    // "This invalidates future participant tokens generated using the key pair's private key" (M):
    // joining with one fails once the key is gone (participant-tokens.ts).
    ctx.state.realtime.publicKeys.delete(requirePublicKey(ctx, input.arn).arn)
    return {}
  },
} satisfies HandlerTable<Operations>
