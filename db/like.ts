/** Escapes `%`, `_` and `\` so that a searched text matches itself in a LIKE / ILIKE pattern. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (m) => `\\${m}`);
