/** Removes secrets (tokens, passwords, cookies, API keys) from values before they are logged. */

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|apikey|credential|private[-_]?key|session/i;
const REDACTED = '[REDACTED]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A copy of `value` with every secret-looking field replaced (depth-limited, cycle-safe). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (value instanceof Date) return value;
  if (seen.has(value) || depth > 8) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redact(v, depth + 1, seen);
  return out;
}

/** One field of a log entry, redacted as it would be inside an object (`redact({ [key]: value })[key]`). */
export function redactField(key: string, value: unknown): unknown {
  return isSecretKey(key) ? REDACTED : redact(value, 1);
}

/** Masks bearer tokens, JWTs and secret query parameters inside free text (log messages, URLs). */
export function redactText(text: string): string {
  return text
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`)
    .replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, REDACTED)
    .replace(/([?&](?:[^=&\s]*(?:token|secret|password|key|code)[^=&\s]*)=)[^&\s"]+/gi, `$1${REDACTED}`);
}
