// The public surfaces of @ivsim/core and @ivsim/workers (each package's src/index.ts) are deliberate and
// documented: their names equal the checked-in lists packages/<pkg>/test/public-api.txt (IVSIM_UPDATE_API=1
// rewrites them after a deliberate change), every exported name and every public member of an exported class or
// interface has a TSDoc comment, and no public declaration mentions a type of its package that users cannot import.
// scripts/api-surface.mjs reads them with the TypeScript compiler API, both packages and the fixture in one program.

import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiSurfaces } from '../../../scripts/api-surface.mjs';

const at = (p: string) => new URL(p, import.meta.url).pathname;
const [fixture, core, workers] = apiSurfaces([
  at('api-fixture/index.ts'),
  at('../../core/src/index.ts'),
  at('../src/index.ts'),
]);

describe('the surface check catches what it should (fixture)', () => {
  it('an undocumented export or member, and an unexported type in a signature', () => {
    expect(fixture.names).toEqual(['interface Options', 'function documented', 'const undocumentedConst']);
    expect(fixture.undocumented).toEqual(['Options.m', 'undocumentedConst']);
    expect(fixture.unexportedTypes).toEqual(['documented → Hidden']);
  });
});

describe.each([
  ['@ivsim/core', core, at('../../core/test/public-api.txt')],
  ['@ivsim/workers', workers, at('public-api.txt')],
])('%s public API', (_pkg, api, listFile) => {
  it('equals the checked-in list (adding a public name is deliberate)', () => {
    const text = `${api.names.join('\n')}\n`;
    if (process.env.IVSIM_UPDATE_API === '1') writeFileSync(listFile, text);
    expect(text).toBe(readFileSync(listFile, 'utf8'));
  });

  it('documents every public name and member', () => {
    expect(api.undocumented).toEqual([]);
  });

  it('mentions no type users cannot import', () => {
    expect(api.unexportedTypes).toEqual([]);
  });
});
