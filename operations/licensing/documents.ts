import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';

/**
 * License documents (spec 04 §6.8): canonical JSON (keys sorted at every level, UTF-8) signed with the
 * vendor's Ed25519 key, so a protected application verifies its license offline with the vendor's public
 * key. The document travels as `{ document, signature }` with the signature in base64url.
 */

export interface LicenseDocument {
  docId: string;
  vendor: string;
  key: string;
  product: string;
  licensee: { user: string | null; organization: string | null };
  model: 'fixed' | 'floating';
  seats: number;
  machineId: string | null;
  issuedAt: string;
  expiresAt: string | null;
  maxDayPeriod: number | null;
  maxExec: number | null;
  /** The client's execution counter instruction (spec 04 §6.6): reset to 0, leave it, or set it. */
  initExec: number | 'reset' | 'none' | null;
  maxMajor: number | null;
  features: Record<string, unknown>;
  supportUntil: string | null;
}

export interface SignedLicense {
  document: LicenseDocument;
  /** Ed25519 over `canonicalJson(document)`, base64url. */
  signature: string;
}

/** JSON with object keys sorted at every level: the same document always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A new vendor signing key pair, PEM encoded (public: SPKI, private: PKCS#8). */
export function generateSigningKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export function signLicense(document: Omit<LicenseDocument, 'docId'> & { docId?: string }, privateKeyPem: string): SignedLicense {
  const doc: LicenseDocument = { ...document, docId: document.docId ?? randomUUID() };
  const signature = sign(null, Buffer.from(canonicalJson(doc), 'utf8'), createPrivateKey(privateKeyPem)).toString('base64url');
  return { document: doc, signature };
}

/** Whether the signature is the vendor's over exactly these document bytes. Never throws on bad input. */
export function verifyLicense(signed: { document: unknown; signature: unknown }, publicKeyPem: string): boolean {
  if (typeof signed.signature !== 'string' || !/^[A-Za-z0-9_-]+$/.test(signed.signature)) return false;
  const bytes = Buffer.from(signed.signature, 'base64url');
  // Base64 has spare bits in its last character: only the one canonical spelling of the signature counts.
  if (bytes.toString('base64url') !== signed.signature) return false;
  try {
    return verify(null, Buffer.from(canonicalJson(signed.document), 'utf8'), createPublicKey(publicKeyPem), bytes);
  } catch {
    return false;
  }
}

/** The wire form a client stores as its license file: the canonical document and the signature. */
export function licenseFile(signed: SignedLicense): string {
  return `${canonicalJson(signed.document)}\n${signed.signature}\n`;
}

/** Reads a license file back; null when it is not one. */
export function parseLicenseFile(text: string): { document: unknown; signature: string } | null {
  const [json, signature, ...rest] = text.split('\n');
  if (!json || !signature || rest.some((line) => line !== '')) return null;
  try {
    const document = JSON.parse(json) as unknown;
    // Only the canonical bytes are a license file: no second spelling of the same document.
    return canonicalJson(document) === json ? { document, signature } : null;
  } catch {
    return null;
  }
}
