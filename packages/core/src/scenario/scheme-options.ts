// The `schemeOptions` part of the scenario schema, derived from the options each scheme's descriptor declares
// (DESIGN §19.12): one strict block per scheme that declares any, in descriptor order, each field with its declared
// type, default and meaning, and every block defaulted, so a validated scenario holds every configured scheme's
// whole block. The descriptors stay data (hv/descriptor.ts): zod is imported here, never by them.

import { z } from 'zod';
import type { SchemeOptionDecl } from '../hv/descriptor.ts';
import { type ConfiguredSchemeId, DESCRIPTORS, type SchemeConfig, type SchemeOptions } from '../hv/descriptors.ts';

/** What a scenario may write under `schemeOptions`: any configured scheme's block, any of its fields. */
export type SchemeOptionsInput = { [Id in ConfiguredSchemeId]?: Partial<SchemeConfig<Id>> };

const optionSchema = (o: SchemeOptionDecl) =>
  (o.type === 'boolean' ? z.boolean().default(o.default) : z.enum(o.values).default(o.default)).describe(o.meaning);

const defaultsOf = (options: Readonly<Record<string, SchemeOptionDecl>>) =>
  Object.fromEntries(Object.entries(options).map(([name, o]) => [name, o.default]));

const configured = DESCRIPTORS.filter((d) => Object.keys(d.options).length > 0);

const blocks = Object.fromEntries(
  configured.map((d) => {
    const fields = Object.fromEntries(Object.entries(d.options).map(([name, o]) => [name, optionSchema(o)]));
    return [d.id, z.strictObject(fields).default(defaultsOf(d.options)).describe(`Options of ${d.id}.`)];
  }),
);

// Built from the list at run time, so its static type is stated: the descriptors' declarations, as SchemeOptions.
const schemeOptionsObject = z.strictObject(blocks) as unknown as z.ZodType<SchemeOptions, SchemeOptionsInput>;

/** `schemeOptions` of a scenario: every block and field optional, each defaulted from its declaration. */
export const schemeOptionsSchema = schemeOptionsObject
  .default(Object.fromEntries(configured.map((d) => [d.id, defaultsOf(d.options)])) as SchemeOptions)
  .describe('Per-scheme options (DESIGN §12): features a hypervisor or CPU generation may or may not have.');
