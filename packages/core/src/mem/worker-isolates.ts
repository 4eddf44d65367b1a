// Worker threads whose V8 isolates optimise on their own thread (no concurrent recompilation).
//
// Why: Node 20 unregisters a worker's isolate from its platform *before* disposing it (node_worker.cc,
// WorkerThreadData's destructor). A TurboFan job still running on a background thread in that window may allocate,
// ask for the isolate's foreground task runner, and hit `Assertion failed: (data.first) != nullptr` in
// NodePlatform::ForIsolate: the whole process aborts. CI saw it once, at a pool's teardown (2026-12-01); upstream
// fixed the order later (v8/node#208, "Unregister isolate after Isolate::Dispose"). An isolate created while
// `--no-concurrent-recompilation` is set has no optimizing-compile dispatcher at all, so no job of its own can be in
// flight when it is torn down. V8 reads the flag once, in Isolate::Init; the creating thread keeps its dispatcher.
//
// Measured on the 2-core VM (DESIGN §10): x86-compare on 2 shards 0.90× wall and 0.88× CPU, fleet on 2 shards
// 0.97× wall; x86-compare on 1 shard 1.17× wall (compilation moves onto the shard's thread) but 0.92× CPU.

import { setFlagsFromString } from 'node:v8';

/** The part of a worker_threads Worker this needs: its 'online' (isolate up) and 'exit' events. */
export interface StartingThread {
  once(event: 'online' | 'exit', listener: () => void): unknown;
}

const FLAG = /--(no-)?concurrent[-_]recompilation\b/;

/** The user chose the flag on node's command line (NODE_OPTIONS cannot carry it): leave it as they set it. */
function userChoseFlag(): boolean {
  return process.execArgv.some((a) => FLAG.test(a));
}

let holds = 0;

/** Holds the flag off until the returned release is called (idempotent); holds nest. */
function holdSyncCompile(): () => void {
  if (holds++ === 0) setFlagsFromString('--no-concurrent-recompilation');
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holds === 0) setFlagsFromString('--concurrent-recompilation');
  };
}

/**
 * Runs `create` (which starts worker threads) with concurrent recompilation off for the isolates it creates, and
 * turns it back on once every thread `threadsOf` lists is online or has exited. Isolates created elsewhere in the
 * process in that window (a few milliseconds) compile synchronously too; the calling thread's own isolate is never
 * affected. A flag given on node's command line is left alone.
 */
export function withSyncCompiledThreads<T>(create: () => T, threadsOf: (made: T) => readonly StartingThread[]): T {
  if (userChoseFlag()) return create();
  const release = holdSyncCompile();
  let made: T;
  try {
    made = create();
  } catch (e) {
    release();
    throw e;
  }
  const threads = threadsOf(made);
  let starting = threads.length;
  if (starting === 0) release();
  const started = () => {
    if (--starting === 0) release();
  };
  for (const t of threads) {
    // Whichever comes first; 'exit' always comes, so a thread that dies while starting still releases the flag.
    let counted = false;
    const once = () => {
      if (counted) return;
      counted = true;
      started();
    };
    t.once('online', once);
    t.once('exit', once);
  }
  return made;
}

/** How many starts are holding the flag off now (0 once every thread is up): for tests. */
export function syncCompileHolds(): number {
  return holds;
}
