// Which of the modelled services (src/model/services.ts) the server under test answers, asked over
// the wire as a client would: a signed List… call with no required input, on a path only that
// service binds, signed with the service's signing name. A service the server does not answer gets a
// 403 (no served service signs with that name) or a 404 (no operation on that path); one it answers,
// a 200. So the suite covers ivschat the day the simulator serves it, with no change here.
import type { ServiceSpec } from '../../src/model/service-spec.js'
import { specs } from '../../src/model/services.js'
import { readError } from './check.js'
import { MAIN_KEY, type Client } from './harness.js'

export interface ServedServices {
  readonly served: readonly ServiceSpec[]
  /** Services the server does not answer, with what it said instead. */
  readonly skipped: readonly { readonly spec: ServiceSpec; readonly why: string }[]
}

/** A `List…` operation of `spec` with no required member, bound to a path no other service binds. */
function probeOperation(spec: ServiceSpec): string {
  const others = Object.values(specs).filter((s) => s !== spec)
  const op = spec.operationNames.find((name) => {
    const { uri, method, input } = spec.operationOf(name)
    return name.startsWith('List') && method === 'POST' && !uri.includes('{') &&
      !(input && spec.structureOf(input).required?.length) &&
      !others.some((o) => Object.values(o.model.operations).some((x) => x.uri === uri))
  })
  if (!op) throw new Error(`${spec.id} has no List operation without required input on a path of its own to probe`)
  return op
}

export async function servedServices(client: Client): Promise<ServedServices> {
  const served: ServiceSpec[] = []
  const skipped: { spec: ServiceSpec; why: string }[] = []
  for (const spec of Object.values(specs)) {
    const op = probeOperation(spec)
    const answer = await client.signed('POST', spec.operationOf(op).uri, '{}', { ...MAIN_KEY, service: spec.model.signingName })
    if (answer.status === 200) {
      served.push(spec)
      continue
    }
    const err = readError(answer)
    skipped.push({ spec, why: `a signed ${op} (signing name ${spec.model.signingName}) answered ${answer.status}${typeof err === 'string' ? '' : ` ${err.type}: ${err.message.slice(0, 160)}`}` })
  }
  return { served, skipped }
}
