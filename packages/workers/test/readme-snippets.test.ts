// Every ```ts block of README.md and docs/*.md is a program a user may paste: each is type-checked against the
// built packages (their dist/ declarations, through the `exports` maps, as an installed copy resolves them) and
// then run with node, and must exit 0 with nothing on stderr. The blocks are written to a temporary folder whose
// node_modules/@ivsim/{core,workers} link to this checkout's packages.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;

interface Snippet {
  /** `README.md:112`: the document and the line of the block's first code line. */
  where: string;
  code: string;
}

function tsBlocks(doc: string): Snippet[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const out: Snippet[] = [];
  for (const m of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, m.index).split('\n').length + 1;
    out.push({ where: `${doc}:${line}`, code: m[1] });
  }
  return out;
}

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).flatMap((f) => (f.endsWith('.md') ? [`docs/${f}`] : []))];
const snippets = docs.flatMap(tsBlocks);

/** A folder that resolves @ivsim/core and @ivsim/workers to this checkout's packages, one file per snippet. */
function workspace(): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ivsim-snippets-'));
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  mkdirSync(join(dir, 'node_modules', '@ivsim'), { recursive: true });
  for (const pkg of ['core', 'workers'])
    symlinkSync(join(ROOT, 'packages', pkg), join(dir, 'node_modules', '@ivsim', pkg), 'dir');
  const files = snippets.map((s, i) => {
    const f = join(dir, `snippet-${i}.ts`);
    writeFileSync(f, s.code);
    return f;
  });
  return { dir, files };
}

describe('README and docs TypeScript snippets', () => {
  const { dir, files } = workspace();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('README.md has the library snippets (extraction works)', () => {
    expect(snippets.filter((s) => s.where.startsWith('README.md:')).length).toBeGreaterThanOrEqual(3);
  });

  it('type-check against the built packages', () => {
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true, // as the project builds: comlink's declarations name DOM types
      verbatimModuleSyntax: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const i = d.file ? files.indexOf(d.file.fileName) : -1;
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (!d.file || i < 0 || d.start === undefined) return message;
      const [doc, first] = snippets[i].where.split(':');
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${doc}:${Number(first) + line}: ${message}`;
    });
    expect(errors).toEqual([]);
  });

  it.each(snippets.map((s, i) => [s.where, i] as const))('%s runs', (_where, i) => {
    const js = ts.transpileModule(snippets[i].code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
    }).outputText;
    const file = join(dir, `snippet-${i}.mjs`);
    writeFileSync(file, js);
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });
});
