import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { layerOf, layers, layersPlugin, refusal, root } from '../eslint/layers.js';

/**
 * The house's shape (docs/architecture.md), checked on the real files: every import between layers points down,
 * no files import each other in a loop, and the lint rule that keeps it so fails on an upward import.
 */

const sourceFile = /\.tsx?$/;
const testFile = /\.test\.tsx?$/;

function layerFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (sourceFile.test(name) && !testFile.test(name)) files.push(relative(root, path));
    }
  };
  for (const layer of Object.keys(layers)) walk(join(root, layer));
  return files;
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

const importPattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The file a relative specifier names, as TypeScript resolves it (extension or index added). */
function resolveSpecifier(from: string, specifier: string, known: Set<string>): string | null {
  const base = relative(root, resolve(root, dirname(from), specifier)).replace(/\.js$/, '');
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) if (known.has(candidate)) return candidate;
  return null;
}

function importGraph(): { files: string[]; edges: Edge[] } {
  const files = layerFiles();
  const known = new Set(files);
  const edges: Edge[] = [];
  for (const from of files) {
    const text = readFileSync(join(root, from), 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[3] ?? match[4];
      if (!specifier) continue;
      const to = resolveSpecifier(from, specifier, known);
      if (to) edges.push({ from, to, typeOnly: Boolean(match[2]) });
    }
  }
  return { files, edges };
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function importLoops(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) loops.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return loops;
}

describe('the layers of the house', () => {
  const { files, edges } = importGraph();

  it('reads the real tree', () => {
    // A guard against a silently empty graph (a wrong root or pattern would make the next tests pass vacuously).
    expect(files.length).toBeGreaterThan(150);
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.from.startsWith('api/') && e.to.startsWith('operations/'))).toBe(true);
  });

  it('has no import that runs back up a layer', () => {
    const upward = edges.map((e) => ({ ...e, why: refusal(e.from, e.to, e.typeOnly) })).filter((e) => e.why);
    expect(upward.map((e) => `${e.from} -> ${e.to}: ${e.why}`)).toEqual([]);
  });

  it('has no files that import each other in a loop', () => {
    expect(importLoops(files, edges)).toEqual([]);
  });

  it('every top-level folder of code is a layer', () => {
    const folders = readdirSync(root).filter((name) => {
      if (name.startsWith('.') || name === 'node_modules') return false;
      const path = join(root, name);
      return statSync(path).isDirectory() && readdirSync(path).some((f) => sourceFile.test(f) && !testFile.test(f));
    });
    const aboveTheHouse = ['test', 'bench', 'scripts', 'eslint'];
    expect(folders.filter((f) => !Object.hasOwn(layers, f) && !aboveTheHouse.includes(f))).toEqual([]);
  });
});

/**
 * SQL in the operator UI: a tagged query (sql`…`, sql<T>`…`, tx`…`, db`…`), raw text (`.unsafe(`), a prepared or
 * transaction call (`.execute(`, `.begin(`). The UI reads through queries/ and writes through the API or
 * operations/, so none of these may appear in web/.
 */
const sqlInCode = /\b(?:sql|tx|db)\s*(?:<[^`;]*>)?\s*`|\.unsafe\(|\.execute\(|\bsql\.begin\(/;

describe('the operator UI holds no SQL', () => {
  it('finds no query, raw SQL text or transaction in any file of web/', () => {
    const webFiles = layerFiles().filter((f) => f.startsWith('web/'));
    expect(webFiles.length).toBeGreaterThan(10);
    const offending = webFiles.flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (sqlInCode.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offending).toEqual([]);
  });

  it('recognises each form of SQL it forbids, and not code that merely passes the handle on', () => {
    for (const bad of ['await sql`select 1`', 'sql<Array<{ n: number }>>`select 1`', 'tx`insert into t values (1)`', 'sql.unsafe(text)', 'query.execute()', 'sql.begin(async (tx) => {})']) {
      expect(sqlInCode.test(bad), bad).toBe(true);
    }
    for (const fine of ['await listRows(sql, def.query, input)', 'const { sql } = deps;', 'interface X { sql: Sql }']) expect(sqlInCode.test(fine), fine).toBe(false);
  });
});

describe('the lint rule that keeps the layers', () => {
  const fixture = (from: string, code: string) =>
    new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { layers: layersPlugin }, rules: { 'layers/imports': 'error' } }],
    }).lintText(code, { filePath: join(root, from) });

  it('fails an upward import, and says which layers the file may use', async () => {
    const [result] = await fixture('domain/bad-fixture.ts', "import { createApp } from '../api/app';\nexport const app = createApp;\n");
    expect(result?.errorCount).toBe(1);
    expect(result?.messages[0]?.ruleId).toBe('layers/imports');
    expect(result?.messages[0]?.message).toContain('domain/ (pure business rules');
    expect(result?.messages[0]?.message).toContain('may not import from api/');
  });

  it('fails a workflow importing an activity for its code, and lets it import the activity types', async () => {
    const [code] = await fixture('workflows/bad-fixture.ts', "import { createActivities } from '../activities';\nexport const a = createActivities;\n");
    expect(code?.errorCount).toBe(1);
    const [types] = await fixture('workflows/good-fixture.ts', "import type { ActivityDeps } from '../activities';\nexport type A = ActivityDeps;\n");
    expect(types?.errorCount).toBe(0);
  });

  it('lets a layer import downward, and leaves tests alone', async () => {
    const [down] = await fixture('api/good-fixture.ts', "import { AppError } from '../domain/errors';\nexport const e = AppError;\n");
    expect(down?.errorCount).toBe(0);
    const [test] = await fixture('domain/anything.test.ts', "import { createApp } from '../api/app';\nexport const app = createApp;\n");
    expect(test?.errorCount).toBe(0);
  });

  it('is on, as an error, for every layer in the project config', async () => {
    const eslint = new ESLint({ cwd: root });
    for (const layer of Object.keys(layers)) {
      const config = (await eslint.calculateConfigForFile(join(root, layer, 'x.ts'))) as { rules?: Record<string, unknown> };
      expect([layer, config.rules?.['layers/imports']]).toEqual([layer, [2]]);
    }
  });
});

// layerOf is what both the rule and the graph use to place a file; pin its reading of paths.
describe('layerOf', () => {
  it('places files by their top-level folder; tests and root files are above the house', () => {
    expect(layerOf('operations/ledger/ledger.ts')).toBe('operations');
    expect(layerOf('operations/ledger/ledger.test.ts')).toBeNull();
    expect(layerOf('vitest.config.ts')).toBeNull();
    expect(layerOf('test/support/platform.ts')).toBeNull();
  });
});

describe('small functions', () => {
  it('every non-test function over 80 lines says why in the comment above it ("Long because ...")', async () => {
    const { longFunctions, longFunctionLimit } = await import('../scripts/long-functions');
    const found = longFunctions(root);
    // Guard against a scan that finds nothing: the route tables are long on purpose and explained.
    expect(found.length).toBeGreaterThan(5);
    expect(found.filter((f) => !f.explained).map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines > ${longFunctionLimit})`)).toEqual([]);
  });
});
