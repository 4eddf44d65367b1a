import { describe, expect, it } from 'vitest';
import { IVSIM_VERSION } from '../src/index.ts';

describe('smoke', () => {
  it('exports a version', () => expect(IVSIM_VERSION).toMatch(/^\d+\.\d+\.\d+$/));
});
