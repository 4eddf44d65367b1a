// Output files (`--json F`): checked before the run starts, so a missing directory or an unwritable file fails in
// a second with exit 2 instead of after the whole simulation; written atomically (temp file in the same directory,
// then rename), so a reader never sees half a file and an interrupted run leaves the old file as it was.

import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ScenarioError } from '@ivsim/core';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? 'error';

/** Checks that `file` can be written now; returns the atomic writer to call with the finished text. */
export function prepareOutput(flag: string, file: string): (text: string) => void {
  if (file === '-') return (text: string) => void process.stdout.write(text); // `--json -`: standard output
  const abs = resolve(file);
  const dir = dirname(abs);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new ScenarioError(`${flag}: cannot write ${file}: directory ${dir} does not exist (${code(e)})`);
  }
  if (!st.isDirectory()) throw new ScenarioError(`${flag}: cannot write ${file}: ${dir} is not a directory`);
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(abs);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) throw new ScenarioError(`${flag}: cannot write ${file}: it is a directory`);
  if (existing && !existing.isFile()) throw new ScenarioError(`${flag}: cannot write ${file}: not a regular file`);
  if (existing)
    try {
      accessSync(abs, constants.W_OK);
    } catch (e) {
      throw new ScenarioError(`${flag}: cannot write ${file}: not writable (${code(e)})`);
    }
  const tmp = resolve(dir, `.${basename(abs)}.${process.pid}.tmp`);
  // Probe: the temp file must be creatable in that directory (permissions, read-only file system).
  try {
    writeFileSync(tmp, '', { flag: 'wx' });
    rmSync(tmp, { force: true });
  } catch (e) {
    throw new ScenarioError(`${flag}: cannot write ${file}: cannot create files in ${dir} (${code(e)})`);
  }
  return (text: string) => {
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, abs);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new Error(`${flag}: writing ${file} failed (${code(e)}); the results were not saved`);
    }
  };
}

/** Commander parser for a file operand: a value that looks like an option is a mistake, not a file name. */
export function fileArg(flag: string) {
  return (v: string): string => {
    if (v.startsWith('-') && v !== '-')
      throw new ScenarioError(
        `${flag}: expected a file name, got "${v}" (an option?); write ${flag} ./${v} for a file named so`,
      );
    if (v.length === 0) throw new ScenarioError(`${flag}: expected a file name`);
    return v;
  };
}
