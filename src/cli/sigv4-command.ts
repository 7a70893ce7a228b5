// `ivs-replay sigv4 explain FILE`: why the server accepts or refuses a captured request's signature.
// FILE holds a raw HTTP request (a proxy's dump, or `curl -v`'s "> " lines); the credentials and
// regions are the server's (config/default.json < --config FILE < environment < flags).
// Exit code 0 when the signature is valid, 1 when the server would refuse it, 2 for a usage mistake.
import { readFileSync } from 'node:fs'
import { CredentialStore } from '../auth/credentials.js'
import { explainSigV4, type SigV4Explanation } from '../auth/explain-sigv4.js'
import { parseRawHttpRequest, RawRequestError } from '../auth/raw-http-request.js'
import { ConfigError } from '../config/config.js'
import { loadConfig } from '../config/load-config.js'
import { CliError } from './cli-error.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'

export const sigv4Usage = `Usage: ivs-replay sigv4 explain FILE [options]

Reads a raw HTTP request (as a proxy or \`curl -v\` shows it) and prints the canonical request,
string-to-sign and signature a correct signer computes with the server's credentials, the verdict
the server gives (as of the request's own date) and, for a mismatch, the signing mistake that
reproduces the request's signature.

Options:
  --config FILE       the server's settings (credentials, region, regions)
  --region REGION     the region the endpoint serves
  --regions R1,R2     several regions
  --service NAME      the signing name (default ivs)
  --data TEXT         the body, when the capture lacks it (\`curl -v\` does not show it)
  --data-file FILE    the same, from a file
`

export async function sigv4Command(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args
  if (name === 'help' || name === '--help' || name === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(sigv4Usage)
    return 0
  }
  if (name !== 'explain') {
    process.stderr.write(`ivs-replay sigv4: ${name === undefined ? 'missing command' : `unknown command ${JSON.stringify(name)}`}\n\n${sigv4Usage}`)
    return 2
  }
  try {
    return explain(rest)
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`ivs-replay sigv4 explain: ${err.message}\n`)
      return err.exitCode
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`ivs-replay sigv4 explain: ${err.message}\n`)
      return 2
    }
    throw err
  }
}

function explain(args: readonly string[]): number {
  const parsed = parseCommandArgs(args, {
    config: { type: 'string' }, region: { type: 'string' }, regions: { type: 'string' }, service: { type: 'string' },
    data: { type: 'string' }, 'data-file': { type: 'string' },
  }, ['FILE'])
  const [file] = parsed.positionals
  const regions = stringFlag(parsed, 'regions')
  const config = loadConfig({
    file: stringFlag(parsed, 'config'),
    env: process.env,
    overrides: { region: stringFlag(parsed, 'region'), regions: regions?.split(',').map((r) => r.trim()) },
  })
  const bytes = read(file)
  let request
  try {
    request = parseRawHttpRequest(bytes)
  } catch (err) {
    if (err instanceof RawRequestError) throw new CliError(`${file}: ${err.message}`, 2)
    throw err
  }
  const data = stringFlag(parsed, 'data')
  const dataFile = stringFlag(parsed, 'data-file')
  if (data !== undefined) request.body = Buffer.from(data)
  else if (dataFile !== undefined) request.body = read(dataFile)
  const declared = Number(request.headers['content-length'] ?? 0)
  const note = request.body.length === 0 && declared > 0
    ? `Note:      the capture holds no body but Content-Length is ${declared} (curl -v does not show it): pass it with --data or --data-file\n`
    : ''
  const result = explainSigV4(request, new CredentialStore(config.credentials), {
    service: stringFlag(parsed, 'service') ?? 'ivs',
    regions: new Set(config.regions),
    maxSkewMs: config.maxSkewSeconds * 1000,
  })
  process.stdout.write(report(`${request.method} ${request.url}`, result, note))
  return result.verdict.valid ? 0 : 1
}

function read(file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2)
  }
}

function report(requestLine: string, r: SigV4Explanation, note: string): string {
  const v = r.verdict
  let out = `Request:   ${requestLine}\n`
  out += v.valid
    ? `Verdict:   valid (access key ${v.accessKeyId}, account ${v.accountId}, region ${v.region})\n`
    : `Verdict:   refused, ${v.status} ${v.code}: ${v.message}\n`
  if (r.hint !== undefined) out += `Hint:      ${r.hint}\n`
  out += note
  if (r.canonicalRequest !== undefined) {
    out += `\nCanonical request:\n${r.canonicalRequest}\n\nString-to-sign:\n${r.stringToSign}\n\n`
    out += `Expected signature: ${r.expectedSignature}\n`
  }
  return out
}
