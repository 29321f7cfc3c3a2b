/** A user's search text as a literal inside a RegExp (every metacharacter escaped). */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
