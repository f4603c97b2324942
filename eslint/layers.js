// @ts-check
/**
 * The layers of the house and the one rule that keeps their arrows pointing down (docs/architecture.md). A
 * top-level folder is a layer; a file may import from its own layer and from the layers listed for it, nothing
 * else. `typesOnly` layers may be imported with `import type` alone (workflows see activities only as types).
 * Tests, benchmarks and scripts stand above the house and may import anything.
 *
 * Used by eslint.config.js (rule `layers/imports`) and by test/architecture.test.ts, which also checks that no
 * files import each other in a loop.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {Record<string, { may: string[]; typesOnly?: string[]; files?: string[]; says: string }>} */
export const layers = {
  domain: { may: [], says: 'pure business rules, workflow-safe: no I/O' },
  contracts: { may: ['domain'], says: 'what workflows, activities and their callers share: scenario names, inputs, ids, messages, records' },
  infra: { may: ['contracts', 'domain'], says: 'configuration, logging, request context, outbound HTTP: knows no business' },
  db: { may: ['infra', 'domain'], says: 'schema, migrations, the connection and query helpers' },
  operations: { may: ['db', 'infra', 'contracts', 'domain'], says: 'business operations, one per file: the only code that writes PostgreSQL' },
  queries: { may: ['db', 'infra', 'domain'], says: 'reads: one query per list and card, shared by the API and the UI' },
  activities: { may: ['operations', 'queries', 'db', 'infra', 'contracts', 'domain'], says: 'Temporal activities: thin callers of operations' },
  workflows: { may: ['contracts', 'domain'], typesOnly: ['activities'], says: 'scenarios: deterministic workflow code' },
  api: { may: ['operations', 'queries', 'db', 'infra', 'contracts', 'domain'], says: 'HTTP routes: thin callers of operations and queries' },
  web: { may: ['api', 'operations', 'queries', 'db', 'infra', 'contracts', 'domain'], says: 'the operator UI: reads through queries, acts through the API' },
  demo: { may: ['operations', 'infra', 'domain'], says: 'the demo vendor for newcomers' },
  // A process of its own in a customer's network: no database, no Temporal; the root's document format alone.
  'license-server': { may: ['domain'], files: ['operations/licensing/documents'], says: 'the local license server: talks to the root over HTTP only' },
  platform: { may: ['web', 'api', 'workflows', 'activities', 'operations', 'queries', 'db', 'infra', 'contracts', 'domain'], says: 'the processes and their wiring' },
};

/** The layer a repository-relative path belongs to, or null (tests, benchmarks, scripts, root files). */
export function layerOf(path) {
  const top = path.split(/[\\/]/)[0] ?? '';
  if (!path.includes('/') && !path.includes(sep)) return null;
  if (/\.test\.tsx?$/.test(path)) return null;
  return Object.hasOwn(layers, top) ? top : null;
}

/**
 * Why `from` may not import `to` (both repository-relative), or null when it may. `typeOnly`: the import brings
 * types alone.
 */
export function refusal(from, to, typeOnly) {
  const a = layerOf(from);
  const b = to.split(/[\\/]/)[0] ?? '';
  if (!a || !Object.hasOwn(layers, b) || a === b) return null;
  const rule = layers[a];
  if (rule.may.includes(b)) return null;
  if (rule.files?.includes(to.replace(/\.ts$/, '').split(sep).join('/'))) return null;
  if (typeOnly && rule.typesOnly?.includes(b)) return null;
  const allowed = [...rule.may, ...(rule.typesOnly ?? []).map((l) => `${l} (types only)`)];
  return `${a}/ (${rule.says}) may not import from ${b}/; it may import from ${allowed.join(', ') || 'nothing of the project'} (docs/architecture.md)`;
}

/** @type {import('eslint').Rule.RuleModule} */
const importsRule = {
  meta: { type: 'problem', docs: { description: 'imports follow the layers of docs/architecture.md' }, schema: [] },
  create(context) {
    const from = relative(root, context.filename);
    if (!layerOf(from)) return {};
    /** @param {any} node @param {boolean} typeOnly */
    const check = (node, typeOnly) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = relative(root, resolve(dirname(context.filename), source));
      const why = refusal(from, to, typeOnly);
      if (why) context.report({ node, message: why });
    };
    /** @param {any} node */
    const typeOnlyImport = (node) =>
      node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((/** @type {any} */ s) => s.importKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, typeOnlyImport(node)),
      ExportNamedDeclaration: (node) => check(node, /** @type {any} */ (node).exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, /** @type {any} */ (node).exportKind === 'type'),
      ImportExpression: (node) => check(node, false),
    };
  },
};

export const layersPlugin = { rules: { imports: importsRule } };
