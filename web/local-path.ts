/**
 * Where the operator UI may send a browser back to (`next` after sign-in, a form's `back`): a path of this site,
 * never another. A browser drops tabs and line breaks from a URL and reads `\` as `/`, so `/\t/evil.example` or
 * `/\evil.example` are other sites although they start with one slash; and a header cannot carry control
 * characters at all. The value is resolved as the browser would resolve it and kept only when it stays on this
 * origin and is still a path of it after normalisation (`/.//evil.example` becomes `//evil.example`).
 * Returns the normalised path with its query and fragment, or null.
 */
const here = new URL('http://operator-ui.invalid/');

export function localPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  // C0 controls, DEL and backslashes have no business in a path we write; refusing them ends the guessing.
  if (!value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, here);
  } catch {
    return null;
  }
  if (url.origin !== here.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? null : path;
}
