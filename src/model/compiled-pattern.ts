// The models' `pattern` constraints as JavaScript regular expressions, compiled once per pattern.

const patternCache = new Map<string, RegExp>()

/**
 * The model's patterns are Java regexes matched against the whole value; `\p{L}` and friends need
 * JavaScript's `u` flag. Patterns that already carry `^…$` alternatives keep working inside the group.
 */
export function compiledPattern(pattern: string): RegExp {
  let re = patternCache.get(pattern)
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u')
    patternCache.set(pattern, re)
  }
  return re
}
